// Writes registry data as import files in the templates' format (CSV, optionally .xlsx): used by
// `ssj registry synth` and by scripts/make-registry-examples.ts. Output is byte-for-byte
// reproducible: no timestamps, fixed order.
import ExcelJS from 'exceljs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Department, Person, Unit } from '../../domain/registry';
import type { ConflictDeclaration, PersonnelChange, SyntheticRegistry, UnitClosure } from '../../domain/synthetic';
import {
  CATEGORY_VALUES,
  CONFLICT_REASON_VALUES,
  DEPARTMENT_KIND_VALUES,
  JURISDICTION_NAMES,
  NO,
  PERSONNEL_CHANGE_VALUES,
  POSITIVE_KIND_VALUES,
  reverseLookup,
  ROLE_VALUES,
  SPECIAL_REASON_VALUES,
  STATUS_VALUES,
  TEMPLATES,
  YES,
  type ImportKind,
} from './templates';

export interface Sheet {
  kind: ImportKind;
  headings: string[];
  rows: string[][];
}

const headingsOf = (kind: ImportKind): string[] => TEMPLATES[kind].columns.map((c) => c.heading);
const yn = (b: boolean): string => (b ? YES : NO);
const jurisdictionName = (code: string): string => {
  try {
    return reverseLookup(JURISDICTION_NAMES, code);
  } catch {
    return code;
  }
};
const orEmpty = <T extends string>(map: Record<string, T>, v: T | null): string => (v === null ? '' : reverseLookup(map, v));

export function departmentsSheet(deps: Department[]): Sheet {
  return {
    kind: 'departments',
    headings: headingsOf('departments'),
    rows: deps.map((d) => [
      d.id,
      d.name,
      reverseLookup(DEPARTMENT_KIND_VALUES as Record<string, Department['kind']>, d.kind),
      d.jurisdiction === null ? '' : jurisdictionName(d.jurisdiction),
      d.email ?? '',
    ]),
  };
}

function unitCells(u: Unit): string[] {
  return [
    u.id,
    u.name,
    reverseLookup(CATEGORY_VALUES, u.category),
    jurisdictionName(u.jurisdiction),
    u.industry,
    u.address,
    u.creditRating?.toUpperCase() ?? '',
    yn(u.positiveList),
    orEmpty(POSITIVE_KIND_VALUES, u.positiveKind),
    orEmpty(SPECIAL_REASON_VALUES, u.specialReason),
    yn(u.specialProblem),
  ];
}

export function unitsSheet(units: Unit[]): Sheet {
  return {
    kind: 'units',
    headings: headingsOf('units'),
    rows: units.map((u) => [...unitCells(u), reverseLookup(STATUS_VALUES as Record<string, Unit['status']>, u.status), u.statusDate]),
  };
}

export function newUnitsSheet(units: Unit[]): Sheet {
  return { kind: 'new-units', headings: headingsOf('new-units'), rows: units.map((u) => [...unitCells(u), u.statusDate]) };
}

export function closedUnitsSheet(closures: UnitClosure[]): Sheet {
  return {
    kind: 'closed-units',
    headings: headingsOf('closed-units'),
    rows: closures.map((c) => [c.unitId, c.name, c.status === 'closed' ? '关闭' : '取缔', c.date, c.reason]),
  };
}

export function peopleSheet(people: Person[], deps: Department[]): Sheet {
  const depName = new Map(deps.map((d) => [d.id, d.name]));
  return {
    kind: 'people',
    headings: headingsOf('people'),
    rows: people.map((p) => [
      p.id,
      p.name,
      depName.get(p.department) ?? p.department,
      p.roles.map((r) => reverseLookup(ROLE_VALUES, r)).join('、'),
      p.email ?? '',
      p.inspector?.certificateNo ?? '',
      p.inspector ? yn(p.inspector.onStaff) : '',
      p.inspector ? yn(p.inspector.onPost) : '',
      p.inspector?.specialties.join('、') ?? '',
      yn(p.active),
    ]),
  };
}

export function personnelChangesSheet(changes: PersonnelChange[], deps: Department[]): Sheet {
  const depName = new Map(deps.map((d) => [d.id, d.name]));
  return {
    kind: 'personnel-changes',
    headings: headingsOf('personnel-changes'),
    rows: changes.map((c) => [
      c.personId,
      c.name,
      reverseLookup(PERSONNEL_CHANGE_VALUES as Record<string, PersonnelChange['change']>, c.change),
      c.department ? (depName.get(c.department) ?? c.department) : '',
      c.roles ? c.roles.map((r) => reverseLookup(ROLE_VALUES, r)).join('、') : '',
      c.certificateNo ?? '',
      c.date,
      c.reason,
    ]),
  };
}

export function conflictsSheet(decls: ConflictDeclaration[]): Sheet {
  return {
    kind: 'conflicts',
    headings: headingsOf('conflicts'),
    rows: decls.map((d) => [d.conflict.inspectorId, d.conflict.unitId, orEmpty(CONFLICT_REASON_VALUES, d.conflict.reason), d.date, '申报']),
  };
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** UTF-8 with a BOM (so Excel opens it as UTF-8), CRLF line ends as Excel writes them. */
export function sheetToCsv(sheet: Sheet): string {
  return '\uFEFF' + [sheet.headings, ...sheet.rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** An .xlsx with every cell stored as text (18-digit codes and dates stay exactly as written). */
export async function sheetToXlsx(sheet: Sheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  // Fixed metadata: the same data gives the same workbook content.
  wb.creator = 'ssj';
  wb.created = new Date(Date.UTC(2023, 0, 1));
  wb.modified = wb.created;
  const ws = wb.addWorksheet(TEMPLATES[sheet.kind].title);
  ws.addRow(sheet.headings).font = { bold: true };
  for (const r of sheet.rows) ws.addRow(r);
  ws.columns.forEach((c) => {
    c.numFmt = '@';
    c.width = 18;
  });
  return fixZipTimes(Buffer.from(await wb.xlsx.writeBuffer()));
}

/**
 * The zip inside an .xlsx stamps every entry with the time it was written. Set them all to
 * 1980-01-01 00:00 (DOS time 0x0000, date 0x0021) so the same sheet gives the same bytes.
 * Walks the central directory from the end-of-central-directory record (no guessing in data).
 */
export function fixZipTimes(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const entries = out.readUInt16LE(eocd + 10);
  let at = out.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (out.readUInt32LE(at) !== 0x02014b50) throw new Error('zip central directory is malformed');
    out.writeUInt16LE(0x0000, at + 12);
    out.writeUInt16LE(0x0021, at + 14);
    const local = out.readUInt32LE(at + 42);
    if (out.readUInt32LE(local) !== 0x04034b50) throw new Error('zip local header is malformed');
    out.writeUInt16LE(0x0000, local + 10);
    out.writeUInt16LE(0x0021, local + 12);
    at += 46 + out.readUInt16LE(at + 28) + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}

export interface WrittenFile {
  file: string;
  kind: ImportKind;
  /** --date for kinds whose rows carry no date. */
  date?: string;
  source: string;
  rows: number;
}

/** Write the synthetic registry as import files in `dir`, plus import-plan.json listing them in import order. */
export async function writeSyntheticRegistry(data: SyntheticRegistry, dir: string, options: { xlsx?: boolean } = {}): Promise<WrittenFile[]> {
  fs.mkdirSync(dir, { recursive: true });
  const q = data.quarter.label;
  const plan: { name: string; sheet: Sheet; date?: string; source: string }[] = [
    { name: '01-departments', sheet: departmentsSheet(data.departments), date: data.baseDate, source: '支队部门名录' },
    { name: '02-units', sheet: unitsSheet(data.units), date: data.baseDate, source: '2023年度污染源动态信息库' },
    { name: '03-people', sheet: peopleSheet(data.people, data.departments), date: data.baseDate, source: '执法人员动态信息库' },
    { name: '04-conflicts', sheet: conflictsSheet(data.conflicts), source: '回避关系申报' },
    { name: `05-new-units-${q}`, sheet: newUnitsSheet(data.quarter.newUnits), source: `${q} 各大队新增污染源清单` },
    { name: `06-closed-units-${q}`, sheet: closedUnitsSheet(data.quarter.closures), source: `${q} 各大队关停取缔污染源清单` },
    { name: `07-personnel-changes-${q}`, sheet: personnelChangesSheet(data.quarter.personnelChanges, data.departments), source: `${q} 人员变动` },
    { name: `08-conflicts-${q}`, sheet: conflictsSheet(data.quarter.conflicts), source: `${q} 回避关系申报` },
  ];
  const written: WrittenFile[] = [];
  for (const p of plan) {
    if (p.sheet.rows.length === 0) continue;
    const file = `${p.name}.${options.xlsx ? 'xlsx' : 'csv'}`;
    const bytes = options.xlsx ? await sheetToXlsx(p.sheet) : Buffer.from(sheetToCsv(p.sheet), 'utf8');
    fs.writeFileSync(path.join(dir, file), bytes);
    written.push({ file, kind: p.sheet.kind, ...(p.date ? { date: p.date } : {}), source: p.source, rows: p.sheet.rows.length });
  }
  fs.writeFileSync(
    path.join(dir, 'import-plan.json'),
    JSON.stringify({ seed: data.seed, scale: data.scale, files: written }, null, 2) + '\n',
  );
  return written;
}
