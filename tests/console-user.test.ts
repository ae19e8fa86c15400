// `ssj user add | invite | list` against a real registry (persons and roles) and the real store:
// accounts bound to registry persons and the roles they hold; bad input refused naming the rule;
// an invitation link that the console accepts once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../client/commands/user';
import { UserError } from '../client/errors';
import { buildConsole } from '../console/server';
import { loadConsoleSettings } from '../console/settings';
import { verifyPassword } from '../console/passwords';
import { openConsoleStore } from '../stores/open';
import { openRegistryStore } from '../stores/registry-store';
import { beijingDate } from '../domain/calendar';
import { changePeople } from './helpers/people-registry';
import type { Person } from '../domain/registry';
import { createFixture, PEOPLE, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';

let fx: Fixture;
const saved = { ...process.env };

/** Runs `ssj user ...` in this process; returns what it printed, or throws its UserError. */
async function ssj(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    await program.parseAsync(['node', 'ssj', ...args]);
  } finally {
    console.log = log;
  }
  return out.join('\n');
}
async function refusal(...args: string[]): Promise<UserError> {
  try {
    await ssj(...args);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error(`ssj ${args.join(' ')} was not refused`);
}

beforeAll(async () => {
  fx = await createFixture('console-user-2024');
  Object.assign(process.env, { SSJ_DATA_DIR: fx.dataDir, SSJ_CONSOLE_PUBLIC_URL: 'https://ssj.example.org' });
  delete process.env.SSJ_DATABASE_URL;
  delete process.env.SSJ_ENV_FILE;
});
afterAll(() => {
  process.env = saved;
  fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('ssj user', () => {
  it('adds an account for a registry person with the roles they hold, the password hashed', async () => {
    const pw = path.join(fx.dir, 'pw.txt');
    fs.writeFileSync(pw, 'a long secret password\n');
    const out = await ssj('user', 'add', '--login', 'mgr1', '--person', PEOPLE.managers[0]!, '--password-file', pw);
    expect(out).toBe('account mgr1 created for MGR1 (人员MGR1), roles: manager');
    const store = await openConsoleStore({ dataDir: fx.dataDir, databaseUrl: null });
    try {
      const a = (await store.getAccountByLogin('mgr1'))!;
      expect(a.personId).toBe('MGR1');
      expect(a.passwordHash).toMatch(/^scrypt\$/);
      expect(a.passwordHash).not.toContain('secret');
      await expect(verifyPassword('a long secret password', a.passwordHash!)).resolves.toBe(true);
    } finally {
      await store.close();
    }
    expect(await ssj('user', 'list')).toBe('mgr1\tMGR1\tmanager\tpassword');
  });

  it('grants only roles the person holds, and only to persons in the registry', async () => {
    const pw = path.join(fx.dir, 'pw.txt');
    const unknown = await refusal('user', 'add', '--login', 'ghost', '--person', 'NOBODY', '--password-file', pw);
    expect(unknown.message).toMatch(/NOBODY: no such person in the registry/);
    const notHeld = await refusal('user', 'add', '--login', 'adm2', '--person', PEOPLE.admin2, '--role', 'admin,manager', '--password-file', pw);
    expect(notHeld.message).toMatch(/does not hold the role\(s\) manager/);
    const noRole = await refusal('user', 'add', '--login', 'adm2', '--person', PEOPLE.admin2, '--role', 'boss', '--password-file', pw);
    expect(noRole.message).toMatch(/--role boss: no such role/);
    const taken = await refusal('user', 'add', '--login', 'mgr1', '--person', PEOPLE.admin2, '--password-file', pw);
    expect(taken.exitCode).toBe(3);
    fs.writeFileSync(path.join(fx.dir, 'short.txt'), 'short\n');
    const weak = await refusal('user', 'add', '--login', 'adm2', '--person', PEOPLE.admin2, '--password-file', path.join(fx.dir, 'short.txt'));
    expect(weak.message).toMatch(/password refused: 密码至少10个字符。/);
    const none = await refusal('user', 'add', '--login', 'adm2', '--person', PEOPLE.admin2);
    expect(none.message).toMatch(/--password-file/);
    expect(await ssj('user', 'add', '--login', 'adm2', '--person', PEOPLE.admin2, '--role', 'discipline', '--password-file', pw)).toContain('roles: discipline');
  });

  it('prints a one-time invitation link that the console accepts once', async () => {
    const out = await ssj('user', 'invite', '--person', PEOPLE.sectionInspectors[0]!);
    const link = /^https:\/\/ssj\.example\.org\/invite\/[A-Za-z0-9_-]{43}$/m.exec(out)?.[0];
    expect(link, out).toBeDefined();
    const settings = loadConsoleSettings();
    const store = await openConsoleStore(settings.store);
    const app = await buildConsole({ settings, store, personName: async () => null, people: null });
    try {
      const c = new ConsoleClient(app);
      const url = new URL(link!).pathname;
      await c.get(url);
      expect((await c.post(url, { login: 'insp1', password: 'inspector password', password2: 'inspector password' })).statusCode).toBe(303);
      expect((await c.get(url)).statusCode).toBe(410);
      expect((await store.getAccountByLogin('insp1'))?.roles).toEqual(['inspector']);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('lists beside each account what the registry no longer backs today (as the console judges it)', async () => {
    // An account with every role ADM2 holds (admin and discipline), beside adm2's discipline only.
    expect(await ssj('user', 'add', '--login', 'adm2.all', '--person', PEOPLE.admin2, '--password-file', path.join(fx.dir, 'pw.txt'))).toContain('roles: admin, discipline');
    const registry = await openRegistryStore({ dataDir: fx.dataDir, databaseUrl: null });
    try {
      const today = beijingDate(Date.now());
      const people = await registry.statesAt('person', ['MGR1', PEOPLE.admin2, PEOPLE.sectionInspectors[0]!], today);
      const changed = (id: string, f: (p: Person) => Person) => ({ id, state: f(people.get(id)!) });
      await changePeople(registry, 'user-list-standing', today, [
        changed('MGR1', (p) => ({ ...p, active: false })),
        changed(PEOPLE.admin2, (p) => ({ ...p, roles: ['admin'] })),
        changed(PEOPLE.sectionInspectors[0]!, (p) => ({ ...p, roles: ['manager'], inspector: null })),
      ]);
    } finally {
      await registry.close();
    }
    expect((await ssj('user', 'list')).split('\n').sort()).toEqual([
      'adm2\tADM2\tdiscipline\tpassword\tunusable: holds none of these roles in the registry',
      'adm2.all\tADM2\tadmin,discipline\tpassword\tnot in force: discipline (no longer held in the registry)',
      `insp1\t${PEOPLE.sectionInspectors[0]}\tinspector\tpassword\tunusable: holds none of these roles in the registry`,
      'mgr1\tMGR1\tmanager\tpassword\tunusable: person inactive in the registry',
    ]);
    // An account made from an invitation issued in the console names who set it up.
    const store = await openConsoleStore(loadConsoleSettings().store);
    try {
      const issuer = (await store.getAccountByLogin('adm2.all'))!;
      await store.createInvitation({ tokenHash: 'e'.repeat(64), personId: 'MGR2', roles: ['manager'], expiresAt: new Date(Date.now() + 60_000), createdBy: issuer.id, now: new Date() });
      expect((await store.consumeInvitation('e'.repeat(64), { login: 'mgr2', passwordHash: 'x', now: new Date() })).ok).toBe(true);
    } finally {
      await store.close();
    }
    expect((await ssj('user', 'list', '--person', 'MGR2')).trim()).toBe('mgr2\tMGR2\tmanager\tpassword\tset up by: adm2.all');
  });
});
