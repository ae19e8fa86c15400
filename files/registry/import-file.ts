// Import one registry file (.csv or .xlsx) as one batch: every row is checked first; a file with
// any problem is refused whole, with every problem listed, and the store is left as it was.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatProblem, readTable, type ImportProblem } from './read-table';
import { parseDate, ROW_DATE_FIELD, rowsToChanges } from './import-rows';
import { silentProgress, PROGRESS_MIN_ROWS, terminalProgress, type ProgressSink } from './progress';
import { isCalendarDate, type BatchInfo, type RegistryBatch, type RegistryStore } from '../../stores/registry-store';
import { TEMPLATES, type ImportKind } from './templates';

export interface ImportOptions {
  kind: ImportKind;
  /** Where the list came from, e.g. "2023Q1 quarterly list from 浉河大队". Default: the file name. */
  source?: string;
  /** Why it is recorded. Default: the template's reason (e.g. 季度新增污染源). */
  reason?: string;
  /**
   * Effective date (YYYY-MM-DD) of rows that carry no date of their own. Default: the latest date
   * in the file's date column; a kind without one (departments, units, people) needs it.
   */
  date?: string;
  /** Check only; write nothing. */
  dryRun?: boolean;
  /** 'auto' (default): a bar on stderr for large files when stderr is a terminal. */
  progress?: 'auto' | ProgressSink | false;
  /** Most problems listed in the error message (the first MAX_PROBLEMS are kept in ImportRefused.problems). Default 50. */
  maxListed?: number;
}

export interface ImportResult {
  /** False for a dry run, and when this very file was imported before (nothing written). */
  applied: boolean;
  alreadyImported: boolean;
  dryRun: boolean;
  key: string;
  batch: BatchInfo | null;
  rows: number;
  changes: number;
  /** Records added to keep changes dated before later recorded ones in force past them (stores/registry-carry.ts). */
  carried: number;
  unchanged: number;
  encoding: string;
}

export class ImportRefused extends Error {
  constructor(
    readonly file: string,
    /** The first MAX_PROBLEMS problems. */
    readonly problems: ImportProblem[],
    maxListed: number,
    /** Problems found past those: counted, not kept. */
    readonly moreProblems = 0,
  ) {
    const total = problems.length + moreProblems;
    const listed = problems.slice(0, maxListed).map((p) => `  ${formatProblem(p)}`);
    const more = total > listed.length ? [`  … and ${total - listed.length} more problem(s)`] : [];
    super(
      `${file} refused: ${total} problem(s); nothing was imported\n${[...listed, ...more].join('\n')}`,
    );
    this.name = 'ImportRefused';
  }
}

/** The idempotency key of an import: the kind and the SHA-256 of the file's bytes. */
export function importKey(kind: ImportKind, bytes: Buffer): string {
  return `${kind}:${createHash('sha256').update(bytes).digest('hex')}`;
}

function maxDate(dates: (string | null | undefined)[]): string | null {
  let best: string | null = null;
  for (const d of dates) if (d && (best === null || d > best)) best = d;
  return best;
}

/** A checked file, ready to be applied (or refused): what the command line and the console's upload preview share. */
export interface PreparedImport {
  key: string;
  fileName: string;
  rows: number;
  encoding: string;
  /** This very file was imported before: nothing to apply. */
  previous: BatchInfo | null;
  /** The first MAX_PROBLEMS problems found; when there is any, `batch` is null. */
  problems: ImportProblem[];
  /** Problems found past those: counted, not kept. */
  moreProblems: number;
  /** The batch to apply: null when refused or already imported. */
  batch: RegistryBatch | null;
  /** The file row of each of the batch's changes, by index (empty without a batch). */
  changeRows: number[];
  /** Rows that restate what the registry already holds. */
  unchanged: number;
}

function sinkFor(progress: ImportOptions['progress'], rows: number): ProgressSink {
  if (progress === false) return silentProgress;
  if (typeof progress === 'object') return progress;
  return rows >= PROGRESS_MIN_ROWS ? terminalProgress() : silentProgress;
}

/** Reads and checks one file's bytes against the registry as it stands; writes nothing. */
export async function prepareImport(store: RegistryStore, fileName: string, bytes: Buffer, options: Omit<ImportOptions, 'dryRun' | 'maxListed'>): Promise<PreparedImport> {
  const key = importKey(options.kind, bytes);
  const table = await readTable(fileName, bytes);
  const base = { key, fileName, rows: table.rows.length, encoding: table.encoding, previous: null, batch: null, changeRows: [], unchanged: 0, moreProblems: 0 };
  const template = TEMPLATES[options.kind];

  const previous = await store.findBatch(key);
  if (previous) return { ...base, previous, problems: [] };

  // The batch date: given, or the latest row date in the file.
  const dateHeading = ROW_DATE_FIELD[options.kind];
  let rowDates: string[] = [];
  if (dateHeading) {
    const heading = template.columns.find((c) => c.field === dateHeading)!.heading;
    const i = table.headers.indexOf(heading);
    if (i >= 0) rowDates = table.rows.map((r) => parseDate(r.cells[i] ?? '')).filter((d): d is string => d !== null);
  }
  const batchDate = options.date ?? maxDate(rowDates);
  const problems: ImportProblem[] = [];
  if (batchDate === null && !dateHeading) {
    problems.push({ file: fileName, row: 0, column: '', rule: `${template.title} has no date column: give the effective date (--date YYYY-MM-DD)` });
  }
  // Check against the registry as it stands at the latest date the file speaks of.
  const refDate = maxDate([batchDate, ...rowDates]) ?? '9999-12-31';
  const snapshot = await store.snapshotAt(refDate);

  const sink = sinkFor(options.progress, table.rows.length);
  sink.start(table.rows.length, 'checking');
  const check = (firstDates: Map<string, string>, asked: Set<string>) =>
    rowsToChanges({
      table,
      kind: options.kind,
      snapshot,
      batchDate,
      firstDateOf: (kind, id) => {
        asked.add(`${kind} ${id}`);
        return firstDates.get(`${kind} ${id}`) ?? null;
      },
      onRow: (n) => sink.update(n),
    });
  let result;
  try {
    // Rows naming an id missing from the registry ask when it first appears ("enters only on ..."):
    // those ids are read in one batch and the rows checked again, instead of a query per row.
    const asked = new Set<string>();
    result = check(new Map(), asked);
    if (asked.size > 0) result = check(await firstDatesOf(store, asked), new Set());
  } finally {
    sink.update(table.rows.length);
    sink.stop();
  }
  problems.push(...result.problems);
  if (problems.length === 0 && batchDate === null) {
    problems.push({ file: fileName, row: 0, column: '', rule: 'no effective date: give --date YYYY-MM-DD' });
  }
  if (problems.length > 0) return { ...base, problems, moreProblems: result.moreProblems };
  const batch: RegistryBatch = {
    key,
    kind: options.kind,
    source: options.source ?? fileName,
    reason: options.reason ?? template.defaultReason,
    fileName,
    effectiveDate: batchDate!,
    changes: result.changes,
  };
  return { ...base, problems, batch, changeRows: result.changeRows, unchanged: result.unchanged };
}

/** Into the registry store (the shared one: stores/registry-store.ts). */
export async function importRegistryFile(store: RegistryStore, filePath: string, options: ImportOptions): Promise<ImportResult> {
  const maxListed = options.maxListed ?? 50;
  const fileName = path.basename(filePath);
  const template = TEMPLATES[options.kind];
  if (!template) throw new ImportRefused(fileName, [{ file: fileName, row: 0, column: '', rule: `unknown kind ${String(options.kind)}` }], maxListed);
  if (options.date !== undefined && !isCalendarDate(options.date)) {
    throw new ImportRefused(fileName, [{ file: fileName, row: 0, column: '', rule: `--date ${options.date} is not a calendar date YYYY-MM-DD` }], maxListed);
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (err) {
    throw new ImportRefused(fileName, [{ file: fileName, row: 0, column: '', rule: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }], maxListed);
  }
  const prepared = await prepareImport(store, fileName, bytes, options);
  const base = { key: prepared.key, dryRun: options.dryRun === true, rows: prepared.rows, encoding: prepared.encoding };
  if (prepared.previous) return { ...base, applied: false, alreadyImported: true, batch: prepared.previous, changes: 0, carried: 0, unchanged: 0 };
  if (prepared.problems.length > 0 || !prepared.batch) throw new ImportRefused(fileName, prepared.problems, maxListed, prepared.moreProblems);
  const batch = prepared.batch;

  if (options.dryRun) {
    return { ...base, applied: false, alreadyImported: false, batch: null, changes: batch.changes.length, carried: 0, unchanged: prepared.unchanged };
  }
  const sink = sinkFor(options.progress, prepared.rows);
  sink.start(batch.changes.length, 'writing');
  let applied;
  try {
    applied = await store.applyBatch(batch, { onProgress: (n) => sink.update(n) });
    sink.update(batch.changes.length);
  } finally {
    sink.stop();
  }
  return {
    ...base,
    applied: applied.applied,
    alreadyImported: !applied.applied,
    batch: applied.batch,
    changes: applied.applied ? batch.changes.length : 0,
    carried: applied.applied ? applied.batch.changeCount - batch.changes.length : 0,
    unchanged: prepared.unchanged,
  };
}

/** First effective dates of `unit ID` / `person ID` keys, keyed the same way. */
async function firstDatesOf(store: RegistryStore, asked: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of ['unit', 'person'] as const) {
    const ids = [...asked].filter((k) => k.startsWith(`${kind} `)).map((k) => k.slice(kind.length + 1));
    if (ids.length > 0) for (const [id, date] of await store.firstDates(kind, ids)) out.set(`${kind} ${id}`, date);
  }
  return out;
}
