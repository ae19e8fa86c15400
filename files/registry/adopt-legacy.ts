// Carries a registry kept in its own SQLite file (registry.db, before the registries moved into
// the shared store) over into the store: every batch, in order, with its key, dates, reasons and
// the instant it was first recorded, so the history and "as known at" answers stay the same.
// Batches already in the store (same key) are skipped, so running it twice changes nothing.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import type { BatchRow, ChangeRow, RegistryChange, RegistryStore } from '../../stores/registry-store';
import { openRegistryStore, toBatchInfo, toHistoryEntry } from '../../stores/registry-store';
import type { StoreSettings } from '../../stores/open';

export interface AdoptResult {
  batches: number;
  adopted: number;
  changes: number;
}

export async function adoptLegacyRegistry(file: string, store: RegistryStore): Promise<AdoptResult> {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file (a registry.db to carry over)`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasLog = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('batches', 'changes')").get() as { n: number };
    if (hasLog.n !== 2) throw new Error(`${file}: not a registry database (it has no batches and changes tables)`);
    const changesOf = db.prepare('SELECT c.*, b.batch_key FROM changes c JOIN batches b ON b.id = c.batch_id WHERE c.batch_id = ? ORDER BY c.seq');
    const result: AdoptResult = { batches: 0, adopted: 0, changes: 0 };
    for (const row of db.prepare('SELECT * FROM batches ORDER BY id').all() as BatchRow[]) {
      const b = toBatchInfo(row);
      const changes: RegistryChange[] = (changesOf.all(b.id) as ChangeRow[]).map(toHistoryEntry).map((h) => ({
        entityKind: h.entityKind,
        entityId: h.entityId,
        effectiveDate: h.effectiveDate,
        state: h.state,
        reason: h.reason,
      }));
      const r = await store.applyBatch(
        { key: b.key, kind: b.kind, source: b.source, reason: b.reason, fileName: b.fileName, effectiveDate: b.effectiveDate, changes },
        { recordedAt: b.recordedAt },
      );
      result.batches++;
      if (r.applied) {
        result.adopted++;
        result.changes += changes.length;
      }
    }
    return result;
  } finally {
    db.close();
  }
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
