// Plain-text output for the quarter commands: aligned tables (Chinese characters count as two
// columns, as terminals draw them), key/value blocks and a one-line progress bar.

/** Columns a string takes in a terminal: East Asian wide and full-width characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x300 && c < 0x370) || c === 0x200b) continue;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

export interface TableOptions {
  /** Columns aligned right (numbers), by index. */
  right?: number[];
  /** Text for an empty table. */
  empty?: string;
}

/**
 * Text from the registry as the terminal may show it: control and text-direction characters
 * (which could retitle or erase the terminal, or reverse what follows) become visible `\u{..}`.
 * Imports refuse them now; databases filled before that may still hold some.
 */
export function safeForTerminal(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

/** An aligned table with a heading line and a rule under it; cells are made safe for the terminal. */
export function table(headings: string[], rawRows: string[][], opts: TableOptions = {}): string {
  const rows = rawRows.map((r) => r.map(safeForTerminal));
  if (rows.length === 0) return opts.empty ?? '(none)';
  const widths = headings.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (opts.right?.includes(i) ? padStart(c, widths[i]!) : padEnd(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headings), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `key   value` lines, keys aligned. Null or undefined values are left out. */
export function keyValues(pairs: [string, string | number | boolean | null | undefined][]): string {
  const shown = pairs.filter((p): p is [string, string | number | boolean] => p[1] !== null && p[1] !== undefined);
  const w = Math.max(0, ...shown.map(([k]) => displayWidth(k)));
  return shown.map(([k, v]) => `${padEnd(k, w)}  ${safeForTerminal(String(v))}`).join('\n');
}

/** `[#######.......] 12/40` */
export function bar(done: number, total: number, width = 24): string {
  const f = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${done}/${total}`;
}

export function yesNo(b: boolean | null | undefined): string {
  return b === null || b === undefined ? '-' : b ? 'yes' : 'no';
}
