// Sessions, CSRF and roles. Sessions live in the store (server-side); the cookie holds a random
// 256-bit value and the store its SHA-256, so a copy of the database holds no live session. A NEW
// session is made at every sign-in (no fixation). Signed-in forms carry the session's CSRF secret;
// the anonymous forms (login, invitation) a double-submit token from a SameSite=Strict cookie.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Person } from '../domain/registry';
import type { Account, ConsoleStore, Session } from '../stores/console-store';
import { standingOf, type Unusable } from './standing';
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
  /** The account without its granted roles: what it may do is `roles`, never the grant as stored. */
  account: Omit<Account, 'roles'>;
  /** The roles in effect: the granted ones the person still holds in today's registry (console/standing.ts). */
  roles: readonly string[];
  /** The person as today's registry has them; null when the console has no registry to consult. */
  person: Person | null;
  /** The person's name from the registry (the person id when the registry does not know it). */
  name: string;
}

/** The registry persons a session is checked against (console/people.ts). */
export interface SessionPeople {
  name(id: string): Promise<string | null>;
  /** Today's registry entry (null: not in it); the lookup itself null when there is no registry to consult. */
  person: ((id: string) => Promise<Person | null>) | null;
}

/** A session ended because its account can no longer be used: the account, and why. */
export interface SessionEnded {
  account: Account;
  reason: Unusable;
}

declare module 'fastify' {
  interface FastifyRequest {
    signedIn: SignedIn | null;
    /** The account whose session this request's cookie named, when it has expired (idle, or past its lifetime). */
    sessionExpired: Account | null;
    /** Why that session expired. */
    sessionExpiry: SessionExpiry | null;
    /** The session this request's cookie named, ended because the registry no longer backs its account. */
    sessionEnded: SessionEnded | null;
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

export type SessionExpiry = 'idle' | 'lifetime';

/**
 * The routes only ever requested by a page refreshing itself (htmx `hx-trigger="every …"`, or the
 * projector's no-script meta refresh), not by a person: they neither count as activity nor extend
 * the session, so a page left open (the quarter page polls every 30 s) still goes idle and signs
 * out. A fixed list kept by the server rather than a header the polling element would send: a
 * forgotten header would silently keep sessions alive again, and tests/console-auth.test.ts checks
 * that every self-refreshing element of the views polls a route listed here. The ceremony
 * projector counts its own polls while a ceremony is under way (console/ceremony.ts).
 */
export const POLLING_ROUTES: ReadonlySet<string> = new Set(['/quarter/live', '/ceremony/screen', '/ceremony/screen/live']);

/** Marks the session active now (written at most once a minute: a page view stays a read). */
export async function touchSession(store: ConsoleStore, session: Session, now: Date): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await store.touchSession(session.id, now);
}

/**
 * Reads the session cookie: the signed-in account with the roles in effect today, or null (unknown,
 * disabled, idle too long, past its lifetime, or its person gone from the registry, inactive or
 * holding none of its roles: then deleted). `activity` false (a polling request) leaves the
 * last-seen time as it was. The registry lookup is the console's in-memory index of today's
 * registry (console/registry-cache.ts): no read per request.
 */
export async function loadSession(
  store: ConsoleStore,
  settings: ConsoleSettings,
  req: FastifyRequest,
  now: Date,
  people: SessionPeople,
  activity = true,
): Promise<SignedIn | null> {
  const value = req.cookies[SESSION_COOKIE];
  if (!value) return null;
  const id = sha256(value);
  const session = await store.getSession(id);
  if (!session) return null;
  // However active, a session ends sessionHours after sign-in: a page left open at a shared PC
  // (the projector's, which keeps itself alive during a ceremony) is not signed in for ever.
  const expiry: SessionExpiry | null =
    now.getTime() - session.lastSeenAt.getTime() > settings.idleMinutes * 60_000 ? 'idle' : now.getTime() - session.createdAt.getTime() > settings.sessionHours * 3_600_000 ? 'lifetime' : null;
  if (expiry) {
    await store.deleteSession(id);
    req.sessionExpired = (await store.getAccount(session.accountId)) ?? null;
    req.sessionExpiry = expiry;
    return null;
  }
  const account = await store.getAccount(session.accountId);
  if (!account || account.disabled) {
    await store.deleteSession(id);
    return null;
  }
  const person = people.person ? await people.person(account.personId) : null;
  // Without a registry to consult the grant stands as stored (see ConsoleDeps.people).
  const standing = people.person ? standingOf(account.roles, person) : { roles: account.roles, unusable: null };
  if (standing.unusable) {
    await store.deleteSession(id);
    req.sessionEnded = { account, reason: standing.unusable };
    return null;
  }
  // Idleness is counted in minutes: a session seen in the last minute need not be written again,
  // so a page view costs no write (lists are read far more often than anything changes).
  if (activity) await touchSession(store, session, now);
  const { roles: _granted, ...acting } = account;
  return { session, account: acting, roles: standing.roles, person, name: person?.name ?? (await people.name(account.personId)) ?? account.personId };
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
