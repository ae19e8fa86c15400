// Reads a registry file (.csv or .xlsx) into a header and rows of trimmed text cells. Row numbers
// are the spreadsheet's: the heading row is row 1, the first data row is row 2.
import ExcelJS from 'exceljs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { zipProblem } from './zip-guard';

export interface ImportProblem {
  file: string;
  /** Spreadsheet row number (heading = 1); 0 for problems with the file as a whole. */
  row: number;
  /** Column heading, or '' when the problem is not about one column. */
  column: string;
  rule: string;
}

/**
 * Problems kept in full for one file; past this many they are only counted. A file of a million
 * bad rows must be refused with its first problems named, not exhaust memory listing them all.
 */
export const MAX_PROBLEMS = 1000;

/** Problems kept, and how many more were found past MAX_PROBLEMS (counted, not kept). */
export interface ProblemSink {
  problems: ImportProblem[];
  moreProblems: number;
}

export function addProblem(sink: ProblemSink, p: ImportProblem): void {
  if (sink.problems.length < MAX_PROBLEMS) sink.problems.push(p);
  else sink.moreProblems++;
}

/**
 * Most data rows read from one file, .csv or .xlsx alike: more is refused before the rows can
 * exhaust memory or time. A registry of 20,000 units is far below it.
 */
export const MAX_ROWS = 1_000_000;

export function tooManyRowsRule(): string {
  return `the file has more than ${MAX_ROWS} data rows; at most ${MAX_ROWS} rows can be imported from one file: split it into smaller files`;
}

export function formatProblem(p: ImportProblem): string {
  const where = [p.file, p.row > 0 ? `row ${p.row}` : null, p.column ? `column ${p.column}` : null].filter(Boolean).join(', ');
  return `${where}: ${p.rule}`;
}

export interface TableRow {
  row: number;
  cells: string[];
}

export interface Table {
  file: string;
  headers: string[];
  rows: TableRow[];
  /** How the bytes were read: 'utf-8', 'gb18030' (CSV that is not valid UTF-8) or 'xlsx'. */
  encoding: 'utf-8' | 'gb18030' | 'xlsx';
  /** Cells that could not be read faithfully (e.g. an 18-digit code stored as a number); at most MAX_PROBLEMS. */
  problems: ImportProblem[];
  /** Problems found past MAX_PROBLEMS: counted, not kept. */
  moreProblems?: number;
  /** Why the bytes were read as they were, when it was a guess (GB18030 for bytes that are not UTF-8). */
  encodingNote?: string;
}

export async function readTable(filePath: string, bytes: Buffer): Promise<Table> {
  const ext = path.extname(filePath).toLowerCase();
  const file = path.basename(filePath);
  if (ext === '.csv' || ext === '.txt') return readCsv(file, bytes);
  if (ext === '.xlsx') return readXlsx(file, bytes);
  return {
    file,
    headers: [],
    rows: [],
    encoding: 'utf-8',
    problems: [{ file, row: 0, column: '', rule: `unsupported file type ${ext || '(none)'}: use .csv (UTF-8) or .xlsx` }],
  };
}

/** Where the first byte that is not UTF-8 sits: its offset, its value and its line (1-based). */
export function firstInvalidUtf8(bytes: Buffer): { offset: number; byte: number; line: number } | null {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok && need === 2) ok = !(b === 0xe0 && bytes[i + 1]! < 0xa0) && !(b === 0xed && bytes[i + 1]! > 0x9f);
    if (ok && need === 3) ok = !(b === 0xf0 && bytes[i + 1]! < 0x90) && !(b === 0xf4 && bytes[i + 1]! > 0x8f);
    if (!ok) {
      let line = 1;
      for (let k = 0; k < i; k++) if (bytes[k] === 0x0a) line++;
      return { offset: i, byte: b, line };
    }
    i += need + 1;
  }
  return null;
}

/**
 * UTF-8 (BOM optional); a file that is not valid UTF-8 and has no BOM is read as GB18030, what
 * Chinese Excel saves as "CSV". A UTF-8 BOM means UTF-8: an invalid byte then is a problem naming
 * its row, never a silent switch. The note says why GB18030 was chosen, for the refusal message.
 */
function decodeText(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gb18030'; bad?: { offset: number; byte: number; line: number }; note?: string } {
  const bad = firstInvalidUtf8(bytes);
  if (!bad) return { text: new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes), encoding: 'utf-8' };
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (hasBom) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', bad };
  return {
    text: new TextDecoder('gb18030').decode(bytes),
    encoding: 'gb18030',
    note: `the file was read as GB18030 because it is not valid UTF-8 (byte 0x${bad.byte.toString(16).padStart(2, '0')} at offset ${bad.offset}, row ${bad.line}); if it was saved as UTF-8, that row holds a damaged character: retype it and save as "CSV UTF-8"`,
  };
}

/**
 * RFC 4180: comma-separated, "quoted" fields with "" for a quote, CRLF or LF line ends. Stops,
 * with `truncated`, once it has read more than `maxRecords` records: the rest is never held.
 */
export function parseCsv(text: string, maxRecords = Infinity): { records: string[][]; error: { record: number; message: string } | null; truncated?: boolean } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let quoteStartRecord = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field.length === 0) {
      inQuotes = true;
      quoteStartRecord = records.length + 1;
      i++;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      record.push(field);
      records.push(record);
      if (records.length > maxRecords) return { records, error: null, truncated: true };
      record = [];
      field = '';
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  if (inQuotes) return { records, error: { record: quoteStartRecord, message: 'a quoted field is never closed (missing ")' } };
  if (field.length > 0 || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return { records, error: null };
}

function readCsv(file: string, bytes: Buffer): Table {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    // Excel's "Unicode text" export: UTF-16 and tab-separated.
    return {
      file,
      headers: [],
      rows: [],
      encoding: 'utf-8',
      problems: [{ file, row: 0, column: '', rule: 'the file is UTF-16 ("Unicode text"): save it as "CSV UTF-8 (逗号分隔)" or as .xlsx' }],
    };
  }
  const { text, encoding, bad, note } = decodeText(bytes);
  // The heading row, MAX_ROWS data rows, and one more to know the file is longer.
  const { records, error, truncated } = parseCsv(text, MAX_ROWS + 1);
  if (truncated) return { file, headers: [], rows: [], encoding, problems: [{ file, row: 0, column: '', rule: tooManyRowsRule() }] };
  const problems: ImportProblem[] = [];
  if (bad && encoding === 'utf-8') {
    problems.push({ file, row: bad.line, column: '', rule: `the file starts with a UTF-8 BOM but this row holds a byte that is not UTF-8 (0x${bad.byte.toString(16).padStart(2, '0')} at offset ${bad.offset}): retype the damaged character and save as "CSV UTF-8"` });
  }
  if (error) problems.push({ file, row: error.record, column: '', rule: error.message });
  const [header, ...rest] = records;
  return {
    file,
    headers: (header ?? []).map((h) => h.trim()),
    rows: rest.map((cells, i) => ({ row: i + 2, cells: cells.map((c) => c.trim()) })),
    encoding,
    problems,
    ...(note ? { encodingNote: note } : {}),
  };
}

function ymd(d: Date): string {
  // Excel dates carry no zone; exceljs gives them as UTC midnight.
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function cellText(value: ExcelJS.CellValue): { text: string; lossy: boolean; why?: string } {
  if (value === null || value === undefined) return { text: '', lossy: false };
  if (typeof value === 'string') return { text: value, lossy: false };
  if (typeof value === 'number') {
    // Beyond 15 significant digits Excel has already rounded: an 18-digit code stored as a number is lost.
    return { text: String(value), lossy: Math.abs(value) >= 1e15 };
  }
  if (typeof value === 'boolean') return { text: value ? '是' : '否', lossy: false };
  if (value instanceof Date) return { text: ymd(value), lossy: false };
  if (typeof value === 'object') {
    if ('richText' in value) return { text: value.richText.map((r) => r.text).join(''), lossy: false };
    if ('text' in value && typeof value.text === 'string') return { text: value.text, lossy: false }; // hyperlink (e-mails)
    if ('text' in value && typeof value.text === 'object' && value.text !== null) {
      const rich = value.text as { richText?: { text: string }[] };
      if (rich.richText) return { text: rich.richText.map((r) => r.text).join(''), lossy: false };
    }
    if ('formula' in value || 'sharedFormula' in value) {
      // A formula's value is what the spreadsheet stored when it last saved; some tools store none.
      if (value.result === undefined || value.result === null) {
        return { text: '', lossy: true, why: `the cell holds the formula =${String((value as { formula?: string }).formula ?? '')} with no stored value: type the value itself, or open and save the file in Excel or WPS so the value is stored` };
      }
      return cellText(value.result as ExcelJS.CellValue);
    }
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
    if ('error' in value) return { text: String(value.error), lossy: true };
  }
  return { text: String(value), lossy: true };
}

/** A workbook's limits: more is refused (exit 2) before it can exhaust memory or time. */
export const XLSX_LIMITS = {
  bytes: 50 * 1024 * 1024,
  rows: MAX_ROWS,
  columns: 200,
  /**
   * What the zip may unpack to (files/registry/zip-guard.ts): all parts together, and how many
   * times its packed size a part over 1 MiB may be. Saved workbooks of real registries unpack to
   * tens of MiB at ratios near 10; a zip bomb reaches 1,000.
   */
  zip: { unzippedBytes: 200 * 1024 * 1024, entries: 1000, ratio: 100, ratioFrom: 1024 * 1024 },
} as const;

function xlsxProblem(file: string, rule: string, row = 0): Table {
  return { file, headers: [], rows: [], encoding: 'xlsx', problems: [{ file, row, column: '', rule }] };
}

/** The column letters of a 1-based column number (1 -> A, 16384 -> XFD). */
function columnLetters(c: number): string {
  let out = '';
  for (let n = c; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/**
 * Reads the first sheet with exceljs's streaming reader: only the rows and cells the file holds
 * are visited, so a stray cell at XFD1048576 costs one cell, not a billion. A row is as wide as
 * its last non-empty cell; a value beyond the headings is a problem naming its cell.
 */
async function readXlsx(file: string, bytes: Buffer): Promise<Table> {
  if (bytes.length > XLSX_LIMITS.bytes) {
    return xlsxProblem(file, `the workbook is ${(bytes.length / 1048576).toFixed(1)} MiB; at most ${XLSX_LIMITS.bytes / 1048576} MiB can be imported: split it, or save it as CSV`);
  }
  const unzip = await zipProblem(bytes, XLSX_LIMITS.zip);
  if (unzip) return xlsxProblem(file, unzip);
  const sink: ProblemSink = { problems: [], moreProblems: 0 };
  const problems = sink.problems;
  let headers: string[] = [];
  const rows: TableRow[] = [];
  let width = 0;
  let titleRow: string | null = null;
  let strays = 0;
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), {
      sharedStrings: 'cache',
      hyperlinks: 'cache',
      styles: 'cache',
      worksheets: 'emit',
    });
    let sheets = 0;
    for await (const sheet of reader) {
      if (sheets++ > 0) break; // the first sheet only
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const r = row.number;
        if (rows.length >= XLSX_LIMITS.rows) return xlsxProblem(file, tooManyRowsRule());
        const cells: string[] = [];
        const lossy: { c: number; text: string; why: string }[] = [];
        row.eachCell({ includeEmpty: false }, (cell, c) => {
          const t = cellText(cell.value);
          const text = t.text.trim();
          if (text === '' && !t.lossy) return;
          if (r > 1 && c > width) {
            if (++strays > 20) return;
            problems.push({ file, row: r, column: '', rule: `cell ${columnLetters(c)}${r} holds ${JSON.stringify(text.slice(0, 40))} beyond the last heading (column ${columnLetters(width) || '-'}): delete it or give it a heading` });
            return;
          }
          if (c > XLSX_LIMITS.columns) return;
          while (cells.length < c - 1) cells.push('');
          cells[c - 1] = text;
          if (t.lossy) lossy.push({ c: c - 1, text, why: t.why ?? '' });
        });
        if (r === 1) {
          headers = cells;
          width = headers.length;
          const filled = headers.filter((h) => h !== '');
          if (filled.length === 1 && width > 0) titleRow = filled[0]!;
          continue;
        }
        for (const l of lossy) {
          addProblem(sink, { file, row: r, column: headers[l.c] ?? `#${l.c + 1}`, rule: l.why || `cell holds a number or error that cannot be read exactly (${l.text}): format the column as text and type the value again` });
        }
        if (cells.length > 0) rows.push({ row: r, cells });
      }
    }
    if (sheets === 0) return xlsxProblem(file, 'the workbook has no sheet');
  } catch (err) {
    return xlsxProblem(file, `not a readable .xlsx workbook (${err instanceof Error ? err.message : String(err)})`);
  }
  // A title row above the headings (often merged, as on Chinese forms) fills one cell of row 1:
  // return the headings alone, so the import names that one problem and not every cell beyond it.
  if (titleRow !== null) return { file, headers, rows: [], encoding: 'xlsx', problems: [] };
  if (strays > 20) addProblem(sink, { file, row: 0, column: '', rule: `${strays - 20} more cells hold values beyond the last heading` });
  return { file, headers, rows, encoding: 'xlsx', problems, moreProblems: sink.moreProblems };
}
