// The brigades' quarter-end change list (变更清单) in the console: during the update window a
// brigade leader of a brigade the campaign still awaits says the list is in (naming the registry
// batch imported under 名录管理) or that there is none, through the SAME Update as
// `ssj changes submit` (client/temporal.ts submitChangeList), as the signed-in person. The 工作台
// task is computed live from the campaign's status, as console/ceremony.ts witnessTasks() does:
// the workflow keeps no task row for it. A submit after the brigade's list is in answers 已处理.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { submitChangeList } from '../client/temporal';
import { chineseQuarter } from '../domain/documents/html';
import type { Department, Person } from '../domain/registry';
import type { BatchInfo, RegistryStore } from '../stores/registry-store';
import type { CampaignRow, TaskRow } from '../stores/console-store';
import type { CampaignStatus } from '../workflows/definitions';
import type { RouteContext } from './approvals';
import { registryIndex } from './registry-cache';
import { campaignStatusOrNull, liveTask, personLabel } from './campaign-live';
import { problemPage } from './views/auth-pages';
import { changeListDonePage, changeListPage, changeListStalePage } from './views/change-list';
import type { Viewer } from './views/layout';
import { CHANGE_LIST_KINDS, isChangeListKind, TEMPLATES } from '../files/registry/templates';

export const CHANGE_LIST_ROLES: readonly string[] = ['brigade-leader'];
/** The newest batches offered in the form (`ssj registry batches` lists them all). */
const BATCHES_SHOWN = 20;

/** Registry persons and departments as they stand today: the viewer's brigade and its name. */
export interface BrigadeDirectory {
  person(id: string): Promise<Person | null>;
  department(id: string): Promise<Department | null>;
  /** The newest batches a change list can name (新增污染源清单、关停取缔污染源清单、人员变动清单), newest first. */
  batches(): Promise<BatchInfo[]>;
  /** The batch with this key, if it is one a change list can name. */
  changeListBatch(key: string): Promise<BatchInfo | null>;
}

/** A batch a change list can name: one of the kinds a brigade hands in. */
const isChangeListBatch = (b: BatchInfo): boolean => isChangeListKind(b.kind);

export function brigadeDirectory(registry: RegistryStore): BrigadeDirectory {
  // The console's one registry index (console/registry-cache.ts), read on first use.
  const current = async () => (await registryIndex(registry)).current();
  return {
    person: async (id) => (await current()).people.get(id) ?? null,
    department: async (id) => (await current()).departments.get(id) ?? null,
    batches: async () => (await registry.batches()).filter(isChangeListBatch).slice(-BATCHES_SHOWN).reverse(),
    changeListBatch: async (key) => {
      const b = await registry.findBatch(key);
      return b && isChangeListBatch(b) ? b : null;
    },
  };
}

/** The viewer's brigade when they lead one (role brigade-leader), else null. */
async function brigadeOf(dir: BrigadeDirectory, viewer: { personId: string; roles: readonly string[] }): Promise<string | null> {
  if (!viewer.roles.some((r) => CHANGE_LIST_ROLES.includes(r))) return null;
  return (await dir.person(viewer.personId))?.department ?? null;
}

/**
 * 提交变更清单 on 工作台: for a brigade leader whose brigade the campaign awaits, while the update
 * window is open. Read from the campaign's status, only for quarters the projection has in the
 * update window, so other people's home pages never ask Temporal anything.
 */
export async function changeListTasks(temporal: Client, dir: BrigadeDirectory, campaigns: readonly CampaignRow[], viewer: { personId: string; roles: readonly string[] }): Promise<TaskRow[]> {
  const open = campaigns.filter((c) => c.phase === 'update-window');
  if (open.length === 0) return [];
  const brigade = await brigadeOf(dir, viewer);
  if (!brigade) return [];
  const departmentName = (await dir.department(brigade))?.name ?? brigade;
  const tasks: TaskRow[] = [];
  for (const c of open) {
    const st = await campaignStatusOrNull(temporal, c.campaignId);
    if (!st || st.phase !== 'update-window' || !st.updateWindow.waitingFor.includes(brigade)) continue;
    tasks.push(
      liveTask(c, viewer.personId, {
        key: `${c.campaignId}/change-list/${brigade}`,
        kind: 'change-list',
        unitName: `${st.year}年${chineseQuarter(st.quarter)}名录更新`,
        department: brigade,
        role: 'brigade-leader',
        roleDepartment: brigade,
        deadline: st.dates.windowCloses,
        detail: { year: st.year, quarter: st.quarter, departmentName },
      }),
    );
  }
  return tasks;
}

export function registerChangeList(app: FastifyInstance, ctx: RouteContext, temporal: Client, dir: BrigadeDirectory): void {
  const statusOf = (campaignId: unknown) => campaignStatusOrNull(temporal, campaignId);
  /** The viewer's brigade, or a refusal page (not a brigade leader of any department). */
  const brigadeFor = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!(await ctx.requireRole(req, reply, CHANGE_LIST_ROLES))) return null;
    const brigade = await brigadeOf(dir, ctx.viewerOf(req)!);
    if (!brigade) {
      await ctx.audit(req, 'change-list.refused', null, { reason: 'no-brigade' });
      await ctx.html(reply, problemPage('无权操作', '名录中未登记您所属的大队，不能提交变更清单。', ctx.viewerOf(req)), 403);
      return null;
    }
    return { brigade, name: (await dir.department(brigade))?.name ?? brigade };
  };
  const noSuchCampaign = (req: FastifyRequest, reply: FastifyReply) => ctx.html(reply, problemPage('抽查季度不存在', '找不到此抽查季度，可能链接有误。', ctx.viewerOf(req)), 404);
  const nameOf = (id: string) => personLabel(ctx.personName, id);
  const submittedBy = (st: CampaignStatus, brigade: string) => st.updateWindow.submitted.find((s) => s.brigade === brigade) ?? null;

  const form = async (viewer: Viewer, st: CampaignStatus, b: { brigade: string; name: string }, error: string | null = null) => {
    const done = submittedBy(st, b.brigade);
    return changeListPage(viewer, { status: st, brigade: b.brigade, brigadeName: b.name, submitted: done ? { ...done, byName: await nameOf(done.by) } : null, batches: await dir.batches(), error });
  };

  app.get('/change-list', async (req, reply) => {
    const b = await brigadeFor(req, reply);
    if (!b) return;
    const st = await statusOf((req.query as Record<string, unknown>).campaign);
    if (!st) return noSuchCampaign(req, reply);
    return ctx.html(reply, await form(ctx.viewerOf(req)!, st, b));
  });

  app.post('/change-list', async (req, reply) => {
    const b = await brigadeFor(req, reply);
    if (!b) return;
    const body = req.body as Record<string, unknown>;
    const st = await statusOf(body.campaign);
    if (!st) return noSuchCampaign(req, reply);
    const viewer = ctx.viewerOf(req)!;
    const stale = async (latest: CampaignStatus) => {
      const done = submittedBy(latest, b.brigade);
      if (!done && latest.phase === 'update-window') return null;
      await ctx.audit(req, 'change-list.stale-click', latest.campaignId, { brigade: b.brigade, phase: latest.phase, by: done?.by ?? null });
      return ctx.html(reply, changeListStalePage(viewer, latest, b.name, done ? { ...done, byName: await nameOf(done.by) } : null));
    };
    const early = await stale(st);
    if (early) return early;
    const none = body.none === '1';
    const batch = typeof body.batch === 'string' ? body.batch.trim() : '';
    if (none === (batch !== '')) {
      await ctx.audit(req, 'change-list.refused', st.campaignId, { brigade: b.brigade, reason: 'bad-form' });
      return ctx.html(reply, await form(viewer, st, b, '请选择已导入的名录批次，或确认“本季度无变更”（二者选其一）。'), 400);
    }
    // Only a batch the registry holds, of a kind a brigade hands in: never a made-up key, nor the city's whole registry.
    if (batch !== '' && !(batch.length <= 200 && (await dir.changeListBatch(batch)))) {
      await ctx.audit(req, 'change-list.refused', st.campaignId, { brigade: b.brigade, reason: 'unknown-batch', batch: batch.slice(0, 100) });
      const kinds = CHANGE_LIST_KINDS.map((k) => TEMPLATES[k].title).join('、');
      return ctx.html(reply, await form(viewer, st, b, `名录批次：没有可作为变更清单的批次“${batch.slice(0, 100)}”。变更清单须是已导入的${kinds}；请先在“名录管理”中导入，再从列表中选择。`), 400);
    }
    try {
      const ack = await submitChangeList(temporal, st.campaignId, { brigade: b.brigade, by: viewer.personId, batchId: none ? null : batch });
      await ctx.audit(req, 'change-list.submit', st.campaignId, { brigade: b.brigade, batchId: ack.batchId, on: ack.on });
      return ctx.html(reply, changeListDonePage(viewer, st, b.name, ack));
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      const latest = (await statusOf(st.campaignId)) ?? st;
      const late = await stale(latest);
      if (late) return late;
      const why = err.cause?.message ?? err.message;
      await ctx.audit(req, 'change-list.refused', st.campaignId, { brigade: b.brigade, message: why.slice(0, 300) });
      const text = /is not a member of/.test(why) ? '您不在本季度冻结名录中该大队的人员名单内，不能代表该大队提交。' : `系统拒绝了此操作（${why}）。如有疑问请联系系统管理员。`;
      return ctx.html(reply, problemPage('未能提交', text, viewer), 409);
    }
  });
}
