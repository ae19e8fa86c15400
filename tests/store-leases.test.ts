// Claims with leases (stores/leases.ts) on SQLite and PostgreSQL: a named lease has one holder
// until it runs out; claimRows never hands one row to two claimers, also when they race on
// separate connections, and gives an abandoned claim's rows out again after its lease.
import { describe, expect, it } from 'vitest';
import { claimLease, claimRows, releaseLease } from '../stores/leases';
import { openStoreDatabase } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('leases');
const T0 = new Date('2026-03-02T01:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A stand-in for the outbox: work rows with the two lease columns. */
async function workTable(db: SqlDatabase, rows: number): Promise<void> {
  await db.exec(`CREATE TABLE work_items (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, done_at TEXT, lease_holder TEXT, lease_expires_at TEXT)`);
  for (let i = 0; i < rows; i++) await db.run('INSERT INTO work_items (id, seq) VALUES (?, ?)', [`w${String(i).padStart(3, '0')}`, i]);
}

const claim = (db: SqlDatabase, holder: string, now: Date, limit: number) =>
  claimRows<{ id: string; lease_holder: string }>(db, { table: 'work_items', key: 'id', where: 'done_at IS NULL', orderBy: 'seq', limit, holder, now, ttlMs: 60_000 });

describe.each(backends)('leases on $name', (backend) => {
  it('a named lease has one holder until it runs out; the holder renews and releases it', async () => {
    const db = await openStoreDatabase(await backend.fresh());
    expect(await claimLease(db, 'housekeeping', 'host-a', at(0), 30_000)).toEqual({ name: 'housekeeping', holder: 'host-a', expiresAt: at(30) });
    expect(await claimLease(db, 'housekeeping', 'host-b', at(10), 30_000)).toBeNull();
    expect(await claimLease(db, 'housekeeping', 'host-a', at(20), 30_000)).toEqual({ name: 'housekeeping', holder: 'host-a', expiresAt: at(50) });
    expect(await claimLease(db, 'housekeeping', 'host-b', at(49), 30_000)).toBeNull();
    expect(await claimLease(db, 'housekeeping', 'host-b', at(50), 30_000)).toMatchObject({ holder: 'host-b' });
    expect(await releaseLease(db, 'housekeeping', 'host-a')).toBe(false);
    expect(await releaseLease(db, 'housekeeping', 'host-b')).toBe(true);
    expect(await claimLease(db, 'housekeeping', 'host-a', at(51), 30_000)).toMatchObject({ holder: 'host-a' });
    await db.close();
  });

  it('claims free rows in order, skips claimed and finished ones, and re-issues expired claims', async () => {
    const db = await openStoreDatabase(await backend.fresh());
    await workTable(db, 5);
    expect((await claim(db, 'a', at(0), 2)).map((r) => r.id).sort()).toEqual(['w000', 'w001']);
    await db.run('UPDATE work_items SET done_at = ? WHERE id = ?', [at(1).toISOString(), 'w002']);
    expect((await claim(db, 'b', at(1), 10)).map((r) => r.id).sort()).toEqual(['w003', 'w004']);
    expect(await claim(db, 'c', at(2), 10)).toEqual([]);
    // a's host died: after its lease, its unfinished rows go to the next claimer.
    expect((await claim(db, 'c', at(60), 10)).map((r) => [r.id, r.lease_holder]).sort()).toEqual([
      ['w000', 'c'],
      ['w001', 'c'],
    ]);
    await db.close();
  });

  it('concurrent claimers on separate connections never share a row, and leave none behind', async () => {
    const settings = await backend.fresh();
    const dbs = [await openStoreDatabase(settings), await openStoreDatabase(settings), await openStoreDatabase(settings)];
    await workTable(dbs[0]!, 60);
    const got = new Map<string, string>();
    const worker = async (db: SqlDatabase, holder: string) => {
      for (;;) {
        const rows = await claim(db, holder, at(0), 4);
        if (rows.length === 0) {
          const left = await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM work_items WHERE lease_holder IS NULL');
          if (Number(left!.n) === 0) return;
          continue; // another claimer took this batch's rows first: try the remaining ones
        }
        for (const r of rows) {
          expect(got.get(r.id), `${r.id} claimed by ${got.get(r.id)} and ${holder}`).toBeUndefined();
          got.set(r.id, holder);
        }
      }
    };
    await Promise.all(dbs.flatMap((db, i) => [worker(db, `h${i}a`), worker(db, `h${i}b`)]));
    expect(got.size).toBe(60);
    const stored = await dbs[0]!.all<{ id: string; lease_holder: string }>('SELECT id, lease_holder FROM work_items');
    for (const r of stored) expect(r.lease_holder).toBe(got.get(r.id));
    await Promise.all(dbs.map((db) => db.close()));
  });
});
