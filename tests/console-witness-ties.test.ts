// The witness-tie check (console/witness-ties.ts) against a real SQLite console store: which
// console accounts acted for a witness (the audit log's ceremony.commit entries), each account's
// line of invitations back to one made on the server, and whether one witness set up the other's
// account (directly or through others) or one person set up both. The routes that use it are
// driven in tests/console-ceremony.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committingAccounts, oneAtATime, setUpLine, witnessTie } from '../console/witness-ties';
import type { Account, ConsoleStore } from '../stores/console-store';
import { openConsoleStore } from '../stores/open';

const at = (minutes: number) => new Date(Date.UTC(2026, 2, 2, 2, minutes));
let dir: string;
let store: ConsoleStore;
let admin: Account; // ADM001, made on the server (no invitation)
let admin2: Account; // ADM002, invited by ADM001
let invitedByAdmin: Account; // DIS007, invited by ADM001
let invitedByCli: Account; // DIS008, invited by `ssj user invite` (no inviting account)

async function invited(token: string, personId: string, roles: Account['roles'], by: Account | null, login: string): Promise<Account> {
  await store.createInvitation({ tokenHash: token, personId, roles, expiresAt: at(60), createdBy: by?.id ?? null, now: at(0) });
  const r = await store.consumeInvitation(token, { login, passwordHash: 'x', now: at(1) });
  if (!r.ok) throw new Error(`invitation ${token}: ${r.reason}`);
  return r.account;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-witness-ties-'));
  store = await openConsoleStore({ dataDir: dir, databaseUrl: null });
  admin = await store.createAccount({ login: 'adm', personId: 'ADM001', roles: ['admin'], passwordHash: 'x', now: at(0) });
  admin2 = await invited('t-adm2', 'ADM002', ['admin'], admin, 'adm2');
  invitedByAdmin = await invited('t-dis7', 'DIS007', ['discipline'], admin, 'dis7');
  invitedByCli = await invited('t-dis8', 'DIS008', ['discipline'], null, 'dis8');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const side = (role: 'admin' | 'discipline', a: Account) => ({ role, personId: a.personId, accountIds: [a.id] });

describe('witness ties', () => {
  it('finds a witness whose account the other witness set up, whichever of the two acts', async () => {
    const tie = await witnessTie(store, side('discipline', invitedByAdmin), side('admin', admin));
    expect(tie).toMatchObject({ kind: 'set-up', account: invitedByAdmin.id, by: 'ADM001', witness: { personId: 'DIS007' } });
    // The other way round: the same tie, found from the admin's side.
    expect(await witnessTie(store, side('admin', admin), side('discipline', invitedByAdmin))).toMatchObject({ kind: 'set-up', account: invitedByAdmin.id, by: 'ADM001' });
  });

  it('follows the line of invitations: set up through an account the other set up, or both set up by one person', async () => {
    // ADM002 (set up by ADM001) sets up DIS009: ADM001 stands in DIS009's line.
    const throughAdmin2 = await invited('t-dis9', 'DIS009', ['discipline'], admin2, 'dis9');
    expect(await setUpLine(store, throughAdmin2.id)).toEqual(['ADM002', 'ADM001']);
    expect(await witnessTie(store, side('admin', admin), side('discipline', throughAdmin2))).toMatchObject({ kind: 'set-up', account: throughAdmin2.id, by: 'ADM001' });
    // ADM002 and DIS007 were both set up by ADM001: one person could hold both (a made-up person each).
    expect(await witnessTie(store, side('admin', admin2), side('discipline', invitedByAdmin))).toMatchObject({ kind: 'common', account: admin2.id, by: 'ADM001' });
  });

  it('follows a line of any length: a made-up person re-inviting themselves 65 times still leads back to the administrator', async () => {
    // Each acceptance retires the last account, so one working account at a time, however long the line.
    let x = await invited('t-x0', 'X001', ['admin', 'discipline'], admin, 'x0');
    for (let i = 1; i <= 65; i++) x = await invited(`t-x${i}`, 'X001', ['admin', 'discipline'], x, `x${i}`);
    const line = await setUpLine(store, x.id);
    expect(line).toHaveLength(66);
    expect(line.at(-1)).toBe('ADM001');
    expect(await witnessTie(store, side('admin', admin), side('discipline', x))).toMatchObject({ kind: 'set-up', account: x.id, by: 'ADM001' });
  });

  it('lets witnesses whose lines are apart act together: an account made on the server starts a line of its own', async () => {
    expect(await setUpLine(store, admin.id)).toEqual([]);
    expect(await setUpLine(store, invitedByCli.id)).toEqual([]);
    expect(await witnessTie(store, side('admin', admin), side('discipline', invitedByCli))).toBeNull();
    expect(await witnessTie(store, side('admin', admin2), side('discipline', invitedByCli))).toBeNull();
    // A second administrator made on the server, and a discipline officer they set up: apart from ADM001's line.
    const admin3 = await store.createAccount({ login: 'adm3', personId: 'ADM003', roles: ['admin'], passwordHash: 'x', now: at(0) });
    const byAdmin3 = await invited('t-dis10', 'DIS010', ['discipline'], admin3, 'dis10');
    expect(await witnessTie(store, side('admin', admin), side('discipline', byAdmin3))).toBeNull();
    expect(await witnessTie(store, side('admin', admin3), side('discipline', byAdmin3))).toMatchObject({ kind: 'set-up', by: 'ADM003' });
  });

  it("counts every account that committed for a witness in this ceremony, from the audit log, and only this ceremony's", async () => {
    const campaign = 'campaign-p-2026-Q1';
    const entry = (account: Account, role: string, ceremony: number, target = campaign) =>
      store.appendAudit({ accountId: account.id, personId: account.personId, action: 'ceremony.commit', target, detail: { role, ceremony, commitment: 'c' }, at: at(5), ip: null, userAgent: null });
    await entry(invitedByAdmin, 'discipline', 1);
    await entry(invitedByCli, 'discipline', 2);
    await entry(invitedByAdmin, 'discipline', 1, 'campaign-p-2026-Q2');
    expect(await committingAccounts(store, campaign, 1, 'discipline', 'DIS007')).toEqual([invitedByAdmin.id]);
    expect(await committingAccounts(store, campaign, 2, 'discipline', 'DIS007')).toEqual([]);
    expect(await committingAccounts(store, campaign, 1, 'admin', 'DIS007')).toEqual([]);
    // An account since replaced still counts: ADM001 acting now is tied to DIS007's committing account.
    const replaced = await invited('t-dis7b', 'DIS007', ['discipline'], null, 'dis7b');
    expect((await store.getAccount(invitedByAdmin.id))?.disabled).toBe(true);
    const dis = { role: 'discipline' as const, personId: 'DIS007', accountIds: await committingAccounts(store, campaign, 1, 'discipline', 'DIS007') };
    expect(await witnessTie(store, side('admin', admin), dis)).toMatchObject({ kind: 'set-up', account: invitedByAdmin.id, by: 'ADM001' });
    expect(await witnessTie(store, side('admin', admin), side('discipline', replaced))).toBeNull();
  });

  it('runs the steps of one campaign one at a time, and other campaigns alongside', async () => {
    const serially = oneAtATime();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name} begins`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name} ends`);
      return name;
    };
    const failing = serially('a', async () => {
      log.push('a0 fails');
      throw new Error('refused');
    });
    const results = await Promise.all([serially('a', step('a1', 30)), serially('a', step('a2', 1)), serially('b', step('b1', 1)), failing.catch((e: Error) => e.message)]);
    expect(results).toEqual(['a1', 'a2', 'b1', 'refused']);
    // a2 waited for a1 (and a failing step does not stop the next); b1 did not wait for a.
    expect(log.indexOf('a2 begins')).toBeGreaterThan(log.indexOf('a1 ends'));
    expect(log.indexOf('b1 ends')).toBeLessThan(log.indexOf('a1 ends'));
  });
});
