// 名录导入 by upload, in two steps. Preview: the file is read and checked by the SAME code as
// `ssj registry import` (files/registry/import-file.ts prepareImport) against the registry as it
// stands, and the page shows the counts, the effective date and the row problems (the first
// PREVIEW_PROBLEMS, and how many more); nothing is written. Confirm: the batch parsed at preview, kept server-side under a one-time token bound to
// the session (./registry-pending.ts), is applied through the registry store in one transaction.
// A second confirm answers 已处理; the batch key (kind + SHA-256 of the bytes) keeps the same file
// from ever being applied twice, whether from here or the command line. A brigade leader imports
// only the brigade's quarter-end lists, within the brigade (./registry-scope.ts): checked at preview
// and again at confirm, against the registry as it stands then.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { beijingDate } from '../domain/calendar';
import type { Department } from '../domain/registry';
import { prepareImport } from '../files/registry/import-file';
import { importKinds, TEMPLATES, type ImportKind } from '../files/registry/templates';
import { isCalendarDate, RegistryChangedError, type RegistryStore } from '../stores/registry-store';
import type { RouteContext } from './approvals';
import { classifyChanges, countChanges } from './registry-counts';
import { registryChanged } from './registry-cache';
import { PendingImports } from './registry-pending';
import { problemsInChinese } from './registry-problems';
import { BRIGADE_KINDS, brigadeScope, isCityWide, outOfScope, scopeRefusal, type BrigadeScope } from './registry-scope';
import { readRegistryUpload } from './registry-upload-form';
import { csrfRefusedPage, problemPage } from './views/auth-pages';
import type { Viewer } from './views/layout';
import { fieldChanges } from './views/registries-labels';
import { importedPage, previewPage, type PreviewChange } from './views/registries-import';
import type { UploadSent } from './views/registries';

/** Changes listed on the preview page (the counts cover all of them). */
const PREVIEW_CHANGES = 100;
/** Problems listed on the preview page: enough to fix a file by, few enough for any browser (the count covers all). */
export const PREVIEW_PROBLEMS = 200;

const isKind = (k: unknown): k is ImportKind => typeof k === 'string' && (importKinds as readonly string[]).includes(k);
const nameOf = (state: unknown): string => (state && typeof state === 'object' && 'name' in state && typeof state.name === 'string' ? state.name : '');

export function registerRegistryUpload(
  app: FastifyInstance,
  ctx: RouteContext,
  registry: RegistryStore,
  o: { roles: readonly string[]; mainPage: (viewer: Viewer, error: string | null, sent: UploadSent) => Promise<string> },
): void {
  const pending = new PendingImports(() => ctx.now().getTime());
  const csrfRefused = async (req: FastifyRequest) => {
    await ctx.audit(req, 'csrf.refused', req.url);
    return csrfRefusedPage(ctx.viewerOf(req));
  };
  const today = () => beijingDate(ctx.now().getTime());
  /**
   * Who imports `kind`: 'city' (admin, detachment leader), or the brigade a brigade leader may
   * import it for; null when refused (a kind not theirs, or no brigade found): 403, audited.
   */
  const reachFor = async (req: FastifyRequest, reply: FastifyReply, kind: ImportKind, fileName: string | null): Promise<'city' | (BrigadeScope & { department: Department }) | null> => {
    const signed = req.signedIn!;
    if (isCityWide(signed.roles)) return 'city';
    let why: string | null = null;
    let text: string;
    if (!BRIGADE_KINDS.includes(kind)) {
      why = 'kind not for a brigade leader';
      const titles = BRIGADE_KINDS.map((k) => TEMPLATES[k].title);
      text = `大队长只能导入${titles.slice(0, -1).join('、')}和${titles.at(-1)}；${TEMPLATES[kind].title}由支队长或系统管理员导入。`;
    } else {
      const scope = await brigadeScope(registry, signed.account.personId, today());
      const refusal = scopeRefusal(scope);
      if (scope.department && !refusal) return { ...scope, department: scope.department };
      why = 'no brigade in the registry';
      text = refusal ?? '';
    }
    await ctx.audit(req, 'registry.import-refused', fileName, { why, kind });
    await ctx.html(reply, problemPage('无权导入', `${text}未导入任何数据。`, ctx.viewerOf(req)), 403);
    return null;
  };

  app.post('/registries/preview', { config: { csrfInFirstPart: true } }, async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, o.roles))) return;
    const signed = req.signedIn!;
    const viewer = ctx.viewerOf(req)!;
    const form = await readRegistryUpload(req, signed.session.csrfSecret);
    // A refusal shows the form again with the kind and date as sent: the next upload goes into
    // the registry the user chose, not the form's first one.
    const sentOf = (fields: Record<string, string>): UploadSent => ({ kind: fields.kind, date: fields.date?.trim() });
    if (!form.ok) {
      if (form.error === 'csrf') return ctx.html(reply, await csrfRefused(req), 403);
      await ctx.audit(req, 'registry.upload-refused', null, { error: form.error });
      return ctx.html(reply, await o.mainPage(viewer, form.error, sentOf(form.fields)), form.status);
    }
    const { fields, fileName, bytes } = form.upload;
    const date = (fields.date ?? '').trim();
    if (!isKind(fields.kind)) return ctx.html(reply, await o.mainPage(viewer, '请选择名录类型。', sentOf(fields)), 400);
    if (date !== '' && !isCalendarDate(date)) return ctx.html(reply, await o.mainPage(viewer, `生效日期“${date}”不是有效日期（日期格式如 2023-03-31）。`, sentOf(fields)), 400);
    const kind = fields.kind;
    const reach = await reachFor(req, reply, kind, fileName);
    if (!reach) return;

    const prepared = await prepareImport(registry, fileName, bytes, {
      kind,
      ...(date ? { date } : {}),
      source: `${fileName}（工作台上传，${signed.name}）`,
      progress: false,
    });
    const sha256 = prepared.key.slice(prepared.key.indexOf(':') + 1);
    const classified = prepared.batch ? await classifyChanges(registry, prepared.batch) : [];
    const counts = prepared.batch ? countChanges(classified, prepared.unchanged) : null;
    // A file with problems of its own has no batch yet: its reach is checked once those are fixed.
    const outside = reach !== 'city' && prepared.batch ? await outOfScope(registry, reach, today(), { fileName, kind, changeRows: prepared.changeRows }, classified) : [];
    const problems = [...prepared.problems, ...outside];
    const token =
      prepared.batch && counts && outside.length === 0
        ? pending.add({ sessionId: signed.session.id, kind, fileName, sha256, prepared, counts, batchesAtPreview: (await registry.tableCounts()).batches })
        : null;
    const totalProblems = problems.length + prepared.moreProblems;
    await ctx.audit(req, 'registry.previewed', fileName, {
      kind,
      sha256,
      rows: prepared.rows,
      problems: totalProblems,
      ...(reach !== 'city' ? { brigade: reach.department.id, outOfScope: outside.length } : {}),
      alreadyImported: prepared.previous?.id ?? null,
      ...(counts ?? {}),
    });
    const changes: PreviewChange[] = classified.slice(0, PREVIEW_CHANGES).map((c) => ({
      kind: c.kind,
      entityKind: c.change.entityKind,
      entityId: c.change.entityId,
      name: nameOf(c.change.state) || nameOf(c.before),
      details: fieldChanges(c.change.entityKind, c.before, c.change.state),
    }));
    return ctx.html(
      reply,
      previewPage(viewer, {
        kind,
        fileName,
        sha256,
        rows: prepared.rows,
        effectiveDate: prepared.batch?.effectiveDate ?? prepared.previous?.effectiveDate ?? (date || null),
        counts,
        problems: problemsInChinese(problems.slice(0, PREVIEW_PROBLEMS)),
        totalProblems,
        previous: prepared.previous,
        token,
        changes,
        totalChanges: classified.length,
      }),
      problems.length > 0 ? 422 : 200,
    );
  });

  app.post('/registries/commit', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, o.roles))) return;
    const signed = req.signedIn!;
    const viewer = ctx.viewerOf(req)!;
    const p = pending.get((req.body as Record<string, unknown>).token, signed.session.id);
    if (!p || !p.prepared.batch) {
      await ctx.audit(req, 'registry.import-refused', null, { why: 'unknown or expired preview' });
      return ctx.html(reply, problemPage('预览已失效', '此导入预览已过期（保留30分钟）或不属于当前登录会话，未导入任何数据。请重新上传文件。', viewer), 410);
    }
    const facts = { kind: p.kind, fileName: p.fileName, sha256: p.sha256, rows: p.prepared.rows, counts: p.counts };
    if (p.outcome?.state === 'committed') {
      await ctx.audit(req, 'registry.import-repeat', p.fileName, { sha256: p.sha256, batchId: p.outcome.batch.id });
      return ctx.html(reply, importedPage(viewer, { ...facts, batch: p.outcome.batch, by: p.outcome.by, again: true }));
    }
    if (p.outcome?.state === 'committing') return ctx.html(reply, problemPage('正在导入', '此导入正在写入，请稍候在“名录管理”页查看结果。', viewer), 409);
    const batch = p.prepared.batch;
    // Claimed before the first await: a second confirm arriving meanwhile answers 正在导入/已处理.
    p.outcome = { state: 'committing' };
    let result;
    try {
      const already = await registry.findBatch(batch.key);
      if (already) {
        p.outcome = { state: 'committed', batch: already, by: '他人' };
        return ctx.html(reply, importedPage(viewer, { ...facts, batch: already, by: '他人（同一文件已另行导入）', again: true }));
      }
      // A brigade leader's reach, checked again against the registry as it stands now: the batch
      // carries the states it will write, but the units' areas and the people's departments may
      // have changed since preview (or the day turned). Just before the apply: an import landing
      // after this check moves the batch count, and the apply below refuses.
      const reach = await reachFor(req, reply, p.kind, p.fileName);
      if (!reach) {
        p.outcome = null;
        return reply;
      }
      if (reach !== 'city') {
        const outside = await outOfScope(registry, reach, today(), { fileName: p.fileName, kind: p.kind, changeRows: p.prepared.changeRows }, await classifyChanges(registry, batch));
        if (outside.length > 0) {
          p.outcome = null;
          await ctx.audit(req, 'registry.import-refused', p.fileName, { why: 'outside the brigade at commit', sha256: p.sha256, brigade: reach.department.id, outOfScope: outside.length });
          return ctx.html(
            reply,
            previewPage(viewer, { ...facts, effectiveDate: batch.effectiveDate, counts: null, problems: problemsInChinese(outside.slice(0, PREVIEW_PROBLEMS)), totalProblems: outside.length, previous: null, token: null, changes: [], totalChanges: 0, atCommit: true }),
            403,
          );
        }
      }
      // Checked against the registry as it stood at preview, under the apply lock (no import can
      // land in between): another import since may change the verdict.
      try {
        result = await registry.applyBatch(batch, { expectBatches: p.batchesAtPreview });
      } catch (err) {
        if (!(err instanceof RegistryChangedError)) throw err;
        p.outcome = null;
        await ctx.audit(req, 'registry.import-refused', p.fileName, { why: 'registry changed since preview', sha256: p.sha256 });
        return ctx.html(reply, problemPage('预览已过时', '预览之后名录已有新的导入，预览结果可能已不准确，未导入任何数据。请重新上传文件核对后再确认。', viewer), 409);
      }
    } catch (err) {
      p.outcome = null;
      throw err;
    }
    const by = `${signed.name}（${signed.account.personId}）`;
    p.outcome = { state: 'committed', batch: result.batch, by };
    // The console's pages and its sessions' roles see the import at once (else within the minute, as any import).
    if (result.applied) await registryChanged(registry).catch(() => undefined);
    await ctx.audit(req, 'registry.imported', p.fileName, {
      kind: p.kind,
      fileName: p.fileName,
      sha256: p.sha256,
      batchId: result.batch.id,
      applied: result.applied,
      effectiveDate: result.batch.effectiveDate,
      rows: p.prepared.rows,
      ...p.counts,
    });
    // Records carrying changes dated before later-recorded ones past them (stores/registry-carry.ts).
    const carried = result.applied ? result.batch.changeCount - batch.changes.length : 0;
    return ctx.html(reply, importedPage(viewer, { ...facts, batch: result.batch, by, again: !result.applied, carried }), 200);
  });
}
