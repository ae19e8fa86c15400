// The registry store: migrations, append-only batches, idempotency, and the state on past dates.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Department, Person, Unit } from '../domain/registry';
import { makeUscc } from '../domain/uscc';
import { SCHEMA_VERSION } from '../activities/registry/schema';
import { conflictEntityId, openRegistry, type RegistryBatch, type RegistryStore } from '../activities/registry/store';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-registry-store-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const brigade: Department = { id: 'brigade-shihe', kind: 'direct-brigade', name: '浉河大队', jurisdiction: 'shihe', email: 'shihe@example.org' };
const unit = (n: number, over: Partial<Unit> = {}): Unit => ({
  id: makeUscc(`914115020000000${String(n).padStart(2, '0')}`),
  idKind: 'uscc',
  name: `信阳测试${n}有限公司`,
  category: 'general',
  jurisdiction: 'shihe',
  industry: '金属制品业',
  address: '河南省信阳市浉河区新华路1号',
  creditRating: null,
  positiveList: false,
  positiveKind: null,
  specialReason: null,
  specialProblem: false,
  status: 'active',
  statusDate: '2022-12-31',
  ...over,
});
const inspector = (id: string, department: string): Person => ({
  id,
  name: `检查员${id}`,
  department,
  roles: ['inspector'],
  email: null,
  inspector: { certificateNo: `C-${id}`, onStaff: true, onPost: true, specialties: [] },
  active: true,
});
const batch = (key: string, effectiveDate: string, changes: RegistryBatch['changes']): RegistryBatch => ({
  key,
  kind: 'test',
  source: 'test',
  reason: 'test',
  effectiveDate,
  changes,
});

function open(name: string): RegistryStore {
  return openRegistry(path.join(tmp, name));
}

describe('registry store', () => {
  it('creates and migrates an empty database, and reopens it without migrating again', () => {
    const file = path.join(tmp, 'empty.db');
    const s = openRegistry(file);
    expect(s.tableCounts()).toEqual({ schema_version: SCHEMA_VERSION, batches: 0, changes: 0 });
    expect(s.snapshotAt('2023-01-01')).toEqual({ asOf: '2023-01-01', departments: [], units: [], people: [], conflicts: [] });
    s.close();
    const again = openRegistry(file);
    expect(again.tableCounts().schema_version).toBe(SCHEMA_VERSION);
    again.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a database from a newer program', () => {
    const file = path.join(tmp, 'newer.db');
    openRegistry(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_version VALUES (?, 'future', 'x')").run(SCHEMA_VERSION + 1);
    db.close();
    expect(() => openRegistry(file)).toThrow(/newer than this program/);
  });

  it('applies a batch once: the same key again writes nothing', () => {
    const s = open('idem.db');
    const b = batch('units:abc', '2022-12-31', [
      { entityKind: 'department', entityId: brigade.id, state: brigade },
      { entityKind: 'unit', entityId: unit(1).id, state: unit(1) },
    ]);
    const first = s.applyBatch(b);
    expect(first.applied).toBe(true);
    expect(first.batch.changeCount).toBe(2);
    const second = s.applyBatch(b);
    expect(second.applied).toBe(false);
    expect(second.batch.id).toBe(first.batch.id);
    expect(s.tableCounts()).toMatchObject({ batches: 1, changes: 2 });
    s.close();
  });

  it('is all or nothing: a batch with one bad state writes nothing', () => {
    const s = open('atomic.db');
    const bad = { ...unit(2), category: 'huge' } as unknown as Unit;
    expect(() =>
      s.applyBatch(batch('k1', '2022-12-31', [
        { entityKind: 'unit', entityId: unit(1).id, state: unit(1) },
        { entityKind: 'unit', entityId: bad.id, state: bad },
      ])),
    ).toThrow(/change 2 .*category/);
    expect(() => s.applyBatch(batch('k2', '2022-12-31', [{ entityKind: 'unit', entityId: 'other', state: unit(1) }]))).toThrow(/does not match/);
    expect(() => s.applyBatch(batch('k3', '2023-02-30', []))).toThrow(/not a date/);
    expect(s.tableCounts()).toMatchObject({ batches: 0, changes: 0 });
    s.close();
  });

  it('never lets a change be updated or deleted', () => {
    const file = path.join(tmp, 'append-only.db');
    const s = openRegistry(file);
    s.applyBatch(batch('k', '2022-12-31', [{ entityKind: 'unit', entityId: unit(1).id, state: unit(1) }]));
    s.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE changes SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM changes').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM batches').run()).toThrow(/append-only/);
    db.close();
  });

  describe('state on past dates', () => {
    let s: RegistryStore;
    const u1 = unit(1);
    const u2 = unit(2);
    const u3 = unit(3, { category: 'key' });
    beforeAll(() => {
      let clock = Date.UTC(2023, 0, 5);
      s = openRegistry(path.join(tmp, 'timeline.db'), { now: () => new Date((clock += 86_400_000)) });
      const pingqiao: Department = { ...brigade, id: 'brigade-pingqiao', name: '平桥大队', jurisdiction: 'pingqiao' };
      // 2022-12-31: the base lists.
      s.applyBatch(batch('base', '2022-12-31', [
        { entityKind: 'department', entityId: brigade.id, state: brigade },
        { entityKind: 'department', entityId: pingqiao.id, state: pingqiao },
        { entityKind: 'unit', entityId: u1.id, state: u1 },
        { entityKind: 'unit', entityId: u2.id, state: u2 },
        { entityKind: 'person', entityId: 'P1', state: inspector('P1', 'brigade-shihe') },
        { entityKind: 'person', entityId: 'P2', state: inspector('P2', 'brigade-shihe') },
      ]));
      // Q1 lists: a new unit on 02-01, u2 closed on 02-15, P1 moved on 03-01, a conflict declared on 01-20.
      s.applyBatch(batch('q1-new', '2023-03-31', [{ entityKind: 'unit', entityId: u3.id, effectiveDate: '2023-02-01', state: u3 }]));
      s.applyBatch(batch('q1-closed', '2023-03-31', [
        { entityKind: 'unit', entityId: u2.id, effectiveDate: '2023-02-15', state: { ...u2, status: 'closed', statusDate: '2023-02-15' } },
      ]));
      s.applyBatch(batch('q1-people', '2023-03-31', [
        { entityKind: 'person', entityId: 'P1', effectiveDate: '2023-03-01', state: inspector('P1', 'brigade-pingqiao') },
      ]));
      const c = { inspectorId: 'P2', unitId: u1.id, reason: 'relative' };
      s.applyBatch(batch('q1-conflicts', '2023-03-31', [{ entityKind: 'conflict', entityId: conflictEntityId(c), effectiveDate: '2023-01-20', state: c }]));
      // 2023-04-10: the conflict is withdrawn.
      s.applyBatch(batch('q2-conflicts', '2023-04-10', [{ entityKind: 'conflict', entityId: conflictEntityId(c), state: null }]));
    });
    afterAll(() => s.close());

    const statusOf = (date: string, id: string): string | undefined => s.snapshotAt(date).units.find((u) => u.id === id)?.status;
    const deptOf = (date: string, id: string): string | undefined => s.snapshotAt(date).people.find((p) => p.id === id)?.department;

    it('before anything was effective, the registry is empty', () => {
      const snap = s.snapshotAt('2022-12-30');
      expect([snap.departments.length, snap.units.length, snap.people.length, snap.conflicts.length]).toEqual([0, 0, 0, 0]);
    });

    it('units appear and close on their dates (the state at the END of the day)', () => {
      expect(s.snapshotAt('2022-12-31').units.map((u) => u.id)).toEqual([u1.id, u2.id].sort());
      expect(s.snapshotAt('2023-01-31').units).toHaveLength(2);
      expect(s.snapshotAt('2023-02-01').units.map((u) => u.id).sort()).toEqual([u1.id, u2.id, u3.id].sort());
      expect(statusOf('2023-02-14', u2.id)).toBe('active');
      expect(statusOf('2023-02-15', u2.id)).toBe('closed');
      expect(statusOf('2023-12-31', u2.id)).toBe('closed');
    });

    it('a personnel move takes effect on its date', () => {
      expect(deptOf('2023-02-28', 'P1')).toBe('brigade-shihe');
      expect(deptOf('2023-03-01', 'P1')).toBe('brigade-pingqiao');
      expect(deptOf('2023-03-01', 'P2')).toBe('brigade-shihe');
    });

    it('a conflict exists from its declaration until it is withdrawn', () => {
      expect(s.snapshotAt('2023-01-19').conflicts).toEqual([]);
      expect(s.snapshotAt('2023-01-20').conflicts).toEqual([{ inspectorId: 'P2', unitId: u1.id, reason: 'relative' }]);
      expect(s.snapshotAt('2023-04-09').conflicts).toHaveLength(1);
      expect(s.snapshotAt('2023-04-10').conflicts).toEqual([]);
    });

    it('knownAt gives the registry as it was known at an instant (before later, backdated lists)', () => {
      const batches = s.batches();
      expect(batches.map((b) => b.key)).toEqual(['base', 'q1-new', 'q1-closed', 'q1-people', 'q1-conflicts', 'q2-conflicts']);
      // Known just after the base lists: the Q1 lists, dated inside the quarter, were not yet recorded.
      const asKnown = s.snapshotAt('2023-03-31', { knownAt: batches[0]!.recordedAt });
      expect(asKnown.units.map((u) => u.status)).toEqual(['active', 'active']);
      expect(asKnown.conflicts).toEqual([]);
    });

    it('history lists every change of one entity in effective order, removals included', () => {
      const h = s.history('unit', u2.id);
      expect(h.map((e) => [e.effectiveDate, (e.state as Unit).status, e.batchKey])).toEqual([
        ['2022-12-31', 'active', 'base'],
        ['2023-02-15', 'closed', 'q1-closed'],
      ]);
      const c = s.history('conflict', `P2:${u1.id}`);
      expect(c.map((e) => [e.effectiveDate, e.state === null])).toEqual([
        ['2023-01-20', false],
        ['2023-04-10', true],
      ]);
      expect(s.historyAnyKind('P1').map((e) => e.effectiveDate)).toEqual(['2022-12-31', '2023-03-01']);
    });

    it('snapshot lists are sorted by id (byte order)', () => {
      const snap = s.snapshotAt('2023-03-31');
      const ids = snap.units.map((u) => u.id);
      expect(ids).toEqual([...ids].sort());
      expect(snap.departments.map((d) => d.id)).toEqual(['brigade-pingqiao', 'brigade-shihe']);
    });
  });

  it('rebuilds 20k units from the log in one query', () => {
    const s = open('big.db');
    const units: Unit[] = [];
    for (let i = 0; i < 20_000; i++) units.push(unit(0, { id: `LOCAL-T-${i}`, idKind: 'local' }));
    s.applyBatch(batch('big', '2022-12-31', units.map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: u }))));
    s.applyBatch(batch('big-close', '2023-03-31', units.slice(0, 1000).map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: { ...u, status: 'closed' as const } }))));
    const t = performance.now();
    const snap = s.snapshotAt('2023-06-30');
    const ms = performance.now() - t;
    expect(snap.units).toHaveLength(20_000);
    expect(snap.units.filter((u) => u.status === 'closed')).toHaveLength(1000);
    console.log(`snapshotAt over 21,000 changes / 20,000 units: ${ms.toFixed(0)} ms`); // a figure, not an assertion
    s.close();
  });
});
