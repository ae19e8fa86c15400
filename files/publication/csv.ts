// CSV for spreadsheet users: UTF-8 with a byte-order mark (Excel on Windows otherwise guesses the
// local code page and shows Chinese as mojibake), CRLF line ends, RFC 4180 quoting, and cells
// that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) prefixed with '.

const BOM = '\uFEFF';

/** Text a spreadsheet would run as a formula gets a leading ' (the CSV and the workbook alike). */
export function defuseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvCell(value: string): string {
  const safe = defuseFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): Buffer {
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','));
  return Buffer.from(BOM + lines.join('\r\n') + '\r\n', 'utf8');
}
