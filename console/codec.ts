// The payload codec endpoint (Temporal's codec-server protocol, `POST /codec/encode|decode`) hosted
// by the console for signed-in staff allowed to read payloads, with the same transcoding as
// `npm run codec-server` (codec/server.ts transcode). Who: operations (detachment-leader), who
// watch the quarter and work parked steps in the Web UI. Not the witnesses (admin, discipline):
// whoever decodes histories reads a witness's entropy once revealed (docs/operations.md). Every
// use is audited. CORS answers only the configured Web UI origins; the Web UI cannot send the
// console's CSRF token, so these two routes are checked instead by origin and a JSON body (a
// cross-site form cannot send one without a preflight, which a foreign origin fails).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EncryptionCodec } from '../codec/encryption-codec';
import { KeyringError, loadKeyring, type Keyring } from '../codec/keyring';
import { transcode } from '../codec/server';
import type { RouteContext } from './approvals';

export const CODEC_ROLES = ['detachment-leader'] as const;
const CODEC_PATH = /^\/codec\/(encode|decode)\/?(\?.*)?$/;

export interface CodecEndpointOptions {
  keyring: Keyring;
  /** The Web UI's origins (SSJ_CODEC_CORS_ORIGINS), e.g. http://127.0.0.1:8233. */
  corsOrigins: readonly string[];
}

/**
 * A POST to the codec endpoint that needs no CSRF token: a JSON body, from no browser page or from
 * an allowed origin. The session and role are still required by the route itself.
 */
export function codecCsrfExempt(req: FastifyRequest, corsOrigins: readonly string[]): boolean {
  if (req.method !== 'POST' || !CODEC_PATH.test(req.url)) return false;
  const origin = req.headers.origin;
  const json = /^application\/json\b/i.test(String(req.headers['content-type'] ?? ''));
  return json && (origin === undefined || corsOrigins.includes(origin));
}

export function registerCodec(app: FastifyInstance, ctx: RouteContext, opts: CodecEndpointOptions): void {
  const codec = new EncryptionCodec(opts.keyring);
  const cors = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined || !opts.corsOrigins.includes(origin)) return false;
    reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
    return true;
  };
  const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json').header('cache-control', 'no-store').send(JSON.stringify(body));

  app.options('/codec/:action', async (req, reply) => {
    // Preflight: no credentials come with it; the real request is checked.
    if (!cors(req, reply)) return json(reply, 403, { message: `origin ${req.headers.origin ?? '(none)'} is not allowed` });
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type, X-Namespace')
      .header('access-control-max-age', '600')
      .send();
  });

  app.post('/codec/:action', async (req, reply) => {
    const action = (req.params as { action: string }).action;
    const allowed = cors(req, reply);
    if (action !== 'encode' && action !== 'decode') return json(reply, 404, { message: 'POST /codec/encode or /codec/decode' });
    if (req.headers.origin !== undefined && !allowed) {
      await ctx.audit(req, 'codec.refused', action, { reason: 'origin', origin: req.headers.origin.slice(0, 300) });
      return json(reply, 403, { message: `origin ${req.headers.origin} is not allowed` });
    }
    const s = req.signedIn;
    if (!s) {
      await ctx.audit(req, 'codec.refused', action, { reason: 'no-session' });
      return json(reply, 401, { message: 'sign in to the console first (a session with an allowed role is required)' });
    }
    if (!s.roles.some((r) => (CODEC_ROLES as readonly string[]).includes(r))) {
      await ctx.audit(req, 'codec.refused', action, { reason: 'role', roles: s.roles });
      return json(reply, 403, { message: `reading payloads needs the role ${CODEC_ROLES.join(' or ')}` });
    }
    const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null);
    const r = await transcode(codec, action, body);
    await ctx.audit(req, `codec.${action}`, String(req.headers['x-namespace'] ?? ''), { status: r.status, ...(r.log ? { payloads: r.log.payloads ?? null, keyIds: r.log.keyIds ?? null } : {}) });
    return json(reply, r.status, r.body);
  });
}

/** The endpoint's options from the environment, as `npm run codec-server` reads them; null (no endpoint) without keys. */
export function codecEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): CodecEndpointOptions | null {
  try {
    const keyring = loadKeyring(env);
    const corsOrigins = (env.SSJ_CODEC_CORS_ORIGINS ?? 'http://127.0.0.1:8233,http://localhost:8233').split(',').map((s) => s.trim()).filter(Boolean);
    return { keyring, corsOrigins };
  } catch (err) {
    if (err instanceof KeyringError && /^no payload encryption keys/.test(err.message)) return null;
    throw err;
  }
}
