// LEGACY, kept only until activities/campaign/*, activities/freeze.ts, activities/publication*,
// worker/* and their test fixtures use the shared store (stores/registry-store.ts, async): the
// registries in a separate SQLite file (registry.db) with the same append-only, dated change log.
// Nothing new should call openRegistry; new code opens openRegistryStore / SqlRegistryStore.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RegistrySnapshot } from '../../domain/registry';
import {
  addToSnapshot,
  isCalendarDate,
  sortSnapshot,
  toBatchInfo,
  toHistoryEntry,
  validateBatch,
  type BatchRow,
  type ChangeRow,
  type BatchInfo,
  type BatchResult,
  type EntityKind,
  type EntityState,
  type EntityStateMap,
  type HistoryEntry,
  type RegistryBatch,
  type RegistryStore as AsyncRegistryStore,
  type SnapshotOptions,
} from '../../stores/registry-store';
import { migrate } from './schema';

export {
  conflictEntityId,
  entityKinds,
  isCalendarDate,
  type BatchInfo,
  type BatchResult,
  type EntityKind,
  type EntityState,
  type EntityStateMap,
  type HistoryEntry,
  type RegistryBatch,
  type RegistryChange,
  type SnapshotOptions,
} from '../../stores/registry-store';

/** The legacy synchronous store (registry.db); stores/registry-store.ts has the async one. */
export interface RegistryStore {
  readonly file: string;
  applyBatch(batch: RegistryBatch, options?: { onProgress?: (written: number) => void }): BatchResult;
  snapshotAt(date: string, options?: SnapshotOptions): RegistrySnapshot;
  history(entityKind: EntityKind, id: string): HistoryEntry[];
  historyAnyKind(id: string): HistoryEntry[];
  batches(): BatchInfo[];
  findBatch(key: string): BatchInfo | undefined;
  tableCounts(): Record<string, number>;
  close(): void;
}

export interface OpenRegistryOptions {
  /** Clock for recorded_at (tests); defaults to the system clock. */
  now?: () => Date;
}

/** Open (creating and migrating if needed) the registry database at `file`. */
export function openRegistry(file: string, options: OpenRegistryOptions = {}): RegistryStore {
  const now = options.now ?? (() => new Date());
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  migrate(db);

  const stmt = {
    batchByKey: db.prepare('SELECT * FROM batches WHERE batch_key = ?'),
    insertBatch: db.prepare(
      `INSERT INTO batches (batch_key, kind, source, reason, file_name, effective_date, change_count, recorded_at)
       VALUES (@key, @kind, @source, @reason, @fileName, @effectiveDate, @changeCount, @recordedAt)`,
    ),
    insertChange: db.prepare(
      `INSERT INTO changes (batch_id, entity_kind, entity_id, effective_date, state, source, reason, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // One pass over the log: the latest change per entity up to the date (effective date, then
    // record order), removals dropped. Ties on effective date go to the later record.
    snapshot: db.prepare(
      `SELECT entity_kind, state FROM (
         SELECT entity_kind, entity_id, state,
                ROW_NUMBER() OVER (PARTITION BY entity_kind, entity_id ORDER BY effective_date DESC, seq DESC) AS rn
         FROM changes
         WHERE effective_date <= @date AND recorded_at <= @knownAt
       ) WHERE rn = 1 AND state IS NOT NULL
       ORDER BY entity_kind, entity_id`,
    ),
    history: db.prepare(
      `SELECT c.*, b.batch_key FROM changes c JOIN batches b ON b.id = c.batch_id
       WHERE c.entity_kind = ? AND c.entity_id = ? ORDER BY c.effective_date, c.seq`,
    ),
    historyAny: db.prepare(
      `SELECT c.*, b.batch_key FROM changes c JOIN batches b ON b.id = c.batch_id
       WHERE c.entity_id = ? ORDER BY c.entity_kind, c.effective_date, c.seq`,
    ),
    batches: db.prepare('SELECT * FROM batches ORDER BY id'),
  };

  const applyTx = db.transaction((batch: RegistryBatch, onProgress?: (written: number) => void): BatchResult => {
    const existing = stmt.batchByKey.get(batch.key) as BatchRow | undefined;
    if (existing) return { applied: false, batch: toBatchInfo(existing) };
    const recordedAt = now().toISOString();
    const info = stmt.insertBatch.run({
      key: batch.key,
      kind: batch.kind,
      source: batch.source,
      reason: batch.reason,
      fileName: batch.fileName ?? null,
      effectiveDate: batch.effectiveDate,
      changeCount: batch.changes.length,
      recordedAt,
    });
    const batchId = Number(info.lastInsertRowid);
    let written = 0;
    for (const c of batch.changes) {
      if (onProgress && ++written % 1000 === 0) onProgress(written);
      stmt.insertChange.run(
        batchId,
        c.entityKind,
        c.entityId,
        c.effectiveDate ?? batch.effectiveDate,
        c.state === null ? null : JSON.stringify(c.state),
        batch.source,
        c.reason ?? batch.reason,
        recordedAt,
      );
    }
    return { applied: true, batch: toBatchInfo(stmt.batchByKey.get(batch.key) as BatchRow) };
  });

  return {
    file,
    applyBatch(batch, options = {}) {
      validateBatch(batch);
      // IMMEDIATE: take the write lock before reading the key, so two processes importing the
      // same file cannot both decide it is new.
      return applyTx.immediate(batch, options.onProgress);
    },
    snapshotAt(date, opts = {}) {
      if (!isCalendarDate(date)) throw new Error(`snapshotAt: ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
      const snap: RegistrySnapshot = { asOf: date, departments: [], units: [], people: [], conflicts: [] };
      const rows = stmt.snapshot.raw().iterate({ date, knownAt: opts.knownAt ?? '9999' }) as IterableIterator<[EntityKind, string]>;
      for (const [kind, state] of rows) addToSnapshot(snap, kind, JSON.parse(state) as EntityState);
      return sortSnapshot(snap);
    },
    history(entityKind, id) {
      return (stmt.history.all(entityKind, id) as ChangeRow[]).map(toHistoryEntry);
    },
    historyAnyKind(id) {
      return (stmt.historyAny.all(id) as ChangeRow[]).map(toHistoryEntry);
    },
    batches() {
      return (stmt.batches.all() as BatchRow[]).map(toBatchInfo);
    },
    findBatch(key) {
      const r = stmt.batchByKey.get(key) as BatchRow | undefined;
      return r ? toBatchInfo(r) : undefined;
    },
    tableCounts() {
      const out: Record<string, number> = {};
      for (const t of ['schema_version', 'batches', 'changes']) {
        out[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      }
      return out;
    },
    close() {
      db.close();
    },
  };
}

/**
 * The legacy store seen through the async interface, so importRegistryFile serves both while
 * callers move over (statesAt and firstDates read one entity at a time here: legacy only).
 */
export function asyncView(legacy: RegistryStore): AsyncRegistryStore {
  return {
    description: legacy.file,
    applyBatch: async (batch, options) => legacy.applyBatch(batch, options),
    snapshotAt: async (date, options) => legacy.snapshotAt(date, options),
    statesAt: async <K extends EntityKind>(kind: K, ids: Iterable<string>, date: string) => {
      const out = new Map<string, EntityStateMap[K] | null>();
      for (const id of ids) {
        let state: EntityStateMap[K] | null = null;
        for (const h of legacy.history(kind, id)) if (h.effectiveDate <= date) state = h.state as EntityStateMap[K] | null;
        out.set(id, state);
      }
      return out;
    },
    firstDates: async (kind, ids) => {
      const out = new Map<string, string>();
      for (const id of ids) {
        const first = legacy.history(kind, id)[0];
        if (first) out.set(id, first.effectiveDate);
      }
      return out;
    },
    history: async (kind, id) => legacy.history(kind, id),
    historyAnyKind: async (id) => legacy.historyAnyKind(id),
    batches: async () => legacy.batches(),
    findBatch: async (key) => legacy.findBatch(key),
    tableCounts: async () => {
      const c = legacy.tableCounts();
      return { batches: c.batches ?? 0, changes: c.changes ?? 0 };
    },
    close: async () => legacy.close(),
  };
}
