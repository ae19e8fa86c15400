// The frozen manifest of DRAW-SPEC section 1: five files, parsed and checked against every rule,
// and written back (serializeManifest). This module is the single place that knows the format:
// freeze writes through serializeManifest, the draw and verify read through parseManifest.
// Two versions: ssj-draw/1 (no `spec` key; conflicts.csv with a reason column) and ssj-draw/2
// (`spec=ssj-draw/2`; conflicts.csv without reasons, which stay in the registry).
import { MANIFEST_FILES, ManifestFileName, manifestDigests } from './digest';
import { DRAW_SPECS, DRAW_SPEC_V1, DRAW_SPEC_V2, type DrawSpec } from './spec';
import { ticketLanes } from './tickets';
import { UnitTable, hasUnitId, scanUnitsCsv, unitTableOf } from './unit-table';
import { scanUnitsCsvWasm } from './units-scan-wasm';

export { MANIFEST_FILES };
export type { ManifestFileName };

export interface ManifestParams {
  /** From params.txt's `spec` key; absent there means ssj-draw/1. */
  spec: DrawSpec;
  campaign: string;
  exclusive: boolean;
  teamSize: number;
}
export interface ManifestUnit {
  unitId: string;
  category: string;
  jurisdiction: string;
  /** A code, or `-` for none. */
  tier: string;
  /** On the positive list: checked off-site. */
  positive: boolean;
}
export interface ManifestInspector {
  inspectorId: string;
  department: string;
}
export interface ManifestConflict {
  inspectorId: string;
  unitId: string;
  /** ssj-draw/1 only (a code); an ssj-draw/2 manifest publishes no reason and ignores this. */
  reason?: string;
}
export interface ManifestPool {
  poolId: string;
  department: string;
  category: string;
  /** A code, or `*` for any. */
  jurisdiction: string;
  /** A code, `-` (units without a tier) or `*` for any. */
  tier: string;
  quota: number;
}

/** The manifest's rows, typed. Rows are in file order (sorted, as the format requires). */
export interface ManifestData {
  params: ManifestParams;
  units: ManifestUnit[];
  inspectors: ManifestInspector[];
  conflicts: ManifestConflict[];
  pools: ManifestPool[];
}

/** A parsed, valid manifest with the digests of its exact bytes. */
export interface Manifest extends ManifestData {
  fileDigests: Record<ManifestFileName, string>;
  manifestDigest: string;
}

/** A manifest as `ssj draw` reads it: the units as columns (./unit-table), not objects. */
export interface DrawManifest extends Omit<Manifest, 'units'> {
  unitTable: UnitTable;
}

export type ManifestFiles = Record<ManifestFileName, string | Uint8Array>;

export interface ManifestProblem {
  file: string;
  /** 1-based line; 0 when the problem is about the file as a whole (e.g. a missing key). */
  line: number;
  rule: string;
}

export function formatProblem(p: ManifestProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.rule}` : `${p.file}: ${p.rule}`;
}

/** A manifest that breaks the format. Lists every problem found (up to a cap), not just the first. */
export class ManifestError extends Error {
  constructor(
    readonly problems: ManifestProblem[],
    /** Problems found beyond the cap and left out of `problems`. */
    readonly omitted = 0,
  ) {
    const lines = problems.map(formatProblem);
    if (omitted > 0) lines.push(`... and ${omitted} more problem(s)`);
    super(`invalid manifest (${problems.length + omitted} problem(s)):\n${lines.join('\n')}`);
    this.name = 'ManifestError';
  }
}

const ID_RE = /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/;
const CODE_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ID_RULE = 'must be an id: [0-9A-Za-z][0-9A-Za-z._-]{0,63}';
const CODE_RULE = 'must be a code: [a-z0-9][a-z0-9._-]{0,63}';
// Canonical decimal, no leading zeros, bounded so it stays an exact JS integer.
const QUOTA_RE = /^(0|[1-9][0-9]{0,8})$/;
const TEAM_SIZE_RE = /^[1-9][0-9]{0,8}$/;

/** The CSV headers of an ssj-draw/1 manifest; conflictsHeader gives the one that depends on the spec. */
export const MANIFEST_HEADERS = {
  'units.csv': 'unit_id,category,jurisdiction,tier,positive',
  'inspectors.csv': 'inspector_id,department',
  'conflicts.csv': 'inspector_id,unit_id,reason',
  'pools.csv': 'pool_id,department,category,jurisdiction,tier,quota',
} as const;
/** ssj-draw/2's conflicts.csv: no reason column. */
export const CONFLICTS_HEADER_V2 = 'inspector_id,unit_id';
type CsvFile = keyof typeof MANIFEST_HEADERS;

export function conflictsHeader(spec: DrawSpec): string {
  return spec === DRAW_SPEC_V2 ? CONFLICTS_HEADER_V2 : MANIFEST_HEADERS['conflicts.csv'];
}

const PARAM_KEYS = ['campaign', 'exclusive', 'team_size'] as const;
/** Keys that may be absent: `spec` (absent = ssj-draw/1). */
const OPTIONAL_PARAM_KEYS = ['spec'] as const;
const ALL_PARAM_KEYS: readonly string[] = [...PARAM_KEYS, ...OPTIONAL_PARAM_KEYS].sort();

/**
 * Order of strings by their UTF-8 bytes (= by code points). Differs from JS `<` (UTF-16 code
 * units) only for characters above U+FFFF against U+E000..U+FFFF; valid ids and codes are ASCII.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (part of a pair encoding a code point above U+FFFF) sorts after every BMP
    // character outside the surrogate range; elsewhere code units order like code points.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Collects problems up to a cap, counting the rest. */
class Problems {
  readonly list: ManifestProblem[] = [];
  omitted = 0;
  constructor(private readonly cap: number) {}
  add(file: string, line: number, rule: string): void {
    if (this.list.length < this.cap) this.list.push({ file, line, rule });
    else this.omitted++;
  }
  get count(): number {
    return this.list.length + this.omitted;
  }
}

function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/**
 * Bytes → lines, checking encoding and line endings. Returns the lines without their LF
 * (the empty string after the final LF is dropped), or null when the text cannot be read.
 */
function readLines(file: ManifestFileName, content: string | Uint8Array, problems: Problems): string[] | null {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    problems.add(file, 1, 'file starts with a byte order mark (BOM); save as UTF-8 without BOM');
    return null;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    problems.add(file, lineOfInvalidUtf8(bytes), 'file is not valid UTF-8');
    return null;
  }
  if (text.length === 0) {
    problems.add(file, 1, 'file is empty');
    return null;
  }
  const lines = text.split('\n');
  const last = lines.pop();
  let ok = true;
  if (last !== '') {
    problems.add(file, lines.length + 1, 'last line does not end with LF (every line, the last included, must end with LF)');
    if (last !== undefined) lines.push(last);
    ok = false;
  }
  if (text.includes('\r')) {
    lines.forEach((line, i) => {
      if (line.includes('\r')) {
        problems.add(file, i + 1, 'line contains CR (Windows line ending?); lines must end with LF only');
        ok = false;
      }
    });
  }
  return ok ? lines : null;
}

function lineOfInvalidUtf8(bytes: Uint8Array): number {
  // Decode line by line to find the first line that fails.
  let line = 1;
  let start = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return 1;
}

type FieldRule = { re: RegExp; rule: string; also?: readonly string[] };
const idField: FieldRule = { re: ID_RE, rule: ID_RULE };
const codeField: FieldRule = { re: CODE_RE, rule: CODE_RULE };

/** One regex for a whole valid row, capturing each field: its rule (or an allowed extra value), comma-separated. */
function rowRegex(fields: readonly FieldRule[]): RegExp {
  const field = (r: FieldRule): string => {
    const rule = r.re.source.replace(/^\^/, '').replace(/\$$/, '').replace(/\((?!\?)/g, '(?:');
    const alternatives = [rule, ...(r.also ?? []).map((v) => v.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))];
    return `(${alternatives.join('|')})`;
  };
  return new RegExp(`^${fields.map(field).join(',')}$`);
}

/**
 * Checks the header and each row's field count and values, then key order and uniqueness.
 * `toRow` runs on rows whose fields are all valid, given as f[1..n] (f[0] is the line); the row
 * key is its first `keyColumns` fields. A row matching the whole-row regex (the usual case, and
 * most of a large manifest's cost) is split by it; the field-by-field checks only name what is wrong.
 */
function parseCsv<T>(
  file: CsvFile,
  lines: string[],
  fields: readonly FieldRule[],
  toRow: (f: string[]) => T,
  keyColumns: number,
  keyName: string,
  problems: Problems,
  header: string = MANIFEST_HEADERS[file],
  headerNote = '',
): T[] | null {
  const names = header.split(',');
  if (lines[0] !== header) {
    problems.add(file, 1, `header must be exactly ${show(header)}${headerNote}, found ${show(lines[0] ?? '')}`);
    return null;
  }
  const validRow = rowRegex(fields);
  const keyText = (f: string[]): string => f.slice(1, 1 + keyColumns).join(',');
  const rows: T[] = new Array(lines.length - 1);
  let count = 0;
  let ok = true;
  let prev: string[] | null = null;
  let prevValid = false;
  let prevLine = 0;
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i] as string;
    let rowOk = true;
    const match = validRow.exec(line);
    // Valid fields are ASCII ids and codes: JS string order is then UTF-8 byte order.
    const valid = match !== null;
    const f: string[] = match ?? [line, ...line.split(',')];
    if (!valid) {
      if (f.length - 1 !== fields.length) {
        problems.add(file, lineNo, `expected ${fields.length} fields (${header}), found ${f.length - 1}`);
        ok = false;
        continue;
      }
      for (let j = 0; j < fields.length; j++) {
        const v = f[j + 1] as string;
        const rule = fields[j] as FieldRule;
        if (!rule.re.test(v) && !(rule.also && rule.also.includes(v))) {
          problems.add(file, lineNo, `field ${names[j]} ${show(v)} ${rule.rule}`);
          rowOk = false;
        }
      }
    }
    if (prev) {
      let c = 0;
      for (let j = 1; j <= keyColumns && c === 0; j++) {
        const a = f[j] as string;
        const b = prev[j] as string;
        c = valid && prevValid ? (a < b ? -1 : a > b ? 1 : 0) : compareUtf8(a, b);
      }
      if (c === 0) {
        problems.add(file, lineNo, `duplicate ${keyName} ${show(keyText(f))} (also on line ${prevLine})`);
        rowOk = false;
      } else if (c < 0) {
        problems.add(file, lineNo, `rows not sorted by ${keyName} (UTF-8 bytes, ascending): ${show(keyText(f))} comes after ${show(keyText(prev))} on line ${prevLine}`);
        rowOk = false;
      }
    }
    prev = f;
    prevValid = valid;
    prevLine = lineNo;
    if (rowOk) rows[count++] = toRow(f);
    else ok = false;
  }
  rows.length = count;
  return ok ? rows : null;
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareUtf8(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return 0;
}

function parseParams(lines: string[], problems: Problems): ManifestParams | null {
  const file = 'params.txt';
  const seen = new Map<string, { value: string; line: number }>();
  let ok = true;
  let prev: string | null = null;
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    const eq = line.indexOf('=');
    if (eq < 0) {
      problems.add(file, lineNo, `expected key=value, found ${show(line)}`);
      ok = false;
      return;
    }
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!ALL_PARAM_KEYS.includes(key)) {
      problems.add(file, lineNo, `unknown key ${show(key)}; the keys are ${PARAM_KEYS.join(', ')} and, for ssj-draw/2, spec`);
      ok = false;
    } else if (seen.has(key)) {
      problems.add(file, lineNo, `duplicate key ${show(key)} (also on line ${seen.get(key)?.line})`);
      ok = false;
    }
    if (prev !== null && compareUtf8(key, prev) < 0) {
      problems.add(file, lineNo, `keys not sorted: ${show(key)} comes after ${show(prev)}`);
      ok = false;
    }
    prev = key;
    if (!seen.has(key)) seen.set(key, { value, line: lineNo });
  });
  for (const key of PARAM_KEYS) {
    if (!seen.has(key)) {
      problems.add(file, 0, `missing key ${key}`);
      ok = false;
    }
  }
  const campaign = seen.get('campaign');
  if (campaign && !CODE_RE.test(campaign.value)) {
    problems.add(file, campaign.line, `campaign ${show(campaign.value)} ${CODE_RULE}`);
    ok = false;
  }
  const exclusive = seen.get('exclusive');
  if (exclusive && exclusive.value !== '0' && exclusive.value !== '1') {
    problems.add(file, exclusive.line, `exclusive ${show(exclusive.value)} must be 0 or 1`);
    ok = false;
  }
  const teamSize = seen.get('team_size');
  if (teamSize && !(TEAM_SIZE_RE.test(teamSize.value) && Number(teamSize.value) >= 2)) {
    problems.add(file, teamSize.line, `team_size ${show(teamSize.value)} must be an integer >= 2 (no leading zeros)`);
    ok = false;
  }
  const spec = seen.get('spec');
  if (spec && spec.value !== DRAW_SPEC_V2) {
    const why = spec.value === DRAW_SPEC_V1 ? `an ${DRAW_SPEC_V1} manifest has no spec key` : `this version knows ${DRAW_SPECS.join(', ')}`;
    problems.add(file, spec.line, `spec ${show(spec.value)} is not allowed: the only value is ${DRAW_SPEC_V2} (${why})`);
    ok = false;
  }
  if (!ok || !campaign || !exclusive || !teamSize) return null;
  return { spec: spec ? DRAW_SPEC_V2 : DRAW_SPEC_V1, campaign: campaign.value, exclusive: exclusive.value === '1', teamSize: Number(teamSize.value) };
}

/** The manifest's spec from params.txt's lines, or null when params.txt is unreadable or its `spec` value unknown. */
function specOf(lines: string[] | null): DrawSpec | null {
  if (!lines) return null;
  const line = lines.find((l) => l.startsWith('spec='));
  if (line === undefined) return DRAW_SPEC_V1;
  return line === `spec=${DRAW_SPEC_V2}` ? DRAW_SPEC_V2 : null;
}

/** Finds `id` in rows sorted by their key (binary search). */
function hasSorted<T>(rows: T[], key: (r: T) => string, id: string): boolean {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareUtf8(key(rows[mid] as T), id);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Parses and checks a manifest from its five files' contents. Throws ManifestError listing every
 * problem (up to `maxProblems`, default 50). The digests are of the exact bytes given.
 */
export function parseManifest(files: ManifestFiles, options: { maxProblems?: number } = {}): Manifest {
  const { rest, units } = parseFiles(files, options.maxProblems ?? 50, false);
  return { ...rest, units };
}

/**
 * parseManifest for the draw: the same rules and messages, the units as a table. units.csv is
 * scanned as bytes into the table; only a file that breaks a rule is parsed the ordinary way,
 * to word its problems.
 */
export function parseDrawManifest(files: ManifestFiles, options: { maxProblems?: number } = {}): DrawManifest {
  const { rest, units, unitTable } = parseFiles(files, options.maxProblems ?? 50, true);
  // A file the scan turned down but the ordinary parse passed (not expected) still gives its table.
  return { ...rest, unitTable: unitTable ?? unitTableOf(units) };
}

/** The manifest's parts; units.csv as a table when `asTable` and the scan passed it, else as rows. */
function parseFiles(
  files: ManifestFiles,
  maxProblems: number,
  asTable: boolean,
): { rest: Omit<Manifest, 'units'>; units: ManifestUnit[]; unitTable: UnitTable | null } {
  const problems = new Problems(maxProblems);
  const lines = {} as Record<ManifestFileName, string[] | null>;
  // First: units.csv may be a view of the draw's WebAssembly memory, valid until it grows (read-manifest).
  const digests = MANIFEST_FILES.every((name) => files[name] !== undefined) ? manifestDigests(files) : null;
  const unitsBytes = files['units.csv'];
  let unitTable: UnitTable | null = null;
  if (asTable && unitsBytes !== undefined) {
    const bytes = typeof unitsBytes === 'string' ? Buffer.from(unitsBytes, 'utf8') : unitsBytes;
    // In WebAssembly where it runs (undefined: it does not here), else in JavaScript: the same rules.
    const scanned = scanUnitsCsvWasm(bytes, MANIFEST_HEADERS['units.csv']);
    unitTable = scanned === undefined ? scanUnitsCsv(bytes, MANIFEST_HEADERS['units.csv']) : scanned;
  }
  for (const name of MANIFEST_FILES) {
    const content = files[name];
    if (content === undefined) {
      problems.add(name, 0, 'file is missing');
      lines[name] = null;
    } else if (name === 'units.csv' && unitTable) {
      lines[name] = null; // read as a table already
    } else {
      lines[name] = readLines(name, content, problems);
    }
  }
  const params = lines['params.txt'] && parseParams(lines['params.txt'], problems);
  // conflicts.csv's header follows the spec; with an unknown spec (reported above) it cannot be checked.
  const spec = params ? params.spec : specOf(lines['params.txt']);
  const units: ManifestUnit[] | null = unitTable
    ? []
    : lines['units.csv'] &&
      parseCsv(
        'units.csv',
        lines['units.csv'],
        [idField, codeField, codeField, { ...codeField, also: ['-'], rule: `${CODE_RULE}, or - (none)` }, { re: /^[01]$/, rule: 'must be 0 or 1' }],
        (f): ManifestUnit => ({ unitId: f[1] as string, category: f[2] as string, jurisdiction: f[3] as string, tier: f[4] as string, positive: f[5] === '1' }),
        1,
        'unit_id',
        problems,
      );
  const inspectors =
    lines['inspectors.csv'] &&
    parseCsv(
      'inspectors.csv',
      lines['inspectors.csv'],
      [idField, codeField],
      (f): ManifestInspector => ({ inspectorId: f[1] as string, department: f[2] as string }),
      1,
      'inspector_id',
      problems,
    );
  const conflicts =
    lines['conflicts.csv'] && spec
      ? parseCsv(
          'conflicts.csv',
          lines['conflicts.csv'],
          spec === DRAW_SPEC_V2 ? [idField, idField] : [idField, idField, codeField],
          (f): ManifestConflict =>
            spec === DRAW_SPEC_V2
              ? { inspectorId: f[1] as string, unitId: f[2] as string }
              : { inspectorId: f[1] as string, unitId: f[2] as string, reason: f[3] as string },
          2,
          'inspector_id, unit_id',
          problems,
          conflictsHeader(spec),
          spec === DRAW_SPEC_V2 ? ` (${DRAW_SPEC_V2}: no reason column; reasons stay in the registry)` : ` (${DRAW_SPEC_V1})`,
        )
      : null;
  const pools =
    lines['pools.csv'] &&
    parseCsv(
      'pools.csv',
      lines['pools.csv'],
      [
        codeField,
        codeField,
        codeField,
        { ...codeField, also: ['*'], rule: `${CODE_RULE}, or * (any)` },
        { ...codeField, also: ['-', '*'], rule: `${CODE_RULE}, - (none) or * (any)` },
        { re: QUOTA_RE, rule: 'must be a non-negative integer (no leading zeros, at most 9 digits)' },
      ],
      (f): ManifestPool => ({
        poolId: f[1] as string,
        department: f[2] as string,
        category: f[3] as string,
        jurisdiction: f[4] as string,
        tier: f[5] as string,
        quota: Number(f[6]),
      }),
      1,
      'pool_id',
      problems,
    );

  // Cross-file rules, checked only against files that parsed cleanly (no cascades of errors).
  // A conflict must name an inspector and a unit of this manifest: freeze writes only the
  // conflicts of frozen units and inspectors, so anything else means the files do not belong
  // together (or a typo in an id that would silently disable a recusal).
  if (conflicts && inspectors && units) {
    // A scanned table is still the WebAssembly lanes' source: searched there where it is.
    const lanes = unitTable ? ticketLanes() : null;
    const hasUnit = unitTable ? (id: string) => lanes?.hasId(unitTable, id) ?? hasUnitId(unitTable, id) : (id: string) => hasSorted(units, (r) => r.unitId, id);
    const inspectorIds = new Set(inspectors.map((r) => r.inspectorId));
    conflicts.forEach((c, i) => {
      if (!inspectorIds.has(c.inspectorId)) {
        problems.add('conflicts.csv', i + 2, `unknown inspector_id ${show(c.inspectorId)}: not in inspectors.csv`);
      }
      if (!hasUnit(c.unitId)) {
        problems.add('conflicts.csv', i + 2, `unknown unit_id ${show(c.unitId)}: not in units.csv`);
      }
    });
  }
  if (pools && inspectors) {
    const departments = new Set(inspectors.map((r) => r.department));
    pools.forEach((p, i) => {
      if (!departments.has(p.department)) {
        problems.add('pools.csv', i + 2, `unknown department ${show(p.department)}: no inspector in inspectors.csv belongs to it`);
      }
    });
  }

  if (problems.count > 0 || !params || !units || !inspectors || !conflicts || !pools || !digests) {
    throw new ManifestError(problems.list, problems.omitted);
  }
  return { rest: { params, inspectors, conflicts, pools, fileDigests: digests.files, manifestDigest: digests.manifestDigest }, units, unitTable };
}

/**
 * Writes the five files' exact text from typed rows, in the version `data.params.spec` names:
 * rows sorted by their keys (UTF-8 bytes), LF endings. The result is parsed back, so rows that break a rule (a bad id, a duplicate key,
 * a conflict naming an unknown unit, ...) throw ManifestError instead of writing a bad manifest.
 */
export function serializeManifest(data: ManifestData): Record<ManifestFileName, string> {
  const byKey = <T>(key: (r: T) => string[]) => (a: T, b: T) => compareKeys(key(a), key(b));
  const csv = <T>(file: CsvFile, rows: T[], key: (r: T) => string[], fields: (r: T) => (string | number)[], header: string = MANIFEST_HEADERS[file]) => {
    const sorted = [...rows].sort(byKey(key));
    const parts: string[] = [header, '\n'];
    for (const r of sorted) parts.push(fields(r).join(','), '\n');
    return parts.join('');
  };
  const p = data.params;
  const v2 = p.spec === DRAW_SPEC_V2;
  const files: Record<ManifestFileName, string> = {
    // Keys sorted: campaign, exclusive, spec, team_size.
    'params.txt': `campaign=${p.campaign}\nexclusive=${p.exclusive ? 1 : 0}\n${v2 ? `spec=${DRAW_SPEC_V2}\n` : ''}team_size=${p.teamSize}\n`,
    'units.csv': csv('units.csv', data.units, (u) => [u.unitId], (u) => [u.unitId, u.category, u.jurisdiction, u.tier, u.positive ? 1 : 0]),
    'inspectors.csv': csv('inspectors.csv', data.inspectors, (r) => [r.inspectorId], (r) => [r.inspectorId, r.department]),
    // v2 drops the reason; v1 writes it, and a missing one fails the parse-back below.
    'conflicts.csv': csv(
      'conflicts.csv',
      data.conflicts,
      (r) => [r.inspectorId, r.unitId],
      (r) => (v2 ? [r.inspectorId, r.unitId] : [r.inspectorId, r.unitId, r.reason ?? '']),
      conflictsHeader(p.spec),
    ),
    'pools.csv': csv('pools.csv', data.pools, (r) => [r.poolId], (r) => [r.poolId, r.department, r.category, r.jurisdiction, r.tier, r.quota]),
  };
  parseManifest(files);
  return files;
}
