// The registries on the shared store (SQLite ssj.db, or PostgreSQL when SSJ_DATABASE_URL is set):
// an append-only, dated change log of departments, units, people and conflicts. The state on any
// date is derived from the log; nothing is ever overwritten or deleted (triggers enforce it, see
// stores/schema/registry.ts). Changes arrive in batches (one import file each), applied in one
// transaction and keyed so that the same file is never applied twice.
//
// Reads are batched: a snapshot is one query, the states of many entities a few (IN lists of
// ID_CHUNK), so freezing or publishing tens of thousands of units makes no per-unit round trip.
import type { ZodType } from 'zod';
import {
  conflictSchema,
  departmentSchema,
  personSchema,
  unitSchema,
  type Conflict,
  type Department,
  type Person,
  type RegistrySnapshot,
  type Unit,
} from '../domain/registry';
import { isRealDate } from '../domain/calendar';
import { openStoreDatabase, type StoreSettings } from './open';
import { carriedForward, type RecordedState } from './registry-carry';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql';

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
  /** Only these kinds (a roster needs people and departments, not the thousands of units). */
  kinds?: readonly EntityKind[];
}

export interface ApplyOptions {
  onProgress?: (written: number) => void;
  /** When the batch was first recorded, for a batch carried over from another store (files/registry/adopt-legacy.ts); default: now. */
  recordedAt?: string;
  /**
   * How many batches the store held when the caller checked this one (a console preview): checked
   * under the apply lock, so an import that lands in between refuses this one (RegistryChangedError).
   */
  expectBatches?: number;
}

/** Another import landed since the batch was checked: nothing was applied; check it again. */
export class RegistryChangedError extends Error {
  override name = 'RegistryChangedError';
}

export interface RegistryStore {
  /** Where the registry lives, for messages (a file, or the URL without its password). */
  readonly description: string;
  /** Apply all changes in one transaction, or none; a batch whose key is already present changes nothing. */
  applyBatch(batch: RegistryBatch, options?: ApplyOptions): Promise<BatchResult>;
  /** Apply several batches, in order, in ONE transaction: all or none (a batch whose key is already present is skipped). */
  applyBatches(batches: readonly { batch: RegistryBatch; options?: ApplyOptions }[]): Promise<BatchResult[]>;
  /** The registries as they stood at the END of `date` (YYYY-MM-DD), each list sorted by id (bytes). */
  snapshotAt(date: string, options?: SnapshotOptions): Promise<RegistrySnapshot>;
  /** The state of each of `ids` at the end of `date`; null when absent or removed then. */
  statesAt<K extends EntityKind>(kind: K, ids: Iterable<string>, date: string): Promise<Map<string, EntityStateMap[K] | null>>;
  /** The first effective date of each of `ids` that the log knows (missing ids are left out). */
  firstDates(kind: EntityKind, ids: Iterable<string>): Promise<Map<string, string>>;
  /** Every recorded change of one entity, in the order it takes effect (effective date, then record order). */
  history(entityKind: EntityKind, id: string): Promise<HistoryEntry[]>;
  /** Entities of any kind with this id (for `ssj registry history ID` when the kind is not given). */
  historyAnyKind(id: string): Promise<HistoryEntry[]>;
  batches(): Promise<BatchInfo[]>;
  findBatch(key: string): Promise<BatchInfo | undefined>;
  /** Row counts of the registry's tables: for status displays and for tests that prove nothing changed. */
  tableCounts(): Promise<{ batches: number; changes: number }>;
  /** Closes the database if this store opened it (openRegistryStore); a shared one stays open. */
  close(): Promise<void>;
}

/** A conflict's entity id: inspector and unit ids joined by `:` (a character no id contains). */
export function conflictEntityId(c: Pick<Conflict, 'inspectorId' | 'unitId'>): string {
  return `${c.inspectorId}:${c.unitId}`;
}

/** A real calendar date, YYYY-MM-DD: domain/calendar's check, under the name the importers use. */
export const isCalendarDate = isRealDate;

const stateSchemas: { [K in EntityKind]: ZodType<EntityStateMap[K]> } = {
  department: departmentSchema,
  unit: unitSchema,
  person: personSchema,
  conflict: conflictSchema,
};

function entityIdOf(kind: EntityKind, state: EntityState): string {
  return kind === 'conflict' ? conflictEntityId(state as Conflict) : (state as Department | Unit | Person).id;
}

/**
 * Every problem of a batch, none written yet; `changeName` says which change (default: its place
 * in the batch; a batch carried over from another store names its seq there).
 */
export function batchProblems(batch: RegistryBatch, changeName: (i: number) => string = (i) => `change ${i + 1}`): string[] {
  const problems: string[] = [];
  if (!batch.key) problems.push('batch key is empty');
  if (!isCalendarDate(batch.effectiveDate)) problems.push(`batch effective date ${batch.effectiveDate} is not a date YYYY-MM-DD`);
  batch.changes.forEach((c, i) => {
    const where = `${changeName(i)} (${c.entityKind} ${c.entityId})`;
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
  return problems;
}

/** Every problem of a batch at once, before anything is written; throws when there is any. */
export function validateBatch(batch: RegistryBatch): void {
  const problems = batchProblems(batch);
  if (problems.length > 0) {
    throw new Error(`registry batch ${batch.key} refused:\n  ${problems.slice(0, 50).join('\n  ')}`);
  }
}

/** Ids are ASCII, so code-unit order is byte order (DRAW-SPEC sorts by bytes), whatever the database's collation. */
function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The snapshot's lists in the order every reader relies on: by id; conflicts by inspector, then unit. */
export function sortSnapshot(snap: RegistrySnapshot): RegistrySnapshot {
  snap.departments.sort((a, b) => byBytes(a.id, b.id));
  snap.units.sort((a, b) => byBytes(a.id, b.id));
  snap.people.sort((a, b) => byBytes(a.id, b.id));
  snap.conflicts.sort((a, b) => byBytes(a.inspectorId, b.inspectorId) || byBytes(a.unitId, b.unitId));
  return snap;
}

/** Adds one state to the snapshot's list of its kind. */
export function addToSnapshot(snap: RegistrySnapshot, kind: EntityKind, state: EntityState): void {
  if (kind === 'department') snap.departments.push(state as Department);
  else if (kind === 'unit') snap.units.push(state as Unit);
  else if (kind === 'person') snap.people.push(state as Person);
  else snap.conflicts.push(state as Conflict);
}

export interface BatchRow {
  id: number | string;
  batch_key: string;
  kind: string;
  source: string;
  reason: string;
  file_name: string | null;
  effective_date: string;
  change_count: number | string;
  recorded_at: string;
}

// PostgreSQL returns BIGINT as a string: every key goes through Number().
export function toBatchInfo(r: BatchRow): BatchInfo {
  return {
    id: Number(r.id),
    key: r.batch_key,
    kind: r.kind,
    source: r.source,
    reason: r.reason,
    fileName: r.file_name,
    effectiveDate: r.effective_date,
    changeCount: Number(r.change_count),
    recordedAt: r.recorded_at,
  };
}

export interface ChangeRow {
  seq: number | string;
  batch_id: number | string;
  batch_key: string;
  entity_kind: EntityKind;
  entity_id: string;
  effective_date: string;
  state: string | null;
  source: string;
  reason: string;
  recorded_at: string;
}

export function toHistoryEntry(r: ChangeRow): HistoryEntry {
  return {
    seq: Number(r.seq),
    batchId: Number(r.batch_id),
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

/** Rows per multi-row INSERT (8 parameters each: well under SQLite's 32766 and PostgreSQL's 65535). */
const INSERT_CHUNK = 500;
/** Ids per IN list. */
const ID_CHUNK = 500;
/** PostgreSQL advisory-lock key: one batch at a time, so record order (seq) never interleaves two imports. */
const APPLY_LOCK_KEY = 0x55a1_7006;

const HISTORY_SELECT = `SELECT c.seq, c.batch_id, b.batch_key, c.entity_kind, c.entity_id, c.effective_date, c.state, c.source, c.reason, c.recorded_at
  FROM registry_changes c JOIN registry_batches b ON b.id = c.batch_id`;

/** The latest change per entity up to a date (effective date, then record order); the caller drops removals. */
function latestPerEntity(where: string): string {
  return `SELECT entity_kind, entity_id, state FROM (
      SELECT entity_kind, entity_id, state,
             ROW_NUMBER() OVER (PARTITION BY entity_kind, entity_id ORDER BY effective_date DESC, seq DESC) AS rn
      FROM registry_changes WHERE ${where}
    ) latest WHERE rn = 1`;
}

/**
 * The records that carry `batch`'s changes past later-dated ones already recorded for their
 * entities. One query finds whether anything is recorded after the batch's earliest date (usually
 * not: registries are imported in date order); only then are those entities' histories read.
 */
async function carriedChanges(tx: SqlExecutor, batch: RegistryBatch): Promise<RegistryChange[]> {
  const dateOf = (c: RegistryChange) => c.effectiveDate ?? batch.effectiveDate;
  const earliest = batch.changes.reduce((m, c) => (dateOf(c) < m ? dateOf(c) : m), '9999-12-31');
  const latest = (await tx.get<{ d: string | null }>('SELECT MAX(effective_date) AS d FROM registry_changes'))?.d ?? null;
  if (latest === null || latest <= earliest) return [];
  const byEntity = new Map<string, RegistryChange[]>();
  for (const c of batch.changes) {
    const key = `${c.entityKind} ${c.entityId}`;
    const list = byEntity.get(key);
    if (list) list.push(c);
    else byEntity.set(key, [c]);
  }
  const out: RegistryChange[] = [];
  for (const kind of entityKinds) {
    const ids = [...new Set(batch.changes.filter((c) => c.entityKind === kind).map((c) => c.entityId))];
    for (const part of chunks(ids, ID_CHUNK)) {
      const later = await tx.all<{ entity_id: string }>(
        `SELECT DISTINCT entity_id FROM registry_changes WHERE entity_kind = ? AND effective_date > ? AND entity_id IN (${placeholders(part.length)})`,
        [kind, earliest, ...part],
      );
      if (later.length === 0) continue;
      const rows = await tx.all<{ entity_id: string; effective_date: string; state: string | null }>(
        `SELECT entity_id, effective_date, state FROM registry_changes WHERE entity_kind = ? AND entity_id IN (${placeholders(later.length)}) ORDER BY entity_id, effective_date, seq`,
        [kind, ...later.map((r) => r.entity_id)],
      );
      const history = new Map<string, RecordedState[]>();
      for (const r of rows) {
        const state = { effectiveDate: r.effective_date, state: r.state === null ? null : (JSON.parse(r.state) as Record<string, unknown>) };
        const list = history.get(r.entity_id);
        if (list) list.push(state);
        else history.set(r.entity_id, [state]);
      }
      for (const [id, recorded] of history) {
        const mine = byEntity.get(`${kind} ${id}`) ?? [];
        const carried = carriedForward(
          recorded,
          mine.map((c) => ({ effectiveDate: dateOf(c), state: c.state as Record<string, unknown> | null, reason: c.reason ?? batch.reason })),
        );
        for (const k of carried) out.push({ entityKind: kind, entityId: id, effectiveDate: k.effectiveDate, state: k.state as unknown as EntityState, reason: k.reason });
      }
    }
  }
  return out;
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

function checkDate(what: string, date: string): void {
  if (!isCalendarDate(date)) throw new Error(`${what}: ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
}

export interface RegistryStoreOptions {
  /** Clock for recorded_at (tests); defaults to the system clock. */
  now?: () => Date;
}

/** The one implementation: portable SQL on SqlDatabase, so SQLite and PostgreSQL alike. */
export class SqlRegistryStore implements RegistryStore {
  private readonly now: () => Date;

  constructor(
    private readonly db: SqlDatabase,
    options: RegistryStoreOptions & { ownsDatabase?: boolean } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.ownsDatabase = options.ownsDatabase ?? false;
  }
  private readonly ownsDatabase: boolean;

  get description(): string {
    return this.db.description;
  }

  applyBatch(batch: RegistryBatch, options: ApplyOptions = {}): Promise<BatchResult> {
    return this.applyBatches([{ batch, options }]).then((r) => r[0]!);
  }

  async applyBatches(batches: readonly { batch: RegistryBatch; options?: ApplyOptions }[]): Promise<BatchResult[]> {
    for (const { batch } of batches) validateBatch(batch);
    // SQLite: BEGIN IMMEDIATE takes the write lock before the key is read, so two processes
    // importing the same file cannot both decide it is new; PostgreSQL: the advisory lock does.
    return this.db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.exec(`SELECT pg_advisory_xact_lock(${APPLY_LOCK_KEY})`);
      const results: BatchResult[] = [];
      for (const { batch, options } of batches) results.push(await this.applyIn(tx, batch, options ?? {}));
      return results;
    });
  }

  /** One batch, inside the caller's transaction (which holds the apply lock). */
  private async applyIn(tx: SqlExecutor, batch: RegistryBatch, options: ApplyOptions): Promise<BatchResult> {
    const existing = await findBatchIn(tx, batch.key);
    if (existing) return { applied: false, batch: existing };
    if (options.expectBatches !== undefined) {
      const n = Number((await tx.get<{ n: number | string }>('SELECT count(*) AS n FROM registry_batches'))!.n);
      if (n !== options.expectBatches) throw new RegistryChangedError(`the registry holds ${n} batches, not the ${options.expectBatches} it held when batch ${batch.key} was checked: nothing applied`);
    }
    const recordedAt = options.recordedAt ?? this.now().toISOString();
    // Changes dated before ones already recorded keep their effect past them (./registry-carry.ts).
    const changes = [...batch.changes, ...(await carriedChanges(tx, batch))];
    const inserted = await tx.all<BatchRow>(
      `INSERT INTO registry_batches (batch_key, kind, source, reason, file_name, effective_date, change_count, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [batch.key, batch.kind, batch.source, batch.reason, batch.fileName ?? null, batch.effectiveDate, changes.length, recordedAt],
    );
    const info = toBatchInfo(inserted[0]!);
    let written = 0;
    for (const part of chunks(changes, INSERT_CHUNK)) {
      const params: SqlValue[] = [];
      for (const c of part) {
        params.push(info.id, c.entityKind, c.entityId, c.effectiveDate ?? batch.effectiveDate, c.state === null ? null : JSON.stringify(c.state), batch.source, c.reason ?? batch.reason, recordedAt);
      }
      await tx.run(
        `INSERT INTO registry_changes (batch_id, entity_kind, entity_id, effective_date, state, source, reason, recorded_at)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        params,
      );
      written += part.length;
      options.onProgress?.(written);
    }
    return { applied: true, batch: info };
  }

  async snapshotAt(date: string, opts: SnapshotOptions = {}): Promise<RegistrySnapshot> {
    checkDate('snapshotAt', date);
    const snap: RegistrySnapshot = { asOf: date, departments: [], units: [], people: [], conflicts: [] };
    const kinds = opts.kinds ?? [];
    const byKind = kinds.length ? ` AND entity_kind IN (${placeholders(kinds.length)})` : '';
    const rows = await this.db.all<{ entity_kind: EntityKind; state: string | null }>(latestPerEntity(`effective_date <= ? AND recorded_at <= ?${byKind}`), [
      date,
      opts.knownAt ?? '9999',
      ...kinds,
    ]);
    for (const r of rows) if (r.state !== null) addToSnapshot(snap, r.entity_kind, JSON.parse(r.state) as EntityState);
    return sortSnapshot(snap);
  }

  async statesAt<K extends EntityKind>(kind: K, ids: Iterable<string>, date: string): Promise<Map<string, EntityStateMap[K] | null>> {
    checkDate('statesAt', date);
    const wanted = [...new Set(ids)];
    const out = new Map<string, EntityStateMap[K] | null>(wanted.map((id) => [id, null]));
    for (const part of chunks(wanted, ID_CHUNK)) {
      const rows = await this.db.all<{ entity_id: string; state: string | null }>(
        latestPerEntity(`entity_kind = ? AND entity_id IN (${placeholders(part.length)}) AND effective_date <= ?`),
        [kind, ...part, date],
      );
      for (const r of rows) out.set(r.entity_id, r.state === null ? null : (JSON.parse(r.state) as EntityStateMap[K]));
    }
    return out;
  }

  async firstDates(kind: EntityKind, ids: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks([...new Set(ids)], ID_CHUNK)) {
      const rows = await this.db.all<{ entity_id: string; first: string }>(
        `SELECT entity_id, MIN(effective_date) AS first FROM registry_changes
         WHERE entity_kind = ? AND entity_id IN (${placeholders(part.length)}) GROUP BY entity_id`,
        [kind, ...part],
      );
      for (const r of rows) out.set(r.entity_id, r.first);
    }
    return out;
  }

  async history(entityKind: EntityKind, id: string): Promise<HistoryEntry[]> {
    const rows = await this.db.all<ChangeRow>(`${HISTORY_SELECT} WHERE c.entity_kind = ? AND c.entity_id = ? ORDER BY c.effective_date, c.seq`, [entityKind, id]);
    return rows.map(toHistoryEntry);
  }

  async historyAnyKind(id: string): Promise<HistoryEntry[]> {
    const rows = await this.db.all<ChangeRow>(`${HISTORY_SELECT} WHERE c.entity_id = ? ORDER BY c.entity_kind, c.effective_date, c.seq`, [id]);
    return rows.map(toHistoryEntry);
  }

  async batches(): Promise<BatchInfo[]> {
    return (await this.db.all<BatchRow>('SELECT * FROM registry_batches ORDER BY id')).map(toBatchInfo);
  }

  findBatch(key: string): Promise<BatchInfo | undefined> {
    return findBatchIn(this.db, key);
  }

  async tableCounts(): Promise<{ batches: number; changes: number }> {
    const r = await this.db.get<{ batches: number | string; changes: number | string }>(
      'SELECT (SELECT count(*) FROM registry_batches) AS batches, (SELECT count(*) FROM registry_changes) AS changes',
    );
    return { batches: Number(r!.batches), changes: Number(r!.changes) };
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) await this.db.close();
  }
}

async function findBatchIn(q: SqlExecutor, key: string): Promise<BatchInfo | undefined> {
  const r = await q.get<BatchRow>('SELECT * FROM registry_batches WHERE batch_key = ?', [key]);
  return r ? toBatchInfo(r) : undefined;
}

/** Opens the store database (SSJ_DATABASE_URL, or ssj.db in the data folder) for the registry alone; close() closes it. */
export async function openRegistryStore(settings: StoreSettings, options: RegistryStoreOptions = {}): Promise<RegistryStore> {
  return new SqlRegistryStore(await openStoreDatabase(settings), { ...options, ownsDatabase: true });
}
