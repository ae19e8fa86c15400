// Turns the rows of one registry file into registry changes, checking every row against the
// template, the registry as it stands and the rest of the file. Checks every row instead of
// stopping at the first problem, so a clerk can fix a file in one go; past MAX_PROBLEMS the
// problems are counted, not kept.
import { z } from 'zod';
import {
  codeSchema,
  conflictSchema,
  departmentSchema,
  idSchema,
  personSchema,
  unitSchema,
  type Conflict,
  type Department,
  type Person,
  type RegistrySnapshot,
  type Role,
  type Unit,
} from '../../domain/registry';
import { classifyUnitId } from '../../domain/uscc';
import { normaliseText, textProblem } from '../../domain/text';
import { addProblem, MAX_PROBLEMS, type ImportProblem, type ProblemSink, type Table } from './read-table';
import { conflictEntityId, isCalendarDate, type RegistryChange } from '../../stores/registry-store';
import {
  CATEGORY_VALUES,
  CONFLICT_ACTION_VALUES,
  CONFLICT_REASON_VALUES,
  DEPARTMENT_KIND_VALUES,
  IGNORED_HEADINGS,
  JURISDICTION_NAMES,
  LIST_SEPARATORS,
  NO,
  PERSONNEL_CHANGE_VALUES,
  POSITIVE_KIND_VALUES,
  ROLE_VALUES,
  SPECIAL_REASON_VALUES,
  STATUS_VALUES,
  TEMPLATES,
  YES,
  type ImportKind,
} from './templates';

export interface RowsResult {
  changes: RegistryChange[];
  /** The file row each change came from, by index into `changes` (so a later check can name the row). */
  changeRows: number[];
  /** Rows that restate what the registry already holds (no change recorded). */
  unchanged: number;
  /** The first MAX_PROBLEMS problems. */
  problems: ImportProblem[];
  /** Problems found past those: counted, not kept. */
  moreProblems: number;
}

const emailSchema = z.string().email();

/** Accepts 2023-03-31, 2023/3/31, 2023.3.31, 2023年3月31日 and 20230331; returns YYYY-MM-DD or null. */
export function parseDate(text: string): string | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isCalendarDate(iso) ? iso : null;
}

/** JSON with keys sorted: two states are the same iff their canonical forms are equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const allowed = (map: Record<string, unknown>): string => Object.keys(map).join('/');

class RowContext implements ProblemSink {
  readonly problems: ImportProblem[] = [];
  moreProblems = 0;
  /** Row 1 looked like a title above the headings (so the columns themselves were not read). */
  titleRow = false;
  private readonly index = new Map<string, number>();
  private readonly headingOf = new Map<string, string>();

  constructor(
    readonly table: Table,
    readonly kind: ImportKind,
  ) {}

  add(p: ImportProblem): void {
    addProblem(this, p);
  }

  /** Put first (a hint that explains the problems below it); the last kept one is then only counted. */
  addFirst(p: ImportProblem): void {
    this.problems.unshift(p);
    if (this.problems.length > MAX_PROBLEMS) {
      this.problems.pop();
      this.moreProblems++;
    }
  }

  get count(): number {
    return this.problems.length + this.moreProblems;
  }

  /** Map headings to fields; false when the heading row is unusable (rows are not checked then). */
  mapHeadings(): boolean {
    const { file, headers } = this.table;
    const spec = TEMPLATES[this.kind].columns;
    const before = this.count;
    if (headers.every((h) => h === '')) {
      this.add({ file, row: 1, column: '', rule: `the first row must hold the headings: ${spec.map((c) => c.heading).join(', ')}` });
      return false;
    }
    const filled = headers.filter((h) => h !== '');
    const isHeading = (h: string) => spec.some((c) => c.heading === h || c.aliases?.includes(h)) || IGNORED_HEADINGS.includes(h);
    if (filled.length === 1 && !isHeading(filled[0]!)) {
      this.titleRow = true;
      // A title above the headings (a merged cell on many Chinese forms) is the usual cause.
      this.add({
        file,
        row: 1,
        column: '',
        rule: `row 1 holds only ${JSON.stringify(filled[0])}, which looks like a title: the headings must be on the first row (${spec.map((c) => c.heading).join(', ')}); delete the row(s) above them`,
      });
      return false;
    }
    headers.forEach((h, i) => {
      if (h === '') return;
      const col = spec.find((c) => c.heading === h || c.aliases?.includes(h));
      if (!col) {
        if (!IGNORED_HEADINGS.includes(h)) {
          this.add({ file, row: 1, column: h, rule: `unknown column for ${TEMPLATES[this.kind].title}; the columns are ${spec.map((c) => c.heading).join(', ')}` });
        }
        return;
      }
      if (this.index.has(col.field)) {
        this.add({ file, row: 1, column: h, rule: `column ${col.heading} appears twice` });
        return;
      }
      this.index.set(col.field, i);
      this.headingOf.set(col.field, h);
    });
    for (const col of spec) {
      if (col.required && !this.index.has(col.field)) {
        this.add({ file, row: 1, column: col.heading, rule: 'required column is missing' });
      }
    }
    return this.count === before;
  }

  has(field: string): boolean {
    return this.index.has(field);
  }

  heading(field: string): string {
    return this.headingOf.get(field) ?? TEMPLATES[this.kind].columns.find((c) => c.field === field)?.heading ?? field;
  }

  get(cells: string[], field: string): string {
    const i = this.index.get(field);
    return i === undefined ? '' : (cells[i] ?? '');
  }

  problem(row: number, field: string, rule: string): void {
    this.add({ file: this.table.file, row, column: field ? this.heading(field) : '', rule });
  }

  /** A non-empty cell, or a problem. */
  required(row: number, cells: string[], field: string): string | null {
    const v = this.get(cells, field);
    if (v === '') {
      this.problem(row, field, 'must not be empty');
      return null;
    }
    return v;
  }

  oneOf<T>(row: number, cells: string[], field: string, map: Record<string, T>, fallback?: T): T | null {
    const v = this.get(cells, field);
    if (v === '' && fallback !== undefined) return fallback;
    if (v === '') {
      this.problem(row, field, `must not be empty; one of ${allowed(map)}`);
      return null;
    }
    if (!Object.prototype.hasOwnProperty.call(map, v)) {
      this.problem(row, field, `must be one of ${allowed(map)}, got "${v}"`);
      return null;
    }
    return map[v] as T;
  }

  yesNo(row: number, cells: string[], field: string, fallback: boolean): boolean | null {
    return this.oneOf(row, cells, field, { [YES]: true, [NO]: false }, fallback);
  }

  date(row: number, cells: string[], field: string, fallback: string | null): string | null {
    const v = this.get(cells, field);
    if (v === '') {
      if (fallback === null) this.problem(row, field, 'must not be empty: a date such as 2023-03-31');
      return fallback;
    }
    const d = parseDate(v);
    if (d === null) this.problem(row, field, `"${v}" is not a calendar date (write 2023-03-31)`);
    return d;
  }

  email(row: number, cells: string[], field: string): string | null | undefined {
    const v = this.get(cells, field);
    if (v === '') return null;
    if (!emailSchema.safeParse(v).success) {
      this.problem(row, field, `"${v}" is not an e-mail address`);
      return undefined;
    }
    return v;
  }

  /** Guard against an internal state that breaks the shared schema (reported, never stored). */
  schema<T>(row: number, schema: z.ZodType<T>, value: T): boolean {
    const r = schema.safeParse(value);
    if (!r.success) for (const i of r.error.issues) this.problem(row, '', `${i.path.join('.')}: ${i.message}`);
    return r.success;
  }
}

export interface RowsInput {
  table: Table;
  kind: ImportKind;
  /** The registry as it stands (at the latest date the file speaks of). */
  snapshot: RegistrySnapshot;
  /** The batch's effective date: the default for rows without a date of their own; null if none was given. */
  batchDate: string | null;
  /** The first effective date of an entity in the store (for a precise "not yet in the registry"). */
  firstDateOf?: (kind: 'unit' | 'person', id: string) => string | null;
  onRow?: (done: number) => void;
}

/** Why an id is missing from the registry as the file sees it. */
function notInRegistry(input: RowsInput, kind: 'unit' | 'person', id: string): string {
  const first = input.firstDateOf?.(kind, id) ?? null;
  const what = kind === 'unit' ? 'unit id' : 'person';
  if (first !== null && first > input.snapshot.asOf) return `${what} ${id} enters the registry only on ${first}, after this file's date ${input.snapshot.asOf}`;
  return `${what} ${id} is not in the registry`;
}

/** "Wrong --kind?": the headings are all another template's, and it needs no column they lack. */
function otherTemplateHint(headers: string[], kind: ImportKind): string | null {
  const filled = headers.filter((h) => h !== '' && !IGNORED_HEADINGS.includes(h));
  if (filled.length === 0) return null;
  for (const [other, t] of Object.entries(TEMPLATES) as [ImportKind, (typeof TEMPLATES)[ImportKind]][]) {
    if (other === kind) continue;
    const known = (h: string) => t.columns.some((c) => c.heading === h || c.aliases?.includes(h));
    const required = t.columns.filter((c) => c.required).every((c) => filled.includes(c.heading) || (c.aliases ?? []).some((a) => filled.includes(a)));
    if (filled.every(known) && required) return `these are the headings of ${t.title} (--kind ${other}), not of ${TEMPLATES[kind].title}: wrong --kind?`;
  }
  return null;
}

/**
 * Values under an empty heading: often a heading cell merged across two columns, which leaves the
 * second without a heading. Named once per column rather than dropped without a word.
 */
function headinglessColumns(ctx: RowContext, rows: { row: number; cells: string[] }[]): number {
  const headers = ctx.table.headers;
  const orphan = new Map<number, number>();
  for (const r of rows) r.cells.forEach((c, i) => c !== '' && (headers[i] ?? '') === '' && !orphan.has(i) && orphan.set(i, r.row));
  for (const [i, row] of orphan) {
    const left = headers.slice(0, i).reverse().find((h) => h !== '');
    ctx.add({
      file: ctx.table.file,
      row,
      column: `#${i + 1}`,
      rule: `column ${i + 1} holds values but has no heading${left ? ` (is its heading cell merged with ${JSON.stringify(left)}? unmerge it and give each column its own heading)` : ''}`,
    });
  }
  return orphan.size;
}

/** NFC-normalises a row's cells in place; false (with a problem per bad cell) when one holds control, bidi or only invisible characters. */
function cleanCells(ctx: RowContext, row: number, cells: string[]): boolean {
  let ok = true;
  cells.forEach((c, i) => {
    const problem = textProblem(c);
    if (problem) {
      ctx.add({ file: ctx.table.file, row, column: ctx.table.headers[i] || `#${i + 1}`, rule: problem });
      ok = false;
    } else cells[i] = normaliseText(c);
  });
  return ok;
}

function isBlankRow(cells: string[]): boolean {
  return cells.every((c) => c === '');
}

export function rowsToChanges(input: RowsInput): RowsResult {
  const ctx = new RowContext(input.table, input.kind);
  const out: RowsResult = { changes: [], changeRows: [], unchanged: 0, problems: ctx.problems, moreProblems: 0 };
  checkRows(ctx, input, out);
  out.moreProblems = ctx.moreProblems;
  return out;
}

function checkRows(ctx: RowContext, input: RowsInput, out: RowsResult): void {
  for (const p of input.table.problems) ctx.add(p);
  ctx.moreProblems += input.table.moreProblems ?? 0;
  if (input.table.problems.some((p) => p.row === 0)) return; // the file itself could not be read
  if (!ctx.mapHeadings()) {
    if (!ctx.titleRow) headinglessColumns(ctx, input.table.rows.filter((r) => !isBlankRow(r.cells)));
    const file = input.table.file;
    const hint = otherTemplateHint(input.table.headers, input.kind);
    if (hint) ctx.addFirst({ file, row: 1, column: '', rule: hint });
    if (input.table.encodingNote) ctx.addFirst({ file, row: 0, column: '', rule: input.table.encodingNote });
    return;
  }
  const rows = input.table.rows.filter((r) => !isBlankRow(r.cells));
  if (headinglessColumns(ctx, rows) > 0) return;
  if (rows.length === 0) {
    ctx.problem(0, '', 'the file has no data rows');
    return;
  }
  const handler = HANDLERS[input.kind];
  const state = new RegistryIndex(input.snapshot);
  let done = 0;
  for (const r of rows) {
    if (!cleanCells(ctx, r.row, r.cells)) continue;
    handler(ctx, r.row, r.cells, state, input, out);
    while (out.changeRows.length < out.changes.length) out.changeRows.push(r.row);
    if (input.onRow && ++done % 500 === 0) input.onRow(done);
  }
}

/** The registry as it stands, with lookups by id and name, and the changes of this file applied on top. */
class RegistryIndex {
  readonly departments = new Map<string, Department>();
  readonly departmentByName = new Map<string, Department>();
  readonly jurisdictions = new Set<string>();
  readonly units = new Map<string, Unit>();
  readonly people = new Map<string, Person>();
  readonly conflicts = new Map<string, Conflict>();
  readonly certificates = new Map<string, string>(); // certificate number -> person id
  readonly seenInFile = new Map<string, number>(); // key -> first row
  readonly lastDateOf = new Map<string, string>();

  constructor(s: RegistrySnapshot) {
    for (const d of s.departments) {
      this.departments.set(d.id, d);
      this.departmentByName.set(d.name, d);
      if (d.jurisdiction) this.jurisdictions.add(d.jurisdiction);
    }
    for (const u of s.units) this.units.set(u.id, u);
    for (const p of s.people) {
      this.people.set(p.id, p);
      if (p.inspector) this.certificates.set(p.inspector.certificateNo, p.id);
    }
    for (const c of s.conflicts) this.conflicts.set(conflictEntityId(c), c);
  }

  /** First row this key was seen on, or undefined (and remembers this row). */
  firstSeen(key: string, row: number): number | undefined {
    const prev = this.seenInFile.get(key);
    if (prev === undefined) this.seenInFile.set(key, row);
    return prev;
  }

  department(text: string): Department | undefined {
    return this.departments.get(text) ?? this.departmentByName.get(text);
  }
}

type Handler = (ctx: RowContext, row: number, cells: string[], reg: RegistryIndex, input: RowsInput, out: RowsResult) => void;

function record(
  out: RowsResult,
  existing: unknown,
  change: RegistryChange,
): void {
  if (existing !== undefined && change.state !== null && canonical(existing) === canonical(change.state)) {
    out.unchanged++;
    return;
  }
  out.changes.push(change);
}

function jurisdictionCode(ctx: RowContext, row: number, text: string, field: string): string | null {
  const code = JURISDICTION_NAMES[text] ?? text;
  if (!codeSchema.safeParse(code).success) {
    ctx.problem(row, field, `"${text}" is neither a known district/county (${Object.keys(JURISDICTION_NAMES).join('/')}) nor a code`);
    return null;
  }
  return code;
}

function duplicate(ctx: RowContext, reg: RegistryIndex, row: number, field: string, key: string, what: string): boolean {
  const first = reg.firstSeen(key, row);
  if (first !== undefined) {
    ctx.problem(row, field, `duplicate ${what} "${key.split('\u0000').pop()}": already on row ${first} of this file`);
    return true;
  }
  return false;
}

const departments: Handler = (ctx, row, cells, reg, input, out) => {
  const id = ctx.required(row, cells, 'id');
  const name = ctx.required(row, cells, 'name');
  const kind = ctx.oneOf(row, cells, 'kind', DEPARTMENT_KIND_VALUES);
  const email = ctx.email(row, cells, 'email');
  const jText = ctx.get(cells, 'jurisdiction');
  let jurisdiction: string | null = null;
  if (jText !== '') jurisdiction = jurisdictionCode(ctx, row, jText, 'jurisdiction');
  else if (kind === 'direct-brigade' || kind === 'county-brigade') ctx.problem(row, 'jurisdiction', 'a brigade must have a 辖区 (district or county)');
  if (id !== null && !codeSchema.safeParse(id).success) ctx.problem(row, 'id', `"${id}" is not a code: lower-case letters, digits, . _ - (e.g. brigade-shihe)`);
  if (id !== null && duplicate(ctx, reg, row, 'id', id, 'department')) return;
  if (id === null || name === null || kind === null || email === undefined) return;
  if (jText !== '' && jurisdiction === null) return;
  const dep: Department = { id, kind, name, jurisdiction, email };
  if (!ctx.schema(row, departmentSchema, dep)) return;
  record(out, reg.departments.get(id), { entityKind: 'department', entityId: id, state: dep });
};

function unitFromRow(ctx: RowContext, row: number, cells: string[], reg: RegistryIndex): Omit<Unit, 'status' | 'statusDate'> | null {
  const id = ctx.required(row, cells, 'id');
  let idKind: Unit['idKind'] | null = null;
  if (id !== null) {
    const c = classifyUnitId(id);
    if (c.ok) idKind = c.idKind;
    else ctx.problem(row, 'id', `"${id}": ${c.message}`);
  }
  const name = ctx.required(row, cells, 'name');
  const category = ctx.oneOf(row, cells, 'category', CATEGORY_VALUES);
  const jText = ctx.required(row, cells, 'jurisdiction');
  let jurisdiction: string | null = null;
  if (jText !== null) {
    jurisdiction = jurisdictionCode(ctx, row, jText, 'jurisdiction');
    if (jurisdiction !== null && !reg.jurisdictions.has(jurisdiction)) {
      ctx.problem(row, 'jurisdiction', `"${jText}" is no department's 辖区 in the registry (known: ${[...reg.jurisdictions].sort().join(', ') || 'none: import the departments first'})`);
      jurisdiction = null;
    }
  }
  const industry = ctx.get(cells, 'industry');
  const address = ctx.required(row, cells, 'address');
  const ratingText = ctx.get(cells, 'creditRating').toLowerCase();
  let creditRating: Unit['creditRating'] = null;
  let ratingOk = true;
  if (ratingText !== '') {
    if (['a', 'b', 'c', 'd'].includes(ratingText)) creditRating = ratingText as Unit['creditRating'];
    else {
      ctx.problem(row, 'creditRating', `must be A/B/C/D or empty, got "${ctx.get(cells, 'creditRating')}"`);
      ratingOk = false;
    }
  }
  const positiveList = ctx.yesNo(row, cells, 'positiveList', false);
  const positiveKindText = ctx.get(cells, 'positiveKind');
  let positiveKind: string | null = null;
  if (positiveList === true) {
    if (category !== null && category !== 'key') ctx.problem(row, 'positiveList', 'only 重点 units can be on the positive list (正面清单)');
    positiveKind = ctx.oneOf(row, cells, 'positiveKind', POSITIVE_KIND_VALUES);
  } else if (positiveKindText !== '') {
    ctx.problem(row, 'positiveKind', `only for units with 正面清单 = ${YES}`);
  }
  const reasonText = ctx.get(cells, 'specialReason');
  let specialReason: string | null = null;
  if (category === 'special') specialReason = ctx.oneOf(row, cells, 'specialReason', SPECIAL_REASON_VALUES);
  else if (reasonText !== '') ctx.problem(row, 'specialReason', `only for 特殊 units`);
  const specialProblem = ctx.yesNo(row, cells, 'specialProblem', false);
  if (specialProblem === true && category !== null && category !== 'special') ctx.problem(row, 'specialProblem', `only 特殊 units are marked 存在问题 = ${YES}`);
  if (id !== null && duplicate(ctx, reg, row, 'id', id, 'unit id')) return null;
  if (
    id === null || idKind === null || name === null || category === null || jurisdiction === null || address === null ||
    !ratingOk || positiveList === null || specialProblem === null ||
    (positiveList && positiveKind === null) || (category === 'special' && specialReason === null)
  ) {
    return null;
  }
  return { id, idKind, name, category, jurisdiction, industry, address, creditRating, positiveList, positiveKind, specialReason, specialProblem };
}

const units: Handler = (ctx, row, cells, reg, input, out) => {
  const base = unitFromRow(ctx, row, cells, reg);
  const status = ctx.oneOf(row, cells, 'status', STATUS_VALUES, 'active');
  const existing = base ? reg.units.get(base.id) : undefined;
  // An unchanged status keeps its date, so re-importing a full list does not rewrite every unit.
  const fallbackDate = existing && existing.status === status ? existing.statusDate : input.batchDate;
  const statusDate = ctx.date(row, cells, 'statusDate', fallbackDate);
  if (!base || status === null || statusDate === null) return;
  const unit: Unit = { ...base, status, statusDate };
  if (!ctx.schema(row, unitSchema, unit)) return;
  record(out, existing, { entityKind: 'unit', entityId: unit.id, state: unit });
};

const newUnits: Handler = (ctx, row, cells, reg, input, out) => {
  const base = unitFromRow(ctx, row, cells, reg);
  const date = ctx.date(row, cells, 'date', input.batchDate);
  if (!base || date === null) return;
  const existing = reg.units.get(base.id);
  if (existing) {
    ctx.problem(row, 'id', `unit ${base.id} is already in the registry (${existing.name}, status ${existing.status}); a new-units list may only add units`);
    return;
  }
  const unit: Unit = { ...base, status: 'active', statusDate: date };
  if (!ctx.schema(row, unitSchema, unit)) return;
  out.changes.push({ entityKind: 'unit', entityId: unit.id, effectiveDate: date, state: unit });
};

const closedUnits: Handler = (ctx, row, cells, reg, input, out) => {
  const id = ctx.required(row, cells, 'id');
  const name = ctx.get(cells, 'name');
  const status = ctx.oneOf(row, cells, 'status', { 关闭: 'closed', 取缔: 'banned' } as const);
  const date = ctx.date(row, cells, 'date', null);
  const reason = ctx.get(cells, 'reason');
  if (id === null) return;
  if (duplicate(ctx, reg, row, 'id', id, 'unit id')) return;
  const unit = reg.units.get(id);
  if (!unit) {
    const c = classifyUnitId(id);
    ctx.problem(row, 'id', `${notInRegistry(input, 'unit', id)}${c.ok ? '' : ` (${c.message})`}`);
    return;
  }
  if (name !== '' && name !== unit.name) ctx.problem(row, 'name', `does not match the registry: ${id} is "${unit.name}"`);
  if (status === null || date === null || (name !== '' && name !== unit.name)) return;
  if (unit.status === status) {
    out.unchanged++;
    return;
  }
  const next: Unit = { ...unit, status, statusDate: date };
  out.changes.push({ entityKind: 'unit', entityId: id, effectiveDate: date, state: next, ...(reason ? { reason } : {}) });
};

function parseRoles(ctx: RowContext, row: number, cells: string[], field: string): Role[] | null {
  const text = ctx.required(row, cells, field);
  if (text === null) return null;
  const roles: Role[] = [];
  let ok = true;
  for (const part of text.split(LIST_SEPARATORS).filter(Boolean)) {
    const r = ROLE_VALUES[part];
    if (!r) {
      ctx.problem(row, field, `unknown role "${part}"; roles are ${allowed(ROLE_VALUES)} (separate several with 、)`);
      ok = false;
    } else if (!roles.includes(r)) roles.push(r);
  }
  return ok && roles.length > 0 ? roles : null;
}

function certificate(ctx: RowContext, row: number, cells: string[], reg: RegistryIndex, personId: string | null): string | null {
  const cert = ctx.get(cells, 'certificateNo');
  if (cert === '') {
    ctx.problem(row, 'certificateNo', 'an inspector (执法人员) must have an enforcement certificate number (执法证号)');
    return null;
  }
  const holder = reg.certificates.get(cert);
  if (holder !== undefined && holder !== personId) {
    ctx.problem(row, 'certificateNo', `certificate ${cert} already belongs to ${holder}`);
    return null;
  }
  if (personId !== null) reg.certificates.set(cert, personId);
  return cert;
}

const people: Handler = (ctx, row, cells, reg, input, out) => {
  const id = ctx.required(row, cells, 'id');
  if (id !== null && !idSchema.safeParse(id).success) ctx.problem(row, 'id', `"${id}" is not an id: letters, digits, . _ - (e.g. P0001)`);
  const name = ctx.required(row, cells, 'name');
  const depText = ctx.required(row, cells, 'department');
  const dep = depText === null ? undefined : reg.department(depText);
  if (depText !== null && !dep) ctx.problem(row, 'department', `unknown department "${depText}": not in the registry (give its 部门编码 or exact 部门名称)`);
  const roles = parseRoles(ctx, row, cells, 'roles');
  const email = ctx.email(row, cells, 'email');
  const active = ctx.yesNo(row, cells, 'active', true);
  let inspector: Person['inspector'] = null;
  let inspectorOk = true;
  if (roles?.includes('inspector')) {
    const certificateNo = certificate(ctx, row, cells, reg, id);
    const onStaff = ctx.yesNo(row, cells, 'onStaff', true);
    const onPost = ctx.yesNo(row, cells, 'onPost', true);
    const specialties = ctx.get(cells, 'specialties').split(LIST_SEPARATORS).filter(Boolean);
    if (certificateNo === null || onStaff === null || onPost === null) inspectorOk = false;
    else inspector = { certificateNo, onStaff, onPost, specialties };
  } else if (roles !== null && ctx.get(cells, 'certificateNo') !== '') {
    ctx.problem(row, 'certificateNo', '执法证号 is kept only for inspectors: add 执法人员 to 角色 or leave it empty');
    inspectorOk = false;
  }
  if (id !== null && duplicate(ctx, reg, row, 'id', id, 'person id')) return;
  if (id === null || name === null || !dep || roles === null || email === undefined || active === null || !inspectorOk) return;
  const person: Person = { id, name, department: dep.id, roles, email, inspector, active };
  if (!ctx.schema(row, personSchema, person)) return;
  record(out, reg.people.get(id), { entityKind: 'person', entityId: id, state: person });
  reg.people.set(id, person);
};

const personnelChanges: Handler = (ctx, row, cells, reg, input, out) => {
  const id = ctx.required(row, cells, 'id');
  const name = ctx.get(cells, 'name');
  const change = ctx.oneOf(row, cells, 'change', PERSONNEL_CHANGE_VALUES);
  const date = ctx.date(row, cells, 'date', null);
  const reason = ctx.get(cells, 'reason');
  const depText = ctx.get(cells, 'department');
  const rolesText = ctx.get(cells, 'roles');
  if (change !== null && change !== 'move' && depText !== '') ctx.problem(row, 'department', '新部门 is only for 调动');
  if (change !== null && change !== 'roles' && rolesText !== '') ctx.problem(row, 'roles', '新角色 is only for 角色调整');
  if (id === null) return;
  const person = reg.people.get(id);
  if (!person) {
    ctx.problem(row, 'id', notInRegistry(input, 'person', id));
    return;
  }
  if (name !== '' && name !== person.name) ctx.problem(row, 'name', `does not match the registry: ${id} is "${person.name}"`);
  if (date !== null) {
    const last = reg.lastDateOf.get(id);
    if (last !== undefined && date < last) ctx.problem(row, 'date', `rows for ${id} must be in date order: this one (${date}) is before an earlier row's (${last})`);
    else reg.lastDateOf.set(id, date);
  }
  if (change === null || date === null) return;
  let next: Person | null = null;
  const needInspector = (): boolean => {
    if (person.inspector) return true;
    ctx.problem(row, 'change', `${id} is not an inspector (执法人员): 在编/在岗 changes apply to inspectors only`);
    return false;
  };
  switch (change) {
    case 'move': {
      if (depText === '') {
        ctx.problem(row, 'department', '调动 needs 新部门');
        break;
      }
      const dep = reg.department(depText);
      if (!dep) ctx.problem(row, 'department', `unknown department "${depText}": not in the registry`);
      else if (dep.id === person.department) ctx.problem(row, 'department', `${id} is already in ${dep.name}`);
      else next = { ...person, department: dep.id };
      break;
    }
    case 'off-post':
    case 'on-post':
      if (needInspector()) next = { ...person, inspector: { ...person.inspector!, onPost: change === 'on-post' } };
      break;
    case 'off-staff':
    case 'on-staff':
      if (needInspector()) next = { ...person, inspector: { ...person.inspector!, onStaff: change === 'on-staff' } };
      break;
    case 'leave':
      if (!person.active) ctx.problem(row, 'change', `${id} has already left (在职 = ${NO})`);
      else next = { ...person, active: false };
      break;
    case 'roles': {
      if (rolesText === '') {
        ctx.problem(row, 'roles', '角色调整 needs 新角色 (the full new list)');
        break;
      }
      const roles = parseRoles(ctx, row, cells, 'roles');
      if (roles === null) break;
      let inspector = person.inspector;
      if (roles.includes('inspector') && !inspector) {
        const certificateNo = certificate(ctx, row, cells, reg, id);
        if (certificateNo === null) break;
        inspector = { certificateNo, onStaff: true, onPost: true, specialties: [] };
      }
      if (!roles.includes('inspector')) inspector = null;
      next = { ...person, roles, inspector };
      break;
    }
  }
  if (ctx.get(cells, 'certificateNo') !== '' && change !== 'roles') ctx.problem(row, 'certificateNo', '执法证号 is only read for 角色调整 that adds 执法人员');
  if (next === null || (name !== '' && name !== person.name)) return;
  if (!ctx.schema(row, personSchema, next)) return;
  out.changes.push({ entityKind: 'person', entityId: id, effectiveDate: date, state: next, ...(reason ? { reason } : {}) });
  reg.people.set(id, next);
};

const conflicts: Handler = (ctx, row, cells, reg, input, out) => {
  const inspectorId = ctx.required(row, cells, 'inspectorId');
  const unitId = ctx.required(row, cells, 'unitId');
  const reason = ctx.oneOf(row, cells, 'reason', CONFLICT_REASON_VALUES);
  const date = ctx.date(row, cells, 'date', input.batchDate);
  const action = ctx.oneOf(row, cells, 'action', CONFLICT_ACTION_VALUES, 'declare');
  if (inspectorId !== null) {
    const p = reg.people.get(inspectorId);
    if (!p) ctx.problem(row, 'inspectorId', notInRegistry(input, 'person', inspectorId));
    else if (!p.roles.includes('inspector')) ctx.problem(row, 'inspectorId', `${inspectorId} (${p.name}) is not an inspector (执法人员)`);
  }
  if (unitId !== null && !reg.units.has(unitId)) {
    const c = classifyUnitId(unitId);
    ctx.problem(row, 'unitId', `${notInRegistry(input, 'unit', unitId)}${c.ok ? '' : ` (${c.message})`}`);
  }
  if (inspectorId === null || unitId === null) return;
  const key = conflictEntityId({ inspectorId, unitId });
  if (duplicate(ctx, reg, row, 'unitId', `conflict\u0000${key}`, 'pair')) return;
  if (reason === null || date === null || action === null || !reg.people.has(inspectorId) || !reg.units.has(unitId)) return;
  const existing = reg.conflicts.get(key);
  if (action === 'withdraw') {
    if (!existing) ctx.problem(row, 'action', `no declared conflict between ${inspectorId} and ${unitId} to withdraw`);
    else out.changes.push({ entityKind: 'conflict', entityId: key, effectiveDate: date, state: null });
    return;
  }
  const conflict: Conflict = { inspectorId, unitId, reason };
  if (!ctx.schema(row, conflictSchema, conflict)) return;
  record(out, existing, { entityKind: 'conflict', entityId: key, effectiveDate: date, state: conflict });
};

const HANDLERS: Record<ImportKind, Handler> = {
  departments,
  units,
  'new-units': newUnits,
  'closed-units': closedUnits,
  people,
  'personnel-changes': personnelChanges,
  conflicts,
};

/** The date column a kind's rows carry, if any (used to find a batch date when none is given). */
export const ROW_DATE_FIELD: Partial<Record<ImportKind, string>> = {
  'new-units': 'date',
  'closed-units': 'date',
  'personnel-changes': 'date',
  conflicts: 'date',
};
