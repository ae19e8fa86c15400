// Console accounts from the command line (用户管理): `ssj user add` binds a login to a registry
// person and roles (a password from a file or stdin, or an OIDC subject for single sign-on);
// `ssj user invite` prints a one-time link with which the person sets their own login and password.
import * as fs from 'node:fs';
import { Command } from 'commander';
import { roles as registryRoles, type Role } from '../../domain/registry';
import { AccountError, addAccount, invite, setUpByLogins } from '../../console/accounts';
import { loadConsoleSettings } from '../../console/settings';
import { SettingsError } from '../../config/runtime';
import { openConsoleStore } from '../../stores/open';
import { StoreConflictError, type Account, type ConsoleStore } from '../../stores/console-store';
import { ExitCode, UserError } from '../errors';
import { checkActor, openCliRegistry, registryStoreSettings, settings } from '../session';
import { standingOf, type Standing } from '../../console/standing';
import { beijingDate } from '../../domain/calendar';

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').map((r) => r.trim()).filter(Boolean)];

function checkRoles(asked: string[]): Role[] {
  const bad = asked.filter((r) => !(registryRoles as readonly string[]).includes(r));
  if (bad.length) throw new UserError(`--role ${bad.join(', ')}: no such role; the roles are ${registryRoles.join(', ')}`, ExitCode.badInput);
  return asked as Role[];
}

function consoleSettings() {
  try {
    return loadConsoleSettings();
  } catch (err) {
    if (err instanceof SettingsError) throw new UserError(err.message, ExitCode.badInput, 'fix the environment variables (or $SSJ_ENV_FILE) named above');
    throw err;
  }
}

async function withStore<T>(fn: (store: ConsoleStore) => Promise<T>): Promise<T> {
  const store = await openConsoleStore(consoleSettings().store);
  try {
    return await fn(store);
  } catch (err) {
    if (err instanceof AccountError) throw new UserError(err.message, ExitCode.badInput);
    if (err instanceof StoreConflictError) throw new UserError(`refused: ${err.message}`, ExitCode.refused, 'choose another login (ssj user list shows the accounts)');
    throw err;
  } finally {
    await store.close();
  }
}

function readPassword(file: string): string {
  try {
    const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    return (text.split(/\r?\n/)[0] ?? '').trimEnd();
  } catch (err) {
    throw new UserError(`--password-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, ExitCode.badInput);
  }
}

/**
 * Each account's standing against today's registry, as the console judges it (console/standing.ts);
 * null when there is no registry to read.
 */
async function standingsToday(accounts: readonly Account[]): Promise<Map<string, Standing> | null> {
  let registry;
  try {
    registry = await openCliRegistry(registryStoreSettings(settings()), true);
  } catch (err) {
    if (err instanceof UserError) return null;
    throw err;
  }
  try {
    const people = await registry.statesAt('person', new Set(accounts.map((a) => a.personId)), beijingDate(Date.now()));
    return new Map(accounts.map((a) => [a.id, standingOf(a.roles, people.get(a.personId) ?? null)]));
  } finally {
    await registry.close();
  }
}

/** What `user list` adds when the registry no longer backs an account in full. */
function standingNote(s: Standing | undefined): string {
  if (!s) return '';
  if (s.unusable) return `\tunusable: ${s.unusable === 'no-roles' ? 'holds none of these roles in the registry' : s.unusable === 'inactive' ? 'person inactive in the registry' : 'person not in the registry'}`;
  return s.lost.length ? `\tnot in force: ${s.lost.join(',')} (no longer held in the registry)` : '';
}

/** Registers `ssj user add | invite | list` on the program. */
export function registerUser(program: Command): void {
  const user = program.command('user').description('console accounts, bound to registry persons and roles (用户管理)');

  user
    .command('add')
    .description('create an account for a registry person (创建账户)')
    .requiredOption('--login <login>', 'the login name: 3-40 letters, digits, ".", "_" or "-"')
    .requiredOption('--person <id>', 'the registry person the account acts as, e.g. P0010')
    .option('--role <role>', `a role the person holds in the registry (repeat or comma-separate; default: all they hold): ${registryRoles.join(', ')}`, collect, [])
    .option('--password-file <file>', 'read the password (first line) from this file, or "-" for stdin; never on the command line')
    .option('--oidc-subject <sub>', 'bind the account to this subject at the SSJ_OIDC_ISSUER identity provider (single sign-on)')
    .action(async (o: { login: string; person: string; role: string[]; passwordFile?: string; oidcSubject?: string }) => {
      const asked = checkRoles(o.role);
      const person = await checkActor(settings(), o.person, asked.length ? asked : registryRoles, 'have a console account');
      const cs = consoleSettings();
      if (o.oidcSubject && !cs.oidc) throw new UserError('--oidc-subject needs single sign-on configured: set SSJ_OIDC_ISSUER, SSJ_OIDC_CLIENT_ID and SSJ_OIDC_CLIENT_SECRET', ExitCode.badInput);
      if (!o.passwordFile && !o.oidcSubject) {
        throw new UserError('give --password-file FILE (or - for stdin) or --oidc-subject SUB', ExitCode.badInput, 'or let the person choose their own password: ssj user invite --person ' + o.person);
      }
      const password = o.passwordFile ? readPassword(o.passwordFile) : null;
      const account = await withStore((store) =>
        addAccount(store, { login: o.login, person, roles: asked, password, oidc: o.oidcSubject && cs.oidc ? { issuer: cs.oidc.issuer, subject: o.oidcSubject } : null, now: new Date() }),
      );
      console.log(`account ${account.login} created for ${person.id} (${person.name}), roles: ${account.roles.join(', ')}`);
    });

  user
    .command('invite')
    .description('print a one-time link with which the person sets their login and password (邀请链接)')
    .requiredOption('--person <id>', 'the registry person to invite, e.g. P0010')
    .option('--role <role>', 'a role the person holds in the registry (repeat or comma-separate; default: all they hold)', collect, [])
    .action(async (o: { person: string; role: string[] }) => {
      const asked = checkRoles(o.role);
      const person = await checkActor(settings(), o.person, asked.length ? asked : registryRoles, 'be invited to the console');
      const cs = consoleSettings();
      const { link, expiresAt } = await withStore((store) => invite(store, { person, roles: asked, publicUrl: cs.publicUrl, hours: cs.inviteHours, createdBy: null, now: new Date() }));
      console.log(`invitation for ${person.id} (${person.name}), valid until ${expiresAt.toISOString()}, usable once:`);
      console.log(link);
    });

  user
    .command('list')
    .description('the console accounts (账户列表)')
    .option('--person <id>', 'only the accounts of this person')
    .action(async (o: { person?: string }) => {
      // With who set each account up, when an account's invitation made it (the draw's witness-tie check follows these).
      const { accounts, setUpBy } = await withStore(async (store) => {
        const listed = await store.listAccounts(o.person ? { personId: o.person } : {});
        return { accounts: listed, setUpBy: await setUpByLogins(store, listed, o.person ? await store.listAccounts() : listed) };
      });
      const standing = await standingsToday(accounts);
      accounts.forEach((a, i) => {
        const how = [a.passwordHash ? 'password' : null, a.oidcSubject ? `oidc:${a.oidcSubject}` : null].filter(Boolean).join('+');
        const by = setUpBy[i] ? `\tset up by: ${setUpBy[i]}` : '';
        console.log(`${a.login}\t${a.personId}\t${a.roles.join(',')}\t${how}${a.disabled ? '\tdisabled' : ''}${by}${standingNote(standing?.get(a.id))}`);
      });
      if (!standing) console.log('(no registry here: the roles shown are as granted; the console acts only with those the person still holds)');
    });
}

/** The name client/ssj.ts's COMMAND_MODULES loads. */
export const register = registerUser;
