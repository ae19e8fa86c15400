// An inspection for its team: the page with the unit and the programme's check items, and the
// result form, sent through the SAME typed client and Update as `ssj inspection submit`
// (client/temporal.ts submitResult) with `by` = the signed-in person. Only the inspection's team
// sees it; a submission after the result is in answers "已处理" with who submitted, never an
// error page.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inspectionStatus, submitResult } from '../client/temporal';
import type { CheckItem, ReasonCodeEntry } from '../domain/programme';
import type { InspectionStatus } from '../workflows/definitions';
import type { RouteContext } from './approvals';
import { emptyResultForm, parseResultForm, type ResultFormValues } from './inspection-form';
import type { InspectionRegistry } from './inspection-registry';
import { registerInspectionRequests } from './inspection-requests';
import { problemPage } from './views/auth-pages';
import { alreadySubmittedPage, inspectionPage, notOnTeamPage, outcomeLabel, submitRefusedPage, submittedPage, type InspectionView } from './views/inspection';
import type { Viewer } from './views/layout';

export interface InspectionDeps {
  registry: Pick<InspectionRegistry, 'unit' | 'department' | 'agencies'>;
  /** config/programme.json, loaded the way the worker loads it (config/programme.ts). */
  checkItems: readonly CheckItem[];
  couldNotInspect: readonly ReasonCodeEntry[];
  /** The programme's reasons.recusal and reasons.unitClosed: with them, the page has the two request forms. */
  requests?: { recusal: readonly ReasonCodeEntry[]; unitClosed: readonly ReasonCodeEntry[] };
}

const SUBMITTED = 'inspection.result';
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** The workflow's refusals, in the words an inspector reads (the reason in English stays in the audit log). */
function refusalText(message: string): string {
  if (/was replaced by/.test(message)) return '此检查对象已被替换，请向替换后的检查对象提交检查结果。';
  if (/reported closed/.test(message)) return '此检查对象已报告关停或取缔，须待分管领导作出替换决定。';
  if (/recusal/i.test(message)) return '检查组有待审批的回避申请，须待分管领导决定后再提交。';
  return `系统拒绝了此操作（${message}）。如有疑问请联系系统管理员。`;
}

export function registerInspections(app: FastifyInstance, ctx: RouteContext, temporal: Client, deps: InspectionDeps): void {
  const inspectors = ['inspector'];

  const statusOf = async (campaignId: unknown, unitId: unknown): Promise<InspectionStatus | null> => {
    if (typeof campaignId !== 'string' || typeof unitId !== 'string' || !ID.test(campaignId) || !ID.test(unitId)) return null;
    try {
      return await inspectionStatus(temporal, campaignId, unitId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  };
  const nameOf = async (id: string) => (await ctx.personName(id)) ?? id;
  const view = async (s: InspectionStatus): Promise<InspectionView> => ({
    status: s,
    unit: deps.registry.unit(s.unitId),
    department: deps.registry.department(s.department),
    team: await Promise.all(s.team.map(async (id) => ({ id, label: `${await nameOf(id)}（${id}）` }))),
    checkItems: deps.checkItems,
    couldNotInspect: deps.couldNotInspect,
    agencies: deps.registry.agencies(),
    ...(deps.requests ? { requests: deps.requests } : {}),
  });
  const unitLabel = (s: InspectionStatus) => deps.registry.unit(s.unitId)?.name ?? s.unitId;
  const noSuchInspection = (req: FastifyRequest, reply: FastifyReply) =>
    ctx.html(reply, problemPage('检查事项不存在', '找不到此检查事项，可能链接有误或检查对象已被替换。', ctx.viewerOf(req)), 404);
  /** Another team's inspection: refused and audited, the same answer whether it exists or not. */
  const refuseOutsider = async (req: FastifyRequest, reply: FastifyReply, s: InspectionStatus) => {
    await ctx.audit(req, 'inspection.refused', s.workflowId, { reason: 'not-on-team', unitId: s.unitId, campaignId: s.campaignId });
    return ctx.html(reply, notOnTeamPage(ctx.viewerOf(req)!), 403);
  };
  const submittedAlready = async (viewer: Viewer, s: InspectionStatus) =>
    alreadySubmittedPage(viewer, unitLabel(s), s.result ? `${await nameOf(s.result.by)}（${s.result.by}）` : null, s.result?.checkedOn ?? null);
  const form = async (viewer: Viewer, s: InspectionStatus, values: ResultFormValues, error: string | null = null) => inspectionPage(viewer, await view(s), values, error);

  /**
   * The inspection named by `campaign` and `unit` (query or form) for a signed-in team member;
   * otherwise the answer (sign-in, wrong role, not found, not on the team) is sent and null returned.
   */
  const teamInspection = async (req: FastifyRequest, reply: FastifyReply, fields: Record<string, unknown>): Promise<{ s: InspectionStatus; viewer: Viewer } | null> => {
    if (!(await ctx.requireRole(req, reply, inspectors))) return null;
    const s = await statusOf(fields.campaign, fields.unit);
    if (!s) {
      await noSuchInspection(req, reply);
      return null;
    }
    const viewer = ctx.viewerOf(req)!;
    if (!s.team.includes(viewer.personId)) {
      await refuseOutsider(req, reply, s);
      return null;
    }
    return { s, viewer };
  };

  if (deps.requests) registerInspectionRequests(app, ctx, temporal, teamInspection, deps.requests, unitLabel);

  app.get('/inspection', async (req, reply) => {
    const found = await teamInspection(req, reply, req.query as Record<string, unknown>);
    if (!found) return;
    const { s, viewer } = found;
    if (s.result) return ctx.html(reply, await submittedAlready(viewer, s));
    return ctx.html(reply, await form(viewer, s, emptyResultForm(deps.checkItems, s.today)));
  });

  app.post('/inspection', async (req, reply) => {
    const body = req.body as Record<string, unknown>;
    const found = await teamInspection(req, reply, body);
    if (!found) return;
    const { s, viewer } = found;
    const stale = async (latest: InspectionStatus) => {
      await ctx.audit(req, 'inspection.stale-submit', s.workflowId, { submittedBy: latest.result?.by ?? null });
      return ctx.html(reply, await submittedAlready(viewer, latest));
    };
    if (s.result) return stale(s);

    const parsed = parseResultForm(body, {
      by: viewer.personId,
      team: s.team,
      today: s.today,
      checkItems: deps.checkItems,
      couldNotInspect: deps.couldNotInspect,
      agencies: deps.registry.agencies().map((d) => d.id),
    });
    if (!parsed.ok) return ctx.html(reply, await form(viewer, s, parsed.values, parsed.error), 400);
    try {
      await submitResult(temporal, s.campaignId, s.unitId, parsed.report);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return noSuchInspection(req, reply);
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      const why = err.cause?.message ?? err.message;
      const latest = (await statusOf(s.campaignId, s.unitId)) ?? s;
      if (latest.result) return stale(latest);
      await ctx.audit(req, 'inspection.submit-refused', s.workflowId, { message: why.slice(0, 300) });
      if (/is not on the team/.test(why) && !/present:/.test(why)) return ctx.html(reply, notOnTeamPage(viewer), 403);
      return ctx.html(reply, submitRefusedPage(viewer, unitLabel(s), refusalText(why)), 409);
    }
    const r = parsed.report.result;
    const recorded = r.outcome === 'problems-found' ? r.description : r.outcome === 'could-not-inspect' ? r.note : '';
    await ctx.audit(req, SUBMITTED, s.workflowId, {
      campaignId: s.campaignId,
      unitId: s.unitId,
      outcome: r.outcome,
      checkedOn: parsed.report.checkedOn,
      present: parsed.report.present,
      howChecked: parsed.values.howChecked,
      items: parsed.values.items.map(({ seq, checked, problem, handling }) => ({ seq, checked, problem, handling })),
    });
    return ctx.html(reply, submittedPage(viewer, unitLabel(s), outcomeLabel(r.outcome), recorded || `检查结论：${outcomeLabel(r.outcome)}`));
  });
}
