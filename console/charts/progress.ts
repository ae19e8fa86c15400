// Progress against the programme's dates: inspections finished so far (cumulative, by day) on the
// quarter's timeline, with the total to inspect, an even-pace reference line from the draw to the
// inspection due date, and labelled vertical lines for the draw, the inspection due date, the
// escalation and publication due dates and today. Marker labels are set in rows so that close
// dates never print over each other.
import { addDays, assertDate, daysBetween } from '../../domain/calendar';
import { chineseDate } from '../../domain/documents/html';
import type { CampaignStatus } from '../../workflows/definitions';
import { CHART_WIDTH, checkCount, COLOURS, FONT_SIZE, html, type Html, joinHtmlLines, legend, niceTicks, r1, svgShell, textWidth } from './svg';

export interface ProgressChartInput {
  /** Units to inspect this quarter (after replacements). */
  total: number;
  /** Inspections finished on each day (not cumulative); any order, a day may appear twice. */
  finishedPerDay: ReadonlyArray<{ date: string; count: number }>;
  /** The programme's dates, as CampaignStatus shows them. */
  dates: Pick<CampaignStatus['dates'], 'drawDue' | 'inspectionDue' | 'escalateAfter' | 'publicationDue'>;
  /** The day the draw was held; null or absent before it (then the draw's due date is marked). */
  drawnOn?: string | null;
  /** The day the results were published, once they are. */
  publishedOn?: string | null;
  /** Programme date today: the line stops here. */
  today: string;
  /** First day on the axis; default the first of the month of the earliest date shown. */
  from?: string;
}

interface Marker {
  date: string;
  label: string;
  dash: string | null;
  colour: string;
}

/** '2023-03-31' → '3月31日'. */
export function monthDay(date: string): string {
  return chineseDate(date).replace(/^\d{4}年/, '');
}

const LINE = { done: COLOURS.blue, pace: COLOURS.grey, total: COLOURS.ink };

export function progressChart(input: ProgressChartInput, opts: { id?: string; title?: string; width?: number } = {}): Html {
  const id = opts.id ?? 'chart-progress';
  const title = opts.title ?? '检查进度与计划时间节点';
  checkCount('total', input.total);
  const perDay = new Map<string, number>();
  for (const d of input.finishedPerDay) perDay.set(assertDate(d.date), (perDay.get(d.date) ?? 0) + checkCount(`count on ${d.date}`, d.count));
  const days = [...perDay].map(([date, count]) => ({ date, count })).sort((a, b) => (a.date < b.date ? -1 : 1));
  const today = assertDate(input.today);
  const { drawDue, inspectionDue, escalateAfter, publicationDue } = input.dates;
  const drawDay = input.drawnOn ?? null;
  // A deadline still pending (next year's holidays not yet recorded) has no marker.
  const markers = ([
    drawDay ? { date: drawDay, label: `抽取 ${monthDay(drawDay)}`, dash: null, colour: COLOURS.ink } : { date: drawDue, label: `抽取期限 ${monthDay(drawDue)}`, dash: null, colour: COLOURS.ink },
    { date: inspectionDue, label: `检查期限 ${monthDay(inspectionDue)}`, dash: '6 3', colour: COLOURS.ink },
    escalateAfter ? { date: escalateAfter, label: `逾期督办 ${monthDay(escalateAfter)}`, dash: '2 3', colour: COLOURS.vermillion } : null,
    input.publishedOn
      ? { date: input.publishedOn, label: `已公示 ${monthDay(input.publishedOn)}`, dash: '8 3 2 3', colour: COLOURS.ink }
      : publicationDue
        ? { date: publicationDue, label: `公示期限 ${monthDay(publicationDue)}`, dash: '8 3 2 3', colour: COLOURS.ink }
        : null,
    { date: today, label: `今天 ${monthDay(today)}`, dash: '1 2', colour: COLOURS.grey },
  ] as (Marker | null)[]).filter((m): m is Marker => m !== null);
  for (const m of markers) assertDate(m.date);

  const all = [...markers.map((m) => m.date), ...days.map((d) => d.date)].sort();
  const earliest = all[0] ?? today;
  const from = input.from ? assertDate(input.from) : `${earliest.slice(0, 7)}-01`;
  const to = all[all.length - 1] ?? today;
  const span = Math.max(1, daysBetween(from, to) + 1);

  // Layout: marker labels in rows on top, plot, month ticks, legend.
  const width = opts.width ?? CHART_WIDTH;
  const left = 50;
  const right = 12;
  const { plotW, placed, rows } = placeMarkerLabels(markers, { left, right: width - right, span, dayOf: (date) => Math.min(span, Math.max(0, daysBetween(from, date))) });
  const x = (date: string) => left + (Math.min(span, Math.max(0, daysBetween(from, date))) / span) * plotW;
  const rowH = FONT_SIZE + 6;
  const top = 10 + rows * rowH + 6;
  const plotH = 200;
  const bottom = top + plotH;

  let cumulative = 0;
  const visible = days.filter((d) => d.date >= from && d.date <= today);
  cumulative = days.filter((d) => d.date < from).reduce((a, d) => a + d.count, 0);
  const maxY = Math.max(input.total, days.reduce((a, d) => a + d.count, 0), 1);
  const ticks = niceTicks(maxY);
  const yMax = ticks[ticks.length - 1] ?? maxY;
  const y = (n: number) => bottom - (n / yMax) * plotH;

  // The cumulative line: a step at the end of each day with finishes, flat until today.
  const endOfDay = (date: string) => x(addDays(date, 1));
  let path = `M${r1(x(from))},${r1(y(cumulative))}`;
  for (const d of visible) {
    path += ` H${r1(endOfDay(d.date))}`;
    cumulative += d.count;
    path += ` V${r1(y(cumulative))}`;
  }
  const lineEnd = today < from ? x(from) : endOfDay(today > to ? to : today);
  path += ` H${r1(lineEnd)}`;
  const done = cumulative;
  const area = `${path} V${r1(bottom)} H${r1(x(from))} Z`;
  const paceStart = drawDay ?? drawDue;

  const monthTicks: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (d.endsWith('-01')) monthTicks.push(d);
  const tickLabels = monthTicks.length >= 2 ? monthTicks.map((d) => ({ d, label: `${Number(d.slice(5, 7))}月` })) : [from, to].map((d) => ({ d, label: monthDay(d) }));

  const lg = legend(
    id,
    [
      { line: { colour: LINE.done, dash: null }, label: `累计已检查（${done}家）` },
      { line: { colour: LINE.pace, dash: '3 3' }, label: '均衡进度参考' },
      { line: { colour: LINE.total, dash: '8 4' }, label: `应检查${input.total}家` },
    ],
    left,
    bottom + 28,
    plotW,
  );
  const pct = input.total > 0 ? `（${Math.round((100 * done) / input.total)}%）` : '';
  const desc =
    `截至${chineseDate(today)}，已检查${done}家，应检查${input.total}家${pct}。` + markers.filter((m) => m.date !== today).map((m) => m.label.replace(' ', '：')).join('；') + '。';

  const body = html`<g class="grid" font-size="${FONT_SIZE - 1}">
${joinHtmlLines(ticks.map((t, i) => html`<line x1="${left}" y1="${r1(y(t))}" x2="${r1(left + plotW)}" y2="${r1(y(t))}" stroke="${COLOURS.rule}" stroke-width="1"/><text x="${left - 6}" y="${r1(y(t) + 4)}" text-anchor="end">${t}${i === ticks.length - 1 ? '家' : ''}</text>`))}
${joinHtmlLines(tickLabels.map((t) => html`<line x1="${r1(x(t.d))}" y1="${bottom}" x2="${r1(x(t.d))}" y2="${bottom + 5}" stroke="${COLOURS.ink}"/><text x="${r1(x(t.d))}" y="${bottom + 19}" text-anchor="middle">${t.label}</text>`))}
</g>
<line x1="${left}" y1="${bottom}" x2="${r1(left + plotW)}" y2="${bottom}" stroke="${COLOURS.ink}" stroke-width="1"/>
<line x1="${left}" y1="${r1(y(input.total))}" x2="${r1(left + plotW)}" y2="${r1(y(input.total))}" stroke="${LINE.total}" stroke-width="1.5" stroke-dasharray="8 4"><title>应检查${input.total}家</title></line>
<line x1="${r1(x(paceStart))}" y1="${bottom}" x2="${r1(endOfDay(inspectionDue))}" y2="${r1(y(input.total))}" stroke="${LINE.pace}" stroke-width="1.5" stroke-dasharray="3 3"><title>均衡进度参考：${monthDay(paceStart)}至${monthDay(inspectionDue)}</title></line>
<path d="${area}" fill="${LINE.done}" fill-opacity="0.12" stroke="none"/>
<path d="${path}" fill="none" stroke="${LINE.done}" stroke-width="2.5" stroke-linejoin="round"><title>累计已检查${done}家</title></path>
<g class="markers">
${joinHtmlLines(
  placed.map((m) => {
    const ly = 10 + m.row * rowH + FONT_SIZE;
    return html`<g><title>${m.label.replace(' ', '：')}</title><line x1="${r1(m.mx)}" y1="${ly + 4}" x2="${r1(m.mx)}" y2="${bottom}" stroke="${m.colour}" stroke-width="1.5"${m.dash ? html` stroke-dasharray="${m.dash}"` : ''}/><text x="${r1(m.atEnd ? m.mx - 3 : m.mx + 3)}" y="${ly}"${m.atEnd ? html` text-anchor="end"` : ''}>${m.label}</text></g>`;
  }),
)}
</g>
${lg.svg}`;
  return svgShell({ id, width, height: bottom + 28 + lg.height + 6, title, desc, body });
}

interface PlacedMarker extends Marker {
  mx: number;
  row: number;
  /** The label ends at the line (text-anchor end) instead of starting there. */
  atEnd: boolean;
}

/**
 * Puts each marker's label in a row above the plot so that no two labels overlap and no marker
 * line (which runs from its label down to the axis) crosses another label: near the due dates the
 * lines are days apart and their labels would otherwise print over each other and over the lines.
 * Tries left-to-right and right-to-left placement, each label on either side of its line, and
 * narrows the plot (leaving room on the right) only when neither fits in MAX_ROWS rows.
 */
function placeMarkerLabels(
  markers: readonly Marker[],
  o: { left: number; right: number; span: number; dayOf: (date: string) => number },
): { plotW: number; placed: PlacedMarker[]; rows: number } {
  const MAX_ROWS = 5;
  const GAP = 4;
  const full = o.right - o.left;
  let best: { plotW: number; placed: PlacedMarker[]; rows: number } | null = null;
  for (let scale = 1; scale >= 0.4 && !best; scale -= 0.05) {
    const plotW = full * scale;
    const withX = markers.map((m) => ({ m, mx: o.left + (o.dayOf(m.date) / o.span) * plotW, w: textWidth(m.label) + 6 }));
    for (const order of [1, -1]) {
      const sorted = [...withX].sort((a, b) => order * (a.mx - b.mx));
      const done: Array<PlacedMarker & { a: number; b: number }> = [];
      let ok = true;
      for (const { m, mx, w } of sorted) {
        let spot: { row: number; atEnd: boolean; a: number; b: number } | null = null;
        for (let row = 0; row < MAX_ROWS && !spot; row++) {
          for (const atEnd of order === 1 ? [false, true] : [true, false]) {
            const [a, b] = atEnd ? [mx - w, mx] : [mx, mx + w];
            if (a < o.left - 40 || b > o.right) continue;
            const clash = done.some(
              (d) =>
                (d.row === row && a < d.b + GAP && b > d.a - GAP) || // two labels in one row
                (d.row < row && d.mx > a + 1 && d.mx < b - 1) || // a line from above runs through this label
                (d.row > row && mx > d.a + 1 && mx < d.b - 1), // this line would run through a label below
            );
            if (!clash) {
              spot = { row, atEnd, a, b };
              break;
            }
          }
        }
        if (!spot) {
          ok = false;
          break;
        }
        done.push({ ...m, mx, ...spot });
      }
      if (!ok) continue;
      const rows = Math.max(0, ...done.map((d) => d.row)) + 1;
      if (!best || rows < best.rows) best = { plotW, placed: done, rows };
    }
  }
  // Unreachable in practice (five markers); keep every label on its own row rather than fail.
  return best ?? { plotW: full, placed: markers.map((m, row) => ({ ...m, mx: o.left + (o.dayOf(m.date) / o.span) * full, row, atEnd: false })), rows: markers.length };
}
