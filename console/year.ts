// 年度统计: the year's statistics across quarters (drawn, inspected, on time, findings, handed
// over, referred, published on time), on a page and as XLSX. A closed quarter reports the
// statistics its campaign workflow computed (the same as `ssj quarter status`); a running one the
// counts so far from the projection, marked 尚未公示.
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { campaignStatus } from '../client/temporal';
import { beijingDate } from '../domain/calendar';
import type { CampaignRow } from '../stores/console-store';
import type { RouteContext } from './approvals';
import { OPERATIONS_ROLES, type OperationsDeps } from './quarter';
import { projectedCounts } from './quarter-figures';
import { yearStatisticsXlsx } from './statistics/xlsx';
import { yearStatistics, type QuarterStatsInput, type YearStatistics } from './statistics/year';
import { problemPage } from './views/auth-pages';
import { yearPage } from './views/year';

const PHASE_ORDER = ['update-window', 'freeze', 'draw', 'inspection', 'publication', 'parked', 'closed'];

/** One campaign per quarter: a refused second campaign (beside a Schedule's) never gets past its first step. */
function onePerQuarter(campaigns: readonly CampaignRow[]): CampaignRow[] {
  const best = new Map<number, CampaignRow>();
  for (const c of campaigns) {
    const b = best.get(c.quarter);
    if (!b || PHASE_ORDER.indexOf(c.phase) > PHASE_ORDER.indexOf(b.phase) || (c.phase === b.phase && c.revision > b.revision)) best.set(c.quarter, c);
  }
  return [...best.values()];
}

/** The year's statistics of the console's programme from the campaign and inspection projections. */
export async function collectYearStatistics(ctx: Pick<RouteContext, 'store'>, temporal: Client | null, programmeId: string, year: number): Promise<YearStatistics> {
  const campaigns = onePerQuarter(await ctx.store.listCampaigns({ year, programmeId }));
  const quarters = await Promise.all(
    campaigns.map(async (c): Promise<QuarterStatsInput> => {
      const base = { programmeId, year, quarter: c.quarter, phase: c.phase };
      if (c.phase === 'closed' && temporal) {
        try {
          const st = await campaignStatus(temporal, c.campaignId);
          if (st.stats) return { ...base, stats: st.stats };
        } catch {
          // Gone from Temporal (retention) or not answering: the projection's counts, publication unknown.
        }
      }
      const rows = await ctx.store.listInspections({ campaignId: c.campaignId });
      if (rows.length === 0) return { ...base, stats: null };
      const k = projectedCounts(rows);
      return { ...base, stats: { drawn: k.drawn, inspected: k.inspected, onTime: k.onTime, findings: k.findings, handedOver: k.handedOver, referred: k.referred, publishedOnTime: null } };
    }),
  );
  return yearStatistics(programmeId, year, quarters);
}

/** The years /year and /year.xlsx accept, both included. */
const FIRST_YEAR = 2000;
const LAST_YEAR = 2100;

export function registerYear(app: FastifyInstance, ctx: RouteContext, temporal: Client, ops: OperationsDeps): void {
  const { programme } = ops;
  const yearOf = (q: unknown): number | null => {
    const y = (q as Record<string, unknown>).year;
    if (y === undefined || y === '') return programme.year;
    return typeof y === 'string' && /^\d{4}$/.test(y) && Number(y) >= FIRST_YEAR && Number(y) <= LAST_YEAR ? Number(y) : null;
  };
  const badYear = `年份须为${FIRST_YEAR}至${LAST_YEAR}之间的四位数字，例如2023。`;

  app.get('/year', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const year = yearOf(req.query);
    if (year === null) return ctx.html(reply, problemPage('年份有误', badYear, ctx.viewerOf(req)), 400);
    const stats = await collectYearStatistics(ctx, temporal, programme.id, year);
    return ctx.html(reply, yearPage(ctx.viewerOf(req)!, stats, programme.name, beijingDate(ctx.now().getTime())));
  });

  app.get('/year.xlsx', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const year = yearOf(req.query);
    if (year === null) return ctx.html(reply, problemPage('年份有误', badYear, ctx.viewerOf(req)), 400);
    const stats = await collectYearStatistics(ctx, temporal, programme.id, year);
    const asOf = beijingDate(ctx.now().getTime());
    const bytes = await yearStatisticsXlsx(stats, { programmeName: programme.name, publisher: programme.publisher, asOf });
    await ctx.audit(req, 'year.export', `${programme.id}/${year}`, { asOf });
    // RFC 5987: the Chinese file name for browsers, an ASCII one for the rest.
    const name = `${year}年度统计表.xlsx`;
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="ssj-${programme.id}-${year}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(bytes);
  });
}
