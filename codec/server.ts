// The codec endpoint (Temporal's codec-server protocol): `POST /encode` and `POST /decode` with
// `{"payloads":[...]}` in protobuf JSON, so that allowed staff read decoded payloads in the Web UI
// (`--ui-codec-endpoint`) or the CLI (`temporal ... --codec-endpoint URL --codec-auth "Bearer T"`).
//
// Access: a bearer token per person (or, for the Web UI, the same token as a cookie set by
// `GET /login?token=T` and accepted only from an allowed origin), kept as its SHA-256 in a tokens file ($SSJ_CODEC_TOKENS_FILE,
// written by `ssj keys token`); no token: 401, an unknown token or a namespace not allowed: 403.
// Every request is logged as a JSON line with who, what namespace, how many payloads and which
// key ids; never the contents.
//
//   npm run codec-server      (SSJ_CODEC_KEYS_FILE, SSJ_CODEC_TOKENS_FILE, SSJ_CODEC_PORT, SSJ_CODEC_CORS_ORIGINS)
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { firstIssue } from '../domain/messages';
import { EncryptionCodec, isEncrypted, KEY_ID_METADATA } from './encryption-codec';
import { CREATE_KEYRING_HINT, KeyringError, loadKeyring, type Keyring } from './keyring';

export const TOKENS_FILE_VARIABLE = 'SSJ_CODEC_TOKENS_FILE';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const tokensFileSchema = z
  .object({
    tokens: z.array(
      z
        .object({
          person: z.string().min(1),
          sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be the token\'s SHA-256 in 64 lowercase hex digits' }),
          /** Namespaces this person may decode; all when absent. */
          namespaces: z.array(z.string().min(1)).optional(),
          note: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type TokensFile = z.infer<typeof tokensFileSchema>;

export function readTokensFile(file: string): TokensFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeyringError(`${TOKENS_FILE_VARIABLE}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KeyringError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const r = tokensFileSchema.safeParse(json);
  if (!r.success) throw new KeyringError(`${file}: ${firstIssue(r.error)}`);
  return r.data;
}

export const tokenDigest = (token: string): string => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

/** Makes a token for `person`, adds its digest to `file` (created 0600 if absent); returns the token, shown once. */
export function addToken(file: string, person: string, namespaces?: string[]): string {
  const current: TokensFile = fs.existsSync(file) ? readTokensFile(file) : { tokens: [] };
  const token = crypto.randomBytes(24).toString('base64url');
  current.tokens.push({ person, sha256: tokenDigest(token), ...(namespaces?.length ? { namespaces } : {}) });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  return token;
}

export interface CodecServerOptions {
  keyring: Keyring;
  tokens: TokensFile;
  /** Origins (e.g. the Web UI's http://127.0.0.1:8233) whose pages may call this endpoint. */
  corsOrigins: string[];
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** One JSON object per request; defaults to stdout. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const requestSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }).loose()),
});

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const codec = new EncryptionCodec(opts.keyring);
  const byDigest = new Map(opts.tokens.tokens.map((t) => [t.sha256, t]));
  const log = opts.log ?? ((e) => process.stdout.write(`${JSON.stringify(e)}\n`));

  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    const allowedOrigin = origin !== undefined && opts.corsOrigins.includes(origin);
    if (allowedOrigin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://codec');
    const action = url.pathname.replace(/\/+$/, '').split('/').pop();
    const namespace = String(req.headers['x-namespace'] ?? '');
    const entry: Record<string, unknown> = { time: new Date().toISOString(), component: 'codec-server', method: req.method, path: url.pathname, namespace, origin: origin ?? null };

    if (req.method === 'OPTIONS') {
      // CORS preflight: no credentials are sent with it; the real request is checked.
      if (!allowedOrigin) return send(403, { message: `origin ${origin ?? '(none)'} is not allowed` });
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204);
      return res.end();
    }
    if (req.method === 'GET' && action === 'login') {
      // For the Web UI without single sign-on: the browser keeps the token as a same-site cookie,
      // sent with the UI's codec calls when "include cross-origin credentials" is on.
      const token = url.searchParams.get('token') ?? '';
      const who = byDigest.get(tokenDigest(token));
      log({ ...entry, level: who ? 'info' : 'warn', msg: who ? 'login' : 'refused: unknown token at login', person: who?.person ?? null });
      if (!who) return send(403, { message: 'this token is not allowed to use the codec' });
      res.setHeader('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end(`codec access for ${who.person} is on in this browser; the Web UI decodes payloads when its codec settings include cross-origin credentials\n`);
    }
    if (req.method !== 'POST' || (action !== 'encode' && action !== 'decode')) return send(404, { message: 'POST /encode or /decode' });
    if (origin !== undefined && !allowedOrigin) {
      log({ ...entry, level: 'warn', msg: 'refused: origin not allowed' });
      return send(403, { message: `origin ${origin} is not allowed` });
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    // A cookie counts only from an allowed page (the Web UI): another page of the same site could send it too.
    const cookie = allowedOrigin ? cookieToken(req.headers.cookie) : undefined;
    const token = bearer ?? cookie;
    if (!token) {
      log({ ...entry, level: 'warn', msg: 'refused: no bearer token' });
      res.setHeader('WWW-Authenticate', 'Bearer realm="ssj-codec"');
      return send(401, { message: 'a bearer token is required (Authorization: Bearer <token>; ssj keys token makes one)' });
    }
    const who = byDigest.get(tokenDigest(token));
    if (!who) {
      log({ ...entry, level: 'warn', msg: 'refused: unknown token' });
      return send(403, { message: 'this token is not allowed to use the codec' });
    }
    entry.person = who.person;
    if (who.namespaces && !who.namespaces.includes(namespace)) {
      log({ ...entry, level: 'warn', msg: 'refused: namespace not allowed' });
      return send(403, { message: `${who.person} may not decode namespace ${JSON.stringify(namespace)}` });
    }

    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        send(413, { message: `request body over ${MAX_BODY_BYTES} bytes` });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        const r = await transcode(codec, action, Buffer.concat(chunks).toString('utf8'));
        if (r.log) log({ ...entry, ...r.log });
        send(r.status, r.body);
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * One codec-protocol request body (`{"payloads":[...]}`) encoded or decoded: the answer's status
 * and body, and what to log (none for a malformed body). Shared with the console's endpoint.
 */
export async function transcode(codec: EncryptionCodec, action: 'encode' | 'decode', text: string): Promise<{ status: number; body: unknown; log: Record<string, unknown> | null }> {
  let parsed;
  try {
    parsed = requestSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) return { status: 400, body: { message: `body: must be JSON {"payloads":[{"metadata":{...},"data":"base64"}]}${parsed ? ` (${firstIssue(parsed.error)})` : ''}` }, log: null };
  try {
    const payloads = parsed.data.payloads.map(fromJson);
    const keyIds = [...new Set(payloads.filter(isEncrypted).map((p) => Buffer.from(p.metadata![KEY_ID_METADATA] ?? []).toString('utf8')))];
    const out = action === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
    return { status: 200, body: { payloads: out.map(toJson) }, log: { level: 'info', msg: action, payloads: payloads.length, encrypted: payloads.filter(isEncrypted).length, keyIds } };
  } catch (err) {
    return { status: 400, body: { message: (err as Error).message }, log: { level: 'warn', msg: `${action} failed`, error: (err as Error).message } };
  }
}

const COOKIE = 'ssj_codec_token';

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return decodeURIComponent(v);
  }
  return undefined;
}

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

/** `npm run codec-server`: settings from the environment; refuses to start without keys or tokens. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const keyring = loadKeyring(env);
    const tokensFile = env[TOKENS_FILE_VARIABLE]?.trim();
    if (!tokensFile) {
      throw new KeyringError(`${TOKENS_FILE_VARIABLE} is not set: nobody could use the codec server. Make a token: npm run --silent ssj -- keys token --tokens-file FILE --person PERSON`);
    }
    const port = Number(env.SSJ_CODEC_PORT ?? '8888');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KeyringError(`SSJ_CODEC_PORT: must be a port number, got ${JSON.stringify(env.SSJ_CODEC_PORT)}`);
    const corsOrigins = (env.SSJ_CODEC_CORS_ORIGINS ?? 'http://127.0.0.1:8233,http://localhost:8233').split(',').map((s) => s.trim()).filter(Boolean);
    const server = await startCodecServer({ keyring, tokens: readTokensFile(tokensFile), corsOrigins, host: env.SSJ_CODEC_HOST ?? '127.0.0.1', port });
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'codec server listening', url: server.url, corsOrigins })}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  } catch (err) {
    if (err instanceof KeyringError) {
      process.stderr.write(`codec-server: ${err.message}\n`);
      if (/no payload encryption keys/.test(err.message)) process.stderr.write(`codec-server: ${CREATE_KEYRING_HINT}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
