// 季度抽查 for operations: the quarters and the annual plan (/quarters), one quarter's page and its
// self-updating fragment (/quarter, /quarter/live) from the projection tables, one inspection as
// operations see it (/quarter/inspection), and the start of a quarter and of the annual plan
// through the same typed client functions as `ssj quarter start` and `ssj plan start`, as the
// signed-in person. A second start answers 已存在 naming the existing campaign, never an error page.
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { annualPlanStatus, CampaignAmbiguousError, CampaignNotFoundError, findCampaign, inspectionWorkflowIdFor, startAnnualPlan, startCampaign } from '../client/temporal';
import { addDays, beijingDate, quarterStart } from '../domain/calendar';
import { chineseDate } from '../domain/documents/html';
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

/** How long the plan's start waits for the filing before saying it is under way. */
const PLAN_WAIT_MS = 15_000;

/** A failed plan filing in the words an official reads (its system message kept in brackets). */
export function planFailureText(err: unknown): string {
  const cause = err instanceof WorkflowFailedError ? (err.cause?.cause ?? err.cause) : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  const year = /number "[^"]*" is of (\d{4}), but the document is issued on (\d{4}-\d{2}-\d{2})/.exec(message);
  if (year) return `计划文号的年份（${year[1]}年）与印发日期（${chineseDate(year[2]!)}）不在同一年，系统不能印发。（${message}）`;
  return `系统未能印发计划（${message}）。如有疑问请联系系统管理员。`;
}

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
  /** Why the year's plan filing failed (its workflow ended without filing), or null. */
  const planFailure = async (plan: AnnualPlanStatus | null): Promise<string | null> => {
    if (!plan || plan.filed) return null;
    const handle = temporal.workflow.getHandle(annualPlanWorkflowId(programme.id, programme.year));
    if ((await handle.describe()).status.name !== 'FAILED') return null;
    return handle.result().then(
      () => null,
      (err: unknown) => planFailureText(err),
    );
  };
  const quartersView = async (req: FastifyRequest, notice: string | null = null, error: string | null = null, entered: QuartersView['entered'] = null) => {
    const plan = await planStatus();
    return quartersPage(ctx.viewerOf(req)!, {
      programme,
      campaigns: await store.listCampaigns(),
      plan,
      planFailed: await planFailure(plan),
      canStart: roles(req).some((r) => (OPERATIONS_ROLES as readonly string[]).includes(r)),
      canPlan: roles(req).some((r) => (PLAN_ROLES as readonly string[]).includes(r)),
      rehearsalSecondsPerDay: programme.rehearsalSecondsPerDay,
      notice,
      error,
      entered,
    });
  };

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
    // The plan is issued today under a number of its own year (信环执计〔YEAR〕…): only within that year.
    const today = beijingDate(ctx.now().getTime());
    if (Number(today.slice(0, 4)) !== programme.year) {
      await ctx.audit(req, 'plan.refused', workflowId, { year: programme.year, reason: 'not-its-year', today });
      const why = `${programme.year}年度抽查计划须在${programme.year}年内印发备案（计划文号的年份须与印发日期一致），今天是${chineseDate(today)}，不能备案。`;
      return ctx.html(reply, await quartersView(req, null, why), 409);
    }
    let handle;
    try {
      handle = await startAnnualPlan(temporal, { programmeId: programme.id, year: programme.year }, { taskQueue: ops.taskQueue });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        await ctx.audit(req, 'plan.start-exists', workflowId, { year: programme.year });
        return ctx.html(reply, planStartedPage(viewer, { year: programme.year, workflowId, existed: true }));
      }
      throw err;
    }
    await ctx.audit(req, 'plan.start', workflowId, { year: programme.year });
    // Filing takes a moment: wait for it, so a refusal is said here and not after a false 已提交.
    // A worker that is not running leaves it pending: the page then says it is being filed.
    const outcome = await Promise.race([
      handle.result().then(
        (filed) => ({ filed }),
        (err: unknown) => ({ failed: planFailureText(err) }),
      ),
      new Promise<null>((r) => setTimeout(() => r(null), PLAN_WAIT_MS).unref()),
    ]);
    if (outcome && 'failed' in outcome) {
      await ctx.audit(req, 'plan.failed', workflowId, { year: programme.year, message: outcome.failed.slice(0, 300) });
      return ctx.html(reply, await quartersView(req, null, `${programme.year}年度抽查计划未能备案：${outcome.failed}`), 409);
    }
    return ctx.html(reply, planStartedPage(viewer, { year: programme.year, workflowId, existed: false, filed: outcome?.filed ?? null }));
  });
}
