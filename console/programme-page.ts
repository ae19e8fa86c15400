// 抽查计划与名额 (/programme): what `ssj programme check` and `ssj quotas` print, from the same
// domain functions (quarterCalendar, programmeWarnings, computeQuotas on the registry snapshot at
// a date), and the quarterly Schedules of `ssj plan schedule` (POST /programme/schedule, the same
// scheduleQuarterCampaigns), so operations need not use the command line for them.
// Schedules that all exist already answer 已存在, never an error page; Temporal down propagates
// (the server's error handler answers 系统繁忙).
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { campaignScheduleId, scheduleQuarterCampaigns, updateWindowOpens } from '../client/temporal';
import { addWorkingDays, beijingDate, CalendarError, isRealDate, quarterOf } from '../domain/calendar';
import { campaignCode, programmeWarnings, quarterCalendar, quarters, type Programme, type Quarter } from '../domain/programme';
import { computeQuotas, type QuotaReport } from '../domain/quotas';
import type { RegistryStore } from '../stores/registry-store';
import type { RouteContext } from './approvals';
import { OPERATIONS_ROLES, PLAN_ROLES, type OperationsDeps } from './quarter';
import { problemPage } from './views/auth-pages';
import { programmePage, scheduledPage, schedulableQuarters, type ScheduleRow } from './views/programme';

/** Checks end + N working days; null past the bundled holiday calendar's years. */
function publicationDue(inspectionDue: string, days: number): string | null {
  try {
    return addWorkingDays(inspectionDue, days);
  } catch (err) {
    if (err instanceof CalendarError) return null;
    throw err;
  }
}

export function registerProgramme(app: FastifyInstance, ctx: RouteContext, temporal: Client, ops: OperationsDeps): void {
  const roles = (req: FastifyRequest) => req.signedIn!.roles;

  /** Each quarter's Schedule, read as `ssj plan schedule` names it. */
  const schedules = async (programmeId: string, year: number): Promise<ScheduleRow[]> =>
    Promise.all(
      quarters.map(async (quarter): Promise<ScheduleRow> => {
        const scheduleId = campaignScheduleId(programmeId, year, quarter);
        const opens = updateWindowOpens(year, quarter);
        try {
          const d = await temporal.schedule.getHandle(scheduleId).describe();
          return { quarter, scheduleId, opens, exists: true, remaining: d.state.remainingActions ?? null };
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) return { quarter, scheduleId, opens, exists: false, remaining: null };
          throw err;
        }
      }),
    );

  app.get('/programme', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const viewer = ctx.viewerOf(req)!;
    const p: Programme | undefined = ops.config;
    if (!p) return ctx.html(reply, problemPage('抽查计划不可用', '本工作台未加载抽查计划配置（config/programme.json），请用命令行 ssj programme check 查看。', viewer), 503);
    const q = req.query as Record<string, unknown>;
    const today = beijingDate(ctx.now().getTime());
    const bad = (field: string, rule: string) => ctx.html(reply, problemPage('查询条件有误', `${field}：${rule}`, viewer), 400);
    let quarter: Quarter;
    if (q.quarter === undefined || q.quarter === '') {
      const t = quarterOf(today);
      quarter = t.year === p.year ? t.quarter : 1;
    } else {
      const n = Number(q.quarter);
      if (typeof q.quarter !== 'string' || !/^[1-4]$/.test(q.quarter)) return bad('季度', '须为1至4。');
      quarter = n as Quarter;
    }
    // As `ssj quotas`: by default the registry as the quarter's freeze will read it.
    let date = quarterCalendar(p, quarter).previousQuarterEnd;
    const dateGiven = q.date !== undefined && q.date !== '';
    if (dateGiven) {
      if (typeof q.date !== 'string' || !isRealDate(q.date.trim())) return bad('名录日期', '须为真实日期，格式 YYYY-MM-DD。');
      date = q.date.trim();
    }
    const registry: RegistryStore | null = ops.registry ?? null;
    // As `ssj quotas`: the registry snapshot at the date, then computeQuotas.
    const snapshot = registry ? await registry.snapshotAt(date) : null;
    const quotas: QuotaReport | null = snapshot ? computeQuotas(snapshot, p, quarter) : null;
    const dates = quarters.map((qq) => {
      const c = quarterCalendar(p, qq);
      return { quarter: qq, code: campaignCode(p, qq), registryAsOf: c.previousQuarterEnd, drawDue: c.drawDue, inspectionDue: c.inspectionDue, publicationDue: publicationDue(c.inspectionDue, p.deadlines.publicationWorkingDays) };
    });
    return ctx.html(
      reply,
      programmePage(viewer, {
        programme: p,
        dates,
        warnings: programmeWarnings(p),
        quarter,
        date,
        dateGiven,
        quotas,
        schedules: await schedules(p.id, p.year),
        today,
        canSchedule: roles(req).some((r) => (PLAN_ROLES as readonly string[]).includes(r)),
        ...(snapshot ? { departmentNames: new Map(snapshot.departments.map((d) => [d.id, d.name])) } : {}),
      }),
    );
  });

  // ---- `ssj plan schedule`: the four quarters' Schedules ---------------------------------------
  app.post('/programme/schedule', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, PLAN_ROLES))) return;
    const viewer = ctx.viewerOf(req)!;
    const { id, year } = ops.programme;
    const before = await schedules(id, year);
    const existing = before.filter((s) => s.exists).map((s) => s.scheduleId);
    // Only quarters whose start day is still ahead: a schedule for a past day would never fire.
    const due = schedulableQuarters(before, beijingDate(ctx.now().getTime()));
    if (due.length === 0) {
      await ctx.audit(req, 'plan.schedule-exists', `ssj-${id}-${year}`, { year, schedules: existing });
      return ctx.html(reply, scheduledPage(viewer, { year, created: [], existing }));
    }
    // The same call as the command line, for those quarters; it leaves existing ones as they are.
    const ids = await scheduleQuarterCampaigns(temporal, { programmeId: id, year, quarters: due, taskQueue: ops.taskQueue });
    const created = ids.filter((s) => !existing.includes(s));
    await ctx.audit(req, 'plan.schedule', `ssj-${id}-${year}`, { year, created, existing });
    return ctx.html(reply, scheduledPage(viewer, { year, created, existing }));
  });
}
