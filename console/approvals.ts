// The manager's approvals: hand-overs, inspector recusals and replacing a unit reported closed,
// listed from the task projection and decided through the SAME typed client and Updates as
// `ssj handover|recusal|replacement approve|reject` (client/temporal.ts), as the signed-in person.
// A click after the matter was decided (by anyone, from anywhere) answers "已处理" with who
// decided, from the projection or the audit log, never an error page.
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideHandover, decideRecusal, decideUnitReplacement, inspectionStatus } from '../client/temporal';
import { beijingDate } from '../domain/calendar';
import { firstIssue, handoverDecisionSchema, type HandoverDecision } from '../domain/messages';
import type { ReasonCodeEntry } from '../domain/programme';
import type { ListTasks } from './task-list-cache';
import type { ConsoleStore, TaskRow } from '../stores/console-store';
import type { InspectionStatus } from '../workflows/definitions';
import { documentCsp, registerDocuments, type ConsoleDocuments } from './documents';
import { formText, messageRefusal, noteProblem } from './form-text';
import { handoverPreview, type HandoverPreview } from './handover-preview';
import { alreadyDecidedPage, approvalPage, approvalsPage, decidedPage } from './views/approvals';
import { problemPage } from './views/auth-pages';
import { rehearsalTodays } from './quarter-figures';
import type { Viewer } from './views/layout';

export const HANDOVER_TASK = 'approve-handover';

/** Per approval kind: the Update that decides it, and whether the workflow still waits for it. */
interface ApprovalKind {
  action: string;
  send: (temporal: Client, t: TaskRow, d: HandoverDecision) => Promise<unknown>;
  pending: (s: InspectionStatus, t: TaskRow) => boolean;
}
const inspectorOf = (t: TaskRow) => (typeof t.detail.inspectorId === 'string' ? t.detail.inspectorId : '');
export const APPROVAL_KINDS: Record<string, ApprovalKind> = {
  [HANDOVER_TASK]: {
    action: 'approval.handover',
    send: (temporal, t, d) => decideHandover(temporal, t.campaignId, t.unitId!, d),
    pending: (s) => s.phase === 'handover-approval',
  },
  'approve-recusal': {
    action: 'approval.recusal',
    send: (temporal, t, d) => decideRecusal(temporal, t.campaignId, t.unitId!, { ...d, inspectorId: inspectorOf(t) }),
    // A unit replaced meanwhile ends the inspection: its recusals need no decision any more.
    pending: (s, t) => s.replacedBy === null && (s.pendingRecusals ?? []).some((r) => r.inspectorId === inspectorOf(t)),
  },
  'approve-replacement': {
    action: 'approval.replacement',
    send: (temporal, t, d) => decideUnitReplacement(temporal, t.campaignId, t.unitId!, d),
    pending: (s) => s.closedReport !== null && s.replacedBy === null,
  },
};
const APPROVAL_TASKS = Object.keys(APPROVAL_KINDS);
/** The decision form's note, as its refusals name it (console/views/approvals.ts). */
const NOTE_LABEL = '说明';
const LIST_LIMIT = 100;

export interface RouteContext {
  store: ConsoleStore;
  now: () => Date;
  personName: (personId: string) => Promise<string | null>;
  viewerOf: (req: FastifyRequest) => Viewer | null;
  requireRole: (req: FastifyRequest, reply: FastifyReply, roles: readonly string[]) => Promise<boolean>;
  audit: (req: FastifyRequest, action: string, target?: string | null, detail?: Record<string, unknown>) => Promise<void>;
  html: (reply: FastifyReply, body: string, code?: number) => FastifyReply;
  /** The task lists, as the pages read them (console/task-list-cache.ts). */
  listTasks: ListTasks;
}

/**
 * An approval the published replacement rules cannot carry out (ReplacementFailed: no inspector or
 * no unit left to bring in), in the manager's words: nothing changed, the request still awaits a
 * decision, and what they can do. Null for any other refusal.
 */
export function replacementRefusedText(t: TaskRow, cause: unknown, inspector: string | null): string | null {
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'ReplacementFailed') return null;
  if (t.kind === 'approve-recusal') {
    return (
      `无法同意此回避申请：按公布的抽取规则，本部门已没有可以接替${inspector ?? '该检查人员'}的检查人员` +
      `（其余检查人员均已在检查组中、已在本单位回避过或与该单位存在回避关系）。检查组未作更改，此申请仍待决定；请与系统管理员商定处理办法。（${cause.message}）`
    );
  }
  return (
    '无法同意替换：按公布的抽取规则找不到递补单位（该抽查池已没有可以递补的单位，或递补单位可派的检查人员不足）。' +
    `抽查名单未作更改，关停报告仍待决定；如不替换，请选择“不同意”并选择理由，检查组随后可报告“未能检查”。（${cause.message}）`
  );
}

export function registerApprovals(app: FastifyInstance, ctx: RouteContext, temporal: Client, rejectionReasons: readonly ReasonCodeEntry[], documents: ConsoleDocuments | null = null): void {
  const { store } = ctx;
  const managers = ['manager'];
  if (documents) registerDocuments(app, ctx, temporal, documents);

  /** Who decided a task, and when: the projection once it says, else the console's own audit entry. */
  const decider = async (t: TaskRow): Promise<{ by: string | null; at: Date | null }> => {
    if (t.decidedBy) return { by: (await ctx.personName(t.decidedBy)) ?? t.decidedBy, at: t.decidedAt };
    const entry = (await store.listAudit({ action: APPROVAL_KINDS[t.kind]!.action, target: t.key, limit: 1 }))[0];
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
  /** A hand-over still awaiting its decision: the document its approval would issue (预览). */
  const previewOf = async (t: TaskRow, status: InspectionStatus | null): Promise<HandoverPreview | null> =>
    t.kind === HANDOVER_TASK && status?.phase === 'handover-approval' ? handoverPreview(documents?.handoverPreview ?? null, status) : null;
  /** The approval form, with the team's names (id in brackets) from the registry, and a hand-over's document preview first. */
  const form = async (viewer: Viewer, t: TaskRow, status: InspectionStatus | null, error: string | null = null, entered: { reasonCode: string | null; note: string } | null = null) => {
    const names = await Promise.all((status?.team ?? []).map(async (id) => `${(await ctx.personName(id)) ?? id}（${id}）`));
    const subject = await subjectOf(t);
    return approvalPage(viewer, t, status, names, rejectionReasons, error, subject, await previewOf(t, status), entered);
  };
  /** For a recusal: the inspector stepping aside and who asked, by name. */
  const subjectOf = async (t: TaskRow) => {
    const label = async (id: unknown) => (typeof id === 'string' && id ? `${(await ctx.personName(id)) ?? id}（${id}）` : null);
    return { inspector: await label(t.detail.inspectorId), requestedBy: await label(t.detail.requestedBy) };
  };
  const taskOf = async (key: unknown): Promise<TaskRow | null> => {
    const t = typeof key === 'string' && key.length <= 500 ? await store.getTask(key) : null;
    return t && APPROVAL_TASKS.includes(t.kind) ? t : null;
  };
  const noSuchTask = (req: FastifyRequest, reply: FastifyReply) => ctx.html(reply, problemPage('事项不存在', '找不到此审批事项，可能链接有误。', ctx.viewerOf(req)), 404);

  app.get('/approvals', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, managers))) return;
    const { account, roles } = req.signedIn!;
    // The soonest LIST_LIMIT (deadline first): a page a person can work through, not a quarter's worth.
    const tasks = await ctx.listTasks({ personId: account.personId, roles, kinds: APPROVAL_TASKS, limit: LIST_LIMIT + 1 });
    // A rehearsal quarter's deadlines count on its own programme date, as on 工作台.
    const rehearsal = rehearsalTodays(await store.listCampaigns());
    return ctx.html(reply, approvalsPage(ctx.viewerOf(req)!, tasks.slice(0, LIST_LIMIT), beijingDate(ctx.now().getTime()), tasks.length > LIST_LIMIT, rehearsal));
  });

  app.get('/approval', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, managers))) return;
    const t = await taskOf((req.query as Record<string, unknown>).task);
    if (!t) return noSuchTask(req, reply);
    if (t.status !== 'open') {
      const d = await decider(t);
      // A decided hand-over shows the documents it issued (监察通知, 移交表), HTML and PDF.
      return ctx.html(reply, alreadyDecidedPage(ctx.viewerOf(req)!, t, d.by, d.at, await statusOf(t)));
    }
    return ctx.html(reply, await form(ctx.viewerOf(req)!, t, await statusOf(t)));
  });

  // The preview itself, framed by the approval page: the document page under the issued documents'
  // policy (no script, sandboxed), framable by the console alone.
  app.get('/approval/preview', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, managers))) return;
    const t = await taskOf((req.query as Record<string, unknown>).task);
    if (!t) return noSuchTask(req, reply);
    const preview = await previewOf(t, await statusOf(t));
    if (!preview?.html) return ctx.html(reply, problemPage('没有可预览的文书', preview ? preview.missing.join('') : '此事项已处理或不是移交审批，没有拟发文书可预览。', ctx.viewerOf(req)), 404);
    await ctx.audit(req, 'document.previewed', t.key, { kind: preview.kind, campaignId: t.campaignId, unitId: t.unitId });
    return reply.header('content-security-policy', documentCsp("'self'")).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(preview.html);
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
    const kind = APPROVAL_KINDS[t.kind]!;
    const note = formText(body.note);
    const entered = { reasonCode, note };
    // The same rule for every kind: a reason code to reject, none to approve.
    const parsed = handoverDecisionSchema.safeParse({
      by: req.signedIn!.account.personId,
      decision: body.decision,
      reasonCode: body.decision === 'approve' ? null : reasonCode,
      note,
    });
    if (!parsed.success) {
      const why = parsed.error.issues.some((i) => i.path[0] === 'reasonCode')
        ? t.kind === HANDOVER_TASK ? '不同意移交时须选择理由。' : '不同意时须选择理由。'
        : parsed.error.issues.some((i) => i.path[0] === 'note') ? (noteProblem(NOTE_LABEL, note) ?? `“${NOTE_LABEL}”不符合要求：${firstIssue(parsed.error)}`)
        : `提交的内容有误：${firstIssue(parsed.error)}`;
      return ctx.html(reply, await form(viewer, t, await statusOf(t), why, entered), 400);
    }
    try {
      await kind.send(temporal, t, parsed.data);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return stale();
      const invalid = messageRefusal(err, { note: NOTE_LABEL, reasonCode: '理由', decision: '决定' });
      if (invalid) return ctx.html(reply, await form(viewer, t, await statusOf(t), invalid, entered), 400);
      if (err instanceof WorkflowUpdateFailedError) {
        const status = await statusOf(t);
        if (!status || !kind.pending(status, t)) return stale();
        const why = err.cause?.message ?? err.message;
        await ctx.audit(req, 'approval.refused', t.key, { message: why.slice(0, 300) });
        const text = replacementRefusedText(t, err.cause, (await subjectOf(t)).inspector) ?? `未能提交，系统拒绝了此操作（${why}）。如有疑问请联系系统管理员。`;
        return ctx.html(reply, await form(viewer, t, status, text, entered), 409);
      }
      throw err;
    }
    await ctx.audit(req, kind.action, t.key, { decision: parsed.data.decision, reasonCode: parsed.data.reasonCode, unitId: t.unitId, campaignId: t.campaignId });
    return ctx.html(reply, decidedPage(viewer, t, parsed.data.decision === 'approve'));
  });
}
