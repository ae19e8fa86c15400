// 季度抽查 for operations: the quarters and the annual plan (/quarters), one quarter's page and its
// self-updating fragment (/quarter, /quarter/live) from the projection tables, one inspection as
// operations see it (/quarter/inspection), and the start of a quarter and of the annual plan
// through the same typed client functions as `ssj quarter start` and `ssj plan start`, as the
// signed-in person. A second start answers 已存在 naming the existing campaign, never an error page.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { annualPlanStatus, CampaignAmbiguousError, CampaignNotFoundError, findCampaign, inspectionWorkflowIdFor, startAnnualPlan, startCampaign } from '../client/temporal';
import { addDays, quarterStart } from '../domain/calendar';
import type { Programme, Quarter } from '../domain/programme';
import type { CampaignRow, InspectionRow } from '../stores/console-store';
import type { RegistryStore } from '../stores/registry-store';
import { annualPlanWorkflowId, type AnnualPlanStatus, type CampaignInput } from '../workflows/definitions';
import type { RouteContext } from './approvals';
import { attentionItems, campaignParked, departmentRows, findingsRows, programmeToday, progressInput, quarterCounts, quarterDates } from './quarter-figures';
import { problemPage } from './views/auth-pages';
import { planStartedPage, quarterInspectionPage, quarterLive, quarterPage, quarterStartedPage, quartersPage, type QuartersView } from './views/quarter';

/** What the operations pages need beyond the console's own settings. */
export interface OperationsDeps {
  programme: { id: string; name: string; year: number; rehearsalSecondsPerDay: number; publisher: string };
  /** The worker's task queue (runtime settings' SSJ_TASK_QUEUE). */
  taskQueue: string;
  /** The worker's data folder, where findCampaign reads the campaign store; null when not on this machine. */
  dataDir: string | null;
  /** The whole programme and the registries, for /programme (console/programme-page.ts); without them it says so. */
  config?: Programme;
  registry?: RegistryStore | null;
}

/** Who sees the quarter pages and may start a quarter: as `ssj quarter start` (client/commands/quarter.ts). */
export const OPERATIONS_ROLES = ['admin', 'detachment-leader', 'manager'] as const;
/** Who files the annual plan: as `ssj plan start`. */
export const PLAN_ROLES = ['admin', 'detachment-leader'] as const;

export function registerQuarter(app: FastifyInstance, ctx: RouteContext, temporal: Client, ops: OperationsDeps): void {
  const { store } = ctx;
  const { programme } = ops;
  const roles = (req: FastifyRequest) => req.signedIn!.roles;

  const campaignOf = async (id: unknown): Promise<CampaignRow | null> => (typeof id === 'string' && id.length <= 300 ? store.getCampaign(id) : null);
  const noSuchQuarter = (req: FastifyRequest, reply: FastifyReply) => ctx.html(reply, problemPage('季度不存在', '找不到此季度抽查，可能尚未启动或链接有误。', ctx.viewerOf(req)), 404);

  const planStatus = async (): Promise<AnnualPlanStatus | null> => {
    try {
      return await annualPlanStatus(temporal, programme.id, programme.year);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  };
  const quartersView = async (req: FastifyRequest, notice: string | null = null, error: string | null = null, entered: QuartersView['entered'] = null) =>
    quartersPage(ctx.viewerOf(req)!, {
      programme,
      campaigns: await store.listCampaigns(),
      plan: await planStatus(),
      canStart: roles(req).some((r) => (OPERATIONS_ROLES as readonly string[]).includes(r)),
      canPlan: roles(req).some((r) => (PLAN_ROLES as readonly string[]).includes(r)),
      rehearsalSecondsPerDay: programme.rehearsalSecondsPerDay,
      notice,
      error,
      entered,
    });

  const live = async (c: CampaignRow) => {
    const rows = await store.listInspections({ campaignId: c.campaignId });
    const dates = quarterDates(c);
    const today = dates ? programmeToday(c, dates, rows, ctx.now()) : null;
    const tasks = dates ? await store.listTasksOfCampaign(c.campaignId, ['done']) : [];
    const { overdue, parked } = attentionItems(rows);
    return quarterLive({
      campaignId: c.campaignId,
      counts: quarterCounts(rows),
      today: today ?? '',
      updatedAt: ctx.now(),
      overdue,
      parked,
      progress: dates && today && rows.length ? progressInput(c, dates, rows, tasks, today) : null,
      departments: departmentRows(rows),
      findings: findingsRows(rows),
    });
  };

  app.get('/quarters', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    return ctx.html(reply, await quartersView(req));
  });

  app.get('/quarter', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const c = await campaignOf((req.query as Record<string, unknown>).campaign);
    if (!c) return noSuchQuarter(req, reply);
    return ctx.html(reply, quarterPage(ctx.viewerOf(req)!, { campaign: c, dates: quarterDates(c), parked: campaignParked(c), live: await live(c) }));
  });

  app.get('/quarter/live', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const c = await campaignOf((req.query as Record<string, unknown>).campaign);
    if (!c) return noSuchQuarter(req, reply);
    // A fragment for htmx; opened directly (no htmx), the whole page.
    if (req.headers['hx-request'] !== 'true') return reply.redirect(`/quarter?campaign=${encodeURIComponent(c.campaignId)}`, 303);
    return ctx.html(reply, (await live(c)).value);
  });

  app.get('/quarter/inspection', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const q = req.query as Record<string, unknown>;
    const c = await campaignOf(q.campaign);
    const unit = typeof q.unit === 'string' && q.unit.length <= 100 ? q.unit : null;
    let row: InspectionRow | null = null;
    if (c && unit) {
      row = await store.getInspection(inspectionWorkflowIdFor(temporal, c.campaignId, unit));
      row ??= (await store.listInspections({ campaignId: c.campaignId })).find((r) => r.unitId === unit) ?? null;
    }
    if (!row) return ctx.html(reply, problemPage('检查事项不存在', '找不到此检查事项，可能链接有误。', ctx.viewerOf(req)), 404);
    const tasks = await store.listTasksOfInspection(row.workflowId, ['open', 'done', 'cancelled']);
    const ids = [...new Set([...row.team, ...tasks.map((t) => t.decidedBy).filter((p): p is string => p !== null)])];
    const names = new Map(await Promise.all(ids.map(async (id) => [id, `${(await ctx.personName(id)) ?? id}（${id}）`] as const)));
    return ctx.html(reply, quarterInspectionPage(ctx.viewerOf(req)!, row, tasks, (id) => names.get(id) ?? id));
  });

  // ---- start a quarter: the checks and calls of `ssj quarter start` ------------------------------
  app.post('/quarter/start', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const body = req.body as Record<string, unknown>;
    const quarter = Number(body.quarter) as Quarter;
    const secondsText = typeof body.secondsPerDay === 'string' ? body.secondsPerDay.trim().slice(0, 20) : '';
    const entered = { quarter: [1, 2, 3, 4].includes(quarter) ? quarter : 1, rehearsal: body.rehearsal === '1', secondsPerDay: secondsText };
    if (![1, 2, 3, 4].includes(quarter)) return ctx.html(reply, await quartersView(req, null, '请选择第一至第四季度。', entered), 400);
    const input: CampaignInput = { programmeId: programme.id, year: programme.year, quarter };
    if (body.rehearsal === '1') {
      const spd = secondsText === '' ? NaN : Number(secondsText);
      if (!Number.isFinite(spd) || spd <= 0 || spd > 86_400) return ctx.html(reply, await quartersView(req, null, `演练模式：“每个计划日折合秒数”须是大于0且不超过86400的数（如 2），现为“${secondsText}”。`, entered), 400);
      input.clock = { mode: 'rehearsal', programmeStart: addDays(quarterStart(programme.year, quarter), -3), secondsPerDay: spd };
    }
    const viewer = ctx.viewerOf(req)!;
    const exists = async (campaignId: string) => {
      await ctx.audit(req, 'quarter.start-exists', campaignId, { year: programme.year, quarter });
      return ctx.html(reply, quarterStartedPage(viewer, { year: programme.year, quarter, campaignId, existed: true }));
    };
    // The projection first, then the same lookup as the command line (campaign store, then Temporal):
    // a quarter its Schedule started has another workflow id, which Temporal's id rule would not stop.
    const projected = (await store.listCampaigns({ year: programme.year, programmeId: programme.id })).find((c) => c.quarter === quarter);
    if (projected) return exists(projected.campaignId);
    const found = await findCampaign(temporal, { programmeId: programme.id, year: programme.year, quarter }, ops.dataDir !== null ? { dataDir: ops.dataDir } : {}).catch((err: unknown) => {
      if (err instanceof CampaignNotFoundError) return null;
      if (err instanceof CampaignAmbiguousError) return { workflowId: err.candidates.map((c) => c.workflowId).join('、') };
      throw err;
    });
    if (found) return exists(found.workflowId);
    let campaignId: string;
    try {
      campaignId = (await startCampaign(temporal, input, { taskQueue: ops.taskQueue })).workflowId;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return exists(err.workflowId);
      throw err;
    }
    await ctx.audit(req, 'quarter.start', campaignId, { year: programme.year, quarter, ...(input.clock?.mode === 'rehearsal' ? { rehearsalSecondsPerDay: input.clock.secondsPerDay } : {}) });
    return ctx.html(reply, quarterStartedPage(viewer, { year: programme.year, quarter, campaignId, existed: false }));
  });

  // ---- the annual plan: `ssj plan start` -----------------------------------------------------------
  app.post('/plan/start', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, PLAN_ROLES))) return;
    const viewer = ctx.viewerOf(req)!;
    const workflowId = annualPlanWorkflowId(programme.id, programme.year);
    try {
      await startAnnualPlan(temporal, { programmeId: programme.id, year: programme.year }, { taskQueue: ops.taskQueue });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        await ctx.audit(req, 'plan.start-exists', workflowId, { year: programme.year });
        return ctx.html(reply, planStartedPage(viewer, { year: programme.year, workflowId, existed: true }));
      }
      throw err;
    }
    await ctx.audit(req, 'plan.start', workflowId, { year: programme.year });
    return ctx.html(reply, planStartedPage(viewer, { year: programme.year, workflowId, existed: false }));
  });
}
