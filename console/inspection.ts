// An inspection for its team: the page with the unit and the programme's check items, and the
// result form, sent through the SAME typed client and Update as `ssj inspection submit`
// (client/temporal.ts submitResult) with `by` = the signed-in person. Only the inspection's team
// sees it; a submission after the result is in answers "已处理" with who submitted, never an
// error page. The form is multipart: its CSRF token first, then the fields and evidence files
// (console/evidence.ts). 保存草稿 keeps it server-side for the team (stores/result-drafts.ts);
// submitting sends the per-item record and the evidence references and deletes the draft. After
// submission the team and the managers read the result, record and evidence here.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inspectionStatus, submitResult } from '../client/temporal';
import type { CheckItem, ReasonCodeEntry } from '../domain/programme';
import type { InspectionStatus } from '../workflows/definitions';
import type { RouteContext } from './approvals';
import { parseEvidenceRef, resultDetails } from '../domain/outcomes';
import { sha256, type BlobStore } from '../stores/blob-store';
import type { EvidenceFile, ResultDraft, ResultDraftStore } from '../stores/result-drafts';
import { EVIDENCE_LIMITS, readEvidenceForm, sendEvidence, type UploadedFile } from './evidence';
import { draftFields, emptyResultForm, parseResultForm, readResultForm, type ResultFormValues } from './inspection-form';
import type { InspectionRegistry } from './inspection-registry';
import { registerInspectionRequests } from './inspection-requests';
import { csrfRefusedPage, problemPage } from './views/auth-pages';
import { alreadySubmittedPage, inspectionPage, inspectionUrl, notOnTeamPage, outcomeLabel, submitRefusedPage, submittedInspectionPage, type DraftInfo, type InspectionView, type RequestEntered } from './views/inspection';
import type { Viewer } from './views/layout';

export interface InspectionDeps {
  registry: Pick<InspectionRegistry, 'unit' | 'department' | 'agencies'>;
  /** config/programme.json, loaded the way the worker loads it (config/programme.ts). */
  checkItems: readonly CheckItem[];
  couldNotInspect: readonly ReasonCodeEntry[];
  /** The programme's reasons.recusal and reasons.unitClosed: with them, the page has the two request forms. */
  requests?: { recusal: readonly ReasonCodeEntry[]; unitClosed: readonly ReasonCodeEntry[] };
  /** Drafts (in the console's store) and evidence files (in the shared blob store); absent: neither is offered. */
  results?: { drafts: ResultDraftStore; blobs: BlobStore } | null;
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
  const managers = ['manager'];

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
  const results = deps.results ?? null;
  const draftOf = async (s: InspectionStatus) => (results ? results.drafts.get(s.campaignId, s.unitId) : null);
  /** The result form's values as the draft holds them, or empty. */
  const draftValues = (s: InspectionStatus, draft: ResultDraft | null) => (draft ? readResultForm(draft.values as Record<string, unknown>, deps.checkItems) : emptyResultForm(deps.checkItems, s.today));
  /**
   * The result form; `known` is the draft when the caller already read it; `request` a 申请回避 or
   * 报告关停 refused for its form, its values kept.
   */
  const form = async (
    viewer: Viewer,
    s: InspectionStatus,
    values: ResultFormValues,
    error: string | null = null,
    evidence?: readonly EvidenceFile[],
    notice: string | null = null,
    known?: ResultDraft | null,
    request: RequestEntered | null = null,
  ) => {
    const draft = known !== undefined ? known : await draftOf(s);
    const info: DraftInfo = {
      enabled: results !== null,
      evidence: evidence ?? draft?.evidence ?? [],
      savedBy: draft ? `${await nameOf(draft.updatedBy)}（${draft.updatedBy}）` : null,
      savedAt: draft?.updatedAt ?? null,
    };
    return inspectionPage(viewer, { ...(await view(s)), requestEntered: request }, values, error, info, notice);
  };
  /** The result as submitted, with the evidence links this reader may follow. */
  const resultPage = async (viewer: Viewer, s: InspectionStatus, notice: string | null = null) => {
    const r = s.result!;
    const evidence = (r.evidence ?? []).map((ref) => {
      const file = parseEvidenceRef(ref);
      return { label: file?.fileName ?? ref, href: file && results ? inspectionUrl('/inspection/evidence', s, { file: file.sha256 }) : null };
    });
    return submittedInspectionPage(
      viewer,
      await view(s),
      { outcome: r.outcome, by: `${await nameOf(r.by)}（${r.by}）`, checkedOn: r.checkedOn, onTime: r.onTime, description: r.description ?? null, record: r.record ?? null, evidence },
      notice,
    );
  };

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

  /** The page again after a request (申请回避 / 报告关停) refused for its form: its values kept, the result form as the draft has it. */
  const requestRefused = async (viewer: Viewer, s: InspectionStatus, entered: RequestEntered, error: string) => {
    const draft = await draftOf(s);
    return form(viewer, s, draftValues(s, draft), error, undefined, null, draft, entered);
  };
  if (deps.requests) registerInspectionRequests(app, ctx, temporal, teamInspection, deps.requests, unitLabel, requestRefused);

  /**
   * Reading a submitted result: the team, and the managers who approve what follows it. Before the
   * result is in, only the team (the draft is theirs alone).
   */
  const readerInspection = async (req: FastifyRequest, reply: FastifyReply, fields: Record<string, unknown>): Promise<{ s: InspectionStatus; viewer: Viewer; onTeam: boolean } | null> => {
    if (!(await ctx.requireRole(req, reply, [...inspectors, ...managers]))) return null;
    const s = await statusOf(fields.campaign, fields.unit);
    if (!s) {
      await noSuchInspection(req, reply);
      return null;
    }
    const viewer = ctx.viewerOf(req)!;
    const onTeam = viewer.roles.includes('inspector') && s.team.includes(viewer.personId);
    if (!onTeam && !(viewer.roles.includes('manager') && s.result)) {
      await refuseOutsider(req, reply, s);
      return null;
    }
    return { s, viewer, onTeam };
  };

  app.get('/inspection', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const found = await readerInspection(req, reply, q);
    if (!found) return;
    const { s, viewer } = found;
    if (s.result) return ctx.html(reply, await resultPage(viewer, s, found.onTeam ? '已处理：检查结果已提交，无需再次提交。' : null));
    const draft = await draftOf(s);
    return ctx.html(reply, await form(viewer, s, draftValues(s, draft), null, undefined, q.saved === '1' && draft ? '草稿已保存。' : null, draft));
  });

  /** An evidence file of this inspection: listed in its draft (team only) or in its submitted result (team and managers). */
  app.get('/inspection/evidence', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const found = await readerInspection(req, reply, q);
    if (!found || !results) return found ? noSuchInspection(req, reply) : undefined;
    const { s, onTeam } = found;
    const sha = typeof q.file === 'string' && /^[0-9a-f]{64}$/.test(q.file) ? q.file : null;
    const submitted = (s.result?.evidence ?? []).map(parseEvidenceRef).find((f) => f?.sha256 === sha);
    const drafted = !s.result && onTeam ? (await draftOf(s))?.evidence.find((f) => f.sha256 === sha) : undefined;
    const file = submitted ?? drafted;
    if (!sha || !file) return ctx.html(reply, problemPage('文件不存在', '此检查事项中没有这个证据文件。', ctx.viewerOf(req)), 404);
    await ctx.audit(req, 'inspection.evidence-downloaded', s.workflowId, { sha256: sha });
    return sendEvidence(reply, file, await results.blobs.get(sha));
  });

  /** The form's fields and new files: multipart (the page's form: token first) or urlencoded (no files). */
  const formBody = async (req: FastifyRequest, reply: FastifyReply, viewer: Viewer, s: InspectionStatus): Promise<{ fields: Record<string, unknown>; files: UploadedFile[]; error: string | null } | null> => {
    if (!req.isMultipart()) return { fields: req.body as Record<string, unknown>, files: [], error: null };
    const read = await readEvidenceForm(req, viewer.csrfToken);
    if (read.ok) return { fields: read.fields, files: read.files, error: null };
    if (read.status === 403) {
      await ctx.audit(req, 'csrf.refused', req.url);
      await ctx.html(reply, csrfRefusedPage(viewer), 403);
      return null;
    }
    await ctx.audit(req, 'inspection.evidence-refused', s.workflowId, { message: read.error });
    reply.code(read.status);
    return { fields: read.fields, files: [], error: read.error };
  };

  /**
   * The draft's files still ticked, then the new ones (each once): the whole list is checked
   * against the per-inspection limits first, and only a list that passes has its new files stored
   * in the blob store (which never forgets a blob), so a refused upload leaves nothing behind.
   */
  const evidenceAfter = async (s: InspectionStatus, by: string, fields: Record<string, unknown>, files: UploadedFile[]): Promise<EvidenceFile[] | string> => {
    const keep = new Set((Array.isArray(fields.keepEvidence) ? fields.keepEvidence : [fields.keepEvidence]).filter((x) => typeof x === 'string'));
    const kept = ((await draftOf(s))?.evidence ?? []).filter((f) => keep.has(f.sha256));
    if (files.length && !results) return '此控制台未配置证据材料存储，不能上传文件。';
    const list = [...kept];
    const added: UploadedFile[] = [];
    for (const f of files) {
      const digest = sha256(f.bytes);
      if (list.some((x) => x.sha256 === digest)) continue;
      list.push({ fileName: f.fileName, sha256: digest, contentType: f.contentType, size: f.bytes.length, uploadedBy: by, uploadedAt: ctx.now().toISOString() });
      added.push(f);
    }
    if (list.length > EVIDENCE_LIMITS.maxFiles) return `每项检查最多 ${EVIDENCE_LIMITS.maxFiles} 个证据文件，请取消勾选不需要的文件后再上传。`;
    // The blob store's digest is the SHA-256 the list already names.
    for (const f of added) await results!.blobs.put(f.bytes);
    return list;
  };

  app.post('/inspection', { config: { csrfInFirstPart: true } }, async (req, reply) => {
    // The inspection is in the query (the page's form) or the fields (older forms, the command line's twin): known before any file is read.
    const q = req.query as Record<string, unknown>;
    const where = req.isMultipart() || typeof q.campaign === 'string' ? q : (req.body as Record<string, unknown>);
    const found = await teamInspection(req, reply, where);
    if (!found) return;
    const { s, viewer } = found;
    const stale = async (latest: InspectionStatus) => {
      await ctx.audit(req, 'inspection.stale-submit', s.workflowId, { submittedBy: latest.result?.by ?? null });
      return ctx.html(reply, await submittedAlready(viewer, latest));
    };
    const body = await formBody(req, reply, viewer, s);
    if (!body) return;
    if (s.result) return stale(s);
    const values = readResultForm(body.fields, deps.checkItems);
    if (body.error) return ctx.html(reply, await form(viewer, s, values, body.error), reply.statusCode);

    const evidence = await evidenceAfter(s, viewer.personId, body.fields, body.files);
    if (typeof evidence === 'string') return ctx.html(reply, await form(viewer, s, values, evidence), 400);
    const saveDraft = async () => {
      if (!results) return false;
      await results.drafts.save({ campaignId: s.campaignId, unitId: s.unitId, values: draftFields(values), evidence, updatedBy: viewer.personId, updatedAt: ctx.now().toISOString() });
      await ctx.audit(req, 'inspection.draft-saved', s.workflowId, { evidence: evidence.map((e) => e.sha256) });
      return true;
    };
    if (body.fields.action === 'draft') {
      if (!(await saveDraft())) return ctx.html(reply, await form(viewer, s, values, '此控制台未配置草稿存储。'), 400);
      return reply.redirect(inspectionUrl('/inspection', s, { saved: '1' }), 303);
    }

    const parsed = parseResultForm(
      body.fields,
      {
        by: viewer.personId,
        team: s.team,
        today: s.today,
        checkItems: deps.checkItems,
        couldNotInspect: deps.couldNotInspect,
        agencies: deps.registry.agencies().map((d) => d.id),
      },
      evidence,
    );
    if (!parsed.ok) {
      // Kept as the draft, so the files just uploaded are not lost with the refusal.
      const kept = await saveDraft();
      return ctx.html(reply, await form(viewer, s, parsed.values, kept ? `${parsed.error}（已保存为草稿）` : parsed.error, evidence), 400);
    }
    let ack: Awaited<ReturnType<typeof submitResult>>;
    try {
      ack = await submitResult(temporal, s.campaignId, s.unitId, parsed.report);
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
    await results?.drafts.delete(s.campaignId, s.unitId);
    const r = parsed.report;
    await ctx.audit(req, SUBMITTED, s.workflowId, { campaignId: s.campaignId, unitId: s.unitId, outcome: r.result.outcome, checkedOn: r.checkedOn, present: r.present, evidence: r.evidence.length });
    // The page is built from what was sent and the Update's answer: asking the workflow again
    // would be a second round trip, and one a busy worker may time out after the result is in.
    const submitted: InspectionStatus = { ...s, result: { outcome: ack.outcome, by: r.by, checkedOn: r.checkedOn, onTime: ack.onTime, ...resultDetails(r) } };
    return ctx.html(reply, await resultPage(viewer, submitted, `${unitLabel(s)}：检查结果（${outcomeLabel(r.result.outcome)}）已提交。`));
  });
}
