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

/** Where parseCsv found broken quoting: the record (1-based: a spreadsheet's row) and field (0-based). */
export interface CsvProblem {
  record: number;
  field: number;
  message: string;
}

/** The quoting rules parseCsv holds a file to, as RFC 4180 states them and Excel writes CSV. */
export const CSV_QUOTE_RULES = {
  textAfterClosingQuote: 'text after the closing quote of a quoted field; a quote inside a field is written as two quotes ("")',
  spaceAfterClosingQuote: 'a space after the closing quote of a quoted field; the comma or line end must follow the closing quote directly',
  spaceBeforeOpeningQuote: 'a space before the opening quote of a quoted field; the opening quote must be the first character of the field',
  quoteInUnquotedField: 'a quote inside a field that is not in quotes; such a field is written in quotes, with each quote inside it written as two quotes ("")',
  neverClosed: 'a quoted field starting on this row is never closed: the file ends inside it (a closing quote is missing, or a quote inside the field is not written as two quotes "")',
} as const;

/**
 * RFC 4180, strictly: comma-separated, CRLF or LF line ends (a lone CR too); a field that starts
 * with a quote is quoted, holds commas and line breaks, writes a quote as "" and ends at a quote
 * followed by a comma, a line end or the end of the text. Text after the closing quote, a quote in
 * a field that is not quoted and a quoted field never closed are problems (the first MAX_PROBLEMS
 * kept, the rest counted; one per field), and reading goes on so that every broken field is named.
 * Stops, with `truncated`, once it has read more than `maxRecords` records: the rest is never held.
 */
export function parseCsv(text: string, maxRecords = Infinity): { records: string[][]; problems: CsvProblem[]; moreProblems: number; truncated?: boolean } {
  const records: string[][] = [];
  const problems: CsvProblem[] = [];
  let moreProblems = 0;
  let field = '';
  let record: string[] = [];
  // 'start': nothing read yet; 'plain': an unquoted field; 'quoted': inside quotes; 'closed': after the closing quote.
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  // This field's problem, reported when the field ends (one per field); `after` is the text after its closing quote.
  let problem: string | null = null;
  let after = '';
  let quoteStartRecord = 0;
  let quoteStartField = 0;
  const endField = (): void => {
    if (state === 'closed' && after !== '' && problem === null) {
      problem = after.trim() === '' ? CSV_QUOTE_RULES.spaceAfterClosingQuote : CSV_QUOTE_RULES.textAfterClosingQuote;
    }
    if (problem !== null) {
      if (problems.length < MAX_PROBLEMS) problems.push({ record: records.length + 1, field: record.length, message: problem });
      else moreProblems++;
    }
    record.push(field + after);
    field = '';
    after = '';
    problem = null;
    state = 'start';
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] as string;
    if (state === 'quoted') {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        state = 'closed';
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endField();
      records.push(record);
      if (records.length > maxRecords) return { records, problems, moreProblems, truncated: true };
      record = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else if (state === 'closed') {
      // Kept as read (after the quoted text), so the rest of the row stays in its columns.
      after += ch;
      i++;
    } else if (ch === '"' && state === 'start') {
      state = 'quoted';
      quoteStartRecord = records.length + 1;
      quoteStartField = record.length;
      i++;
    } else {
      if (ch === '"' && problem === null) {
        problem = field.trim() === '' ? CSV_QUOTE_RULES.spaceBeforeOpeningQuote : CSV_QUOTE_RULES.quoteInUnquotedField;
      }
      field += ch;
      state = 'plain';
      i++;
    }
  }
  if (state === 'quoted') {
    if (problems.length < MAX_PROBLEMS) problems.push({ record: quoteStartRecord, field: quoteStartField, message: CSV_QUOTE_RULES.neverClosed });
    else moreProblems++;
    return { records, problems, moreProblems };
  }
  // A last line without a line end is a record, unless it is empty ("" alone counts as empty).
  if (field !== '' || after !== '' || record.length > 0) {
    endField();
    records.push(record);
  }
  return { records, problems, moreProblems };
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
  const parsed = parseCsv(text, MAX_ROWS + 1);
  const { records, truncated } = parsed;
  if (truncated) return { file, headers: [], rows: [], encoding, problems: [{ file, row: 0, column: '', rule: tooManyRowsRule() }] };
  const sink: ProblemSink = { problems: [], moreProblems: 0 };
  if (bad && encoding === 'utf-8') {
    addProblem(sink, { file, row: bad.line, column: '', rule: `the file starts with a UTF-8 BOM but this row holds a byte that is not UTF-8 (0x${bad.byte.toString(16).padStart(2, '0')} at offset ${bad.offset}): retype the damaged character and save as "CSV UTF-8"` });
  }
  const [header, ...rest] = records;
  const headers = (header ?? []).map((h) => h.trim());
  // Record n is the spreadsheet's row n; a field is named by its heading, as row problems are.
  for (const p of parsed.problems) addProblem(sink, { file, row: p.record, column: headers[p.field] || `#${p.field + 1}`, rule: p.message });
  sink.moreProblems += parsed.moreProblems;
  return {
    file,
    headers,
    rows: rest.map((cells, i) => ({ row: i + 2, cells: cells.map((c) => c.trim()) })),
    encoding,
    problems: sink.problems,
    ...(sink.moreProblems > 0 ? { moreProblems: sink.moreProblems } : {}),
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
