// Shared pieces of the console's server-side SVG charts: the accessible shell, text measuring, fill
// patterns (so a chart reads without colour), the legend and the labelled horizontal bars. Only
// SVG presentation attributes are used, never `style`: the console's CSP forbids inline styles.
// Every text goes through domain/documents/html.ts's `html`, which escapes each interpolation.
import { FONT_SANS, Html, html, joinHtml } from '../../domain/documents/html';

export { Html, html };

/** Okabe–Ito colours (distinguishable with the common colour-vision deficiencies). */
export const COLOURS = {
  blue: '#0072B2',
  sky: '#56B4E9',
  green: '#009E73',
  orange: '#E69F00',
  vermillion: '#D55E00',
  grey: '#8C8C8C',
  ink: '#222222',
  rule: '#D0D0D0',
} as const;

/** A fill: a colour plus an overlay pattern, so neighbouring fills also differ in texture. */
export interface Fill {
  key: string;
  colour: string;
  pattern: 'solid' | 'diagonal' | 'cross' | 'dots' | 'horizontal';
}

export const FONT_SIZE = 14;

/**
 * The default viewBox width. Charts scale to their container: at 480 a 358 px phone column shows
 * the 14-unit text at about 10.5 px; on a desktop the page should cap the width (e.g.
 * `.ssj-chart { max-width: 720px }`) so that text does not grow past about 21 px.
 */
export const CHART_WIDTH = 480;

/** Approximate rendered width: CJK and full-width characters are 1 em, the rest about 0.6 em. */
export function textWidth(text: string, fontSize = FONT_SIZE): number {
  let em = 0;
  for (const ch of text) em += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/u.test(ch) ? 1 : 0.6;
  return em * fontSize;
}

/** Shortens `text` with … to fit `width` (the full text stays in the element's <title>). */
export function fitText(text: string, width: number, fontSize = FONT_SIZE): string {
  if (textWidth(text, fontSize) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (textWidth(`${out}${ch}…`, fontSize) > width) break;
    out += ch;
  }
  return `${out}…`;
}

/** Rounds to one decimal, so the markup stays short and stable. */
export const r1 = (n: number): string => String(Math.round(n * 10) / 10);

/** Axis ticks 0..≥max at a 1/2/5×10ⁿ step, about `count` of them. */
export function niceTicks(max: number, count = 4): number[] {
  const top = Math.max(1, max);
  const raw = top / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const ticks: number[] = [];
  for (let t = 0; t < top + step; t += step) ticks.push(t);
  return ticks;
}

/** `12（30%）`: a count with its share of `of`, rounded to whole percent. */
export function countWithShare(n: number, of: number): string {
  return of > 0 ? `${n}（${Math.round((100 * n) / of)}%）` : String(n);
}

/** Pattern defs for the fills; ids are `${prefix}-${key}` so several charts can share a page. */
export function fillDefs(prefix: string, fills: readonly Fill[]): Html {
  return joinHtml(
    fills.map((f) => {
      const id = `${prefix}-${f.key}`;
      const overlay =
        f.pattern === 'diagonal'
          ? html`<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="1.6"/>`
          : f.pattern === 'cross'
            ? html`<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#ffffff" stroke-width="1.3"/>`
            : f.pattern === 'dots'
              ? html`<circle cx="2" cy="2" r="1.3" fill="#ffffff"/><circle cx="6" cy="6" r="1.3" fill="#ffffff"/>`
              : f.pattern === 'horizontal'
                ? html`<path d="M0,2 h8 M0,6 h8" stroke="#ffffff" stroke-width="1.2"/>`
                : html``;
      return html`<pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${f.colour}"/>${overlay}</pattern>`;
    }),
    '\n',
  );
}

export const fillRef = (prefix: string, key: string): string => `url(#${prefix}-${key})`;

/**
 * A legend laid out in rows that wrap at `width`: swatch (with the fill's pattern) and label.
 * Returns the markup and the height it takes.
 */
export function legend(prefix: string, items: ReadonlyArray<{ fill?: Fill; line?: { colour: string; dash: string | null }; label: string }>, x0: number, y0: number, width: number): { svg: Html; height: number } {
  const row = FONT_SIZE + 8;
  let x = x0;
  let y = y0;
  const parts: Html[] = [];
  for (const item of items) {
    const w = 18 + textWidth(item.label) + 16;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += row;
    }
    const swatch = item.fill
      ? html`<rect x="${r1(x)}" y="${r1(y)}" width="13" height="13" fill="${fillRef(prefix, item.fill.key)}" stroke="${COLOURS.ink}" stroke-width="0.5"/>`
      : html`<line x1="${r1(x)}" y1="${r1(y + 7)}" x2="${r1(x + 13)}" y2="${r1(y + 7)}" stroke="${item.line?.colour ?? COLOURS.ink}" stroke-width="2.5"${item.line?.dash ? html` stroke-dasharray="${item.line.dash}"` : ''}/>`;
    parts.push(html`<g>${swatch}<text x="${r1(x + 18)}" y="${r1(y + 11)}">${item.label}</text></g>`);
    x += w;
  }
  return { svg: html`<g class="legend" font-size="${FONT_SIZE}">${joinHtml(parts, '')}</g>`, height: y - y0 + row };
}

/**
 * The accessible shell: role="img" with an aria-label (the title) and a description a screen
 * reader reads out (the numbers in words), <title> and <desc> for the same; width 100% of the
 * container and a viewBox, so it scales down to a phone.
 */
export function svgShell(o: { id: string; width: number; height: number; title: string; desc: string; defs?: Html; body: Html }): Html {
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="ssj-chart" id="${o.id}" viewBox="0 0 ${r1(o.width)} ${r1(o.height)}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="${o.title}" aria-describedby="${o.id}-desc" font-family="${FONT_SANS}" font-size="${FONT_SIZE}" fill="${COLOURS.ink}">
<title>${o.title}</title>
<desc id="${o.id}-desc">${o.desc}</desc>
${o.defs ? html`<defs>${o.defs}</defs>` : ''}
${o.body}
</svg>`;
}

export interface BarSegment {
  key: string;
  label: string;
  value: number;
}

export interface BarRow {
  label: string;
  /** Indented (a breakdown of the row above). */
  indent?: boolean;
  segments: BarSegment[];
  /** Written after the bar; default the sum of the segments. */
  note?: string;
}

/**
 * Labelled horizontal bars (stacked when a row has several segments), one row each, on a shared
 * scale. The label column shrinks to the longest label, up to 40% of the width; longer labels are
 * shortened with … and kept whole in the row's <title>. In stacked rows, counts are written inside
 * segments wide enough to hold them.
 */
export function horizontalBars(prefix: string, rows: readonly BarRow[], fills: readonly Fill[], x0: number, y0: number, width: number): { svg: Html; height: number } {
  const barH = 22;
  const gap = 10;
  const indent = FONT_SIZE;
  const labelW = Math.min(width * 0.4, Math.max(...rows.map((r) => textWidth(r.label) + (r.indent ? indent : 0)), 2 * FONT_SIZE)) + 8;
  const noteW = Math.max(...rows.map((r) => textWidth(r.note ?? String(sum(r.segments)))), FONT_SIZE) + 6;
  const barX = x0 + labelW;
  const barW = Math.max(20, width - labelW - noteW);
  const max = Math.max(1, ...rows.map((r) => sum(r.segments)));
  const fillOf = new Map(fills.map((f) => [f.key, f]));
  const parts = rows.map((row, i) => {
    const y = y0 + i * (barH + gap);
    const total = sum(row.segments);
    const lx = x0 + (row.indent ? indent : 0);
    const label = fitText(row.label, labelW - 8 - (row.indent ? indent : 0));
    let x = barX;
    const segs = row.segments
      .filter((s) => s.value > 0)
      .map((s) => {
        const w = (s.value / max) * barW;
        const fill = fillOf.get(s.key);
        const inside = row.segments.length > 1 && textWidth(String(s.value)) + 6 <= w;
        const seg = html`<g><title>${row.label}：${s.label} ${s.value}</title><rect x="${r1(x)}" y="${r1(y)}" width="${r1(w)}" height="${barH}" fill="${fill ? fillRef(prefix, fill.key) : COLOURS.grey}" stroke="#ffffff" stroke-width="1"/>${
          inside ? html`<text x="${r1(x + w / 2)}" y="${r1(y + barH / 2 + 4.5)}" text-anchor="middle" fill="#ffffff" stroke="${COLOURS.ink}" stroke-width="2.5" paint-order="stroke" font-weight="bold">${s.value}</text>` : ''
        }</g>`;
        x += w;
        return seg;
      });
    const note = row.note ?? String(total);
    return html`<g class="bar-row"><title>${row.label}：${row.segments.map((s) => `${s.label} ${s.value}`).join('，')}</title>
<text x="${r1(lx)}" y="${r1(y + barH / 2 + 4.5)}">${label}</text>
<rect x="${r1(barX)}" y="${r1(y)}" width="${r1(barW)}" height="${barH}" fill="#f4f4f4"/>
${joinHtml(segs, '')}
<text x="${r1(x + 4)}" y="${r1(y + barH / 2 + 4.5)}">${note}</text></g>`;
  });
  const axis = html`<line x1="${r1(barX)}" y1="${r1(y0 - 4)}" x2="${r1(barX)}" y2="${r1(y0 + rows.length * (barH + gap) - gap + 4)}" stroke="${COLOURS.ink}" stroke-width="1"/>`;
  return { svg: html`${joinHtml(parts, '\n')}${axis}`, height: rows.length * (barH + gap) - gap };
}

export function sum(segments: readonly { value: number }[]): number {
  return segments.reduce((a, s) => a + s.value, 0);
}

/** Counts must be whole and not negative: a clear error names the field. */
export function checkCount(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`chart data: ${what} must be a whole number ≥ 0, got ${n}`);
  return n;
}

/** Fragments one per line. */
export const joinHtmlLines = (parts: Html[]): Html => joinHtml(parts, '\n');
