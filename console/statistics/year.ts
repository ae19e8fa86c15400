// The year's statistics across quarters, for the operations page and its XLSX export: one row per
// quarter (1–4, a quarter without statistics yet keeps its row, empty) and the year's total.
import { chineseQuarter } from '../../domain/documents/html';
import type { CampaignStats } from '../../workflows/definitions';

/** One quarter's campaign, as the campaign projection or `ssj quarter status` gives it. */
export interface QuarterStatsInput {
  programmeId: string;
  year: number;
  quarter: number;
  /** Null until the quarter has closed and its statistics exist. */
  stats: Pick<CampaignStats, 'drawn' | 'inspected' | 'onTime' | 'findings' | 'handedOver' | 'referred' | 'publishedOnTime'> | null;
  /** The campaign's phase, shown beside a quarter without statistics (e.g. `inspection`). */
  phase?: string | null;
}

export interface YearStatsCounts {
  drawn: number;
  inspected: number;
  /** Inspections with a result by their due date. */
  onTime: number;
  findings: number;
  handedOver: number;
  referred: number;
}

export interface YearStatsRow {
  quarter: 1 | 2 | 3 | 4;
  /** 第一季度 … */
  label: string;
  /** Null when the quarter has no statistics yet. */
  counts: YearStatsCounts | null;
  /** null: not published yet (or no statistics). */
  publishedOnTime: boolean | null;
  /** Why the row is empty, in Chinese (e.g. 检查进行中); '' when it has statistics. */
  note: string;
}

export interface YearStatistics {
  programmeId: string;
  year: number;
  rows: YearStatsRow[];
  /** Sum over the quarters with statistics. */
  total: YearStatsCounts;
  /** Quarters published on time, of those published. */
  published: { onTime: number; of: number };
}

export const COUNT_FIELDS = ['drawn', 'inspected', 'onTime', 'findings', 'handedOver', 'referred'] as const satisfies ReadonlyArray<keyof YearStatsCounts>;

const PHASE_NOTES: Record<string, string> = {
  'update-window': '名录更新期',
  freeze: '名录冻结中',
  draw: '待抽取',
  inspection: '检查进行中',
  publication: '待公示',
  parked: '暂停待处理',
  closed: '已结束',
};

export class YearStatisticsError extends Error {
  override name = 'YearStatisticsError';
}

/** Share as a whole percent, or null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((1000 * part) / whole) / 10 : null;
}

/**
 * The year's rows from its quarters' campaigns. Every quarter must be of this programme and year,
 * at most once, with whole non-negative counts; anything else is refused naming the quarter and
 * the field, since a silently wrong yearly figure would be reported upwards.
 */
export function yearStatistics(programmeId: string, year: number, quarters: readonly QuarterStatsInput[]): YearStatistics {
  const byQuarter = new Map<number, QuarterStatsInput>();
  for (const q of quarters) {
    const where = `${q.programmeId} ${q.year} Q${q.quarter}`;
    if (q.programmeId !== programmeId || q.year !== year) throw new YearStatisticsError(`${where}: not of programme ${programmeId}, year ${year}`);
    if (![1, 2, 3, 4].includes(q.quarter)) throw new YearStatisticsError(`${where}: quarter must be 1–4`);
    if (byQuarter.has(q.quarter)) throw new YearStatisticsError(`${where}: given twice (one campaign per quarter)`);
    if (q.stats) {
      for (const f of COUNT_FIELDS) {
        const v = q.stats[f];
        if (!Number.isInteger(v) || v < 0) throw new YearStatisticsError(`${where}: ${f} must be a whole number ≥ 0, got ${v}`);
      }
      if (q.stats.findings > q.stats.inspected) throw new YearStatisticsError(`${where}: findings (${q.stats.findings}) exceed inspected (${q.stats.inspected})`);
    }
    byQuarter.set(q.quarter, q);
  }
  const total: YearStatsCounts = { drawn: 0, inspected: 0, onTime: 0, findings: 0, handedOver: 0, referred: 0 };
  const published = { onTime: 0, of: 0 };
  const rows = ([1, 2, 3, 4] as const).map((quarter): YearStatsRow => {
    const q = byQuarter.get(quarter);
    const label = chineseQuarter(quarter);
    if (!q) return { quarter, label, counts: null, publishedOnTime: null, note: '未开展' };
    if (!q.stats) return { quarter, label, counts: null, publishedOnTime: null, note: (q.phase && PHASE_NOTES[q.phase]) || '尚无统计' };
    const counts = Object.fromEntries(COUNT_FIELDS.map((f) => [f, q.stats![f]])) as unknown as YearStatsCounts;
    for (const f of COUNT_FIELDS) total[f] += counts[f];
    if (q.stats.publishedOnTime !== null) {
      published.of++;
      if (q.stats.publishedOnTime) published.onTime++;
    }
    return { quarter, label, counts, publishedOnTime: q.stats.publishedOnTime, note: q.stats.publishedOnTime === null ? '尚未公示' : '' };
  });
  return { programmeId, year, rows, total, published };
}
