// 名录 for operations, first part: the import templates, each described (title, columns, which
// are required) and downloadable as CSV (UTF-8 with BOM) or XLSX (every cell text), made by the
// same writers as `ssj registry synth` (files/registry/write-files.ts). Upload with a row-error
// preview and the state at a date wait for the registry store being rewritten.
import type { FastifyInstance } from 'fastify';
import { importKinds, TEMPLATES, type ImportKind } from '../files/registry/templates';
import { sheetToCsv, sheetToXlsx } from '../files/registry/write-files';
import type { RouteContext } from './approvals';
import { problemPage } from './views/auth-pages';
import { registriesPage } from './views/registries';

/** Who keeps the registries: operations, and the brigades for their quarter-end lists. */
export const REGISTRY_ROLES = ['admin', 'detachment-leader', 'brigade-leader'] as const;

const isKind = (k: unknown): k is ImportKind => typeof k === 'string' && (importKinds as readonly string[]).includes(k);

export function registerRegistries(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/registries', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, REGISTRY_ROLES))) return;
    return ctx.html(reply, registriesPage(ctx.viewerOf(req)!));
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
}
