// The console's own settings, read like config/runtime.ts: environment variables, optionally backed
// by the $SSJ_ENV_FILE file (the environment wins). Every problem is reported as
// `VARIABLE: rule (got "value")`, all at once.
import { isIP } from 'node:net';
import * as path from 'node:path';
import { z } from 'zod';
import { readEnvFile, SettingsError } from '../config/runtime';
import { storeSettingsFromEnv, type StoreSettings } from '../stores/open';

export const CONSOLE_VARIABLES = {
  SSJ_CONSOLE_HOST: { default: '127.0.0.1', doc: 'address the console listens on' },
  SSJ_CONSOLE_PORT: { default: '8080', doc: 'port the console listens on' },
  SSJ_CONSOLE_PUBLIC_URL: { default: 'http://127.0.0.1:8080', doc: 'the address users open; https makes cookies Secure' },
  SSJ_CONSOLE_IDLE_MINUTES: { default: '30', doc: 'a session ends after this many idle minutes' },
  SSJ_CONSOLE_SESSION_HOURS: { default: '12', doc: 'a session ends this many hours after sign-in, however active' },
  SSJ_CONSOLE_LOCKOUT_FAILURES: { default: '5', doc: 'failed sign-ins in a row that lock an account' },
  SSJ_CONSOLE_LOCKOUT_MINUTES: { default: '15', doc: 'how long a locked account stays locked' },
  SSJ_CONSOLE_LOGIN_PER_MINUTE: { default: '10', doc: 'sign-in attempts allowed per address per minute' },
  SSJ_CONSOLE_INVITE_HOURS: { default: '72', doc: 'how long an invitation link stays valid' },
  SSJ_CONSOLE_TRUST_PROXY: { default: '', doc: 'reverse proxies whose X-Forwarded-For names the client: comma-separated addresses or CIDRs; none when empty' },
  SSJ_OIDC_ISSUER: { default: '', doc: 'OIDC issuer URL of the bureau identity provider; no single sign-on when empty' },
  SSJ_OIDC_CLIENT_ID: { default: '', doc: 'OIDC client id' },
  SSJ_OIDC_CLIENT_SECRET: { default: '', doc: 'OIDC client secret' },
  SSJ_OIDC_REDIRECT_URL: { default: '<SSJ_CONSOLE_PUBLIC_URL>/login/oidc/callback', doc: 'OIDC redirect URL registered at the provider' },
  SSJ_OIDC_CLAIM: { default: 'sub', doc: 'the ID-token claim that names the account (its OIDC subject)' },
} as const;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  claim: string;
}

export interface ConsoleSettings {
  host: string;
  port: number;
  publicUrl: string;
  /** Cookies carry Secure when the public URL is https. */
  secureCookies: boolean;
  /** The shared store (accounts, sessions, audit log, task lists): stores/open.ts. */
  store: StoreSettings;
  idleMinutes: number;
  /** A session's absolute lifetime from sign-in, whatever its activity. */
  sessionHours: number;
  lockoutFailures: number;
  lockoutMinutes: number;
  loginPerMinute: number;
  inviteHours: number;
  /**
   * The reverse proxies trusted to name the client in X-Forwarded-For (addresses or CIDRs), for
   * Fastify's trustProxy; empty: the peer address is the client.
   */
  trustProxy: string[];
  oidc: OidcSettings | null;
}

const count = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be ${min} to ${max}` });
const text = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null));
const url = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), { error: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));

/** One proxy: an IPv4/IPv6 address, or a CIDR block of them (10.0.0.0/8, fd00::/8). */
function proxyProblem(entry: string): string | null {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR block`;
  if (prefix === undefined) return null;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max ? null : `"${entry}": the prefix length must be 0 to ${max}`;
}
const proxies = z
  .string()
  .trim()
  .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
  .superRefine((list, ctx) => {
    for (const p of list) {
      const problem = proxyProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', message: `must be comma-separated IP addresses or CIDR blocks of the reverse proxies: ${problem}` });
    }
  });

const schema = z.object({
  SSJ_CONSOLE_HOST: z.string().trim().min(1).default('127.0.0.1'),
  SSJ_CONSOLE_PORT: count(0, 65535).default(8080),
  SSJ_CONSOLE_PUBLIC_URL: url.optional(),
  SSJ_CONSOLE_IDLE_MINUTES: count(1, 24 * 60).default(30),
  SSJ_CONSOLE_SESSION_HOURS: count(1, 24 * 7).default(12),
  SSJ_CONSOLE_LOCKOUT_FAILURES: count(1, 100).default(5),
  SSJ_CONSOLE_LOCKOUT_MINUTES: count(1, 24 * 60).default(15),
  SSJ_CONSOLE_LOGIN_PER_MINUTE: count(1, 10_000).default(10),
  SSJ_CONSOLE_INVITE_HOURS: count(1, 24 * 30).default(72),
  SSJ_CONSOLE_TRUST_PROXY: proxies.default([]),
  SSJ_OIDC_ISSUER: url.optional(),
  SSJ_OIDC_CLIENT_ID: text,
  SSJ_OIDC_CLIENT_SECRET: text,
  SSJ_OIDC_REDIRECT_URL: url.optional(),
  SSJ_OIDC_CLAIM: z.string().trim().min(1).default('sub'),
});

export function loadConsoleSettings(opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ConsoleSettings {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const merged: Record<string, string> = {};
  if (env.SSJ_ENV_FILE) Object.assign(merged, readEnvFile(path.resolve(cwd, env.SSJ_ENV_FILE)));
  for (const key of [...Object.keys(CONSOLE_VARIABLES), 'SSJ_DATA_DIR', 'SSJ_DATABASE_URL']) {
    const v = env[key];
    if (v !== undefined) merged[key] = v;
  }
  for (const [k, v] of Object.entries(merged)) if (v.trim() === '') delete merged[k];
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(merged).filter(([k]) => k in CONSOLE_VARIABLES)));
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((i) => {
        const variable = String(i.path[0] ?? '?');
        const got = merged[variable];
        const shown = variable.endsWith('_SECRET') ? '(hidden)' : JSON.stringify(got);
        return `${variable}: ${i.message}${got === undefined ? '' : ` (got ${shown})`}`;
      }),
    );
  }
  const e = parsed.data;
  const publicUrl = e.SSJ_CONSOLE_PUBLIC_URL ?? `http://${e.SSJ_CONSOLE_HOST}:${e.SSJ_CONSOLE_PORT}`;
  const oidcParts = [e.SSJ_OIDC_ISSUER, e.SSJ_OIDC_CLIENT_ID, e.SSJ_OIDC_CLIENT_SECRET];
  if (oidcParts.some((p) => p) && !oidcParts.every((p) => p)) {
    throw new SettingsError(['SSJ_OIDC_ISSUER, SSJ_OIDC_CLIENT_ID and SSJ_OIDC_CLIENT_SECRET: set all three for single sign-on, or none']);
  }
  return {
    host: e.SSJ_CONSOLE_HOST,
    port: e.SSJ_CONSOLE_PORT,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    store: storeSettingsFromEnv({ ...merged, SSJ_DATA_DIR: path.resolve(cwd, merged.SSJ_DATA_DIR ?? '.data') }),
    idleMinutes: e.SSJ_CONSOLE_IDLE_MINUTES,
    sessionHours: e.SSJ_CONSOLE_SESSION_HOURS,
    lockoutFailures: e.SSJ_CONSOLE_LOCKOUT_FAILURES,
    lockoutMinutes: e.SSJ_CONSOLE_LOCKOUT_MINUTES,
    loginPerMinute: e.SSJ_CONSOLE_LOGIN_PER_MINUTE,
    inviteHours: e.SSJ_CONSOLE_INVITE_HOURS,
    trustProxy: e.SSJ_CONSOLE_TRUST_PROXY,
    oidc: e.SSJ_OIDC_ISSUER
      ? {
          issuer: e.SSJ_OIDC_ISSUER,
          clientId: e.SSJ_OIDC_CLIENT_ID!,
          clientSecret: e.SSJ_OIDC_CLIENT_SECRET!,
          redirectUrl: e.SSJ_OIDC_REDIRECT_URL ?? `${publicUrl}/login/oidc/callback`,
          claim: e.SSJ_OIDC_CLAIM,
        }
      : null,
  };
}
