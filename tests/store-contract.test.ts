// The store contract: the same tests against SQLite (a real temporary file) and a real
// PostgreSQL 15 (tests/setup/postgres.ts), each test on a fresh database.
import { describe, expect, it } from 'vitest';
import { StoreConflictError, type TaskRow, type InspectionRow } from '../stores/console-store';
import { migrate, MIGRATIONS, SchemaMismatchError, type Migration } from '../stores/migrations';
import { openStoreDatabase, type StoreSettings } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { SqlConsoleStore } from '../stores/sql-console-store';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('contract');

const T0 = new Date('2026-03-02T01:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function task(over: Partial<TaskRow> = {}): TaskRow {
  return {
    key: 'wf-insp-1/result',
    kind: 'result',
    campaignId: 'c-2026-q1',
    inspectionWorkflowId: 'wf-insp-1',
    unitId: 'U001',
    unitName: '信阳某化工有限公司',
    department: 'D01',
    assignees: ['P001', 'P002'],
    role: null,
    roleDepartment: null,
    deadline: '2026-03-20',
    status: 'open',
    decidedBy: null,
    decidedAt: null,
    detail: { title: '检查结果' },
    revision: 10,
    updatedAt: at(0),
    ...over,
  };
}

function inspection(over: Partial<InspectionRow> = {}): InspectionRow {
  return {
    campaignId: 'c-2026-q1',
    workflowId: 'wf-insp-1',
    unitId: 'U001',
    unitName: '信阳某化工有限公司',
    department: 'D01',
    team: ['P001', 'P002'],
    phase: 'inspecting',
    deadline: '2026-03-20',
    overdue: false,
    parked: false,
    parkedReason: null,
    outcome: null,
    detail: {},
    revision: 1,
    updatedAt: at(0),
    ...over,
  };
}

describe('opening the store', () => {
  it('refuses a URL that is not PostgreSQL, and names an unreachable database without its password', async () => {
    await expect(openStoreDatabase({ dataDir: '.', databaseUrl: 'mysql://ssj@db/ssj' })).rejects.toThrow(/SSJ_DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//);
    const refused = openStoreDatabase({ dataDir: '.', databaseUrl: 'postgres://ssj:hunter2@127.0.0.1:1/ssj' });
    await expect(refused).rejects.toThrow(/^store database postgres:\/\/ssj:\*\*\*@127\.0\.0\.1:1\/ssj: .*ECONNREFUSED/);
    await expect(refused).rejects.not.toThrow(/hunter2/);
  });
});

describe.each(backends)('store contract on $name', (backend) => {
  /** A fresh database, migrated, with the store and the raw database (for what a store never does). */
  async function open(): Promise<{ store: SqlConsoleStore; db: SqlDatabase; settings: StoreSettings; close(): Promise<void> }> {
    const settings = await backend.fresh();
    const db = await openStoreDatabase(settings);
    const store = new SqlConsoleStore(db);
    return { store, db, settings, close: () => store.close() };
  }

  describe('migrations', () => {
    it('applies every migration on a fresh database, and nothing when re-run', async () => {
      const settings = await backend.fresh();
      const db = await openStoreDatabase(settings);
      const rows = await db.all<{ version: number | string; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      await db.close();
      const again = await openStoreDatabase(settings); // a restart
      expect(await again.all('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
      await again.close();
    });

    it('applies a later migration once, and then refuses the older code', async () => {
      const settings = await backend.fresh();
      const db = await openStoreDatabase(settings);
      const next: Migration = { version: MIGRATIONS.length + 1, name: 'test: a later release', sql: 'CREATE TABLE later_release (id TEXT PRIMARY KEY)' };
      expect(await migrate(db, [...MIGRATIONS, next])).toEqual([next.version]);
      expect(await migrate(db, [...MIGRATIONS, next])).toEqual([]);
      await db.close();
      const refused = openStoreDatabase(settings);
      await expect(refused).rejects.toThrow(SchemaMismatchError);
      await expect(refused).rejects.toThrow(
        new RegExp(`schema version ${next.version} \\(${next.version} "test: a later release"\\), but this code knows only up to version ${MIGRATIONS.length}`),
      );
    });

    it('refuses a database whose recorded migration differs from the code', async () => {
      const settings = await backend.fresh();
      const db = await openStoreDatabase(settings);
      await db.run('UPDATE schema_migrations SET checksum = ? WHERE version = 1', ['0000000000000000']);
      await db.close();
      await expect(openStoreDatabase(settings)).rejects.toThrow(/recorded migration 1 .*checksum 0000000000000000.*never edited once released/);
    });

    it('two processes starting at once migrate once', async () => {
      const settings = await backend.fresh();
      // Two connections (pools) racing on an empty database, as two hosts starting together would.
      const [a, b] = await Promise.all([openStoreDatabase(settings), openStoreDatabase(settings)]);
      const rows = await a.all('SELECT version FROM schema_migrations');
      expect(rows).toHaveLength(MIGRATIONS.length);
      await Promise.all([a.close(), b.close()]);
    });
  });

  describe('accounts', () => {
    it('creates, finds and updates accounts; logins and OIDC subjects are unique', async () => {
      const { store, close } = await open();
      const a = await store.createAccount({ login: 'zhangsan', personId: 'P001', roles: ['inspector'], passwordHash: 'scrypt$x', now: at(0) });
      expect(a).toMatchObject({ login: 'zhangsan', personId: 'P001', roles: ['inspector'], passwordHash: 'scrypt$x', disabled: false, oidcIssuer: null });
      expect(a.createdAt).toEqual(at(0));
      expect(await store.getAccount(a.id)).toEqual(a);
      expect(await store.getAccountByLogin('zhangsan')).toEqual(a);
      expect(await store.getAccountByLogin('ZHANGSAN')).toBeNull();

      const dup = store.createAccount({ login: 'zhangsan', personId: 'P009', roles: ['manager'], passwordHash: null, now: at(1) });
      await expect(dup).rejects.toThrow(StoreConflictError);
      await expect(dup).rejects.toMatchObject({ constraint: 'accounts(login)' });

      const sso = await store.createAccount({ login: 'lisi', personId: 'P002', roles: ['manager'], passwordHash: null, oidcIssuer: 'https://idp.example', oidcSubject: 'sub-2', now: at(1) });
      expect(await store.getAccountByOidc('https://idp.example', 'sub-2')).toEqual(sso);
      expect(await store.getAccountByOidc('https://other.example', 'sub-2')).toBeNull();
      await expect(
        store.createAccount({ login: 'lisi2', personId: 'P002', roles: ['manager'], passwordHash: null, oidcIssuer: 'https://idp.example', oidcSubject: 'sub-2', now: at(1) }),
      ).rejects.toMatchObject({ constraint: 'accounts(oidc_issuer,oidc_subject)' });

      const changed = await store.updateAccount(a.id, { roles: ['inspector', 'brigade-leader'], disabled: true, passwordHash: null, now: at(5) });
      expect(changed).toMatchObject({ roles: ['inspector', 'brigade-leader'], disabled: true, passwordHash: null, login: 'zhangsan' });
      expect(changed!.updatedAt).toEqual(at(5));
      expect(changed!.createdAt).toEqual(at(0));
      expect(await store.updateAccount('no-such-id', { disabled: true, now: at(5) })).toBeNull();
      expect((await store.listAccounts()).map((x) => x.login)).toEqual(['lisi', 'zhangsan']);
      expect((await store.listAccounts({ personId: 'P002' })).map((x) => x.login)).toEqual(['lisi']);
      await close();
    });
  });

  describe('invitations', () => {
    it('creates the account from the invitation once; then used, expired and unknown are told apart', async () => {
      const { store, close } = await open();
      await store.createInvitation({ tokenHash: 'h1', personId: 'P003', roles: ['manager'], expiresAt: at(60), createdBy: null, now: at(0) });
      await expect(store.createInvitation({ tokenHash: 'h1', personId: 'P004', roles: ['manager'], expiresAt: at(60), createdBy: null, now: at(0) })).rejects.toThrow(StoreConflictError);

      const ok = await store.consumeInvitation('h1', { login: 'wangwu', passwordHash: 'scrypt$w', now: at(10) });
      expect(ok.ok).toBe(true);
      if (!ok.ok) return;
      expect(ok.account).toMatchObject({ login: 'wangwu', personId: 'P003', roles: ['manager'] });
      expect(await store.getInvitation('h1')).toMatchObject({ usedAt: at(10), usedByAccount: ok.account.id });
      // An account finds the invitation it was made from (the witness-tie check asks who set it up).
      expect(await store.getInvitationUsedBy(ok.account.id)).toMatchObject({ tokenHash: 'h1', personId: 'P003', createdBy: null });
      const direct = await store.createAccount({ login: 'direct', personId: 'P012', roles: ['inspector'], passwordHash: 'x', now: at(10) });
      expect(await store.getInvitationUsedBy(direct.id)).toBeNull();

      expect(await store.consumeInvitation('h1', { login: 'wangwu2', passwordHash: 'x', now: at(11) })).toEqual({ ok: false, reason: 'used' });
      expect(await store.consumeInvitation('nope', { login: 'x', passwordHash: 'x', now: at(11) })).toEqual({ ok: false, reason: 'unknown' });
      await store.createInvitation({ tokenHash: 'h2', personId: 'P004', roles: ['inspector'], expiresAt: at(60), createdBy: ok.account.id, now: at(0) });
      expect(await store.consumeInvitation('h2', { login: 'late', passwordHash: 'x', now: at(60) })).toEqual({ ok: false, reason: 'expired' });
      expect(await store.getAccountByLogin('wangwu2')).toBeNull();
      expect(await store.getAccountByLogin('late')).toBeNull();
      await close();
    });

    it('lists the open invitations; a revoked one can no longer be used, and a used one cannot be revoked', async () => {
      const { store, close } = await open();
      await store.createInvitation({ tokenHash: 'o1', personId: 'P007', roles: ['manager'], expiresAt: at(60), createdBy: null, now: at(0) });
      await store.createInvitation({ tokenHash: 'o2', personId: 'P008', roles: ['inspector'], expiresAt: at(60), createdBy: null, now: at(1) });
      await store.createInvitation({ tokenHash: 'o3', personId: 'P009', roles: ['inspector'], expiresAt: at(5), createdBy: null, now: at(2) });
      expect((await store.listOpenInvitations(at(3))).map((i) => i.tokenHash)).toEqual(['o1', 'o2', 'o3']);
      expect((await store.listOpenInvitations(at(5))).map((i) => i.tokenHash)).toEqual(['o1', 'o2']); // o3 expired
      expect((await store.consumeInvitation('o2', { login: 'o2user', passwordHash: 'x', now: at(6) })).ok).toBe(true);
      expect(await store.revokeInvitation('o2', at(7))).toBe(false); // used
      expect(await store.revokeInvitation('o1', at(7))).toBe(true);
      expect(await store.revokeInvitation('o1', at(8))).toBe(false); // again
      expect(await store.revokeInvitation('none', at(8))).toBe(false);
      expect(await store.listOpenInvitations(at(8))).toEqual([]);
      expect(await store.consumeInvitation('o1', { login: 'o1user', passwordHash: 'x', now: at(8) })).toEqual({ ok: false, reason: 'expired' });
      expect(await store.getAccountByLogin('o1user')).toBeNull();
      await close();
    });

    it("a person's new invitation retires their earlier accounts and ends those accounts' sessions", async () => {
      const { store, close } = await open();
      const old = await store.createAccount({ login: 'zhaoliu', personId: 'P010', roles: ['inspector'], passwordHash: 'x', now: at(0) });
      const other = await store.createAccount({ login: 'someone', personId: 'P011', roles: ['inspector'], passwordHash: 'x', now: at(0) });
      for (const [id, acc] of [['s-old', old], ['s-other', other]] as const) {
        await store.createSession({ id, accountId: acc.id, csrfSecret: 'c', createdAt: at(0), lastSeenAt: at(0), ip: null, userAgent: null });
      }
      await store.createInvitation({ tokenHash: 'again', personId: 'P010', roles: ['inspector'], expiresAt: at(60), createdBy: null, now: at(1) });
      const r = await store.consumeInvitation('again', { login: 'zhaoliu2', passwordHash: 'y', now: at(2) });
      expect(r).toMatchObject({ ok: true, superseded: ['zhaoliu'] });
      expect(await store.getAccount(old.id)).toMatchObject({ disabled: true });
      expect(await store.getSession('s-old')).toBeNull();
      // Nobody else's account or session is touched.
      expect(await store.getAccount(other.id)).toMatchObject({ disabled: false });
      expect(await store.getSession('s-other')).not.toBeNull();
      expect((await store.listAccounts({ personId: 'P010' })).map((x) => [x.login, x.disabled])).toEqual([
        ['zhaoliu', true],
        ['zhaoliu2', false],
      ]);
      await close();
    });

    it("once one of a person's links is used, their other open links end; a disabled issuer's links end too", async () => {
      const { store, close } = await open();
      const issuer = await store.createAccount({ login: 'issuer', personId: 'P020', roles: ['admin'], passwordHash: 'x', now: at(0) });
      // Sent twice (the first to a wrong mailbox); the second is used: the first must not retire the new account later.
      await store.createInvitation({ tokenHash: 'first', personId: 'P021', roles: ['manager'], expiresAt: at(60), createdBy: issuer.id, now: at(1) });
      await store.createInvitation({ tokenHash: 'second', personId: 'P021', roles: ['manager'], expiresAt: at(60), createdBy: issuer.id, now: at(2) });
      await store.createInvitation({ tokenHash: 'other-person', personId: 'P022', roles: ['inspector'], expiresAt: at(60), createdBy: issuer.id, now: at(2) });
      expect((await store.consumeInvitation('second', { login: 'wang', passwordHash: 'x', now: at(3) })).ok).toBe(true);
      expect(await store.consumeInvitation('first', { login: 'wang2', passwordHash: 'x', now: at(4) })).toEqual({ ok: false, reason: 'expired' });
      expect((await store.listOpenInvitations(at(4))).map((i) => i.tokenHash)).toEqual(['other-person']);
      // The issuer is disabled: what it sent goes with it, whether revoked at once or found at use.
      await store.createInvitation({ tokenHash: 'late', personId: 'P023', roles: ['inspector'], expiresAt: at(60), createdBy: issuer.id, now: at(5) });
      await store.updateAccount(issuer.id, { disabled: true, now: at(6) });
      expect(await store.consumeInvitation('late', { login: 'late', passwordHash: 'x', now: at(7) })).toEqual({ ok: false, reason: 'expired' });
      expect(await store.revokeInvitationsIssuedBy(issuer.id, at(8))).toBe(2); // other-person, late
      expect(await store.listOpenInvitations(at(8))).toEqual([]);
      expect(await store.revokeInvitationsIssuedBy(issuer.id, at(9))).toBe(0);
      await close();
    });

    it('a login that is taken leaves the invitation unused', async () => {
      const { store, close } = await open();
      await store.createAccount({ login: 'taken', personId: 'P001', roles: ['inspector'], passwordHash: 'x', now: at(0) });
      await store.createInvitation({ tokenHash: 'h3', personId: 'P005', roles: ['inspector'], expiresAt: at(60), createdBy: null, now: at(0) });
      await expect(store.consumeInvitation('h3', { login: 'taken', passwordHash: 'x', now: at(1) })).rejects.toMatchObject({ constraint: 'accounts(login)' });
      expect(await store.getInvitation('h3')).toMatchObject({ usedAt: null, usedByAccount: null });
      const retry = await store.consumeInvitation('h3', { login: 'free', passwordHash: 'x', now: at(2) });
      expect(retry.ok).toBe(true);
      await close();
    });

    it('of many concurrent uses on separate connections, exactly one succeeds', async () => {
      const { store, settings, close } = await open();
      const other = new SqlConsoleStore(await openStoreDatabase(settings));
      await store.createInvitation({ tokenHash: 'race', personId: 'P006', roles: ['inspector'], expiresAt: at(60), createdBy: null, now: at(0) });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? other : store).consumeInvitation('race', { login: `racer${i}`, passwordHash: 'x', now: at(1) })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(11);
      expect(await store.listAccounts({ personId: 'P006' })).toHaveLength(1);
      await other.close();
      await close();
    });
  });

  describe('login failures', () => {
    const policy = { maxFailures: 3, lockoutMs: 15 * 60_000 };

    it('locks on the third failure, keeps the lock while it lasts, and counts afresh after it', async () => {
      const { store, close } = await open();
      expect(await store.getLoginThrottle('zs')).toBeNull();
      expect(await store.recordLoginFailure('zs', at(0), policy)).toMatchObject({ failures: 1, lockedUntil: null });
      expect(await store.recordLoginFailure('zs', at(1), policy)).toMatchObject({ failures: 2, lockedUntil: null });
      expect(await store.recordLoginFailure('zs', at(2), policy)).toEqual({ login: 'zs', failures: 3, lastFailedAt: at(2), lockedUntil: at(17) });
      expect(await store.recordLoginFailure('zs', at(3), policy)).toMatchObject({ failures: 4, lockedUntil: at(17) });
      expect(await store.getLoginThrottle('zs')).toMatchObject({ failures: 4, lockedUntil: at(17) });
      expect(await store.recordLoginFailure('zs', at(17), policy)).toMatchObject({ failures: 1, lockedUntil: null });
      await store.clearLoginFailures('zs');
      expect(await store.getLoginThrottle('zs')).toBeNull();
      expect(await store.recordLoginFailure('one', at(0), { maxFailures: 1, lockoutMs: 60_000 })).toMatchObject({ failures: 1, lockedUntil: at(1) });
      await close();
    });

    it('counts every one of many concurrent failures', async () => {
      const { store, settings, close } = await open();
      const other = new SqlConsoleStore(await openStoreDatabase(settings));
      await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? other : store).recordLoginFailure('burst', at(0), { maxFailures: 1000, lockoutMs: 1 })));
      expect(await store.getLoginThrottle('burst')).toMatchObject({ failures: 24 });
      await other.close();
      await close();
    });
  });

  describe('sessions', () => {
    it('creates, touches, and deletes one, all of an account, or the idle ones', async () => {
      const { store, close } = await open();
      const a = await store.createAccount({ login: 'a', personId: 'P001', roles: ['inspector'], passwordHash: 'x', now: at(0) });
      const b = await store.createAccount({ login: 'b', personId: 'P002', roles: ['manager'], passwordHash: 'x', now: at(0) });
      const s = (id: string, accountId: string, seen: number) => ({ id, accountId, csrfSecret: `csrf-${id}`, createdAt: at(0), lastSeenAt: at(seen), ip: '127.0.0.1', userAgent: 'Mozilla/5.0' });
      await store.createSession(s('s1', a.id, 0));
      await store.createSession(s('s2', a.id, 0));
      await store.createSession(s('s3', b.id, 0));
      await expect(store.createSession(s('s1', b.id, 0))).rejects.toThrow(StoreConflictError);
      await expect(store.createSession(s('s9', 'no-such-account', 0))).rejects.toThrow(); // foreign key
      expect(await store.getSession('s1')).toEqual(s('s1', a.id, 0));
      expect(await store.touchSession('s3', at(30))).toBe(true);
      expect(await store.touchSession('gone', at(30))).toBe(false);
      expect((await store.getSession('s3'))!.lastSeenAt).toEqual(at(30));
      expect(await store.deleteIdleSessions(at(20))).toBe(2); // s1, s2
      expect(await store.getSession('s1')).toBeNull();
      await store.createSession(s('s4', a.id, 40));
      await store.createSession(s('s5', a.id, 40));
      expect(await store.deleteSessionsOfAccount(a.id)).toBe(2);
      await store.deleteSession('s3');
      expect(await store.getSession('s3')).toBeNull();
      await close();
    });
  });

  describe('audit log', () => {
    it('appends and lists newest first, with filters', async () => {
      const { store, close } = await open();
      const e = (action: string, personId: string | null, minute: number, target: string | null = null) => ({
        accountId: personId ? `acc-${personId}` : null,
        personId,
        action,
        target,
        detail: { note: `第${minute}条`, nested: { ok: true } },
        at: at(minute),
        ip: '10.0.0.8',
        userAgent: 'Mozilla/5.0 (iPhone)',
      });
      const first = await store.appendAudit(e('login.ok', 'P001', 0));
      await store.appendAudit(e('login.failed', null, 1, 'zhangsan'));
      await store.appendAudit(e('approval.approve', 'P002', 2, 'wf-insp-1'));
      const last = await store.appendAudit(e('login.ok', 'P002', 3));
      expect(last.seq).toBeGreaterThan(first.seq);
      expect(first).toEqual({ seq: first.seq, ...e('login.ok', 'P001', 0) });

      expect((await store.listAudit()).map((x) => x.action)).toEqual(['login.ok', 'approval.approve', 'login.failed', 'login.ok']);
      expect((await store.listAudit({ action: 'login.' })).map((x) => x.at)).toEqual([at(3), at(1), at(0)]);
      expect((await store.listAudit({ action: 'login' }))).toEqual([]);
      expect((await store.listAudit({ personId: 'P002' })).map((x) => x.action)).toEqual(['login.ok', 'approval.approve']);
      expect((await store.listAudit({ target: 'zhangsan' })).map((x) => x.action)).toEqual(['login.failed']);
      expect((await store.listAudit({ from: at(1), to: at(3) })).map((x) => x.at)).toEqual([at(2), at(1)]);
      expect((await store.listAudit({ limit: 2 })).map((x) => x.at)).toEqual([at(3), at(2)]);
      expect((await store.listAudit({ beforeSeq: last.seq, limit: 1 })).map((x) => x.at)).toEqual([at(2)]);
      await close();
    });

    it('the database itself refuses UPDATE and DELETE of audit entries', async () => {
      const { store, db, close } = await open();
      await store.appendAudit({ accountId: null, personId: null, action: 'login.failed', target: 'x', detail: {}, at: at(0), ip: null, userAgent: null });
      await expect(db.run("UPDATE audit_log SET action = 'login.ok'")).rejects.toThrow(/audit_log is append-only: UPDATE refused/);
      await expect(db.run('DELETE FROM audit_log')).rejects.toThrow(/audit_log is append-only: DELETE refused/);
      if (db.dialect === 'postgres') await expect(db.exec('TRUNCATE audit_log')).rejects.toThrow(/audit_log is append-only: TRUNCATE refused/);
      expect((await store.listAudit()).map((x) => x.action)).toEqual(['login.failed']);
      await close();
    });
  });

  describe('projections', () => {
    it('lists a person\'s tasks by assignment and by role, soonest deadline first', async () => {
      const { store, close } = await open();
      await store.upsertTask(task());
      await store.upsertTask(task({ key: 'wf-insp-2/approve-handover', kind: 'approve-handover', assignees: [], role: 'manager', deadline: '2026-03-10' }));
      await store.upsertTask(task({ key: 'c-2026-q1/change-list/D02', kind: 'change-list', inspectionWorkflowId: null, unitId: null, unitName: null, assignees: [], role: 'brigade-leader', roleDepartment: 'D02', deadline: null }));
      await store.upsertTask(task({ key: 'wf-insp-3/result', assignees: ['P002'], deadline: '2026-03-05', status: 'done', decidedBy: 'P002', decidedAt: at(9) }));

      const keys = async (q: Parameters<typeof store.listTasksFor>[0]) => (await store.listTasksFor(q)).map((t) => t.key);
      expect(await keys({ personId: 'P001', roles: ['inspector'] })).toEqual(['wf-insp-1/result']);
      expect(await keys({ personId: 'P009', roles: ['manager'] })).toEqual(['wf-insp-2/approve-handover']);
      expect(await keys({ personId: 'P002', roles: ['inspector', 'manager'] })).toEqual(['wf-insp-2/approve-handover', 'wf-insp-1/result']);
      expect(await keys({ personId: 'P002', roles: ['inspector'], statuses: ['open', 'done'] })).toEqual(['wf-insp-3/result', 'wf-insp-1/result']);
      expect(await keys({ personId: 'P007', roles: ['brigade-leader'], department: 'D01' })).toEqual([]);
      expect(await keys({ personId: 'P007', roles: ['brigade-leader'], department: 'D02' })).toEqual(['c-2026-q1/change-list/D02']);
      expect(await keys({ personId: 'P007', roles: [] })).toEqual([]);
      expect(await keys({ personId: 'P002', roles: ['manager'], kinds: ['result'] })).toEqual(['wf-insp-1/result']);
      expect(await keys({ personId: 'P002', roles: ['manager'], campaignId: 'other' })).toEqual([]);
      expect(await store.getTask('wf-insp-3/result')).toEqual(task({ key: 'wf-insp-3/result', assignees: ['P002'], deadline: '2026-03-05', status: 'done', decidedBy: 'P002', decidedAt: at(9) }));
      expect((await store.listTasksOfCampaign('c-2026-q1')).map((t) => t.key)).toEqual(['c-2026-q1/change-list/D02', 'wf-insp-1/result', 'wf-insp-2/approve-handover']);
      // One unit's, one inspection's: by index, with the statuses asked for.
      await store.upsertTask(task({ key: 'wf-insp-4/result', inspectionWorkflowId: 'wf-insp-4', unitId: 'U004' }));
      const ofUnit = async (c: string, u: string, st?: TaskRow['status'][]) => (await store.listTasksOfUnit(c, u, st)).map((t) => t.key);
      expect(await ofUnit('c-2026-q1', 'U001')).toEqual(['wf-insp-1/result', 'wf-insp-2/approve-handover']);
      expect(await ofUnit('c-2026-q1', 'U001', ['open', 'done'])).toEqual(['wf-insp-1/result', 'wf-insp-2/approve-handover', 'wf-insp-3/result']);
      expect(await ofUnit('c-2026-q1', 'U004')).toEqual(['wf-insp-4/result']);
      expect(await ofUnit('other', 'U001')).toEqual([]);
      expect(await ofUnit('c-2026-q1', 'U001', [])).toEqual([]);
      const ofInspection = async (w: string, st?: TaskRow['status'][]) => (await store.listTasksOfInspection(w, st)).map((t) => t.key);
      expect(await ofInspection('wf-insp-1', ['done'])).toEqual(['wf-insp-3/result']);
      expect(await ofInspection('wf-insp-4')).toEqual(['wf-insp-4/result']);
      expect(await ofInspection('wf-none')).toEqual([]);
      await close();
    });

    it('an upsert with a lower revision changes nothing; a newer one replaces the assignees', async () => {
      const { store, close } = await open();
      expect(await store.upsertTask(task({ revision: 10 }))).toBe(true);
      expect(await store.upsertTask(task({ revision: 10 }))).toBe(true); // a retry of the same write
      expect(await store.upsertTask(task({ revision: 12, assignees: ['P003'], status: 'open' }))).toBe(true);
      expect(await store.upsertTask(task({ revision: 11, assignees: ['P001'], status: 'cancelled' }))).toBe(false); // late
      expect(await store.getTask('wf-insp-1/result')).toMatchObject({ revision: 12, assignees: ['P003'], status: 'open' });
      expect(await store.listTasksFor({ personId: 'P001', roles: [] })).toEqual([]);
      expect((await store.listTasksFor({ personId: 'P003', roles: [] })).map((t) => t.revision)).toEqual([12]);
      await close();
    });

    it('concurrent upserts of one key end at the highest revision, assignees included', async () => {
      const { store, settings, close } = await open();
      const other = new SqlConsoleStore(await openStoreDatabase(settings));
      const revisions = [7, 3, 15, 1, 12, 9, 4, 14, 2, 10, 6, 13, 5, 11, 8];
      await Promise.all(revisions.map((r, i) => (i % 2 ? other : store).upsertTask(task({ revision: r, assignees: [`P${r}`, `Q${r}`] }))));
      expect(await store.getTask('wf-insp-1/result')).toMatchObject({ revision: 15, assignees: ['P15', 'Q15'] });
      expect((await store.listTasksFor({ personId: 'Q15', roles: [] })).map((t) => t.key)).toEqual(['wf-insp-1/result']);
      for (const r of revisions.filter((x) => x !== 15)) expect(await store.listTasksFor({ personId: `P${r}`, roles: [] })).toEqual([]);
      await other.close();
      await close();
    });

    it('inspections per campaign: upsert by revision, filters and counts', async () => {
      const { store, close } = await open();
      await store.upsertInspection(inspection());
      await store.upsertInspection(inspection({ workflowId: 'wf-insp-2', unitId: 'U002', department: 'D02', phase: 'awaiting-approval', overdue: true }));
      await store.upsertInspection(inspection({ workflowId: 'wf-insp-3', unitId: 'U003', department: 'D02', phase: 'inspecting', parked: true, parkedReason: 'unit-closed' }));
      await store.upsertInspection(inspection({ workflowId: 'wf-other', campaignId: 'c-2025-q4' }));
      expect(await store.upsertInspection(inspection({ revision: 0, phase: 'assigned' }))).toBe(false);
      expect(await store.upsertInspection(inspection({ revision: 2, phase: 'done', outcome: 'compliant' }))).toBe(true);
      expect(await store.getInspection('wf-insp-1')).toEqual(inspection({ revision: 2, phase: 'done', outcome: 'compliant' }));

      const ids = async (q: Parameters<typeof store.listInspections>[0]) => (await store.listInspections(q)).map((r) => r.workflowId);
      expect(await ids({ campaignId: 'c-2026-q1' })).toEqual(['wf-insp-1', 'wf-insp-2', 'wf-insp-3']);
      expect(await ids({ campaignId: 'c-2026-q1', overdue: true })).toEqual(['wf-insp-2']);
      expect(await ids({ campaignId: 'c-2026-q1', parked: true })).toEqual(['wf-insp-3']);
      expect(await ids({ campaignId: 'c-2026-q1', phases: ['inspecting', 'done'], department: 'D02' })).toEqual(['wf-insp-3']);
      expect(await ids({ campaignId: 'c-2026-q1', limit: 1, offset: 1 })).toEqual(['wf-insp-2']);
      expect(await store.countInspections('c-2026-q1')).toEqual({
        total: 3,
        overdue: 1,
        parked: 1,
        byPhase: { done: 1, 'awaiting-approval': 1, inspecting: 1 },
        byDepartment: { D01: 1, D02: 2 },
      });
      expect(await store.countInspections('none')).toEqual({ total: 0, overdue: 0, parked: 0, byPhase: {}, byDepartment: {} });
      await close();
    });

    it('campaigns: upsert by revision, newest quarter first', async () => {
      const { store, close } = await open();
      const c = (campaignId: string, year: number, quarter: number, revision = 1, phase = 'preparing') => ({
        campaignId,
        programmeId: 'xinyang',
        year,
        quarter,
        phase,
        detail: { start: `${year}-01-01` },
        revision,
        updatedAt: at(0),
      });
      await store.upsertCampaign(c('c-2025-q4', 2025, 4));
      await store.upsertCampaign(c('c-2026-q1', 2026, 1));
      expect(await store.upsertCampaign(c('c-2026-q1', 2026, 1, 5, 'drawing'))).toBe(true);
      expect(await store.upsertCampaign(c('c-2026-q1', 2026, 1, 4, 'preparing'))).toBe(false);
      expect(await store.getCampaign('c-2026-q1')).toEqual(c('c-2026-q1', 2026, 1, 5, 'drawing'));
      expect((await store.listCampaigns()).map((x) => x.campaignId)).toEqual(['c-2026-q1', 'c-2025-q4']);
      expect((await store.listCampaigns({ year: 2025 })).map((x) => x.campaignId)).toEqual(['c-2025-q4']);
      await close();
    });
  });
});
