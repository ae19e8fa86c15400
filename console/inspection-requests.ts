// The team's two requests to the managers from the inspection page, sent through the SAME typed
// client and Updates as `ssj inspection recuse|closed` with `by` = the signed-in team member:
// 申请回避 (declareRecusal, for oneself) and 报告关停 (reportUnitClosed). Each opens an approval
// task for the managers through the projection (console/approvals.ts decides them).
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { declareRecusal, reportUnitClosed } from '../client/temporal';
import type { ReasonCodeEntry } from '../domain/programme';
import type { InspectionStatus } from '../workflows/definitions';
import type { RouteContext } from './approvals';
import { formText, messageRefusal, noteProblem } from './form-text';
import { requestAnswerPage, type RequestEntered } from './views/inspection';
import type { Viewer } from './views/layout';

type TeamInspection = (req: FastifyRequest, reply: FastifyReply, fields: Record<string, unknown>) => Promise<{ s: InspectionStatus; viewer: Viewer } | null>;

interface RequestKind {
  kind: RequestEntered['kind'];
  path: string;
  action: string;
  reasons: readonly ReasonCodeEntry[];
  send: (temporal: Client, s: InspectionStatus, by: string, reasonCode: string, note: string) => Promise<unknown>;
  sent: string;
}

/** The workflow's refusal in the words a team member reads (the English reason goes to the audit log). */
function refusalText(message: string): string {
  if (/already awaits|already being processed/.test(message)) return '您的回避申请已提交，正待分管领导决定，无需重复申请。';
  if (/already reported closed/.test(message)) return '此检查对象已有人报告关停，正待分管领导决定，无需重复报告。';
  if (/past inspection/.test(message)) return '此检查已结束（结果已提交或检查对象已替换），不能再申请。';
  if (/no manager other than/.test(message)) return '没有可以审批您回避申请的其他分管领导，请联系本部门负责人。';
  return `系统拒绝了此操作（${message}）。如有疑问请联系系统管理员。`;
}

export function registerInspectionRequests(
  app: FastifyInstance,
  ctx: RouteContext,
  temporal: Client,
  teamInspection: TeamInspection,
  reasons: { recusal: readonly ReasonCodeEntry[]; unitClosed: readonly ReasonCodeEntry[] },
  unitLabel: (s: InspectionStatus) => string,
  /** The inspection page again with a request's values kept and why it was refused (a form to correct, not a dead end). */
  refusedForm: (viewer: Viewer, s: InspectionStatus, entered: RequestEntered, error: string) => Promise<string>,
): void {
  const kinds: RequestKind[] = [
    {
      kind: 'recusal',
      path: '/inspection/recusal',
      action: 'inspection.recusal-declared',
      reasons: reasons.recusal,
      send: (t, s, by, reasonCode, note) => declareRecusal(t, s.campaignId, s.unitId, { by, inspectorId: by, reasonCode, note }),
      sent: '回避申请已提交，待分管领导决定；决定后您将收到通知。',
    },
    {
      kind: 'unit-closed',
      path: '/inspection/unit-closed',
      action: 'inspection.unit-closed-reported',
      reasons: reasons.unitClosed,
      send: (t, s, by, reasonCode, note) => reportUnitClosed(t, s.campaignId, s.unitId, { by, reasonCode, note }),
      sent: '已报告检查对象关停，待分管领导作出替换决定。',
    },
  ];
  for (const k of kinds) {
    app.post(k.path, async (req, reply) => {
      const body = req.body as Record<string, unknown>;
      const found = await teamInspection(req, reply, body);
      if (!found) return;
      const { s, viewer } = found;
      const reasonCode = typeof body.reasonCode === 'string' ? body.reasonCode : '';
      const note = formText(body.note);
      const entered = { kind: k.kind, reasonCode, note };
      const title = k.kind === 'recusal' ? '申请回避' : '报告检查对象关停';
      if (!k.reasons.some((r) => r.code === reasonCode)) {
        return ctx.html(reply, await refusedForm(viewer, s, entered, `${title}：请选择${k.kind === 'recusal' ? '回避理由' : '情况'}后再提交（见页面下方“${title}”）。`), 400);
      }
      const noteRefused = noteProblem('说明', note);
      if (noteRefused) return ctx.html(reply, await refusedForm(viewer, s, entered, `${title}：${noteRefused}`), 400);
      try {
        await k.send(temporal, s, viewer.personId, reasonCode, note);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return ctx.html(reply, requestAnswerPage(viewer, unitLabel(s), '未能提交', '找不到此检查事项。'), 404);
        const refused = messageRefusal(err, { note: '说明', reasonCode: k.kind === 'recusal' ? '回避理由' : '情况' });
        if (refused) return ctx.html(reply, await refusedForm(viewer, s, entered, `${title}：${refused}`), 400);
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        const why = err.cause?.message ?? err.message;
        await ctx.audit(req, `${k.action}.refused`, s.workflowId, { message: why.slice(0, 300) });
        return ctx.html(reply, requestAnswerPage(viewer, unitLabel(s), '未能提交', refusalText(why)), 409);
      }
      await ctx.audit(req, k.action, s.workflowId, { campaignId: s.campaignId, unitId: s.unitId, reasonCode });
      return ctx.html(reply, requestAnswerPage(viewer, unitLabel(s), '已提交', k.sent));
    });
  }
}
