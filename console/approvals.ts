// The manager's hand-over approvals: listed from the task projection, decided through the SAME
// typed client and Update as `ssj handover approve|reject` (client/temporal.ts decideHandover).
// A click after the matter was decided (by anyone, from anywhere) answers "已处理" with who
// decided, from the projection or the audit log, never an error page.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideHandover, inspectionStatus } from '../client/temporal';
import { beijingDate } from '../domain/calendar';
import { firstIssue, handoverDecisionSchema } from '../domain/messages';
import type { ReasonCodeEntry } from '../domain/programme';
import type { ConsoleStore, TaskRow } from '../stores/console-store';
import type { InspectionStatus } from '../workflows/definitions';
import { alreadyDecidedPage, approvalPage, approvalsPage, decidedPage } from './views/approvals';
import { problemPage } from './views/auth-pages';
import type { Viewer } from './views/layout';

export const HANDOVER_TASK = 'approve-handover';
const DECIDED_ACTION = 'approval.handover';

export interface RouteContext {
  store: ConsoleStore;
  now: () => Date;
  personName: (personId: string) => Promise<string | null>;
  viewerOf: (req: FastifyRequest) => Viewer | null;
  requireRole: (req: FastifyRequest, reply: FastifyReply, roles: readonly string[]) => Promise<boolean>;
  audit: (req: FastifyRequest, action: string, target?: string | null, detail?: Record<string, unknown>) => Promise<void>;
  html: (reply: FastifyReply, body: string, code?: number) => FastifyReply;
}

export function registerApprovals(app: FastifyInstance, ctx: RouteContext, temporal: Client, rejectionReasons: readonly ReasonCodeEntry[]): void {
  const { store } = ctx;
  const managers = ['manager'];

  /** Who decided a task, and when: the projection once it says, else the console's own audit entry. */
  const decider = async (t: TaskRow): Promise<{ by: string | null; at: Date | null }> => {
    if (t.decidedBy) return { by: (await ctx.personName(t.decidedBy)) ?? t.decidedBy, at: t.decidedAt };
    const entry = (await store.listAudit({ action: DECIDED_ACTION, target: t.key, limit: 1 }))[0];
    return entry?.personId ? { by: (await ctx.personName(entry.personId)) ?? entry.personId, at: entry.at } : { by: null, at: null };
  };
  const statusOf = async (t: TaskRow): Promise<InspectionStatus | null> => {
    if (!t.unitId) return null;
    try {
      return await inspectionStatus(temporal, t.campaignId, t.unitId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  };
  /** The approval form, with the team's names (id in brackets) from the registry. */
  const form = async (viewer: Viewer, t: TaskRow, status: InspectionStatus | null, error: string | null = null) => {
    const names = await Promise.all((status?.team ?? []).map(async (id) => `${(await ctx.personName(id)) ?? id}（${id}）`));
    return approvalPage(viewer, t, status, names, rejectionReasons, error);
  };
  const taskOf = async (key: unknown): Promise<TaskRow | null> => {
    const t = typeof key === 'string' && key.length <= 500 ? await store.getTask(key) : null;
    return t && t.kind === HANDOVER_TASK ? t : null;
  };
  const noSuchTask = (req: FastifyRequest, reply: FastifyReply) => ctx.html(reply, problemPage('事项不存在', '找不到此审批事项，可能链接有误。', ctx.viewerOf(req)), 404);

  app.get('/approvals', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, managers))) return;
    const { account } = req.signedIn!;
    const tasks = await store.listTasksFor({ personId: account.personId, roles: account.roles, kinds: [HANDOVER_TASK] });
    return ctx.html(reply, approvalsPage(ctx.viewerOf(req)!, tasks, beijingDate(ctx.now().getTime())));
  });

  app.get('/approval', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, managers))) return;
    const t = await taskOf((req.query as Record<string, unknown>).task);
    if (!t) return noSuchTask(req, reply);
    if (t.status !== 'open') {
      const d = await decider(t);
      return ctx.html(reply, alreadyDecidedPage(ctx.viewerOf(req)!, t, d.by, d.at));
    }
    return ctx.html(reply, await form(ctx.viewerOf(req)!, t, await statusOf(t)));
  });

  app.post('/approval', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, managers))) return;
    const body = req.body as Record<string, unknown>;
    const t = await taskOf(body.task);
    if (!t || !t.unitId) return noSuchTask(req, reply);
    const viewer = ctx.viewerOf(req)!;
    const stale = async () => {
      const d = await decider(t);
      await ctx.audit(req, 'approval.stale-click', t.key, { decidedBy: d.by });
      return ctx.html(reply, alreadyDecidedPage(viewer, t, d.by, d.at));
    };
    if (t.status !== 'open') return stale();
    const reasonCode = typeof body.reasonCode === 'string' && body.reasonCode !== '' ? body.reasonCode : null;
    const parsed = handoverDecisionSchema.safeParse({
      by: req.signedIn!.account.personId,
      decision: body.decision,
      reasonCode: body.decision === 'approve' ? null : reasonCode,
      note: typeof body.note === 'string' ? body.note : '',
    });
    if (!parsed.success) {
      const why = parsed.error.issues.some((i) => i.path[0] === 'reasonCode') ? '不同意移交时须选择理由。' : `提交的内容有误：${firstIssue(parsed.error)}`;
      return ctx.html(reply, await form(viewer, t, await statusOf(t), why), 400);
    }
    try {
      await decideHandover(temporal, t.campaignId, t.unitId, parsed.data);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return stale();
      if (err instanceof WorkflowUpdateFailedError) {
        const status = await statusOf(t);
        if (!status || status.phase !== 'handover-approval') return stale();
        await ctx.audit(req, 'approval.refused', t.key, { message: (err.cause?.message ?? err.message).slice(0, 300) });
        return ctx.html(reply, await form(viewer, t, status, `未能提交，系统拒绝了此操作（${err.cause?.message ?? err.message}）。如有疑问请联系系统管理员。`), 409);
      }
      throw err;
    }
    await ctx.audit(req, DECIDED_ACTION, t.key, { decision: parsed.data.decision, reasonCode: parsed.data.reasonCode, unitId: t.unitId, campaignId: t.campaignId });
    return ctx.html(reply, decidedPage(viewer, t, parsed.data.decision === 'approve'));
  });
}
