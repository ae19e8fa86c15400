// 用户管理 in the console (admin only), so day-to-day account work needs no `ssj user`: the
// accounts, 停用/启用 (disabling also ends the account's sessions at once), and invitations made
// exactly as `ssj user invite` makes them (console/accounts.ts invite: same expiry, same link from
// SSJ_CONSOLE_PUBLIC_URL), listed while open and revocable (撤销). The person is checked against
// the registry as `ssj user` checks it, and each account shows its roles granted against those in
// effect today (console/standing.ts: the same rule the sign-in and every request apply).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { beijingDate } from '../domain/calendar';
import { chineseDate, chineseDateTime } from '../domain/documents/html';
import { roles as registryRoles, type Person } from '../domain/registry';
import type { RegistryStore } from '../stores/registry-store';
import { invite, setUpByLogins } from './accounts';
import { standingOf } from './standing';
import type { RouteContext } from './approvals';
import type { ConsoleSettings } from './settings';
import { problemPage } from './views/auth-pages';
import { accountDonePage, accountsPage, invitationDonePage, invitedPage, invitePersonPage, inviteRolesPage } from './views/accounts';
import type { Viewer } from './views/layout';

const ADMINS = ['admin'];

/** A time as the pages say it: 2026年12月5日 08:41 (Beijing time). */
const beijingMinute = (d: Date) => chineseDateTime(d.toISOString());

export function registerAccounts(app: FastifyInstance, ctx: RouteContext, registry: RegistryStore | null, settings: Pick<ConsoleSettings, 'publicUrl' | 'inviteHours'>): void {
  const { store } = ctx;
  const today = () => beijingDate(ctx.now().getTime());

  /** The person as the registry has them today (a change dated ahead still counts, as in checkActor); null when unknown. */
  const personOf = async (id: string): Promise<Person | null> => {
    if (!registry || !/^[A-Za-z0-9._:-]{1,40}$/.test(id)) return null;
    let person: Person | null = null;
    for (const h of await registry.history('person', id)) {
      if (h.effectiveDate <= today() || person === null) person = h.state as Person | null;
    }
    return person;
  };
  /** The person to invite, or the Chinese reason they cannot be. */
  const invitee = async (id: string): Promise<Person | string> => {
    if (!registry) return '此工作台未连接名录，无法核对人员；请使用 ssj user invite。';
    if (!id) return '人员编号：必填。';
    const p = await personOf(id);
    if (!p) return `人员编号“${id}”：名录中没有此人员。`;
    if (!p.active) return `人员编号“${id}”（${p.name}）：此人员在名录中不在职，不能邀请。`;
    return p;
  };

  /** The person's accounts still in use: a new invitation will retire them (stores: consumeInvitation). */
  const enabledLogins = async (personId: string) => (await store.listAccounts({ personId })).filter((a) => !a.disabled).map((a) => a.login);

  const listPage = async (viewer: Viewer, notice: string | null = null, error: string | null = null) => {
    const [accounts, open] = await Promise.all([store.listAccounts(), store.listOpenInvitations(ctx.now())]);
    // One registry read for the people of both lists.
    const ids = new Set([...accounts.map((a) => a.personId), ...open.map((i) => i.personId)]);
    const names = registry ? await registry.statesAt('person', ids, today()) : new Map<string, Person | null>();
    const byId = new Map(accounts.map((a) => [a.id, a.login]));
    const setUpBy = await setUpByLogins(store, accounts, accounts);
    const rows = await Promise.all(
      accounts.map(async (account, i) => ({
        account,
        personName: names.get(account.personId)?.name ?? (await ctx.personName(account.personId)),
        standing: registry ? standingOf(account.roles, names.get(account.personId) ?? null) : null,
        created: chineseDate(beijingDate(account.createdAt.getTime())),
        setUpBy: setUpBy[i] ?? null,
      })),
    );
    const invitations = open.map((i) => ({
      tokenHash: i.tokenHash,
      personId: i.personId,
      personName: names.get(i.personId)?.name ?? null,
      roles: i.roles,
      createdAt: beijingMinute(i.createdAt),
      createdBy: i.createdBy ? (byId.get(i.createdBy) ?? i.createdBy) : null,
      expiresAt: beijingMinute(i.expiresAt),
    }));
    return accountsPage(viewer, rows, invitations, notice, error);
  };

  app.get('/accounts', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, ADMINS))) return;
    return ctx.html(reply, await listPage(ctx.viewerOf(req)!));
  });

  app.get('/accounts/invite', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, ADMINS))) return;
    const q = req.query as Record<string, unknown>;
    const id = typeof q.person === 'string' ? q.person.trim() : '';
    const p = await invitee(id);
    if (typeof p === 'string') return ctx.html(reply, invitePersonPage(ctx.viewerOf(req)!, id.slice(0, 40), p), 400);
    return ctx.html(reply, inviteRolesPage(ctx.viewerOf(req)!, p, null, [], await enabledLogins(p.id)));
  });

  app.post('/accounts/invite', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, ADMINS))) return;
    const viewer = ctx.viewerOf(req)!;
    const body = req.body as Record<string, unknown>;
    const id = typeof body.person === 'string' ? body.person.trim() : '';
    const asked = [body.role ?? []].flat().filter((r): r is string => typeof r === 'string');
    const p = await invitee(id);
    if (typeof p === 'string') return ctx.html(reply, invitePersonPage(viewer, id.slice(0, 40), p), 400);
    const notHeld = asked.filter((r) => !(p.roles as string[]).includes(r));
    if (notHeld.length) {
      const known = notHeld.every((r) => (registryRoles as readonly string[]).includes(r));
      const text = known ? `角色：此人员在名录中不担任${notHeld.map((r) => `“${r}”`).join('、')}，只能授予其担任的角色。` : '角色：没有这种角色。';
      return ctx.html(reply, inviteRolesPage(viewer, p, text, [], await enabledLogins(p.id)), 400);
    }
    const { account } = req.signedIn!;
    const { link, expiresAt } = await invite(store, { person: p, roles: asked, publicUrl: settings.publicUrl, hours: settings.inviteHours, createdBy: account.id, now: ctx.now() });
    const roles = asked.length ? [...new Set(asked)] : [...p.roles];
    await ctx.audit(req, 'account.invited', p.id, { roles, expiresAt: expiresAt.toISOString() });
    return ctx.html(reply, invitedPage(viewer, p, roles, link, beijingMinute(expiresAt)));
  });

  /** 停用 / 启用: the account in the form; a repeat answers 已处理. */
  const setDisabled = (disabled: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    if (!(await ctx.requireRole(req, reply, ADMINS))) return;
    const viewer = ctx.viewerOf(req)!;
    const body = req.body as Record<string, unknown>;
    const id = typeof body.account === 'string' && body.account.length <= 100 ? body.account : '';
    const target = id ? await store.getAccount(id) : null;
    if (!target) return ctx.html(reply, problemPage('账户不存在', '账户：找不到此账户，可能链接有误。', viewer), 400);
    if (target.disabled === disabled) return ctx.html(reply, accountDonePage(viewer, target.login, disabled));
    if (disabled && target.id === req.signedIn!.account.id) return ctx.html(reply, await listPage(viewer, null, '不能停用自己正在使用的账户。'), 400);
    // One person, one working account (as accepting an invitation retires the older ones): an
    // account retired that way must not sign in again beside the one that replaced it.
    const others = disabled ? [] : (await enabledLogins(target.personId)).filter((l) => l !== target.login);
    if (others.length) {
      return ctx.html(reply, await listPage(viewer, null, `不能启用账户 ${target.login}：此人员已有可用账户 ${others.join('、')}，同一人员只能有一个可用账户。如确需改用 ${target.login}，请先停用 ${others.join('、')}。`), 409);
    }
    await store.updateAccount(target.id, { disabled, now: ctx.now() });
    const sessions = disabled ? await store.deleteSessionsOfAccount(target.id) : 0;
    // What a disabled account sent goes with it: its open invitations end (their links answer as expired).
    const invitations = disabled ? await store.revokeInvitationsIssuedBy(target.id, ctx.now()) : 0;
    await ctx.audit(req, disabled ? 'account.disabled' : 'account.enabled', target.login, { accountId: target.id, personId: target.personId, ...(disabled ? { sessionsEnded: sessions, invitationsEnded: invitations } : {}) });
    // The list again, with htmx's address bar on /accounts (a reload must not re-post or 404).
    void reply.header('HX-Push-Url', '/accounts');
    return ctx.html(reply, await listPage(viewer, `账户 ${target.login} 已${disabled ? `停用，其登录会话已全部结束${invitations ? `，其发出的 ${invitations} 份未使用的邀请已撤销` : ''}` : '启用'}。`));
  };
  /** 撤销 an open invitation: its link stops working at once; a repeat (or a used link) answers 已处理. */
  app.post('/accounts/revoke-invitation', async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, ADMINS))) return;
    const viewer = ctx.viewerOf(req)!;
    const body = req.body as Record<string, unknown>;
    const hash = typeof body.invitation === 'string' && /^[0-9a-f]{64}$/.test(body.invitation) ? body.invitation : null;
    const invitation = hash ? await store.getInvitation(hash) : null;
    if (!invitation) return ctx.html(reply, problemPage('邀请不存在', '邀请：找不到此邀请，可能链接有误。', viewer), 400);
    if (!(await store.revokeInvitation(invitation.tokenHash, ctx.now()))) {
      const state = invitation.usedAt ? '已被使用' : '已过期或已撤销';
      return ctx.html(reply, invitationDonePage(viewer, invitation.personId, state));
    }
    await ctx.audit(req, 'account.invitation-revoked', invitation.personId, { roles: invitation.roles, createdAt: invitation.createdAt.toISOString() });
    void reply.header('HX-Push-Url', '/accounts');
    return ctx.html(reply, await listPage(viewer, `给 ${invitation.personId} 的邀请已撤销，其链接即时失效。`));
  });
  app.post('/accounts/disable', setDisabled(true));
  app.post('/accounts/enable', setDisabled(false));
}
