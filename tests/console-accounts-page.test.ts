// 用户管理 in the console (console/accounts-page.ts) on real SQLite stores: the admin lists the
// accounts, invites a registry person (the link works, and the new login signs in with exactly the
// granted roles), bad person ids and roles are refused with nothing written, 停用 ends the
// account's live session and refuses its sign-in, 启用 restores it, a repeat answers 已处理, and
// other roles, forged POSTs and hostile names get nowhere. Each account shows its granted roles
// against today's registry: a role given up, a person inactive or gone, is marked.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryPeople } from '../console/people';
import { registryIndex } from '../console/registry-cache';
import type { RegistryStore } from '../stores/registry-store';
import { startConsole, type RunningConsole } from './helpers/browser-console';
import { ConsoleClient, signedInClient } from './helpers/console-client';
import { changePeople, openPeopleRegistry, staffPerson as person } from './helpers/people-registry';
import { addAccounts } from './console-quarter-fixture';

const PASSWORD = 'accounts password 1';

let people: Awaited<ReturnType<typeof openPeopleRegistry>>;
let registry: RegistryStore;
let c: RunningConsole;

beforeAll(async () => {
  people = await openPeopleRegistry('ssj-console-accounts', [
    person('ADM1', '刘管理', ['admin']),
    person('P10', '陈国强', ['manager', 'discipline']),
    person('P11', '王离职', ['manager'], false),
    person('P12', '<script>alert(1)</script>', ['discipline']),
    person('S1', '张执法', ['inspector']),
    person('P20', '赵大队', ['brigade-leader', 'inspector']),
    person('P21', '钱退休', ['manager']),
    person('P22', '孙调走', ['discipline']),
  ]);
  registry = people.registry;
  c = await startConsole({ personName: async () => null, people: await registryPeople(registry), registry, env: { SSJ_CONSOLE_LOGIN_PER_MINUTE: '1000' } });
  await addAccounts(c.store, PASSWORD, [
    ['admin1', 'ADM1', ['admin']],
    ['insp', 'S1', ['inspector']],
    ['scripter', 'P12', ['discipline']],
    ['zhao', 'P20', ['brigade-leader', 'inspector']],
    ['qian', 'P21', ['manager']],
    ['sun', 'P22', ['discipline']],
  ]);
}, 120_000);

afterAll(async () => {
  await c?.stop();
  await people?.close();
});

const signedIn = (login: string, password = PASSWORD) => signedInClient(c.app, login, password);
const invited = async () => (await c.store.listAudit({ action: 'account.invited' })).length;

describe('用户管理', () => {
  it('lists the accounts with person, roles, sign-in method and state; escapes names; never shows a hash', async () => {
    const u = await signedIn('admin1');
    const res = await u.get('/accounts');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<a href="/accounts">用户管理</a>');
    expect(res.body).toContain('admin1');
    expect(res.body).toContain('刘管理');
    expect(res.body).toContain('系统管理员');
    expect(res.body).toContain('密码');
    expect(res.body).toContain('启用');
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).not.toContain('scrypt');
    const hash = (await c.store.getAccountByLogin('admin1'))!.passwordHash!;
    expect(res.body).not.toContain(hash.slice(-20));
  });

  it('invites a registry person; the link sets login and password; the login gets exactly the granted roles', async () => {
    const u = await signedIn('admin1');
    const step = await u.get('/accounts/invite?person=P10');
    expect(step.statusCode).toBe(200);
    expect(step.body).toContain('value="manager"');
    expect(step.body).toContain('value="discipline"');
    // A witness (纪检人员): the admin is told, before and after, that they cannot witness beside them.
    const tieHint = '由您开通的账号，不能与您、也不能与其他由您开通的账号共同见证';
    expect(step.body).toContain(tieHint);
    expect((await u.get('/accounts/invite?person=S1')).body).not.toContain(tieHint);
    const res = await u.post('/accounts/invite', { person: 'P10', role: 'discipline' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(tieHint);
    const link = /<textarea class="invite-link"[^>]*>(http[^<]+\/invite\/[^<]+)<\/textarea>/.exec(res.body)?.[1] ?? '';
    expect(link.startsWith(`${c.settings.publicUrl}/invite/`)).toBe(true);
    const [entry] = await c.store.listAudit({ action: 'account.invited', target: 'P10' });
    expect(entry?.detail).toMatchObject({ roles: ['discipline'] });

    const invitee = new ConsoleClient(c.app);
    const path_ = new URL(link).pathname;
    expect((await invitee.get(path_)).statusCode).toBe(200);
    const done = await invitee.post(path_, { login: 'chenguoqiang', password: 'a long new password 9', password2: 'a long new password 9' });
    expect(done.statusCode).toBe(303);
    expect((await c.store.getAccountByLogin('chenguoqiang'))?.roles).toEqual(['discipline']);
    const v = await signedIn('chenguoqiang', 'a long new password 9');
    expect((await v.get('/audit')).statusCode).toBe(200);
    expect((await v.get('/accounts')).statusCode).toBe(403);
    expect((await invitee.get(path_)).statusCode).toBe(410);
    // 开通: who set each account up (the witness-tie check follows these): an invitation's issuer, or the server.
    const list = (await u.get('/accounts')).body;
    const row = (login: string) => new RegExp(`<tr><td data-label="登录名">${login}</td>[\\s\\S]*?</tr>`).exec(list)?.[0] ?? '';
    expect(row('chenguoqiang')).toContain('由 admin1 邀请');
    expect(row('admin1')).toContain('服务器上开通');
    // Dates as every page says them (年月日), not ISO.
    expect(row('admin1')).toMatch(/<td data-label="开通"><span class="nowrap">\d{4}年\d{1,2}月\d{1,2}日<\/span>/);
  });

  it('lists open invitations (never their link); 撤销 ends one at once; a repeat answers 已处理', async () => {
    const u = await signedIn('admin1');
    await u.get('/accounts');
    const made = await u.post('/accounts/invite', { person: 'P12' });
    expect(made.statusCode, made.body.slice(0, 500)).toBe(200);
    const link = /<textarea class="invite-link"[^>]*>(http[^<]+)<\/textarea>/.exec(made.body)![1]!;
    const token = new URL(link).pathname.split('/').pop()!;
    const list = await u.get('/accounts');
    const table = /<table class="cards" id="open-invitations">[\s\S]*?<\/table>/.exec(list.body)?.[0] ?? '';
    expect(table).toContain('P12 &lt;script&gt;alert(1)&lt;/script&gt;'); // escaped, as every name
    expect(table).toContain('admin1'); // who made it
    expect(table).toMatch(/<td data-label="有效期至" class="nowrap">\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}<\/td>/);
    expect(table).not.toContain('P10'); // used above: no longer open
    expect(list.body).not.toContain(token);
    const hash = /name="invitation" value="([0-9a-f]{64})"/.exec(table)![1]!;

    const revoked = await u.post('/accounts/revoke-invitation', { invitation: hash });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.body).toContain('已撤销');
    expect(revoked.body).not.toContain('id="open-invitations"');
    expect((await new ConsoleClient(c.app).get(new URL(link).pathname)).statusCode).toBe(410);
    const again = await u.post('/accounts/revoke-invitation', { invitation: hash });
    expect(again.body).toContain('已处理');
    expect(again.body).toContain('已过期或已撤销');
    expect((await c.store.listAudit({ action: 'account.invitation-revoked', target: 'P12' })).length).toBe(1);
    expect((await u.post('/accounts/revoke-invitation', { invitation: 'f'.repeat(64) })).statusCode).toBe(400);
    expect((await u.post('/accounts/revoke-invitation', { invitation: '<x>' })).statusCode).toBe(400);
    const insp = await signedIn('insp');
    expect((await insp.post('/accounts/revoke-invitation', { invitation: hash })).statusCode).toBe(403);
  });

  it('refuses an unknown or inactive person and a role not held, with a message, writing nothing', async () => {
    const u = await signedIn('admin1');
    await u.get('/accounts');
    const before = await invited();
    const unknown = await u.post('/accounts/invite', { person: 'NOBODY' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('名录中没有此人员');
    const inactive = await u.post('/accounts/invite', { person: 'P11' });
    expect(inactive.statusCode).toBe(400);
    expect(inactive.body).toContain('不在职');
    expect((await u.get('/accounts/invite?person=P11')).statusCode).toBe(400);
    const role = await u.post('/accounts/invite', { person: 'P10', role: 'admin' });
    expect(role.statusCode).toBe(400);
    expect(role.body).toContain('角色');
    expect(role.body).toContain('不担任');
    expect(await invited()).toBe(before);
  });

  it('停用 ends the live session and refuses sign-in; a repeat answers 已处理; 启用 restores it, never beside a newer account of the person; not one\'s own', async () => {
    const victim = await signedIn('insp');
    expect((await victim.get('/')).statusCode).toBe(200);
    const id = (await c.store.getAccountByLogin('insp'))!.id;
    const u = await signedIn('admin1');
    await u.get('/accounts');
    const off = await u.post('/accounts/disable', { account: id });
    expect(off.statusCode).toBe(200);
    expect((await c.store.getAccount(id))?.disabled).toBe(true);
    const next = await victim.get('/');
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toMatch(/^\/login/);
    expect((await new ConsoleClient(c.app).login('insp', PASSWORD)).statusCode).toBe(401);
    const again = await u.post('/accounts/disable', { account: id });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('已处理');
    expect((await c.store.listAudit({ action: 'account.disabled', target: 'insp' })).length).toBe(1);

    expect((await u.post('/accounts/enable', { account: id })).statusCode).toBe(200);
    expect((await c.store.listAudit({ action: 'account.enabled', target: 'insp' })).length).toBe(1);
    expect((await new ConsoleClient(c.app).login('insp', PASSWORD)).statusCode).toBe(303);
    expect((await u.post('/accounts/enable', { account: id })).body).toContain('已处理');

    // An account a newer invitation retired stays retired while its successor works: one person,
    // one working account (the old password must not sign in again beside the new one).
    const made = await u.post('/accounts/invite', { person: 'S1' });
    const link = /<textarea class="invite-link"[^>]*>(http[^<]+)<\/textarea>/.exec(made.body)![1]!;
    const invitee = new ConsoleClient(c.app);
    const path_ = new URL(link).pathname;
    await invitee.get(path_);
    expect((await invitee.post(path_, { login: 'insp-new', password: 'a long new password 8', password2: 'a long new password 8' })).statusCode).toBe(303);
    expect((await c.store.getAccount(id))?.disabled).toBe(true); // retired by the new one
    await u.get('/accounts');
    const back = await u.post('/accounts/enable', { account: id });
    expect(back.statusCode).toBe(409);
    expect(back.body).toContain('不能启用账户 insp：此人员已有可用账户 insp-new，同一人员只能有一个可用账户。如确需改用 insp，请先停用 insp-new。');
    expect((await c.store.getAccount(id))?.disabled).toBe(true);
    expect((await new ConsoleClient(c.app).login('insp', PASSWORD)).statusCode).toBe(401);
    // Once the successor is stopped, the old one may be used again.
    expect((await u.post('/accounts/disable', { account: (await c.store.getAccountByLogin('insp-new'))!.id })).statusCode).toBe(200);
    expect((await u.post('/accounts/enable', { account: id })).statusCode).toBe(200);
    expect((await new ConsoleClient(c.app).login('insp', PASSWORD)).statusCode).toBe(303);

    const self = (await c.store.getAccountByLogin('admin1'))!.id;
    const mine = await u.post('/accounts/disable', { account: self });
    expect(mine.statusCode).toBe(400);
    expect(mine.body).toContain('不能停用自己');
    expect((await c.store.getAccount(self))?.disabled).toBe(false);
  });

  it("停用 ends the open invitations the account sent: their links no longer work", async () => {
    const zhao = (await c.store.getAccountByLogin('zhao'))!;
    const token = 'z'.repeat(43);
    await c.store.createInvitation({ tokenHash: createHash('sha256').update(token).digest('hex'), personId: 'P10', roles: ['manager'], expiresAt: new Date(Date.now() + 3_600_000), createdBy: zhao.id, now: new Date() });
    expect((await new ConsoleClient(c.app).get(`/invite/${token}`)).statusCode).toBe(200);
    const u = await signedIn('admin1');
    await u.get('/accounts');
    const off = await u.post('/accounts/disable', { account: zhao.id });
    expect(off.body).toContain('账户 zhao 已停用，其登录会话已全部结束，其发出的 1 份未使用的邀请已撤销。');
    expect((await new ConsoleClient(c.app).get(`/invite/${token}`)).statusCode).toBe(410);
    expect((await c.store.listAudit({ action: 'account.disabled', target: 'zhao' }))[0]?.detail).toMatchObject({ invitationsEnded: 1 });
    expect((await u.post('/accounts/enable', { account: zhao.id })).statusCode).toBe(200);
  });

  it('refuses other roles (403, audited) and a POST without CSRF (403)', async () => {
    const insp = await signedIn('insp');
    expect((await insp.get('/accounts')).statusCode).toBe(403);
    expect((await insp.post('/accounts/invite', { person: 'P10' })).statusCode).toBe(403);
    const refused = await c.store.listAudit({ action: 'role.refused', personId: 'S1' });
    expect(refused.some((e) => e.target === '/accounts')).toBe(true);

    const u = await signedIn('admin1');
    await u.get('/accounts');
    const before = await invited();
    const id = (await c.store.getAccountByLogin('scripter'))!.id;
    expect((await u.post('/accounts/invite', { person: 'P10', _csrf: null })).statusCode).toBe(403);
    expect((await u.post('/accounts/disable', { account: id, _csrf: null })).statusCode).toBe(403);
    expect((await c.store.getAccount(id))?.disabled).toBe(false);
    expect(await invited()).toBe(before);
  });

  it('a new invitation for someone with an account says so, and once used retires the old login and its session', async () => {
    const old = await signedIn('scripter');
    expect((await old.get('/audit')).statusCode).toBe(200);
    const u = await signedIn('admin1');
    const step = await u.get('/accounts/invite?person=P12');
    expect(step.body).toContain('此人员已有账户：scripter。本人用新链接开户后，原账户即停用并退出登录');
    const made = await u.post('/accounts/invite', { person: 'P12' });
    const link = /<textarea class="invite-link"[^>]*>(http[^<]+)<\/textarea>/.exec(made.body)![1]!;
    const invitee = new ConsoleClient(c.app);
    expect((await invitee.get(new URL(link).pathname)).statusCode).toBe(200);
    const done = await invitee.post(new URL(link).pathname, { login: 'scripter2', password: 'another long password 7', password2: 'another long password 7' });
    expect(done.statusCode).toBe(303);
    // The old password no longer signs in, and the old session has ended.
    expect((await new ConsoleClient(c.app).login('scripter', PASSWORD)).statusCode).toBe(401);
    expect((await old.get('/audit')).statusCode).toBe(303);
    expect((await c.store.getAccountByLogin('scripter'))?.disabled).toBe(true);
    const [accepted] = await c.store.listAudit({ action: 'invitation.accepted', target: 'scripter2' });
    expect(accepted?.detail).toMatchObject({ personId: 'P12', superseded: ['scripter'] });
    expect((await signedIn('scripter2', 'another long password 7')).constructor).toBe(ConsoleClient);
  });

  it('shows each account\'s granted roles against today\'s registry: a role given up, a person inactive or gone, marked; such an account cannot sign in', async () => {
    await changePeople(registry, 'accounts-marks', '2024-06-01', [
      { id: 'P20', state: person('P20', '赵大队', ['inspector']) },
      { id: 'P21', state: person('P21', '钱退休', ['manager'], false) },
      { id: 'P22', state: null },
    ]);
    await (await registryIndex(registry)).refresh();
    const u = await signedIn('admin1');
    const list = await u.get('/accounts');
    expect(list.statusCode).toBe(200);
    const row = (login: string) => new RegExp(`<tr><td data-label="登录名">${login}</td>[\\s\\S]*?</tr>`).exec(list.body)?.[0] ?? '';
    expect(row('zhao')).toContain('大队长<span class="not-in-effect">（名录中已无此角色，不再生效）</span>、执法人员</td>');
    expect(row('zhao')).not.toContain('不能使用');
    expect(row('qian')).toContain('钱退休<span class="not-in-effect">（已不在职或已停用）</span>');
    expect(row('qian')).toContain('启用<br><span class="not-in-effect">不能使用：人员已不在职或已停用</span>');
    expect(row('sun')).toContain('P22<span class="not-in-effect">（名录中无此人）</span>');
    expect(row('sun')).toContain('不能使用：名录中无此人');
    expect(row('insp')).not.toContain('not-in-effect');
    expect(list.body).toContain('角色以名录为准');

    // What the page says is what sign-in does.
    const zhao = await signedIn('zhao');
    expect((await zhao.get('/')).body).toContain('赵大队（执法人员）');
    expect((await zhao.get('/registries')).statusCode).toBe(403);
    for (const login of ['qian', 'sun']) {
      const refused = await new ConsoleClient(c.app).login(login, PASSWORD);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('您的账号对应的人员在名录中已不在职或已停用，账号已不能使用，请联系系统管理员。');
    }
  });
});
