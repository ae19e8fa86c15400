// Resuming an inspection's step parked for data (e.g. no brigade covers the unit's area), once
// the data is fixed, through the SAME Update as `ssj inspection resume` (client/commands/resume.ts
// resumeInspection), as the signed-in operator (detachment leader or admin); and the quarter's own
// parked steps (its deadlines, parked while the calendar lacks next year) through `ssj quarter
// resume`'s, from the quarter page. Its publication is resumed on 结果公示 (console/publication.ts). A resume that
// comes after the step went on (someone else resumed it) answers 已处理; any other refusal (e.g.
// the sender is not an operator of the frozen roster) says why, in Chinese, and the step stays parked.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resumeCampaign, resumeInspection } from '../client/commands/resume';
import type { ResumeAck } from '../workflows/definitions';
import { OPERATOR_ROLES } from '../domain/parking';
import type { RouteContext } from './approvals';
import { formText, messageRefusal, noteProblem } from './form-text';
import { problemPage } from './views/auth-pages';
import { resumedPage, resumeRefusedPage } from './views/resume';

const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** The label of the resume forms' note (its refusals name it). */
export const RESUME_NOTE_LABEL = '补正说明';

/**
 * The workflow's refusal of a `resumeParkedStep` (workflows/parking.ts validate) in the words an
 * operator reads, the step still parked; null when it is no refusal but news that the step went on
 * (nothing is parked any more, or someone is already resuming it): that answers 已处理.
 */
export function resumeRefusalText(message: string): string | null {
  if (/nothing is parked|is already being resumed/.test(message)) return null;
  const operator = /may not resume a parked step: .*\(([^()]*)\)\s*$/.exec(message);
  if (operator) {
    const who = operator[1] === 'none in the roster' ? '本季度冻结名册中没有支队领导或系统管理员' : `可以恢复的人员：${operator[1]}`;
    return `只有本季度冻结名册中的支队领导或系统管理员可以恢复暂停的步骤，您不在其中（${who}）。该步骤仍处于暂停状态；如名册有误，请联系系统管理员。`;
  }
  return `系统拒绝了此操作，该步骤仍处于暂停状态（${message}）。如有疑问请联系系统管理员。`;
}

/** How a resume failed, for /resume and /publication/resume alike; null for an error that is none of these (thrown on). */
export type ResumeFailure = { kind: 'invalid'; text: string } | { kind: 'refused'; why: string; text: string } | { kind: 'stale'; why: string };
export function resumeFailure(err: unknown): ResumeFailure | null {
  const invalid = messageRefusal(err, { note: RESUME_NOTE_LABEL });
  if (invalid) return { kind: 'invalid', text: invalid };
  if (!(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) return null;
  const why = (err instanceof WorkflowUpdateFailedError ? err.cause?.message : undefined) ?? err.message;
  // No workflow (any more) has nothing parked; a refusal that is not "nothing parked" says why.
  const text = err instanceof WorkflowUpdateFailedError ? resumeRefusalText(why) : null;
  return text ? { kind: 'refused', why, text } : { kind: 'stale', why };
}

/**
 * Sends a resume with a 补正说明 and answers it, for every resume form (an inspection's step, the
 * quarter's, the publication): the note refused naming the field (400); done (audited `actions.done`);
 * refused by the workflow, why and the step still parked (409, `actions.refused`); or not parked
 * any more, 已处理 (`actions.stale`).
 */
export async function answerResume(
  ctx: RouteContext,
  req: FastifyRequest,
  reply: FastifyReply,
  o: {
    target: string;
    note: string;
    back: string;
    backLabel: string;
    actions: { done: string; refused: string; stale: string };
    send: (note: string) => Promise<ResumeAck>;
    done: (ack: ResumeAck) => string;
    stale: (why: string) => Promise<string> | string;
  },
): Promise<unknown> {
  const viewer = ctx.viewerOf(req)!;
  const noteRefused = noteProblem(RESUME_NOTE_LABEL, o.note);
  if (noteRefused) return ctx.html(reply, resumeRefusedPage(viewer, o.back, o.backLabel, noteRefused), 400);
  try {
    const ack = await o.send(o.note);
    await ctx.audit(req, o.actions.done, o.target, { step: ack.step, parkedSince: ack.parkedSince });
    return ctx.html(reply, o.done(ack));
  } catch (err) {
    const failed = resumeFailure(err);
    if (!failed) throw err;
    if (failed.kind === 'invalid') return ctx.html(reply, resumeRefusedPage(viewer, o.back, o.backLabel, failed.text), 400);
    // Refused (e.g. not an operator of the frozen roster): why, and the step stays parked.
    if (failed.kind === 'refused') {
      await ctx.audit(req, o.actions.refused, o.target, { message: failed.why.slice(0, 300) });
      return ctx.html(reply, resumeRefusedPage(viewer, o.back, o.backLabel, failed.text), 409);
    }
    // Not parked (any more): someone resumed it, or it went on by itself. A plain answer.
    await ctx.audit(req, o.actions.stale, o.target, { message: failed.why.slice(0, 300) });
    return ctx.html(reply, await o.stale(failed.why));
  }
}

export function registerResume(app: FastifyInstance, ctx: RouteContext, temporal: Client): void {
  app.post('/quarter/resume', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATOR_ROLES))) return;
    const body = req.body as Record<string, unknown>;
    const c = typeof body.campaign === 'string' && body.campaign.length <= 300 ? await ctx.store.getCampaign(body.campaign) : null;
    const viewer = ctx.viewerOf(req)!;
    if (!c) return ctx.html(reply, problemPage('季度不存在', '找不到此季度抽查，可能链接有误。', viewer), 404);
    const back = `/quarter?campaign=${encodeURIComponent(c.campaignId)}`;
    return answerResume(ctx, req, reply, {
      target: c.campaignId,
      note: formText(body.note),
      back,
      backLabel: '返回季度抽查',
      actions: { done: 'resume.campaign', refused: 'resume.refused', stale: 'resume.stale' },
      send: (note) => resumeCampaign(temporal, c.campaignId, { by: viewer.personId, note }),
      done: (ack) => resumedPage(viewer, back, ack, null, '返回季度抽查'),
      stale: () => resumedPage(viewer, back, null, null, '返回季度抽查'),
    });
  });

  app.post('/resume', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATOR_ROLES))) return;
    const body = req.body as Record<string, unknown>;
    const c = typeof body.campaign === 'string' && body.campaign.length <= 300 ? await ctx.store.getCampaign(body.campaign) : null;
    const unit = typeof body.unit === 'string' && UNIT_ID.test(body.unit) ? body.unit : null;
    const viewer = ctx.viewerOf(req)!;
    if (!c || !unit) return ctx.html(reply, problemPage('检查事项不存在', '找不到此检查事项，可能链接有误。', viewer), 404);
    const target = `${c.campaignId}/${unit}`;
    const back = `/quarter/inspection?campaign=${encodeURIComponent(c.campaignId)}&unit=${encodeURIComponent(unit)}`;
    return answerResume(ctx, req, reply, {
      target,
      note: formText(body.note),
      back,
      backLabel: '返回检查事项',
      actions: { done: 'resume.inspection', refused: 'resume.refused', stale: 'resume.stale' },
      send: (note) => resumeInspection(temporal, c.campaignId, unit, { by: viewer.personId, note }),
      done: (ack) => resumedPage(viewer, back, ack),
      // Who resumed it from the console, if anyone did (the command line leaves no entry here).
      stale: async () => {
        const last = (await ctx.store.listAudit({ action: 'resume.inspection', limit: 500 })).find((a) => a.target === target);
        const by = last?.personId ? { name: `${(await ctx.personName(last.personId)) ?? last.personId}（${last.personId}）`, at: last.at } : null;
        return resumedPage(viewer, back, null, by);
      },
    });
  });
}
