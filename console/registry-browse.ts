// The registries at a date (/registries/state: units, people or departments as they stood at the
// end of a day, searched, one page at a time: a registry of 20,000 units is never rendered whole)
// and one entity's history (/registries/history: each dated change, its import, what changed).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { beijingDate } from '../domain/calendar';
import type { Person, RegistrySnapshot } from '../domain/registry';
import { entityKinds, isCalendarDate, type EntityKind, type RegistryStore } from '../stores/registry-store';
import type { RouteContext } from './approvals';
import { problemPage } from './views/auth-pages';
import { historyPage, LISTED_KINDS, statePage, type HistoryRow, type ListedKind } from './views/registries-state';

export const STATE_PAGE_SIZE = 50;

const listOf = (s: RegistrySnapshot, kind: ListedKind): readonly { id: string; name: string }[] => (kind === 'unit' ? s.units : kind === 'person' ? s.people : s.departments);

export function registerRegistryBrowse(app: FastifyInstance, ctx: RouteContext, registry: RegistryStore, roles: readonly string[]): void {
  // The last snapshot read, reused while no change was recorded since: paging and searching one
  // date reads the registry once.
  let cached: { date: string; changes: number; snapshot: RegistrySnapshot } | null = null;
  const snapshotAt = async (date: string): Promise<RegistrySnapshot> => {
    const { changes } = await registry.tableCounts();
    if (cached?.date !== date || cached.changes !== changes) cached = { date, changes, snapshot: await registry.snapshotAt(date) };
    return cached.snapshot;
  };
  const badRequest = (req: FastifyRequest, reply: FastifyReply, text: string) => ctx.html(reply, problemPage('查询有误', text, ctx.viewerOf(req)), 400);
  const dateOf = (q: Record<string, unknown>): string | null => {
    const d = typeof q.date === 'string' && q.date !== '' ? q.date : beijingDate(ctx.now().getTime());
    return isCalendarDate(d) ? d : null;
  };

  app.get('/registries/state', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, roles))) return;
    const q = req.query as Record<string, unknown>;
    const kind = (LISTED_KINDS as readonly unknown[]).includes(q.kind) ? (q.kind as ListedKind) : 'unit';
    const date = dateOf(q);
    if (!date) return badRequest(req, reply, '日期应为有效日期（如 2024-03-31）。');
    const search = typeof q.q === 'string' ? q.q.trim().slice(0, 100) : '';
    const snapshot = await snapshotAt(date);
    const all = listOf(snapshot, kind);
    const needle = search.toLowerCase();
    const found = needle ? all.filter((e) => e.id.toLowerCase().includes(needle) || e.name.toLowerCase().includes(needle)) : all;
    const pages = Math.max(1, Math.ceil(found.length / STATE_PAGE_SIZE));
    const asked = typeof q.page === 'string' && /^\d{1,6}$/.test(q.page) ? Number(q.page) : 1;
    const page = Math.min(Math.max(asked, 1), pages);
    const departments = new Map(snapshot.departments.map((d) => [d.id, d.name]));
    return ctx.html(
      reply,
      statePage(ctx.viewerOf(req)!, {
        kind,
        date,
        q: search,
        page,
        pages,
        total: found.length,
        all: all.length,
        items: found.slice((page - 1) * STATE_PAGE_SIZE, page * STATE_PAGE_SIZE),
        departmentName: (id) => departments.get(id) ?? id,
      }),
    );
  });

  app.get('/registries/history', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, roles))) return;
    const q = req.query as Record<string, unknown>;
    if (!(entityKinds as readonly unknown[]).includes(q.kind) || typeof q.id !== 'string' || q.id === '' || q.id.length > 200) {
      return badRequest(req, reply, '请从名录列表中点击编号查看变化记录。');
    }
    const kind = q.kind as EntityKind;
    const id = q.id;
    const date = dateOf(q);
    if (!date) return badRequest(req, reply, '日期应为有效日期（如 2024-03-31）。');
    const entries = await registry.history(kind, id);
    const batches = new Map((await registry.batches()).map((b) => [b.id, b]));
    const current = (await registry.statesAt(kind, [id], date)).get(id) ?? null;
    // Department names for the people's 部门, as they stood at the date asked.
    const departmentIds = kind === 'person' ? [...entries, { state: current }].flatMap((e) => (e.state ? [(e.state as Person).department] : [])) : [];
    const departments = departmentIds.length ? await registry.statesAt('department', departmentIds, date) : new Map();
    const rows: HistoryRow[] = entries.map((e, i) => ({
      effectiveDate: e.effectiveDate,
      recordedAt: e.recordedAt,
      source: e.source,
      reason: e.reason,
      batch: batches.get(e.batchId) ?? null,
      before: i > 0 ? entries[i - 1]!.state : null,
      after: e.state,
    }));
    return ctx.html(reply, historyPage(ctx.viewerOf(req)!, { kind, id, date, current, entries: rows, departmentName: (d) => departments.get(d)?.name ?? d }));
  });
}
