// Sessions, CSRF and roles. Sessions live in the store (server-side); the cookie holds a random
// 256-bit value and the store its SHA-256, so a copy of the database holds no live session. A NEW
// session is made at every sign-in (no fixation). Signed-in forms carry the session's CSRF secret;
// the anonymous forms (login, invitation) a double-submit token from a SameSite=Strict cookie.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account, ConsoleStore, Session } from '../stores/console-store';
import type { ConsoleSettings } from './settings';

export const SESSION_COOKIE = 'ssj_sid';
export const ANON_COOKIE = 'ssj_pre';

export const randomToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SignedIn {
  session: Session;
  account: Account;
  /** The person's name from the registry (the person id when the registry does not know it). */
  name: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    signedIn: SignedIn | null;
    /** The account whose session this request's cookie named, when it has expired by idleness. */
    sessionExpired: Account | null;
  }
}

export function cookieOptions(settings: ConsoleSettings, sameSite: 'lax' | 'strict') {
  return { path: '/', httpOnly: true, sameSite, secure: settings.secureCookies } as const;
}

/** Starts a fresh session for `account` (any earlier one of this browser is ended) and sets its cookie. */
export async function startSession(store: ConsoleStore, settings: ConsoleSettings, req: FastifyRequest, reply: FastifyReply, account: Account, now: Date): Promise<void> {
  const old = req.cookies[SESSION_COOKIE];
  if (old) await store.deleteSession(sha256(old));
  const value = randomToken();
  await store.createSession({
    id: sha256(value),
    accountId: account.id,
    csrfSecret: randomToken(),
    createdAt: now,
    lastSeenAt: now,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
  });
  // Lax, not Strict: the link in a notice mail must open the task already signed in.
  reply.setCookie(SESSION_COOKIE, value, cookieOptions(settings, 'lax'));
}

/** How stale a session's last-seen time may be before a request writes it again. */
export const TOUCH_EVERY_MS = 60_000;

/** Reads the session cookie: the signed-in account, or null (unknown, disabled, or idle too long: then deleted). */
export async function loadSession(store: ConsoleStore, settings: ConsoleSettings, req: FastifyRequest, now: Date, people: (id: string) => Promise<string | null>): Promise<SignedIn | null> {
  const value = req.cookies[SESSION_COOKIE];
  if (!value) return null;
  const id = sha256(value);
  const session = await store.getSession(id);
  if (!session) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > settings.idleMinutes * 60_000) {
    await store.deleteSession(id);
    req.sessionExpired = (await store.getAccount(session.accountId)) ?? null;
    return null;
  }
  const account = await store.getAccount(session.accountId);
  if (!account || account.disabled) {
    await store.deleteSession(id);
    return null;
  }
  // Idleness is counted in minutes: a session seen in the last minute need not be written again,
  // so a page view costs no write (lists are read far more often than anything changes).
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await store.touchSession(id, now);
  return { session, account, name: (await people(account.personId)) ?? account.personId };
}

/** The anonymous double-submit token: the cookie's value, set when missing. */
export function anonymousCsrf(settings: ConsoleSettings, req: FastifyRequest, reply: FastifyReply): string {
  const existing = req.cookies[ANON_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken();
  reply.setCookie(ANON_COOKIE, token, cookieOptions(settings, 'strict'));
  return token;
}

/** Does the POST carry the right CSRF token: the session's secret when signed in, else the anonymous cookie's. */
export function csrfOk(req: FastifyRequest): boolean {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  const token = typeof sent === 'string' ? sent : (req.headers['x-csrf-token'] as string | undefined);
  // The sign-in and invitation forms are anonymous even in a browser that holds a session.
  const anonymousForm = req.url === '/login' || req.url.startsWith('/invite/');
  const expected = req.signedIn && !anonymousForm ? req.signedIn.session.csrfSecret : req.cookies[ANON_COOKIE];
  return sameSecret(token, expected);
}

/** Only local paths after sign-in: never an open redirect. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}
