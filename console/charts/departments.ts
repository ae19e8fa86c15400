// The quarter by department: one stacked horizontal bar per department, split into done on time,
// done late, open, overdue and parked.
import type { InspectionPhase } from '../../workflows/definitions';
import { CHART_WIDTH, checkCount, COLOURS, type Fill, fillDefs, horizontalBars, html, type Html, legend, svgShell } from './svg';

export type ProgressState = 'doneOnTime' | 'doneLate' | 'open' | 'overdue' | 'parked';

export interface DepartmentProgress {
  /** Department code, e.g. `section-1`. */
  department: string;
  /** Display name, e.g. 执法一科. */
  name: string;
  doneOnTime: number;
  doneLate: number;
  /** Not finished and not yet past the due date. */
  open: number;
  /** Not finished and past the due date. */
  overdue: number;
  /** Waiting for data to be fixed (a step parked). */
  parked: number;
}

export const PROGRESS_STATES: ReadonlyArray<{ key: ProgressState; label: string; fill: Fill }> = [
  { key: 'doneOnTime', label: '按期完成', fill: { key: 'doneOnTime', colour: COLOURS.green, pattern: 'solid' } },
  { key: 'doneLate', label: '逾期完成', fill: { key: 'doneLate', colour: COLOURS.orange, pattern: 'diagonal' } },
  { key: 'open', label: '进行中', fill: { key: 'open', colour: COLOURS.sky, pattern: 'horizontal' } },
  { key: 'overdue', label: '已逾期未完成', fill: { key: 'overdue', colour: COLOURS.vermillion, pattern: 'cross' } },
  { key: 'parked', label: '暂停待处理', fill: { key: 'parked', colour: COLOURS.grey, pattern: 'dots' } },
];

/**
 * Which bar segment an inspection belongs to, from what its status shows (InspectionStatus, or
 * the console's inspection projection): null for a replaced unit (its replacement is counted).
 */
export function progressStateOf(i: { phase: InspectionPhase | string; overdue: boolean; parked?: boolean; onTime?: boolean | null }): ProgressState | null {
  if (i.phase === 'replaced') return null;
  if (i.parked || i.phase === 'parked') return 'parked';
  if (i.phase === 'done') return i.onTime === false ? 'doneLate' : 'doneOnTime';
  return i.overdue ? 'overdue' : 'open';
}

/** Sums inspections into one DepartmentProgress per department, in the order of `departments`. */
export function departmentProgress(
  departments: ReadonlyArray<{ id: string; name: string }>,
  inspections: ReadonlyArray<{ department: string; phase: InspectionPhase | string; overdue: boolean; parked?: boolean; onTime?: boolean | null }>,
): DepartmentProgress[] {
  const rows = new Map(departments.map((d) => [d.id, { department: d.id, name: d.name, doneOnTime: 0, doneLate: 0, open: 0, overdue: 0, parked: 0 }]));
  for (const i of inspections) {
    const state = progressStateOf(i);
    if (!state) continue;
    let row = rows.get(i.department);
    if (!row) rows.set(i.department, (row = { department: i.department, name: i.department, doneOnTime: 0, doneLate: 0, open: 0, overdue: 0, parked: 0 }));
    row[state]++;
  }
  return [...rows.values()];
}

/** Stacked bars by department; `id` must be unique on the page (it prefixes the pattern ids). */
export function departmentChart(rows: readonly DepartmentProgress[], opts: { id?: string; title?: string; width?: number } = {}): Html {
  const id = opts.id ?? 'chart-departments';
  const title = opts.title ?? '各部门检查进度';
  for (const r of rows) for (const s of PROGRESS_STATES) checkCount(`${r.department}.${s.key}`, r[s.key]);
  const width = opts.width ?? CHART_WIDTH;
  const pad = 12;
  const lg = legend(
    id,
    PROGRESS_STATES.map((s) => ({ fill: s.fill, label: s.label })),
    pad,
    pad,
    width - 2 * pad,
  );
  const barsTop = pad + lg.height + 10;
  const bars = horizontalBars(
    id,
    rows.map((r) => ({ label: r.name, segments: PROGRESS_STATES.map((s) => ({ key: s.key, label: s.label, value: r[s.key] })), note: `共${PROGRESS_STATES.reduce((a, s) => a + r[s.key], 0)}` })),
    PROGRESS_STATES.map((s) => s.fill),
    pad,
    barsTop,
    width - 2 * pad,
  );
  const desc = rows.length
    ? rows.map((r) => `${r.name}：${PROGRESS_STATES.map((s) => `${s.label}${r[s.key]}家`).join('，')}`).join('；') + '。'
    : '尚无检查任务。';
  return svgShell({
    id,
    width,
    height: barsTop + Math.max(bars.height, 20) + pad,
    title,
    desc,
    defs: fillDefs(
      id,
      PROGRESS_STATES.map((s) => s.fill),
    ),
    body: html`${lg.svg}
${rows.length ? bars.svg : html`<text x="${pad}" y="${barsTop + 14}">尚无检查任务</text>`}`,
  });
}
