// 公示 for operations. Publication is automatic: the campaign workflow writes the disclosure
// package (files/publication.ts) as soon as the last inspection ends. So this page shows what
// will be published and by when, then the package itself once written (its files, each viewable;
// the 公示 page rendered sandboxed), and, when the publication step parked for data, the button
// that retries it (the `resumeParkedStep` Update of `ssj quarter resume`) as the signed-in person.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resumeCampaign } from '../client/commands/resume';
import { OPERATOR_ROLES } from '../domain/parking';
import type { RouteContext } from './approvals';
import { formText } from './form-text';
import { OPERATIONS_ROLES } from './quarter';
import { answerResume } from './resume';
import { problemPage } from './views/auth-pages';
import { publicationPage, publicationResumedPage, type PackageFile } from './views/publication';
import { campaignStatusOrNull } from './campaign-live';

const MAX_FILES = 200;

/** The package's files, relative paths with '/' (the folder must be readable on this machine). */
export function packageFiles(location: string): PackageFile[] | null {
  let root: string;
  try {
    root = fs.realpathSync(location);
    if (!fs.statSync(root).isDirectory()) return null;
  } catch {
    return null;
  }
  const out: PackageFile[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= MAX_FILES) return;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push({ path: path.relative(root, full).split(path.sep).join('/'), bytes: fs.statSync(full).size });
    }
  };
  walk(root);
  return out;
}

/**
 * The package's overall fingerprint: the SHA-256 of its SHA256SUMS (what verify.html and verify.py
 * show as 总指纹). Published beside the page by the bureau, it ties the files anyone downloads to
 * what was published; null when the folder or its SHA256SUMS cannot be read here.
 */
export function packageFingerprint(location: string): string | null {
  try {
    return createHash('sha256').update(fs.readFileSync(path.join(location, 'SHA256SUMS'))).digest('hex');
  } catch {
    return null;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.txt': 'text/plain; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};
// A published page is shown as the public will see it, but sandboxed: its own inline styles, no
// script, nothing from elsewhere, no access to the console's origin (so no cookies or forms).
const PUBLISHED_PAGE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";
// verify.html alone runs its script (the package's own verify.js, from this folder) and reads the
// package's files beside it; nothing else, no form, no frame, nothing from elsewhere.
const VERIFY_PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerPublication(app: FastifyInstance, ctx: RouteContext, temporal: Client): void {
  const { store } = ctx;
  const statusOf = (campaignId: string) => campaignStatusOrNull(temporal, campaignId);
  const campaignOf = async (req: FastifyRequest) => {
    const id = (req.method === 'GET' ? (req.query as Record<string, unknown>) : (req.body as Record<string, unknown>)).campaign;
    return typeof id === 'string' && id.length <= 300 ? store.getCampaign(id) : null;
  };
  const noSuchQuarter = (req: FastifyRequest, reply: FastifyReply) => ctx.html(reply, problemPage('季度不存在', '找不到此季度抽查，可能尚未启动或链接有误。', ctx.viewerOf(req)), 404);

  app.get('/publication', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const c = await campaignOf(req);
    if (!c) return noSuchQuarter(req, reply);
    const status = await statusOf(c.campaignId);
    const files = status?.publication ? packageFiles(status.publication.location) : null;
    const fingerprint = files && status?.publication ? packageFingerprint(status.publication.location) : null;
    const canResume = req.signedIn!.roles.some((r) => (OPERATOR_ROLES as readonly string[]).includes(r));
    return ctx.html(reply, publicationPage(ctx.viewerOf(req)!, { campaign: c, status, files, fingerprint, canResume }));
  });

  // The file listed as `wanted` of the quarter's published package, as published.
  const serveFile = async (req: FastifyRequest, reply: FastifyReply, campaignId: unknown, wanted: unknown) => {
    if (!(await ctx.requireRole(req, reply, OPERATIONS_ROLES))) return;
    const c = typeof campaignId === 'string' && campaignId.length <= 300 ? await store.getCampaign(campaignId) : null;
    const status = c ? await statusOf(c.campaignId) : null;
    const location = status?.publication?.location;
    // Only a file the listing shows: no path from the request reaches the file system otherwise.
    const file = location && typeof wanted === 'string' ? packageFiles(location)?.find((f) => f.path === wanted) : undefined;
    if (!location || !file) return ctx.html(reply, problemPage('文件不存在', '此公示文件不存在或尚未发布。', ctx.viewerOf(req)), 404);
    const ext = path.extname(file.path).toLowerCase();
    const type = CONTENT_TYPES[ext] ?? 'text/plain; charset=utf-8';
    if (ext === '.html') reply.header('content-security-policy', file.path === 'verify.html' ? VERIFY_PAGE_CSP : PUBLISHED_PAGE_CSP);
    if (ext === '.xlsx') reply.header('content-disposition', `attachment; filename="${path.basename(file.path)}"`);
    return reply.type(type).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(fs.readFileSync(path.join(fs.realpathSync(location), ...file.path.split('/'))));
  };
  app.get('/publication/files/:campaign/*', async (req, reply) => {
    const params = req.params as Record<string, string>;
    return serveFile(req, reply, params.campaign, params['*']);
  });
  // The earlier query-style address, kept for links already handed out.
  app.get('/publication/file', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    return serveFile(req, reply, q.campaign, q.path);
  });

  app.post('/publication/resume', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, OPERATOR_ROLES))) return;
    const c = await campaignOf(req);
    if (!c) return noSuchQuarter(req, reply);
    const body = req.body as Record<string, unknown>;
    const viewer = ctx.viewerOf(req)!;
    return answerResume(ctx, req, reply, {
      target: c.campaignId,
      note: formText(body.note),
      back: `/publication?campaign=${encodeURIComponent(c.campaignId)}`,
      backLabel: '返回结果公示',
      actions: { done: 'publication.resume', refused: 'publication.resume-refused', stale: 'publication.resume-stale' },
      send: (note) => resumeCampaign(temporal, c.campaignId, { by: viewer.personId, note }),
      done: () => publicationResumedPage(viewer, c.campaignId, null),
      stale: (why) => publicationResumedPage(viewer, c.campaignId, why),
    });
  });
}
