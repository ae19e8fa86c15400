// The registries' store: one SQLite file holding an append-only, dated change log of departments,
// units, people and conflicts. The state on any date is derived from the log (snapshotAt); nothing
// is ever overwritten or deleted (triggers enforce it). Changes arrive in batches (one import file
// each), applied in one transaction and keyed so that the same file is never applied twice.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ZodType } from 'zod';
import {
  conflictSchema,
  dateSchema,
  departmentSchema,
  personSchema,
  unitSchema,
  type Conflict,
  type Department,
  type Person,
  type RegistrySnapshot,
  type Unit,
} from '../../domain/registry';
import { migrate } from './schema';

export const entityKinds = ['department', 'unit', 'person', 'conflict'] as const;
export type EntityKind = (typeof entityKinds)[number];

export interface EntityStateMap {
  department: Department;
  unit: Unit;
  person: Person;
  conflict: Conflict;
}
export type EntityState = EntityStateMap[EntityKind];

/** One change: the entity's full new state, or null to mark its removal (e.g. a withdrawn conflict). */
export interface RegistryChange {
  entityKind: EntityKind;
  entityId: string;
  /** Defaults to the batch's effectiveDate. */
  effectiveDate?: string;
  state: EntityState | null;
  /** Defaults to the batch's reason. */
  reason?: string;
}

export interface RegistryBatch {
  /** Idempotency key. Imports use `<kind>:<sha256 of the file's bytes>`: the same file twice is one batch. */
  key: string;
  kind: string;
  source: string;
  reason: string;
  fileName?: string | null;
  effectiveDate: string;
  changes: RegistryChange[];
}

export interface BatchInfo {
  id: number;
  key: string;
  kind: string;
  source: string;
  reason: string;
  fileName: string | null;
  effectiveDate: string;
  changeCount: number;
  recordedAt: string;
}

export interface BatchResult {
  /** False when a batch with this key was already applied: nothing was written. */
  applied: boolean;
  batch: BatchInfo;
}

export interface HistoryEntry {
  seq: number;
  batchId: number;
  batchKey: string;
  entityKind: EntityKind;
  entityId: string;
  effectiveDate: string;
  /** Null: removed on this date. */
  state: EntityState | null;
  source: string;
  reason: string;
  recordedAt: string;
}

export interface SnapshotOptions {
  /** Only changes recorded at or before this ISO-8601 UTC instant: the registry "as it was known then". */
  knownAt?: string;
}

export interface RegistryStore {
  readonly file: string;
  /** Apply all changes in one transaction, or none; a batch whose key is already present changes nothing. */
  applyBatch(batch: RegistryBatch, options?: { onProgress?: (written: number) => void }): BatchResult;
  /** The registries as they stood at the END of `date` (YYYY-MM-DD), each list sorted by id. */
  snapshotAt(date: string, options?: SnapshotOptions): RegistrySnapshot;
  /** Every recorded change of one entity, in the order it takes effect (effective date, then record order). */
  history(entityKind: EntityKind, id: string): HistoryEntry[];
  /** Entities of any kind with this id (for `ssj registry history ID` when the kind is not given). */
  historyAnyKind(id: string): HistoryEntry[];
  batches(): BatchInfo[];
  findBatch(key: string): BatchInfo | undefined;
  /** Row counts per table: for status displays and for tests that prove nothing changed. */
  tableCounts(): Record<string, number>;
  close(): void;
}

/** A conflict's entity id: inspector and unit ids joined by `:` (a character no id contains). */
export function conflictEntityId(c: Pick<Conflict, 'inspectorId' | 'unitId'>): string {
  return `${c.inspectorId}:${c.unitId}`;
}

const stateSchemas: { [K in EntityKind]: ZodType<EntityStateMap[K]> } = {
  department: departmentSchema,
  unit: unitSchema,
  person: personSchema,
  conflict: conflictSchema,
};

function entityIdOf(kind: EntityKind, state: EntityState): string {
  return kind === 'conflict' ? conflictEntityId(state as Conflict) : (state as Department | Unit | Person).id;
}

/** A real calendar date, YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  if (!dateSchema.safeParse(s).success) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

interface BatchRow {
  id: number;
  batch_key: string;
  kind: string;
  source: string;
  reason: string;
  file_name: string | null;
  effective_date: string;
  change_count: number;
  recorded_at: string;
}

function toBatchInfo(r: BatchRow): BatchInfo {
  return {
    id: r.id,
    key: r.batch_key,
    kind: r.kind,
    source: r.source,
    reason: r.reason,
    fileName: r.file_name,
    effectiveDate: r.effective_date,
    changeCount: r.change_count,
    recordedAt: r.recorded_at,
  };
}

interface ChangeRow {
  seq: number;
  batch_id: number;
  batch_key: string;
  entity_kind: EntityKind;
  entity_id: string;
  effective_date: string;
  state: string | null;
  source: string;
  reason: string;
  recorded_at: string;
}

function toHistoryEntry(r: ChangeRow): HistoryEntry {
  return {
    seq: r.seq,
    batchId: r.batch_id,
    batchKey: r.batch_key,
    entityKind: r.entity_kind,
    entityId: r.entity_id,
    effectiveDate: r.effective_date,
    state: r.state === null ? null : (JSON.parse(r.state) as EntityState),
    source: r.source,
    reason: r.reason,
    recordedAt: r.recorded_at,
  };
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

  function validateBatch(batch: RegistryBatch): void {
    const problems: string[] = [];
    if (!batch.key) problems.push('batch key is empty');
    if (!isCalendarDate(batch.effectiveDate)) problems.push(`batch effective date ${batch.effectiveDate} is not a date YYYY-MM-DD`);
    batch.changes.forEach((c, i) => {
      const where = `change ${i + 1} (${c.entityKind} ${c.entityId})`;
      if (!entityKinds.includes(c.entityKind)) {
        problems.push(`${where}: unknown entity kind`);
        return;
      }
      if (c.effectiveDate !== undefined && !isCalendarDate(c.effectiveDate)) problems.push(`${where}: effective date ${c.effectiveDate} is not a date`);
      if (c.state === null) return;
      const parsed = stateSchemas[c.entityKind].safeParse(c.state);
      if (!parsed.success) {
        problems.push(`${where}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        return;
      }
      if (entityIdOf(c.entityKind, c.state) !== c.entityId) problems.push(`${where}: entity id does not match the state's id`);
    });
    if (problems.length > 0) {
      throw new Error(`registry batch ${batch.key} refused:\n  ${problems.slice(0, 50).join('\n  ')}`);
    }
  }

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
      for (const [kind, state] of rows) {
        const value = JSON.parse(state);
        if (kind === 'department') snap.departments.push(value);
        else if (kind === 'unit') snap.units.push(value);
        else if (kind === 'person') snap.people.push(value);
        else snap.conflicts.push(value);
      }
      // Ids are ASCII, so code-unit order is byte order (DRAW-SPEC sorts by bytes).
      snap.conflicts.sort((a, b) =>
        a.inspectorId < b.inspectorId ? -1 : a.inspectorId > b.inspectorId ? 1 : a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0,
      );
      return snap;
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
