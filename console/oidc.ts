// OIDC single sign-on (openid-client): authorization code with PKCE, state and nonce. The
// verifier, state and nonce travel in a short-lived signed httpOnly cookie; the ID token's claim
// (settings: SSJ_OIDC_CLAIM, default `sub`) names the account bound to it with
// `ssj user add --oidc-subject`. Nobody is created on the fly: an unknown subject is refused.
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { Account, ConsoleStore } from '../stores/console-store';
import { cookieOptions, safeNext, sameSecret, startSession } from './auth';
import type { ConsoleSettings, OidcSettings } from './settings';
import type { Unusable } from './standing';
import { endedCause } from './views/auth-pages';

const FLOW_COOKIE = 'ssj_oidc';

interface OidcDeps {
  settings: ConsoleSettings;
  oidc: OidcSettings;
  store: ConsoleStore;
  audit: (req: FastifyRequest, action: string, target?: string | null, detail?: Record<string, unknown>, who?: Pick<Account, 'id' | 'personId'> | null) => Promise<void>;
  /** Why the account cannot be used today (its person gone from the registry, inactive, or holding none of its roles), or null. */
  unusableToday: (account: Account) => Promise<Unusable | null>;
  now: () => Date;
  html: (reply: FastifyReply, body: string, code?: number) => FastifyReply;
}

export async function registerOidc(app: FastifyInstance, d: OidcDeps): Promise<void> {
  // Signs the flow cookie only; sessions are in the store, so a per-process secret is enough
  // (a sign-in started on one console process must finish on the same one: sticky sessions).
  const signer = randomBytes(32).toString('base64');
  let config: Promise<client.Configuration> | undefined;
  const configuration = () => {
    config ??= client
      .discovery(new URL(d.oidc.issuer), d.oidc.clientId, d.oidc.clientSecret, undefined, d.oidc.issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        config = undefined; // try discovery again on the next sign-in
        throw err;
      });
    return config;
  };
  const sign = (value: string) => `${value}.${hmac(signer, value)}`;

  app.get('/login/oidc', async (req, reply) => {
    const cfg = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const next = safeNext((req.query as Record<string, unknown>).next);
    const flow = Buffer.from(JSON.stringify({ verifier, state, nonce, next })).toString('base64url');
    // Lax: the provider's redirect back is a cross-site top-level GET.
    reply.setCookie(FLOW_COOKIE, sign(flow), { ...cookieOptions(d.settings, 'lax'), maxAge: 600 });
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: d.oidc.redirectUrl,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return reply.redirect(url.href, 303);
  });

  app.get('/login/oidc/callback', { config: { rateLimit: { max: d.settings.loginPerMinute, timeWindow: 60_000 } } }, async (req, reply) => {
    const raw = req.cookies[FLOW_COOKIE] ?? '';
    reply.clearCookie(FLOW_COOKIE, cookieOptions(d.settings, 'lax'));
    const dot = raw.lastIndexOf('.');
    const flowText = dot > 0 && sameSecret(hmac(signer, raw.slice(0, dot)), raw.slice(dot + 1)) ? raw.slice(0, dot) : null;
    if (!flowText) {
      await d.audit(req, 'login.oidc-failed', null, { why: 'no or altered flow cookie' }, null);
      return reply.redirect('/login?oidc=failed', 303);
    }
    const flow = JSON.parse(Buffer.from(flowText, 'base64url').toString('utf8')) as { verifier: string; state: string; nonce: string; next: string };
    let subject: string;
    try {
      const current = new URL(d.oidc.redirectUrl);
      current.search = new URL(req.url, 'http://x').search;
      const tokens = await client.authorizationCodeGrant(await configuration(), current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const value = tokens.claims()?.[d.oidc.claim];
      if (typeof value !== 'string' || value === '') throw new Error(`the ID token has no claim ${d.oidc.claim}`);
      subject = value;
    } catch (err) {
      await d.audit(req, 'login.oidc-failed', null, { why: err instanceof Error ? err.message.slice(0, 200) : 'unknown' }, null);
      return reply.redirect('/login?oidc=failed', 303);
    }
    const account = await d.store.getAccountByOidc(d.oidc.issuer, subject);
    if (!account || account.disabled) {
      await d.audit(req, 'login.oidc-unknown', subject, { issuer: d.oidc.issuer }, null);
      return reply.redirect('/login?oidc=unknown', 303);
    }
    const unusable = await d.unusableToday(account);
    if (unusable) {
      await d.audit(req, 'login.refused-unusable', account.login, { reason: unusable, method: 'oidc', issuer: d.oidc.issuer, subject }, null);
      return reply.redirect(`/login?ended=${endedCause(unusable)}`, 303);
    }
    await startSession(d.store, d.settings, req, reply, account, d.now());
    await d.audit(req, 'login.ok', account.login, { method: 'oidc', issuer: d.oidc.issuer, subject }, account);
    return reply.redirect(safeNext(flow.next), 303);
  });
}

function hmac(key: string, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}
