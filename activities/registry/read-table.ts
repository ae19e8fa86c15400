// Reads a registry file (.csv or .xlsx) into a header and rows of trimmed text cells. Row numbers
// are the spreadsheet's: the heading row is row 1, the first data row is row 2.
import ExcelJS from 'exceljs';
import * as path from 'node:path';

export interface ImportProblem {
  file: string;
  /** Spreadsheet row number (heading = 1); 0 for problems with the file as a whole. */
  row: number;
  /** Column heading, or '' when the problem is not about one column. */
  column: string;
  rule: string;
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
  /** Cells that could not be read faithfully (e.g. an 18-digit code stored as a number). */
  problems: ImportProblem[];
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

/** UTF-8 (BOM optional); bytes that are not valid UTF-8 are read as GB18030, what Chinese Excel saves as "CSV". */
function decodeText(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/** RFC 4180: comma-separated, "quoted" fields with "" for a quote, CRLF or LF line ends. */
export function parseCsv(text: string): { records: string[][]; error: { record: number; message: string } | null } {
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
  const { text, encoding } = decodeText(bytes);
  const { records, error } = parseCsv(text);
  const problems: ImportProblem[] = [];
  if (error) problems.push({ file, row: error.record, column: '', rule: error.message });
  const [header, ...rest] = records;
  return {
    file,
    headers: (header ?? []).map((h) => h.trim()),
    rows: rest.map((cells, i) => ({ row: i + 2, cells: cells.map((c) => c.trim()) })),
    encoding,
    problems,
  };
}

function ymd(d: Date): string {
  // Excel dates carry no zone; exceljs gives them as UTC midnight.
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function cellText(value: ExcelJS.CellValue): { text: string; lossy: boolean } {
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
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue); // formula
    if ('error' in value) return { text: String(value.error), lossy: true };
  }
  return { text: String(value), lossy: true };
}

async function readXlsx(file: string, bytes: Buffer): Promise<Table> {
  const problems: ImportProblem[] = [];
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    return {
      file,
      headers: [],
      rows: [],
      encoding: 'xlsx',
      problems: [{ file, row: 0, column: '', rule: `not a readable .xlsx workbook (${err instanceof Error ? err.message : String(err)})` }],
    };
  }
  const ws = wb.worksheets[0];
  if (!ws) return { file, headers: [], rows: [], encoding: 'xlsx', problems: [{ file, row: 0, column: '', rule: 'the workbook has no sheet' }] };
  const width = ws.columnCount;
  const read = (r: number): { cells: string[]; lossy: number[] } => {
    const row = ws.getRow(r);
    const cells: string[] = [];
    const lossy: number[] = [];
    for (let c = 1; c <= width; c++) {
      const t = cellText(row.getCell(c).value);
      cells.push(t.text.trim());
      if (t.lossy) lossy.push(c - 1);
    }
    return { cells, lossy };
  };
  const headers = ws.rowCount >= 1 ? read(1).cells : [];
  const rows: TableRow[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const { cells, lossy } = read(r);
    for (const c of lossy) {
      problems.push({
        file,
        row: r,
        column: headers[c] ?? `#${c + 1}`,
        rule: `cell holds a number or error that cannot be read exactly (${cells[c]}): format the column as text and type the value again`,
      });
    }
    rows.push({ row: r, cells });
  }
  return { file, headers, rows, encoding: 'xlsx', problems };
}
