// The operations figures of one quarter, from the console's projection rows only (the rows the
// workflows write through activities), never from Temporal's list queries: the progress counts,
// the open items that need attention, the inputs of the three charts, and the year-table counts
// of a quarter that has not closed yet.
import { beijingDate } from '../domain/calendar';
import type { CampaignRow, InspectionRow, TaskRow } from '../stores/console-store';
import { departmentProgress, findingsFromStats, type DepartmentProgress, type FindingsCounts, type ProgressChartInput } from './charts';
import type { YearStatsCounts } from './statistics/year';

/** The programme's dates as the campaign projection carries them (detail.dates); null: pending (next year's holidays not yet recorded). */
export interface QuarterDates {
  windowCloses: string;
  drawDue: string;
  inspectionDue: string;
  escalateAfter: string | null;
  publicationDue: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The campaign row's dates, or null when the row does not carry all of them yet (the two January ones may be pending: null). */
export function quarterDates(c: CampaignRow): QuarterDates | null {
  const d = (c.detail as { dates?: Record<string, unknown> }).dates ?? {};
  const keys = ['windowCloses', 'drawDue', 'inspectionDue', 'escalateAfter', 'publicationDue'] as const;
  const pendable = new Set<string>(['escalateAfter', 'publicationDue']);
  if (!keys.every((k) => (typeof d[k] === 'string' && DATE.test(d[k] as string)) || (d[k] === null && pendable.has(k)))) return null;
  return Object.fromEntries(keys.map((k) => [k, d[k]])) as unknown as QuarterDates;
}

export function campaignParked(c: CampaignRow): { step: string; reason: string } | null {
  const p = (c.detail as { parked?: { step?: unknown; reason?: unknown } | null }).parked;
  return p && typeof p.step === 'string' ? { step: p.step, reason: typeof p.reason === 'string' ? p.reason : '' } : null;
}

const HANDED_OVER = new Set(['supervision-notice', 'transfer-form']);
const handlingOf = (r: InspectionRow): string | null => {
  const h = (r.detail as { handling?: unknown }).handling;
  return typeof h === 'string' ? h : null;
};
const replacedByOf = (r: InspectionRow): string | null => {
  const v = (r.detail as { replacedBy?: unknown }).replacedBy;
  return typeof v === 'string' ? v : null;
};
const isOpen = (r: InspectionRow) => r.phase !== 'done' && r.phase !== 'replaced';

export interface QuarterCounts {
  /** Units drawn (replacement units not counted again). */
  drawn: number;
  /** Inspections to carry out now: drawn, with each replaced unit counted as its replacement. */
  toInspect: number;
  resultIn: number;
  /** Open and past their due date. */
  overdue: number;
  parked: number;
  /** Handed over by 监察通知 or 移交表, or referred to another agency (移送). */
  handedOver: number;
  done: number;
}

export function quarterCounts(rows: readonly InspectionRow[]): QuarterCounts {
  const replacements = new Set(rows.map(replacedByOf).filter((u): u is string => u !== null));
  return {
    drawn: rows.filter((r) => !replacements.has(r.unitId)).length,
    toInspect: rows.filter((r) => r.phase !== 'replaced').length,
    resultIn: rows.filter((r) => r.outcome !== null).length,
    overdue: rows.filter((r) => isOpen(r) && r.overdue).length,
    parked: rows.filter((r) => r.parked).length,
    handedOver: rows.filter((r) => HANDED_OVER.has(handlingOf(r) ?? '') || handlingOf(r) === 'referral').length,
    done: rows.filter((r) => r.phase === 'done').length,
  };
}

/** Open inspections past their due date, and parked ones: what operations should look at. */
export function attentionItems(rows: readonly InspectionRow[]): { overdue: InspectionRow[]; parked: InspectionRow[] } {
  const byDue = (a: InspectionRow, b: InspectionRow) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999') || a.unitId.localeCompare(b.unitId);
  return {
    overdue: rows.filter((r) => isOpen(r) && r.overdue && !r.parked).sort(byDue),
    parked: rows.filter((r) => r.parked).sort(byDue),
  };
}

/** The department chart's rows: in the order departments first appear, named as the projection names them. */
export function departmentRows(rows: readonly InspectionRow[]): DepartmentProgress[] {
  const departments = new Map<string, string>();
  for (const r of [...rows].sort((a, b) => a.department.localeCompare(b.department))) {
    const name = (r.detail as { departmentName?: unknown }).departmentName;
    if (!departments.has(r.department)) departments.set(r.department, typeof name === 'string' ? name : r.department);
  }
  // A finished inspection flagged overdue was finished late (the workflow marks it at the limit).
  return departmentProgress(
    [...departments].map(([id, name]) => ({ id, name })),
    rows.map((r) => ({ department: r.department, phase: r.phase, overdue: r.overdue, parked: r.parked, onTime: r.phase === 'done' ? !r.overdue : null })),
  );
}

/** Year-table counts from the projection (a quarter still running; a closed one has the workflow's own statistics). */
export function projectedCounts(rows: readonly InspectionRow[]): YearStatsCounts & { notInspected: number; ownCases: number } {
  const c = quarterCounts(rows);
  const inspected = rows.filter((r) => r.outcome === 'no-problem' || r.outcome === 'problems-found').length;
  return {
    drawn: c.drawn,
    inspected,
    onTime: rows.filter((r) => r.outcome !== null && r.phase !== 'replaced' && !r.overdue).length,
    findings: rows.filter((r) => r.outcome === 'problems-found').length,
    handedOver: rows.filter((r) => HANDED_OVER.has(handlingOf(r) ?? '')).length,
    referred: rows.filter((r) => handlingOf(r) === 'referral').length,
    notInspected: rows.filter((r) => r.outcome === 'could-not-inspect').length,
    ownCases: rows.filter((r) => handlingOf(r) === 'own-case').length,
  };
}

export function findingsRows(rows: readonly InspectionRow[]): FindingsCounts {
  const c = projectedCounts(rows);
  return findingsFromStats({ inspected: c.inspected, findings: c.findings, ownCases: c.ownCases, handedOver: c.handedOver, referred: c.referred, notInspected: c.notInspected });
}

/**
 * The day shown as "today" on the quarter's timeline: the real date while it falls within the
 * programme's dates; otherwise (a rehearsal on compressed days, a quarter long closed) the day of
 * the latest change the workflows wrote, which is programme time.
 */
export function programmeToday(c: CampaignRow, dates: QuarterDates, rows: readonly InspectionRow[], now: Date): string {
  // A rehearsal that recorded its clock says its own date; older rows fall back to the guess below.
  const rehearsal = rehearsalDate(c);
  if (rehearsal) return rehearsal;
  const real = beijingDate(now.getTime());
  // Pending deadlines: the quarter is still running, so it ends later than any day yet.
  if (real >= dates.windowCloses && (dates.publicationDue === null || real <= dates.publicationDue)) return real;
  const latest = Math.max(c.updatedAt.getTime(), ...rows.map((r) => r.updatedAt.getTime()));
  return beijingDate(latest);
}

/** Each rehearsal quarter's own programme date (rehearsalDate), by campaign: task lists count its deadlines on it. */
export function rehearsalTodays(campaigns: readonly CampaignRow[]): Map<string, string> {
  const days = new Map<string, string>();
  for (const c of campaigns) {
    const d = rehearsalDate(c);
    if (d) days.set(c.campaignId, d);
  }
  return days;
}

/**
 * The programme date of a rehearsal quarter (演练), as of its latest projection write; null for a
 * quarter on the real calendar (programme and real instants within half a day of each other).
 */
export function rehearsalDate(c: CampaignRow): string | null {
  const clock = (c.detail as { clock?: { programmeAt?: unknown; recordedAt?: unknown } }).clock;
  const programmeAt = typeof clock?.programmeAt === 'string' ? Date.parse(clock.programmeAt) : NaN;
  const recordedAt = typeof clock?.recordedAt === 'string' ? Date.parse(clock.recordedAt) : NaN;
  if (Number.isNaN(programmeAt) || Number.isNaN(recordedAt) || Math.abs(programmeAt - recordedAt) < 12 * 3_600_000) return null;
  return beijingDate(programmeAt);
}

/** The progress chart's input: result tasks done, by the Beijing day their result came in. */
export function progressInput(c: CampaignRow, dates: QuarterDates, rows: readonly InspectionRow[], resultTasks: readonly TaskRow[], today: string): ProgressChartInput {
  const perDay = new Map<string, number>();
  for (const t of resultTasks) {
    if (t.kind !== 'result' || t.status !== 'done' || !t.decidedAt) continue;
    const day = beijingDate(t.decidedAt.getTime());
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const published = (c.detail as { publishedOn?: unknown }).publishedOn;
  return {
    total: quarterCounts(rows).toInspect,
    finishedPerDay: [...perDay].map(([date, count]) => ({ date, count })),
    dates,
    drawnOn: null,
    publishedOn: typeof published === 'string' && DATE.test(published) ? published : null,
    today,
  };
}
