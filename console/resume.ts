// Resuming an inspection's step parked for data (e.g. no brigade covers the unit's area), once
// the data is fixed, through the SAME Update as `ssj inspection resume` (client/commands/resume.ts
// resumeInspection), as the signed-in operator (detachment leader or admin). The campaign's own
// parked step, the publication, is resumed on 结果公示 (console/publication.ts). A resume that
// comes after the step went on (someone else resumed it) answers 已处理.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { resumeInspection } from '../client/commands/resume';
import { OPERATOR_ROLES } from '../domain/parking';
import type { RouteContext } from './approvals';
import { formText, messageRefusal, noteProblem } from './form-text';
import { problemPage } from './views/auth-pages';
import { resumedPage, resumeRefusedPage } from './views/resume';

const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** The label of the resume forms' note (its refusals name it). */
export const RESUME_NOTE_LABEL = '补正说明';

export function registerResume(app: FastifyInstance, ctx: RouteContext, temporal: Client): void {
  app.post('/resume', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATOR_ROLES))) return;
    const body = req.body as Record<string, unknown>;
    const c = typeof body.campaign === 'string' && body.campaign.length <= 300 ? await ctx.store.getCampaign(body.campaign) : null;
    const unit = typeof body.unit === 'string' && UNIT_ID.test(body.unit) ? body.unit : null;
    const viewer = ctx.viewerOf(req)!;
    if (!c || !unit) return ctx.html(reply, problemPage('检查事项不存在', '找不到此检查事项，可能链接有误。', viewer), 404);
    const note = formText(body.note);
    const target = `${c.campaignId}/${unit}`;
    const back = `/quarter/inspection?campaign=${encodeURIComponent(c.campaignId)}&unit=${encodeURIComponent(unit)}`;
    const noteRefused = noteProblem(RESUME_NOTE_LABEL, note);
    if (noteRefused) return ctx.html(reply, resumeRefusedPage(viewer, back, '返回检查事项', noteRefused), 400);
    try {
      const ack = await resumeInspection(temporal, c.campaignId, unit, { by: viewer.personId, note });
      await ctx.audit(req, 'resume.inspection', target, { step: ack.step, parkedSince: ack.parkedSince });
      return ctx.html(reply, resumedPage(viewer, back, ack));
    } catch (err) {
      const invalid = messageRefusal(err, { note: RESUME_NOTE_LABEL });
      if (invalid) return ctx.html(reply, resumeRefusedPage(viewer, back, '返回检查事项', invalid), 400);
      // Not parked (any more): someone resumed it, or it went on by itself. A plain answer.
      if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
        const why = (err instanceof WorkflowUpdateFailedError ? err.cause?.message : undefined) ?? err.message;
        await ctx.audit(req, 'resume.stale', target, { message: why.slice(0, 300) });
        // Who resumed it from the console, if anyone did (the command line leaves no entry here).
        const last = (await ctx.store.listAudit({ action: 'resume.inspection', limit: 500 })).find((a) => a.target === target);
        const by = last?.personId ? { name: `${(await ctx.personName(last.personId)) ?? last.personId}（${last.personId}）`, at: last.at } : null;
        return ctx.html(reply, resumedPage(viewer, back, null, by));
      }
      throw err;
    }
  });
}
