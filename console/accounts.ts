// Creating accounts and invitations: used by `ssj user` (client/commands/user.ts) and the tests.
// An account acts as one registry person, with roles that person holds in the registry: granted
// here, and in effect only while the registry still says so (console/standing.ts).
import type { Person } from '../domain/registry';
import type { Account, ConsoleStore } from '../stores/console-store';
import { randomToken, sha256 } from './auth';
import { hashPassword, passwordProblem } from './passwords';

/** Letters, digits, '.', '_' and '-', 3 to 40: safe in URLs, logs and the audit page. */
export const LOGIN_PATTERN = /^[A-Za-z0-9._-]{3,40}$/;

export class AccountError extends Error {
  override name = 'AccountError';
}

/** The roles to grant: the ones asked for (each must be held in the registry), or all the person holds. */
export function grantedRoles(person: Person, asked: readonly string[]): string[] {
  if (!person.active) throw new AccountError(`person ${person.id} (${person.name}) is not active in the registry`);
  if (asked.length === 0) return [...person.roles];
  const missing = asked.filter((r) => !(person.roles as string[]).includes(r));
  if (missing.length > 0) {
    throw new AccountError(`person ${person.id} (${person.name}) does not hold the role(s) ${missing.join(', ')} in the registry; they hold: ${person.roles.join(', ')}`);
  }
  return [...new Set(asked)];
}

export interface AddAccount {
  login: string;
  person: Person;
  roles: readonly string[];
  password: string | null;
  oidc: { issuer: string; subject: string } | null;
  now: Date;
}

export async function addAccount(store: ConsoleStore, a: AddAccount): Promise<Account> {
  if (!LOGIN_PATTERN.test(a.login)) throw new AccountError(`login ${JSON.stringify(a.login)}: must be 3-40 letters, digits, '.', '_' or '-'`);
  if (a.password === null && a.oidc === null) throw new AccountError('an account needs a password or an OIDC subject (or send an invitation: ssj user invite)');
  if (a.password !== null) {
    const problem = passwordProblem(a.password, a.login);
    if (problem) throw new AccountError(`password refused: ${problem}`);
  }
  return store.createAccount({
    login: a.login,
    personId: a.person.id,
    roles: grantedRoles(a.person, a.roles),
    passwordHash: a.password === null ? null : await hashPassword(a.password),
    oidcIssuer: a.oidc?.issuer ?? null,
    oidcSubject: a.oidc?.subject ?? null,
    now: a.now,
  });
}

/** A one-time invitation; returns the link (its token is stored only as a hash). */
export async function invite(
  store: ConsoleStore,
  o: { person: Person; roles: readonly string[]; publicUrl: string; hours: number; createdBy: string | null; now: Date },
): Promise<{ link: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(o.now.getTime() + o.hours * 3_600_000);
  await store.createInvitation({ tokenHash: sha256(token), personId: o.person.id, roles: grantedRoles(o.person, o.roles), expiresAt, createdBy: o.createdBy, now: o.now });
  return { link: `${o.publicUrl}/invite/${token}`, expiresAt };
}

/** The account whose invitation made `accountId`; null for one made on the server (`ssj user add`, or an `ssj user invite` link). */
export async function issuerOf(store: ConsoleStore, accountId: string): Promise<string | null> {
  return (await store.getInvitationUsedBy(accountId))?.createdBy ?? null;
}

/**
 * Who set each of `accounts` up, by login (issuerOf; an issuer not among `named` by its id), or
 * null: what 用户管理 and `ssj user list` show, and the lines the witness-tie check follows.
 */
export async function setUpByLogins(store: ConsoleStore, accounts: readonly Account[], named: readonly Account[]): Promise<(string | null)[]> {
  const logins = new Map(named.map((a) => [a.id, a.login]));
  return Promise.all(
    accounts.map(async (a) => {
      const issuer = await issuerOf(store, a.id);
      return issuer ? (logins.get(issuer) ?? issuer) : null;
    }),
  );
}
