// The registries as an earlier release kept them: their own SQLite file (registry.db), with the
// same append-only dated log. Production code no longer reads or writes it; `ssj registry adopt`
// (files/registry/adopt-legacy.ts) carries such a file into the shared store, and the adopt
// tests build one here, byte for byte in that release's format (its schema and its store).
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


/** The earlier release's synchronous store (registry.db); stores/registry-store.ts has the shared one. */
export interface LegacyRegistryStore {
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
export function openLegacyRegistry(file: string, options: OpenRegistryOptions = {}): LegacyRegistryStore {
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

/** The legacy file seen through the shared store's interface, so importRegistryFile can fill one (one entity at a time: tests only). */
export function legacyAsyncView(legacy: LegacyRegistryStore): AsyncRegistryStore {
  return {
    description: legacy.file,
    applyBatch: async (batch, options) => legacy.applyBatch(batch, options),
    // One after another, not in one transaction: nothing in the tests reaches it on a legacy file.
    applyBatches: async (batches) => batches.map(({ batch, options }) => legacy.applyBatch(batch, options)),
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

// --- that release's schema (it was files/registry/schema.ts) ---

interface Migration {
  version: number;
  description: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'append-only change log of departments, units, people and conflicts, grouped in batches',
    sql: `
      CREATE TABLE batches (
        id             INTEGER PRIMARY KEY,
        batch_key      TEXT NOT NULL UNIQUE,      -- idempotency key, e.g. units:<sha256 of the file>
        kind           TEXT NOT NULL,             -- import kind (units, closed-units, ...) or 'manual'
        source         TEXT NOT NULL,             -- e.g. "2023Q1 quarterly list from 浉河大队" or a file name
        reason         TEXT NOT NULL,
        file_name      TEXT,
        effective_date TEXT NOT NULL,             -- the batch's default effective date (YYYY-MM-DD)
        change_count   INTEGER NOT NULL,
        recorded_at    TEXT NOT NULL              -- ISO 8601 UTC
      );
      CREATE TABLE changes (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id       INTEGER NOT NULL REFERENCES batches(id),
        entity_kind    TEXT NOT NULL CHECK (entity_kind IN ('department', 'unit', 'person', 'conflict')),
        entity_id      TEXT NOT NULL,
        effective_date TEXT NOT NULL CHECK (effective_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        state          TEXT,                      -- full new state as JSON; NULL marks a removal
        source         TEXT NOT NULL,
        reason         TEXT NOT NULL,
        recorded_at    TEXT NOT NULL
      );
      -- snapshotAt: latest change per entity up to a date (DESC: the window reads it in order, no sort).
      CREATE INDEX changes_by_entity ON changes (entity_kind, entity_id, effective_date DESC, seq DESC);
      CREATE INDEX changes_by_batch ON changes (batch_id);
      -- Nothing is ever overwritten or deleted.
      CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'registry changes are append-only'); END;
      CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes BEGIN SELECT RAISE(ABORT, 'registry changes are append-only'); END;
      CREATE TRIGGER batches_no_update BEFORE UPDATE ON batches BEGIN SELECT RAISE(ABORT, 'registry batches are append-only'); END;
      CREATE TRIGGER batches_no_delete BEFORE DELETE ON batches BEGIN SELECT RAISE(ABORT, 'registry batches are append-only'); END;
    `,
  },
];

const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Bring the database to SCHEMA_VERSION. Safe to call on every open. */
function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TEXT NOT NULL
  )`);
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(`registry database is at schema version ${current}, newer than this program (${SCHEMA_VERSION}): upgrade ssj`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.description,
        new Date().toISOString(),
      );
    })();
  }
}
