// The draw ceremony (ssj-draw/2, DRAW-SPEC section 11) for the two witnesses, in their own
// signed-in sessions, through the SAME typed client and Updates as `ssj witness commit|reveal`
// (client/temporal.ts commitWitness / revealWitness). The salt and entropy are made and kept in
// the witness's browser (console/static/ceremony.js): the commit form carries only the
// commitment; the reveal sends salt and entropy once every witness has committed. A presentation
// view for the room's projector shows who has committed and revealed, then the seed commitment,
// and after publication the draw record. A click after the matter was decided answers 已处理.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commitWitness, revealWitness } from '../client/temporal';
import { witnessCommitment } from '../domain/draw/commitment';
import { chineseQuarter } from '../domain/documents/html';
import { drawRecordSchema } from '../domain/draw/record';
import { entropySchema, witnessRoles, type WitnessRole } from '../domain/messages';
import type { CampaignRow, TaskRow } from '../stores/console-store';
import type { CampaignStatus } from '../workflows/definitions';
import type { RouteContext } from './approvals';
import { touchSession } from './auth';
import { campaignStatusOrNull, liveTask, personLabel } from './campaign-live';
import { committingAccounts, oneAtATime, witnessTie } from './witness-ties';
import { problemPage } from './views/auth-pages';
import { roleLabel } from './views/layout';
import { ceremonyListPage, ceremonyPage, ceremonyScreenLive, ceremonyScreenPage, ceremonyStalePage, type PublishedRecord } from './views/ceremony';

const WITNESSES: readonly string[] = witnessRoles;
const HEX64 = /^[0-9a-f]{64}$/;
const SALT = /^[0-9a-f]{32}$/;

/** What a stale click found: the step is done (by whom, when), the ceremony was voided, or the draw has run. */
export type StaleReason = { kind: 'done'; step: 'commit' | 'reveal'; by: string | null; at: string | null } | { kind: 'voided'; ceremony: number; current: number | null } | { kind: 'drawn'; phase: string };

/** The witness roles the viewer holds (a person may hold both: then they choose, once per ceremony). */
export const witnessRolesOf = (roles: readonly string[]): WitnessRole[] => witnessRoles.filter((r) => roles.includes(r));

/**
 * The published draw record read from the publication folder (the worker and console share the
 * data folder in the demo and the compose stack); null when the console cannot read it.
 */
export function readPublishedRecord(location: string): PublishedRecord | null {
  try {
    const parsed = drawRecordSchema.safeParse(JSON.parse(fs.readFileSync(path.join(location, 'draw-record.json'), 'utf8')));
    if (!parsed.success) return null;
    const r = parsed.data;
    return { seed: r.seed, manifestDigest: r.manifest_digest, spec: r.spec, drawn: r.assignments.length, pools: r.pools.length };
  } catch {
    return null;
  }
}

/**
 * The ceremony's open steps for a signed-in witness, for 工作台: 提交承诺 while their role has no
 * commitment in the current ceremony (and they have not committed under the other role), then
 * 揭示 once they committed, until they revealed. Read from the campaign's status (a query on that
 * one workflow, as the ceremony page reads it), only for quarters the projection has in the draw
 * phase, so other people's home pages never ask Temporal anything.
 */
export async function witnessTasks(temporal: Client, campaigns: readonly CampaignRow[], viewer: { personId: string; roles: readonly string[] }): Promise<TaskRow[]> {
  const mine = witnessRolesOf(viewer.roles);
  if (mine.length === 0) return [];
  const tasks: TaskRow[] = [];
  for (const c of campaigns.filter((x) => x.phase === 'draw')) {
    const st = await campaignStatusOrNull(temporal, c.campaignId);
    const cer = st?.ceremony;
    if (!st || st.phase !== 'draw' || !cer) continue;
    const task = (kind: 'witness-commit' | 'witness-reveal', role: WitnessRole, deadline: string | null): TaskRow =>
      liveTask(c, viewer.personId, {
        key: `${c.campaignId}/ceremony/${cer.number}/${kind}/${role}`,
        kind,
        unitName: `${st.year}年${chineseQuarter(st.quarter)}抽查（${roleLabel(role)}见证）`,
        department: null,
        role,
        roleDepartment: null,
        deadline,
        detail: { year: st.year, quarter: st.quarter, ceremony: cer.number },
      });
    const committed = cer.witnesses.find((w) => w.personId === viewer.personId);
    if (committed) {
      // revealBy is a programme instant (+08:00): its date part is the day it is due.
      if (!committed.revealedAt) tasks.push(task('witness-reveal', committed.role, cer.revealBy?.slice(0, 10) ?? st.dates.drawDue));
      continue;
    }
    for (const role of mine) if (!cer.witnesses.some((w) => w.role === role)) tasks.push(task('witness-commit', role, st.dates.drawDue));
  }
  return tasks;
}

export function registerCeremony(app: FastifyInstance, ctx: RouteContext, temporal: Client): void {
  const nameOf = (id: string) => personLabel(ctx.personName, id);
  const names = async (st: CampaignStatus): Promise<Record<string, string>> => {
    const ids = new Set((st.ceremony?.witnesses ?? []).map((w) => w.personId));
    return Object.fromEntries(await Promise.all([...ids].map(async (id) => [id, await nameOf(id)] as const)));
  };
  const statusOf = (campaignId: unknown) => campaignStatusOrNull(temporal, campaignId);
  const noSuchCampaign = (req: FastifyRequest, reply: FastifyReply) =>
    ctx.html(reply, problemPage('抽查季度不存在', '找不到此抽查季度，可能链接有误。', ctx.viewerOf(req)), 404);
  const record = (st: CampaignStatus) => (st.publication ? readPublishedRecord(st.publication.location) : null);

  /** Why a commit or reveal of `role` in ceremony `number` comes too late, or null when it is still due. */
  const staleness = (st: CampaignStatus, role: WitnessRole, number: number, step: 'commit' | 'reveal'): StaleReason | null => {
    const c = st.ceremony;
    if (st.phase !== 'draw' || !c) return { kind: 'drawn', phase: st.phase };
    if (c.number !== number) return { kind: 'voided', ceremony: number, current: c.number };
    const w = c.witnesses.find((x) => x.role === role);
    if (step === 'commit' && w) return { kind: 'done', step, by: w.personId, at: w.committedAt };
    if (step === 'reveal' && w?.revealedAt) return { kind: 'done', step, by: w.personId, at: w.revealedAt };
    return null;
  };
  const answerStale = async (req: FastifyRequest, reply: FastifyReply, st: CampaignStatus, why: StaleReason) => {
    await ctx.audit(req, 'ceremony.stale-click', st.campaignId, { ...why });
    const by = why.kind === 'done' && why.by ? await nameOf(why.by) : null;
    return ctx.html(reply, ceremonyStalePage(ctx.viewerOf(req)!, st, why, by));
  };

  /** The form's common fields: the campaign's status, the role (one the viewer holds) and the ceremony number. */
  const formOf = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!(await ctx.requireRole(req, reply, WITNESSES))) return null;
    const body = req.body as Record<string, unknown>;
    const viewer = ctx.viewerOf(req)!;
    const role = witnessRolesOf(viewer.roles).find((r) => r === body.role);
    const number = typeof body.ceremony === 'string' && /^[1-9]\d{0,5}$/.test(body.ceremony) ? Number(body.ceremony) : null;
    const st = await statusOf(body.campaign);
    if (!st) {
      await noSuchCampaign(req, reply);
      return null;
    }
    if (!role || number === null) {
      await ctx.audit(req, 'ceremony.refused', st.campaignId, { reason: 'bad-form', role: typeof body.role === 'string' ? body.role.slice(0, 40) : null });
      await ctx.html(reply, problemPage('请求有误', '提交的见证角色或仪式编号无效，请返回见证页面刷新后重试。', viewer), 400);
      return null;
    }
    return { body, viewer, role, number, st };
  };
  const refused = async (req: FastifyRequest, reply: FastifyReply, st: CampaignStatus, step: string, why: string, code: number) => {
    await ctx.audit(req, 'ceremony.refused', st.campaignId, { step, message: why.slice(0, 300) });
    return ctx.html(reply, problemPage('未能提交', why, ctx.viewerOf(req), undefined), code);
  };
  const back = (campaignId: string) => `/ceremony?campaign=${encodeURIComponent(campaignId)}`;
  const serially = oneAtATime();

  /** The witness tie between the viewer (as `role`) and the ceremony's other witness, worded for the viewer; null when there is none. */
  const tieOf = async (req: FastifyRequest, st: CampaignStatus, role: WitnessRole, number: number, step: 'commit' | 'reveal') => {
    const other = st.ceremony?.witnesses.find((w) => w.role !== role);
    if (!other) return null;
    const viewer = ctx.viewerOf(req)!;
    const acting = req.signedIn!.account.id;
    const own = step === 'reveal' ? await committingAccounts(ctx.store, st.campaignId, number, role, viewer.personId) : [];
    const tie = await witnessTie(
      ctx.store,
      { role, personId: viewer.personId, accountIds: [...new Set([acting, ...own])] },
      { role: other.role, personId: other.personId, accountIds: await committingAccounts(ctx.store, st.campaignId, number, other.role, other.personId) },
    );
    if (!tie) return null;
    const otherName = `${roleText(other.role)}${await nameOf(other.personId)}`;
    const what =
      tie.kind === 'common'
        ? `您和本次仪式的另一名见证人、${otherName}的工作台账号都由${await nameOf(tie.by)}开通（直接，或经由其开通的账号）`
        : tie.witness.personId === viewer.personId
          ? `您的工作台账号由本次仪式的另一名见证人、${otherName}开通（直接，或经由其开通的账号）`
          : `本次仪式的另一名见证人、${otherName}的工作台账号由您开通（直接，或经由您开通的账号）`;
    const rule = '两名见证人的账号不能一方由另一方开通，也不能由同一人开通（否则一人即可能掌握两份见证秘密）';
    const message =
      step === 'commit'
        ? `${what}。${rule}。请由另一名${roleText(role)}提交承诺值，或请运维人员在服务器上用 ssj user invite 重新开通其中一方的账号。`
        : `${what}。${rule}，因此不能揭示。揭示期限过后本次仪式作废，届时请由账号来源互不相关的见证人重新提交承诺值。`;
    return { tie, message };
  };
  /** tieOf for a step being sent: refused and audited. */
  const tieRefusal = async (req: FastifyRequest, st: CampaignStatus, role: WitnessRole, number: number, step: 'commit' | 'reveal'): Promise<string | null> => {
    const found = await tieOf(req, st, role, number, step);
    if (!found) return null;
    const { tie } = found;
    await ctx.audit(req, 'ceremony.refused', st.campaignId, { step, reason: 'witness-tie', tie: tie.kind, account: tie.account, by: tie.by, ceremony: number });
    return found.message;
  };
  /** For the page: the viewer's roles whose next step (commit, or reveal once all committed) a tie refuses, with why (no form is offered). */
  const tiedRoles = async (req: FastifyRequest, st: CampaignStatus): Promise<Partial<Record<WitnessRole, string>>> => {
    const c = st.ceremony;
    if (st.phase !== 'draw' || !c) return {};
    const viewer = ctx.viewerOf(req)!;
    const allCommitted = witnessRoles.every((r) => c.witnesses.some((w) => w.role === r));
    const steps = witnessRolesOf(viewer.roles).flatMap((r): [WitnessRole, 'commit' | 'reveal'][] => {
      const w = c.witnesses.find((x) => x.role === r);
      if (!w) return [[r, 'commit']];
      return w.personId === viewer.personId && !w.revealedAt && allCommitted ? [[r, 'reveal']] : [];
    });
    const found = await Promise.all(steps.map(async ([r, step]) => [r, (await tieOf(req, st, r, c.number, step))?.message] as const));
    return Object.fromEntries(found.filter(([, m]) => m !== undefined));
  };

  app.get('/ceremony', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, WITNESSES))) return;
    const q = req.query as Record<string, unknown>;
    const viewer = ctx.viewerOf(req)!;
    if (q.campaign === undefined) return ctx.html(reply, ceremonyListPage(viewer, await ctx.store.listCampaigns()));
    const st = await statusOf(q.campaign);
    if (!st) return noSuchCampaign(req, reply);
    return ctx.html(reply, ceremonyPage(viewer, st, await names(st), record(st), await tiedRoles(req, st)));
  });

  app.post('/ceremony/commit', async (req, reply) => {
    const f = await formOf(req, reply);
    if (!f) return;
    const { body, viewer, role, number } = f;
    const commitment = typeof body.commitment === 'string' ? body.commitment : '';
    // The check against the other witness, the Update and its audit entry, one commit at a time.
    return serially(f.st.campaignId, async () => {
      const st = (await statusOf(f.st.campaignId)) ?? f.st;
      const stale = staleness(st, role, number, 'commit');
      if (stale) return answerStale(req, reply, st, stale);
      if (!HEX64.test(commitment)) return refused(req, reply, st, 'commit', '未收到有效的承诺值。承诺值须由浏览器在本机生成（需启用 JavaScript），或改用命令行 ssj witness commit。', 400);
      const tied = await tieRefusal(req, st, role, number, 'commit');
      if (tied) return ctx.html(reply, problemPage('未能提交', tied, viewer, undefined), 409);
      try {
        await commitWitness(temporal, st.campaignId, { role, personId: viewer.personId, commitment });
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        const latest = (await statusOf(st.campaignId)) ?? st;
        const late = staleness(latest, role, number, 'commit');
        if (late) return answerStale(req, reply, latest, late);
        return refused(req, reply, st, 'commit', refusalText(err.cause?.message ?? err.message), 409);
      }
      await ctx.audit(req, 'ceremony.commit', st.campaignId, { role, ceremony: number, commitment });
      return reply.redirect(back(st.campaignId), 303);
    });
  });

  app.post('/ceremony/reveal', async (req, reply) => {
    const f = await formOf(req, reply);
    if (!f) return;
    const { body, viewer, role, number, st } = f;
    const stale = staleness(st, role, number, 'reveal');
    if (stale) return answerStale(req, reply, st, stale);
    const mine = st.ceremony!.witnesses.find((w) => w.role === role);
    if (!mine || mine.personId !== viewer.personId) {
      return refused(req, reply, st, 'reveal', mine ? `本次仪式的${roleText(role)}见证人是${await nameOf(mine.personId)}，只有提交承诺值的本人才能揭示。` : '您尚未提交承诺值，不能揭示。', 403);
    }
    if (witnessRoles.some((r) => !st.ceremony!.witnesses.some((w) => w.role === r))) {
      return refused(req, reply, st, 'reveal', '另一名见证人尚未提交承诺值。全部见证人提交后才能揭示，请稍后刷新页面。', 409);
    }
    // Checked at commit; again here, for commits that reached the workflow another way at the same time.
    const tied = await tieRefusal(req, st, role, number, 'reveal');
    if (tied) return ctx.html(reply, problemPage('未能揭示', tied, viewer, undefined), 409);
    const salt = typeof body.salt === 'string' ? body.salt.trim().toLowerCase() : '';
    const entropy = typeof body.entropy === 'string' ? body.entropy.trim() : '';
    if (!SALT.test(salt) || !entropySchema.safeParse(entropy).success) {
      return refused(req, reply, st, 'reveal', '盐值须为32位十六进制字符，随机数须为16至128位字母或数字。请核对备份码后重试。', 400);
    }
    // Checked here too, so a mistyped code gets a plain answer (the workflow would refuse it all the same).
    if (witnessCommitment(st.manifest!.digest, role, viewer.personId, salt, entropy) !== mine.commitment) {
      return refused(req, reply, st, 'reveal', '盐值和随机数与您提交的承诺值不一致，未作揭示。请核对备份码或备份文件后重试。', 400);
    }
    try {
      await revealWitness(temporal, st.campaignId, { role, personId: viewer.personId, salt, entropy });
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      const latest = (await statusOf(st.campaignId)) ?? st;
      const late = staleness(latest, role, number, 'reveal');
      if (late) return answerStale(req, reply, latest, late);
      return refused(req, reply, st, 'reveal', refusalText(err.cause?.message ?? err.message), 409);
    }
    // Never the salt or the entropy: they fix the seed, and the list stays sealed until publication.
    await ctx.audit(req, 'ceremony.reveal', st.campaignId, { role, ceremony: number, commitment: mine.commitment });
    return reply.redirect(back(st.campaignId), 303);
  });

  // The presentation view: nothing secret on it, so any signed-in staff member may put it on the projector.
  const screen = async (req: FastifyRequest, reply: FastifyReply, live: boolean) => {
    const campaign = (req.query as Record<string, unknown>).campaign;
    // Signed out (idle, or signed out elsewhere): the whole page goes to sign-in, and back here after
    // (htmx gets the redirect as HX-Redirect, see server.ts), never an empty projector.
    if (!req.signedIn) return reply.redirect(`/login?next=${encodeURIComponent(`/ceremony/screen?campaign=${encodeURIComponent(String(campaign ?? ''))}`)}`, 303);
    const st = await statusOf(campaign);
    if (!st) return noSuchCampaign(req, reply);
    // Its polls are no activity (auth.ts POLLING_ROUTES), except while a ceremony is under way: the
    // room watches the projector and nobody clicks it, and it must not sign out mid-ceremony. Before
    // and after, a projector left on goes idle like any page; and never past SSJ_CONSOLE_SESSION_HOURS.
    if (st.phase === 'draw' && st.ceremony) await touchSession(ctx.store, req.signedIn.session, ctx.now());
    const args = [st, await names(st), record(st)] as const;
    return ctx.html(reply, live ? ceremonyScreenLive(...args).value : ceremonyScreenPage(...args));
  };
  app.get('/ceremony/screen', (req, reply) => screen(req, reply, false));
  app.get('/ceremony/screen/live', (req, reply) => screen(req, reply, true));
}

const roleText = (role: string) => (role === 'admin' ? '系统管理员' : role === 'discipline' ? '纪检人员' : role);

/** The workflow's refusals, in the words a witness reads (the English reason stays in the audit log). */
function refusalText(message: string): string {
  if (/does not hold the role .* in the frozen roster/.test(message)) return '您不在本季度冻结名录的见证人名单中（以冻结时的人员名录为准），不能担任该角色的见证人。';
  if (/must be different persons/.test(message)) return '两名见证人须为不同人员：您已担任本次仪式的另一见证角色。';
  if (/already given in ceremony/.test(message)) return '此承诺值已在以前的仪式中使用过，请重新生成。';
  if (/were due by/.test(message)) return '本次仪式的揭示期限已过，仪式即将作废，请在新一次仪式中重新提交承诺值。';
  return `系统拒绝了此操作（${message}）。如有疑问请联系系统管理员。`;
}
