// 名录管理 for operations: the import templates (downloadable as CSV with BOM or XLSX, made by the
// same writers as `ssj registry synth`), and, when the console has the registry store, import by
// upload with a preview (./registry-upload.ts) and the registries at a date with each entity's
// history (./registry-browse.ts). Reading is open to every REGISTRY_ROLES holder; what each may
// import (a brigade leader: the brigade's quarter-end lists) is ./registry-scope.ts's.
import type { FastifyInstance } from 'fastify';
import { beijingDate } from '../domain/calendar';
import { importKinds, TEMPLATES, type ImportKind } from '../files/registry/templates';
import { sheetToCsv, sheetToXlsx } from '../files/registry/write-files';
import type { RegistryStore } from '../stores/registry-store';
import type { RouteContext } from './approvals';
import { registerRegistryBrowse } from './registry-browse';
import { REGISTRY_ACCEPT, REGISTRY_UPLOAD_LIMITS } from './registry-upload-form';
import { registerRegistryUpload } from './registry-upload';
import { brigadeScope, importableKinds, isCityWide, scopeNote, scopeRefusal } from './registry-scope';
import { problemPage } from './views/auth-pages';
import { registriesPage, type UploadSent } from './views/registries';

/** Who keeps the registries: operations, and the brigades for their quarter-end lists. */
export const REGISTRY_ROLES = ['admin', 'detachment-leader', 'brigade-leader'] as const;

/** How many of the latest imports the page lists. */
const RECENT = 10;

const isKind = (k: unknown): k is ImportKind => typeof k === 'string' && (importKinds as readonly string[]).includes(k);

export function registerRegistries(app: FastifyInstance, ctx: RouteContext, registry: RegistryStore | null): void {
  const mainPage = async (viewer: NonNullable<ReturnType<RouteContext['viewerOf']>>, error: string | null = null, sent: UploadSent = {}) => {
    const today = beijingDate(ctx.now().getTime());
    const brigade = registry && !isCityWide(viewer.roles) ? await brigadeScope(registry, viewer.personId, today) : null;
    return registriesPage(viewer, {
      canImport: registry !== null,
      today,
      kinds: importableKinds(viewer.roles),
      scopeNote: brigade && scopeNote(brigade),
      blocked: brigade && scopeRefusal(brigade),
      recent: registry ? (await registry.batches()).slice(-RECENT).reverse() : [],
      accept: REGISTRY_ACCEPT,
      maxMegabytes: REGISTRY_UPLOAD_LIMITS.maxBytes / 1024 / 1024,
      error,
      sent,
    });
  };

  app.get('/registries', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, REGISTRY_ROLES))) return;
    return ctx.html(reply, await mainPage(ctx.viewerOf(req)!));
  });

  app.get('/registries/template', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, REGISTRY_ROLES))) return;
    const q = req.query as Record<string, unknown>;
    if (!isKind(q.kind) || (q.format !== 'csv' && q.format !== 'xlsx')) return ctx.html(reply, problemPage('模板不存在', '没有这种名录模板。', ctx.viewerOf(req)), 404);
    const sheet = { kind: q.kind, headings: TEMPLATES[q.kind].columns.map((c) => c.heading), rows: [] };
    const name = `${TEMPLATES[q.kind].title}模板.${q.format}`;
    reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="ssj-${q.kind}-template.${q.format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    return q.format === 'csv'
      ? reply.type('text/csv; charset=utf-8').send(sheetToCsv(sheet))
      : reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await sheetToXlsx(sheet));
  });

  if (registry) {
    registerRegistryUpload(app, ctx, registry, { roles: REGISTRY_ROLES, mainPage });
    registerRegistryBrowse(app, ctx, registry, REGISTRY_ROLES);
  }
}
