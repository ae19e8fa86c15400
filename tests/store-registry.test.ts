// The registry store contract (stores/registry-store.ts) on a real SQLite file and a real
// PostgreSQL 15: append-only batches (refused in the database itself), idempotency, all or
// nothing, the state on past dates and as known at an instant, batched reads, and a bulk import.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { adoptLegacyRegistry } from '../files/registry/adopt-legacy';
import { openLegacyRegistry } from './helpers/legacy-registry';
import type { Department, Person, Unit } from '../domain/registry';
import { inspector as inspectorIn, unit as unitWith } from './helpers/registry-snapshot';
import { makeUscc } from '../domain/uscc';
import { openStoreDatabase, type StoreSettings } from '../stores/open';
import { conflictEntityId, openRegistryStore, RegistryChangedError, SqlRegistryStore, type RegistryBatch, type RegistryStore } from '../stores/registry-store';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('registry');

const brigade: Department = { id: 'brigade-shihe', kind: 'direct-brigade', name: '浉河大队', jurisdiction: 'shihe', email: 'shihe@example.org' };
/** A unit with a real USCC (the registry's usual id), n = 1..99. */
const unit = (n: number, over: Partial<Unit> = {}): Unit => localUnit(makeUscc(`914115020000000${String(n).padStart(2, '0')}`), { idKind: 'uscc', ...over });
const localUnit = (id: string, over: Partial<Unit> = {}): Unit => unitWith(id, over);
const inspector = (id: string, department: string): Person => inspectorIn(id, department);
const batch = (key: string, effectiveDate: string, changes: RegistryBatch['changes']): RegistryBatch => ({
  key,
  kind: 'test',
  source: 'test',
  reason: 'test',
  effectiveDate,
  changes,
});
const unitChanges = (units: Unit[]): RegistryBatch['changes'] => units.map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: u }));

describe.each(backends)('registry store on $name', (backend) => {
  async function fresh(now?: () => Date): Promise<{ store: RegistryStore; settings: StoreSettings }> {
    const settings = await backend.fresh();
    return { store: await openRegistryStore(settings, now ? { now } : {}), settings };
  }

  it('starts empty', async () => {
    const { store } = await fresh();
    expect(await store.tableCounts()).toEqual({ batches: 0, changes: 0 });
    expect(await store.snapshotAt('2023-01-01')).toEqual({ asOf: '2023-01-01', departments: [], units: [], people: [], conflicts: [] });
    expect(await store.batches()).toEqual([]);
    await store.close();
  });

  it('applies a batch once: the same key again writes nothing', async () => {
    const { store } = await fresh();
    const b = batch('units:abc', '2022-12-31', [{ entityKind: 'department', entityId: brigade.id, state: brigade }, ...unitChanges([unit(1)])]);
    const first = await store.applyBatch(b);
    expect(first.applied).toBe(true);
    expect(first.batch).toMatchObject({ key: 'units:abc', changeCount: 2, effectiveDate: '2022-12-31', fileName: null });
    expect(typeof first.batch.id).toBe('number');
    const second = await store.applyBatch(b);
    expect(second).toEqual({ applied: false, batch: first.batch });
    expect(await store.findBatch('units:abc')).toEqual(first.batch);
    expect(await store.findBatch('units:other')).toBeUndefined();
    expect(await store.tableCounts()).toEqual({ batches: 1, changes: 2 });
    await store.close();
  });

  it('two previews confirmed at once on two connections: the first applies, the second is refused under the lock, writing nothing', async () => {
    const { settings } = await fresh();
    const [a, b] = [await openRegistryStore(settings), await openRegistryStore(settings)];
    const seen = (await a.tableCounts()).batches; // both previews saw the empty registry
    const one = batch('units:one', '2022-12-31', unitChanges(Array.from({ length: 500 }, (_, i) => localUnit(`ONE-${i}`))));
    const two = batch('units:two', '2022-12-31', unitChanges(Array.from({ length: 500 }, (_, i) => localUnit(`TWO-${i}`))));
    const results = await Promise.allSettled([a.applyBatch(one, { expectBatches: seen }), b.applyBatch(two, { expectBatches: seen })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(RegistryChangedError);
    expect(String(refused.reason.message)).toMatch(/holds 1 batches, not the 0 it held when batch units:(one|two) was checked: nothing applied/);
    expect(await a.tableCounts()).toEqual({ batches: 1, changes: 500 });
    // The same batch again is still no error (already applied), whatever the count.
    const winner = results[0]!.status === 'fulfilled' ? one : two;
    expect((await b.applyBatch(winner, { expectBatches: seen })).applied).toBe(false);
    await a.close();
    await b.close();
  });

  it('the same batch from two connections at once is applied exactly once', async () => {
    const { settings } = await fresh();
    const [a, b] = [await openRegistryStore(settings), await openRegistryStore(settings)];
    const big = batch('units:race', '2022-12-31', unitChanges(Array.from({ length: 2000 }, (_, i) => localUnit(`RACE-${i}`))));
    const results = await Promise.all([a.applyBatch(big), b.applyBatch(big)]);
    expect(results.map((r) => r.applied).sort()).toEqual([false, true]);
    expect(results[0]!.batch.id).toBe(results[1]!.batch.id);
    expect(await a.tableCounts()).toEqual({ batches: 1, changes: 2000 });
    await a.close();
    await b.close();
  });

  it('is all or nothing: a batch with one bad state writes nothing, and every problem is named', async () => {
    const { store } = await fresh();
    const bad = { ...unit(2), category: 'huge' } as unknown as Unit;
    await expect(store.applyBatch(batch('k1', '2022-12-31', unitChanges([unit(1), bad])))).rejects.toThrow(/change 2 .*category/);
    await expect(store.applyBatch(batch('k2', '2022-12-31', [{ entityKind: 'unit', entityId: 'other', state: unit(1) }]))).rejects.toThrow(/does not match/);
    await expect(store.applyBatch(batch('k3', '2023-02-30', []))).rejects.toThrow(/not a date/);
    expect(await store.tableCounts()).toEqual({ batches: 0, changes: 0 });
    await store.close();
  });

  it('rolls back the whole batch, its first chunks included, when the database refuses a row midway', async () => {
    const { store, settings } = await fresh();
    // A test-only trigger refuses the 1,101st row: the code's checks all pass, only the database stops it.
    const db = await openStoreDatabase(settings);
    await db.exec(
      db.dialect === 'sqlite'
        ? `CREATE TRIGGER test_refuse BEFORE INSERT ON registry_changes WHEN NEW.entity_id = 'ROLL-1100'
             BEGIN SELECT RAISE(ABORT, 'test refuses ROLL-1100'); END;`
        : `CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.entity_id = 'ROLL-1100' THEN RAISE EXCEPTION 'test refuses ROLL-1100'; END IF; RETURN NEW; END $$;
           CREATE TRIGGER test_refuse BEFORE INSERT ON registry_changes FOR EACH ROW EXECUTE PROCEDURE test_refuse();`,
    );
    await db.close();
    const units = Array.from({ length: 1200 }, (_, i) => localUnit(`ROLL-${i}`));
    let progress = 0;
    await expect(store.applyBatch(batch('k-roll', '2022-12-31', unitChanges(units)), { onProgress: (n) => (progress = n) })).rejects.toThrow(/test refuses ROLL-1100/);
    expect(progress).toBe(1000); // two chunks were written before the refusal ...
    expect(await store.tableCounts()).toEqual({ batches: 0, changes: 0 }); // ... and rolled back with the batch row
    expect(await store.findBatch('k-roll')).toBeUndefined();
    await store.close();
  });

  it('refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) of the history in the database itself', async () => {
    const { store, settings } = await fresh();
    await store.applyBatch(batch('k', '2022-12-31', unitChanges([unit(1)])));
    const db = await openStoreDatabase(settings);
    try {
      await expect(db.run("UPDATE registry_changes SET reason = 'x'")).rejects.toThrow(/registry_changes is append-only/);
      await expect(db.run('DELETE FROM registry_changes')).rejects.toThrow(/registry_changes is append-only/);
      await expect(db.run("UPDATE registry_batches SET source = 'x'")).rejects.toThrow(/registry_batches is append-only/);
      await expect(db.run('DELETE FROM registry_batches')).rejects.toThrow(/registry_batches is append-only/);
      if (db.dialect === 'postgres') {
        await expect(db.exec('TRUNCATE registry_changes')).rejects.toThrow(/registry_changes is append-only: TRUNCATE refused/);
        await expect(db.exec('TRUNCATE registry_batches CASCADE')).rejects.toThrow(/append-only: TRUNCATE refused/);
      }
    } finally {
      await db.close();
    }
    expect(await store.tableCounts()).toEqual({ batches: 1, changes: 1 });
    expect((await store.history('unit', unit(1).id))[0]!.reason).toBe('test');
    await store.close();
  });

  it('shares one database with other stores without closing it', async () => {
    const settings = await backend.fresh();
    const db = await openStoreDatabase(settings);
    const store = new SqlRegistryStore(db);
    await store.applyBatch(batch('k', '2022-12-31', unitChanges([unit(1)])));
    await store.close();
    const row = await db.get<{ n: number | string }>('SELECT count(*) AS n FROM registry_changes'); // the database is still open
    expect(Number(row!.n)).toBe(1);
    await db.close();
  });

  it('keeps a change dated before later-recorded ones in force past them: carried forward, appended, the later records’ own changes kept', async () => {
    const { store } = await fresh();
    const u = unit(7);
    await store.applyBatch(batch('base', '2022-12-31', [{ entityKind: 'department', entityId: brigade.id, state: brigade }, ...unitChanges([u])]));
    await store.applyBatch(batch('address', '2023-03-25', unitChanges([{ ...u, address: '工区路90号' }])));
    // The closure of 15 March is recorded after the correction of 25 March.
    const closed = { ...u, status: 'closed' as const, statusDate: '2023-03-15' };
    const r = await store.applyBatch(batch('closed', '2023-03-31', [{ entityKind: 'unit', entityId: u.id, effectiveDate: '2023-03-15', state: closed, reason: '关停名单' }]));
    expect(r.batch.changeCount).toBe(2); // the change, and the record carrying it past 25 March
    const on = async (date: string) => (await store.snapshotAt(date)).units.find((x) => x.id === u.id)!;
    expect(await on('2023-03-14')).toMatchObject({ status: 'active', address: u.address });
    expect(await on('2023-03-20')).toMatchObject({ status: 'closed', address: u.address });
    expect(await on('2023-03-31')).toMatchObject({ status: 'closed', statusDate: '2023-03-15', address: '工区路90号' });
    expect((await store.statesAt('unit', [u.id], '2023-03-31')).get(u.id)).toMatchObject({ status: 'closed', address: '工区路90号' });
    // Appended, nothing rewritten; the history says why.
    const history = await store.history('unit', u.id);
    expect(history.map((h) => [h.effectiveDate, h.reason])).toEqual([
      ['2022-12-31', 'test'],
      ['2023-03-15', '关停名单'],
      ['2023-03-25', 'test'],
      ['2023-03-25', '2023-03-15的变更延续至此（关停名单）'],
    ]);
    await store.close();
  });

  describe('state on past dates', () => {
    let s: RegistryStore;
    const u1 = unit(1);
    const u2 = unit(2);
    const u3 = unit(3, { category: 'key' });
    const conflict = { inspectorId: 'P2', unitId: u1.id, reason: 'relative' };
    beforeAll(async () => {
      let clock = Date.UTC(2023, 0, 5);
      ({ store: s } = await fresh(() => new Date((clock += 86_400_000))));
      const pingqiao: Department = { ...brigade, id: 'brigade-pingqiao', name: '平桥大队', jurisdiction: 'pingqiao' };
      // 2022-12-31: the base lists.
      await s.applyBatch(
        batch('base', '2022-12-31', [
          { entityKind: 'department', entityId: brigade.id, state: brigade },
          { entityKind: 'department', entityId: pingqiao.id, state: pingqiao },
          ...unitChanges([u1, u2]),
          { entityKind: 'person', entityId: 'P1', state: inspector('P1', 'brigade-shihe') },
          { entityKind: 'person', entityId: 'P2', state: inspector('P2', 'brigade-shihe') },
        ]),
      );
      // Q1 lists: a new unit on 02-01, u2 closed on 02-15, P1 moved on 03-01, a conflict declared on 01-20.
      await s.applyBatch(batch('q1-new', '2023-03-31', [{ entityKind: 'unit', entityId: u3.id, effectiveDate: '2023-02-01', state: u3 }]));
      await s.applyBatch(batch('q1-closed', '2023-03-31', [{ entityKind: 'unit', entityId: u2.id, effectiveDate: '2023-02-15', state: { ...u2, status: 'closed', statusDate: '2023-02-15' } }]));
      await s.applyBatch(batch('q1-people', '2023-03-31', [{ entityKind: 'person', entityId: 'P1', effectiveDate: '2023-03-01', state: inspector('P1', 'brigade-pingqiao') }]));
      await s.applyBatch(batch('q1-conflicts', '2023-03-31', [{ entityKind: 'conflict', entityId: conflictEntityId(conflict), effectiveDate: '2023-01-20', state: conflict }]));
      // 2023-04-10: the conflict is withdrawn.
      await s.applyBatch(batch('q2-conflicts', '2023-04-10', [{ entityKind: 'conflict', entityId: conflictEntityId(conflict), state: null }]));
      // Two changes of one unit on one date in one batch: the later record wins.
      await s.applyBatch(
        batch('q2-twice', '2023-05-01', [
          { entityKind: 'unit', entityId: u1.id, state: { ...u1, name: '先记的名称' } },
          { entityKind: 'unit', entityId: u1.id, state: { ...u1, name: '后记的名称' } },
        ]),
      );
    });
    afterAll(() => s.close());

    const statusOf = async (date: string, id: string) => (await s.snapshotAt(date)).units.find((u) => u.id === id)?.status;
    const deptOf = async (date: string, id: string) => (await s.snapshotAt(date)).people.find((p) => p.id === id)?.department;

    it('before anything was effective, the registry is empty', async () => {
      const snap = await s.snapshotAt('2022-12-30');
      expect([snap.departments.length, snap.units.length, snap.people.length, snap.conflicts.length]).toEqual([0, 0, 0, 0]);
    });

    it('units appear and close on their dates (the state at the END of the day)', async () => {
      expect((await s.snapshotAt('2022-12-31')).units.map((u) => u.id)).toEqual([u1.id, u2.id].sort());
      expect((await s.snapshotAt('2023-01-31')).units).toHaveLength(2);
      expect((await s.snapshotAt('2023-02-01')).units.map((u) => u.id)).toEqual([u1.id, u2.id, u3.id].sort());
      expect(await statusOf('2023-02-14', u2.id)).toBe('active');
      expect(await statusOf('2023-02-15', u2.id)).toBe('closed');
      expect(await statusOf('2023-12-31', u2.id)).toBe('closed');
    });

    it('a personnel move takes effect on its date', async () => {
      expect(await deptOf('2023-02-28', 'P1')).toBe('brigade-shihe');
      expect(await deptOf('2023-03-01', 'P1')).toBe('brigade-pingqiao');
      expect(await deptOf('2023-03-01', 'P2')).toBe('brigade-shihe');
    });

    it('a snapshot of some kinds only (a roster: people and departments) reads just those, the same states', async () => {
      const whole = await s.snapshotAt('2023-03-01');
      const roster = await s.snapshotAt('2023-03-01', { kinds: ['person', 'department'] });
      expect(whole.units.length).toBeGreaterThan(0);
      expect(roster.units).toEqual([]);
      expect(roster.conflicts).toEqual([]);
      expect(roster.people).toEqual(whole.people);
      expect(roster.departments).toEqual(whole.departments);
    });

    it('a conflict exists from its declaration until it is withdrawn', async () => {
      expect((await s.snapshotAt('2023-01-19')).conflicts).toEqual([]);
      expect((await s.snapshotAt('2023-01-20')).conflicts).toEqual([conflict]);
      expect((await s.snapshotAt('2023-04-09')).conflicts).toHaveLength(1);
      expect((await s.snapshotAt('2023-04-10')).conflicts).toEqual([]);
    });

    it('of two changes on one date, the later record wins', async () => {
      expect((await s.snapshotAt('2023-05-01')).units.find((u) => u.id === u1.id)?.name).toBe('后记的名称');
      expect((await s.statesAt('unit', [u1.id], '2023-05-01')).get(u1.id)?.name).toBe('后记的名称');
    });

    it('knownAt gives the registry as it was known at an instant (before later, backdated lists)', async () => {
      const batches = await s.batches();
      expect(batches.map((b) => b.key)).toEqual(['base', 'q1-new', 'q1-closed', 'q1-people', 'q1-conflicts', 'q2-conflicts', 'q2-twice']);
      expect(batches.map((b) => b.recordedAt)).toEqual([...batches.map((b) => b.recordedAt)].sort());
      const asKnown = await s.snapshotAt('2023-03-31', { knownAt: batches[0]!.recordedAt });
      expect(asKnown.units.map((u) => u.status)).toEqual(['active', 'active']);
      expect(asKnown.conflicts).toEqual([]);
    });

    it('history lists every change of one entity in effective order, removals included', async () => {
      const h = await s.history('unit', u2.id);
      expect(h.map((e) => [e.effectiveDate, (e.state as Unit).status, e.batchKey])).toEqual([
        ['2022-12-31', 'active', 'base'],
        ['2023-02-15', 'closed', 'q1-closed'],
      ]);
      expect(h[0]).toMatchObject({ entityKind: 'unit', entityId: u2.id, source: 'test', reason: 'test' });
      expect(typeof h[0]!.seq).toBe('number');
      const c = await s.history('conflict', `P2:${u1.id}`);
      expect(c.map((e) => [e.effectiveDate, e.state === null])).toEqual([
        ['2023-01-20', false],
        ['2023-04-10', true],
      ]);
      expect((await s.historyAnyKind('P1')).map((e) => e.effectiveDate)).toEqual(['2022-12-31', '2023-03-01']);
      expect(await s.history('unit', 'NOBODY')).toEqual([]);
    });

    it('statesAt reads many entities at a date in one go: absent and removed ones are null', async () => {
      const at = await s.statesAt('unit', [u1.id, u2.id, u3.id, 'NOBODY'], '2023-01-31');
      expect([...at.keys()]).toEqual([u1.id, u2.id, u3.id, 'NOBODY']);
      expect(at.get(u1.id)?.status).toBe('active');
      expect(at.get(u3.id)).toBeNull(); // enters on 02-01
      expect(at.get('NOBODY')).toBeNull();
      expect((await s.statesAt('unit', [u2.id], '2023-02-15')).get(u2.id)?.status).toBe('closed');
      const cid = conflictEntityId(conflict);
      expect((await s.statesAt('conflict', [cid], '2023-04-09')).get(cid)).toEqual(conflict);
      expect((await s.statesAt('conflict', [cid], '2023-04-10')).get(cid)).toBeNull();
      await expect(s.statesAt('unit', [u1.id], '2023-02-30')).rejects.toThrow(/not a date/);
    });

    it('firstDates gives when each entity entered the log', async () => {
      const first = await s.firstDates('unit', [u1.id, u3.id, 'NOBODY']);
      expect(Object.fromEntries(first)).toEqual({ [u1.id]: '2022-12-31', [u3.id]: '2023-02-01' });
    });
  });

  it('sorts every list by bytes, whatever the database collation', async () => {
    const { store } = await fresh();
    const ids = ['a_0', 'Z9', 'a1', '0x', 'A-2', 'a.b'];
    await store.applyBatch(
      batch('order', '2022-12-31', [
        ...unitChanges(ids.map((id) => localUnit(id))),
        ...['P10', 'P1', 'P2'].map((p) => ({ entityKind: 'conflict' as const, entityId: `${p}:a1`, state: { inspectorId: p, unitId: 'a1', reason: 'x' } })),
      ]),
    );
    const snap = await store.snapshotAt('2023-01-01');
    expect(snap.units.map((u) => u.id)).toEqual(['0x', 'A-2', 'Z9', 'a.b', 'a1', 'a_0']);
    expect(snap.conflicts.map((c) => c.inspectorId)).toEqual(['P1', 'P10', 'P2']);
    await store.close();
  });

  it('adopts a registry.db of an earlier release whole: same snapshots, history and recorded instants; twice changes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-adopt-'));
    try {
      const file = path.join(dir, 'registry.db');
      let clock = Date.UTC(2023, 0, 5);
      const legacy = openLegacyRegistry(file, { now: () => new Date((clock += 86_400_000)) });
      const c = { inspectorId: 'P1', unitId: unit(1).id, reason: 'relative' };
      legacy.applyBatch(batch('base', '2022-12-31', [...unitChanges([unit(1), unit(2)]), { entityKind: 'person', entityId: 'P1', state: inspector('P1', brigade.id) }]));
      legacy.applyBatch({ ...batch('q1', '2023-03-31', [{ entityKind: 'unit', entityId: unit(2).id, effectiveDate: '2023-02-15', state: { ...unit(2), status: 'closed' }, reason: '注销' }]), fileName: 'closed.csv' });
      legacy.applyBatch(batch('q1-conflicts', '2023-03-31', [{ entityKind: 'conflict', entityId: conflictEntityId(c), state: c }]));
      legacy.applyBatch(batch('q2-conflicts', '2023-04-10', [{ entityKind: 'conflict', entityId: conflictEntityId(c), state: null }]));
      const { store } = await fresh();
      expect(await adoptLegacyRegistry(file, store)).toEqual({ batches: 4, adopted: 4, changes: 6 });
      expect(await store.batches()).toEqual(legacy.batches().map((b) => ({ ...b, id: expect.any(Number) })));
      for (const date of ['2022-12-31', '2023-02-15', '2023-03-31', '2023-04-10']) expect(await store.snapshotAt(date)).toEqual(legacy.snapshotAt(date));
      const knownAt = legacy.batches()[1]!.recordedAt;
      expect(await store.snapshotAt('2023-03-31', { knownAt })).toEqual(legacy.snapshotAt('2023-03-31', { knownAt }));
      const strip = (h: { seq: number; batchId: number }[]) => h.map((e) => ({ ...e, seq: 0, batchId: 0 }));
      expect(strip(await store.history('unit', unit(2).id))).toEqual(strip(legacy.history('unit', unit(2).id)));
      expect(strip(await store.historyAnyKind(conflictEntityId(c)))).toEqual(strip(legacy.historyAnyKind(conflictEntityId(c))));
      expect(await adoptLegacyRegistry(file, store)).toEqual({ batches: 4, adopted: 0, changes: 0 });
      expect(await store.tableCounts()).toEqual({ batches: 4, changes: 6 });
      legacy.close();
      await expect(adoptLegacyRegistry(path.join(dir, 'none.db'), store)).rejects.toThrow(/none\.db: no such file/);
      fs.writeFileSync(path.join(dir, 'other.db'), '');
      await expect(adoptLegacyRegistry(path.join(dir, 'other.db'), store)).rejects.toThrow(/not a registry database/);
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adopts all batches or none: a bad batch 5 leaves batches 1-4 out too, and the refusal names the batch and the change seq', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-adopt-bad-'));
    try {
      const file = path.join(dir, 'registry.db');
      const legacy = openLegacyRegistry(file);
      for (let n = 1; n <= 4; n++) legacy.applyBatch(batch(`good-${n}`, '2022-12-31', unitChanges([unit(n)])));
      legacy.close();
      // Batch 5 as a damaged file holds it: one state that is not JSON, one that breaks the unit schema.
      const raw = new Database(file);
      const b5 = raw
        .prepare(`INSERT INTO batches (batch_key, kind, source, reason, file_name, effective_date, change_count, recorded_at) VALUES ('bad', 'units', 'x', 'x', NULL, '2023-01-31', 2, '2023-02-01T00:00:00.000Z')`)
        .run().lastInsertRowid;
      const change = raw.prepare(`INSERT INTO changes (batch_id, entity_kind, entity_id, effective_date, state, source, reason, recorded_at) VALUES (?, 'unit', ?, '2023-01-31', ?, 'x', 'x', '2023-02-01T00:00:00.000Z')`);
      const broken = Number(change.run(b5, unit(5).id, '{"id": "cut off').lastInsertRowid);
      const invalid = Number(change.run(b5, unit(6).id, JSON.stringify({ ...unit(6), status: 'vanished' })).lastInsertRowid);
      raw.close();
      const { store } = await fresh();
      const err = (await adoptLegacyRegistry(file, store).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/registry\.db: 2 problem\(s\); nothing was carried over/);
      expect(err.message).toContain(`batch 5 (bad), change seq ${broken} (unit ${unit(5).id}): the state is not readable JSON (`);
      expect(err.message).toMatch(new RegExp(`batch 5 \\(bad\\), change seq ${invalid} \\(unit ${unit(6).id}\\): status: `));
      expect(await store.tableCounts()).toEqual({ batches: 0, changes: 0 });
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports 20,000 units in one batch and reads them back in one query (figures printed, not asserted)', async () => {
    const { store } = await fresh();
    const units = Array.from({ length: 20_000 }, (_, i) => localUnit(`LOCAL-T-${String(i).padStart(5, '0')}`));
    let progress = 0;
    let t = performance.now();
    const r = await store.applyBatch(batch('big', '2022-12-31', unitChanges(units)), { onProgress: (n) => (progress = n) });
    const importMs = performance.now() - t;
    expect(r.applied).toBe(true);
    expect(progress).toBe(20_000);
    await store.applyBatch(batch('big-close', '2023-03-31', unitChanges(units.slice(0, 1000).map((u) => ({ ...u, status: 'closed' as const })))));
    t = performance.now();
    const snap = await store.snapshotAt('2023-06-30');
    const snapshotMs = performance.now() - t;
    expect(snap.units).toHaveLength(20_000);
    expect(snap.units.filter((u) => u.status === 'closed')).toHaveLength(1000);
    t = performance.now();
    const states = await store.statesAt('unit', units.map((u) => u.id), '2023-06-30');
    const statesMs = performance.now() - t;
    expect([...states.values()].filter((u) => u?.status === 'closed')).toHaveLength(1000);
    console.log(
      `registry on ${backend.name}: import of 20,000 units ${importMs.toFixed(0)} ms; snapshotAt over 21,000 changes ${snapshotMs.toFixed(0)} ms; ` +
        `statesAt of 20,000 units ${statesMs.toFixed(0)} ms`,
    );
    await store.close();
  }, 180_000);
});
