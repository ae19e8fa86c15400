// Carries a registry kept in its own SQLite file (registry.db, before the registries moved into
// the shared store) over into the store: every batch, in order, with its key, dates, reasons and
// the instant it was first recorded, so the history and "as known at" answers stay the same.
// Every batch is read and checked first, and all are applied in one transaction: a bad batch
// leaves the store as it was, not holding the batches before it. Batches already in the store
// (same key) are skipped, so running it twice changes nothing.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import type { BatchRow, ChangeRow, EntityState, RegistryBatch, RegistryChange, RegistryStore } from '../../stores/registry-store';
import { batchProblems, openRegistryStore, toBatchInfo } from '../../stores/registry-store';
import type { StoreSettings } from '../../stores/open';

export interface AdoptResult {
  batches: number;
  adopted: number;
  changes: number;
}

/** Problems listed in the refusal (all are counted). */
const MAX_LISTED = 50;

export async function adoptLegacyRegistry(file: string, store: RegistryStore): Promise<AdoptResult> {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file (a registry.db to carry over)`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const batches: { batch: RegistryBatch; recordedAt: string }[] = [];
  const problems: string[] = [];
  try {
    const hasLog = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('batches', 'changes')").get() as { n: number };
    if (hasLog.n !== 2) throw new Error(`${file}: not a registry database (it has no batches and changes tables)`);
    const changesOf = db.prepare('SELECT * FROM changes WHERE batch_id = ? ORDER BY seq');
    for (const row of db.prepare('SELECT * FROM batches ORDER BY id').all() as BatchRow[]) {
      const b = toBatchInfo(row);
      const where = `batch ${b.id} (${b.key})`;
      const rows = changesOf.all(b.id) as ChangeRow[];
      const changes: RegistryChange[] = [];
      const seqs: number[] = [];
      for (const r of rows) {
        let state: EntityState | null = null;
        try {
          state = r.state === null ? null : (JSON.parse(r.state) as EntityState);
        } catch (err) {
          problems.push(`${where}, change seq ${r.seq} (${r.entity_kind} ${r.entity_id}): the state is not readable JSON (${(err as Error).message})`);
          continue;
        }
        changes.push({ entityKind: r.entity_kind, entityId: r.entity_id, effectiveDate: r.effective_date, state, reason: r.reason });
        seqs.push(Number(r.seq));
      }
      const batch: RegistryBatch = { key: b.key, kind: b.kind, source: b.source, reason: b.reason, fileName: b.fileName, effectiveDate: b.effectiveDate, changes };
      for (const p of batchProblems(batch, (i) => `change seq ${seqs[i]}`)) problems.push(`${where}, ${p}`);
      batches.push({ batch, recordedAt: b.recordedAt });
    }
  } finally {
    db.close();
  }
  if (problems.length > 0) {
    const more = problems.length > MAX_LISTED ? [`… and ${problems.length - MAX_LISTED} more problem(s)`] : [];
    throw new Error(`${file}: ${problems.length} problem(s); nothing was carried over\n  ${[...problems.slice(0, MAX_LISTED), ...more].join('\n  ')}`);
  }
  const results = await store.applyBatches(batches.map(({ batch, recordedAt }) => ({ batch, options: { recordedAt } })));
  const result: AdoptResult = { batches: batches.length, adopted: 0, changes: 0 };
  results.forEach((r, i) => {
    if (r.applied) {
      result.adopted++;
      result.changes += batches[i]!.batch.changes.length;
    }
  });
  return result;
}

/** adoptLegacyRegistry into the store these settings name, opened and closed here. */
export async function adoptLegacyRegistryInto(file: string, settings: StoreSettings): Promise<AdoptResult> {
  const store = await openRegistryStore(settings);
  try {
    return await adoptLegacyRegistry(file, store);
  } finally {
    await store.close();
  }
}
