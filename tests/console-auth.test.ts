// The console's sign-in and accountability over HTTP (fastify.inject against the real server and a
// real SQLite store): login, wrong password, lockout, CSRF, roles, session fixation, idle timeout,
// invitations used once, script rendered inert, the audit log, open redirects and rate limits; and
// powers that follow the registry (a real SQLite registry): a person who leaves loses the session
// and cannot sign in, a role given up stops counting and counts again once given back.
import { randomBytes, scryptSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount, invite } from '../console/accounts';
import { POLLING_ROUTES, sha256 } from '../console/auth';
import { limitKey } from '../console/client-address';
import { verifyPassword, weakerThanCurrent } from '../console/passwords';
import { registryPeople } from '../console/people';
import { registryIndex } from '../console/registry-cache';
import { buildConsole } from '../console/server';
import { loadConsoleSettings, type ConsoleSettings } from '../console/settings';
import type { Person } from '../domain/registry';
import type { ConsoleStore } from '../stores/console-store';
import { openConsoleStore } from '../stores/open';
import type { RegistryStore } from '../stores/registry-store';
import { ConsoleClient } from './helpers/console-client';
import { changePeople, openPeopleRegistry } from './helpers/people-registry';

const XSS = '<script>alert(1)</script>';
const person = (id: string, name: string, roles: Person['roles']): Person => ({ id, name, department: 'brigade-shihe', roles, email: null, inspector: null, active: true });
const PEOPLE = {
  P0010: person('P0010', '张执法', ['inspector']),
  P0005: person('P0005', '李纪检', ['discipline']),
  P0002: person('P0002', '王领导', ['manager']),
  P0003: person('P0003', '陈领导', ['manager']),
  P0666: person('P0666', `赵${XSS}`, ['inspector']),
  P0020: person('P0020', '孙退休', ['inspector']),
  P0021: person('P0021', '周调离', ['inspector']),
  P0030: person('P0030', '吴兼任', ['manager', 'discipline']),
  P0040: person('P0040', '钱待邀', ['inspector']),
};
const PASSWORD = 'correct horse battery';

let dir: string;
let store: ConsoleStore;
let settings: ConsoleSettings;
let app: FastifyInstance;
let people: Awaited<ReturnType<typeof openPeopleRegistry>>;
let registry: RegistryStore;
let clock = new Date('2026-03-02T02:00:00Z');
const now = () => clock;
const advance = (minutes: number) => (clock = new Date(clock.getTime() + minutes * 60_000));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-console-auth-'));
  settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_LOGIN_PER_MINUTE: '1000' } });
  store = await openConsoleStore(settings.store);
  for (const [login, p] of [['zhang', PEOPLE.P0010], ['li.jijian', PEOPLE.P0005], ['wang', PEOPLE.P0002], ['sun', PEOPLE.P0020], ['zhou', PEOPLE.P0021], ['wu.jian', PEOPLE.P0030]] as const) {
    await addAccount(store, { login, person: p, roles: [], password: PASSWORD, oidc: null, now: clock });
  }
  people = await openPeopleRegistry('ssj-console-auth-registry', Object.values(PEOPLE));
  registry = people.registry;
  app = await buildConsole({ settings, store, now, personName: async (id) => PEOPLE[id as keyof typeof PEOPLE]?.name ?? null, people: await registryPeople(registry, now) });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await people?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function auditActions(): Promise<string[]> {
  return (await store.listAudit({ limit: 1000 })).map((e) => `${e.action} ${e.target ?? ''}`.trim());
}

describe('the console server', () => {
  it('serves a health page, and every page with a strict CSP and no inline script', async () => {
    const health = await app.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.body).toBe('ok\n');
    const login = await app.inject('/login');
    const csp = String(login.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(login.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(login.body).not.toMatch(/\sstyle=|<style/);
    expect(login.body).toContain('<html lang="zh-CN">');
    // No page makes the browser ask for /favicon.ico (a 404 and a console error on every page):
    // the head names an empty icon, which the CSP's img-src allows.
    expect(login.body).toContain('<link rel="icon" href="data:,">');
    expect(csp).toMatch(/(?:^|;)\s*img-src [^;]*\bdata:/);
    const htmx = await app.inject('/static/htmx/htmx.min.js');
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain('htmx');
    expect((await app.inject('/static/console.css')).statusCode).toBe(200);
    // Only htmx is served out of node_modules.
    expect((await app.inject('/static/htmx/htmx.js')).statusCode).toBe(404);
  });

  it('signs in with the right password, shows 工作台 with the name, and audits it', async () => {
    const c = new ConsoleClient(app, { 'user-agent': 'vitest-agent' });
    expect((await c.get('/')).headers.location).toBe('/login?next=%2F');
    const res = await c.login('zhang', PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = res.cookies.find((k) => k.name === 'ssj_sid')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.secure).toBeFalsy(); // http public URL; https is checked below
    const home = await c.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('我的待办');
    expect(home.body).toContain('张执法（执法人员）');
    const entry = (await store.listAudit({ action: 'login.ok' })).find((e) => e.target === 'zhang')!;
    expect(entry.personId).toBe('P0010');
    expect(entry.ip).toBe('127.0.0.1');
    expect(entry.userAgent).toBe('vitest-agent');
    const out = await c.post('/logout', {});
    expect(out.headers.location).toBe('/login?out=1');
    expect((await c.get('/')).statusCode).toBe(303);
    expect(await auditActions()).toContain('logout');
  });

  it('refuses a wrong password or unknown login with one message, and audits the failure', async () => {
    const c = new ConsoleClient(app);
    const wrong = await c.login('wang', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('登录名或密码不正确');
    const unknown = await c.login('nobody', 'whatever123');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain('登录名或密码不正确');
    expect(c.cookies.has('ssj_sid')).toBe(false);
    const actions = await auditActions();
    expect(actions).toContain('login.failed wang');
    expect(actions).toContain('login.failed nobody');
    // A success clears the count.
    expect((await c.login('wang', PASSWORD)).statusCode).toBe(303);
    expect((await store.getLoginThrottle('wang'))?.failures ?? 0).toBe(0);
  });

  it('locks an account after five failures, refuses even the right password while locked, and lets it in afterwards', async () => {
    const c = new ConsoleClient(app);
    for (let i = 1; i <= 4; i++) expect((await c.login('li.jijian', `wrong-${i}-password`)).statusCode).toBe(401);
    const locked = await c.login('li.jijian', 'wrong-5-password');
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('账户已锁定');
    const still = await c.login('li.jijian', PASSWORD);
    expect(still.statusCode).toBe(429);
    expect(c.cookies.has('ssj_sid')).toBe(false);
    expect(await auditActions()).toEqual(expect.arrayContaining(['login.locked li.jijian', 'login.refused-locked li.jijian']));
    advance(16);
    expect((await c.login('li.jijian', PASSWORD)).statusCode).toBe(303);
  });

  it('counts concurrent guesses before checking them: no more than the lockout number are verified, and the right password after the lock is refused', async () => {
    await addAccount(store, { login: 'chen', person: PEOPLE.P0003, roles: [], password: PASSWORD, oidc: null, now: clock });
    const c = new ConsoleClient(app);
    await c.get('/login');
    const guesses = 12;
    const answers = await Promise.all(Array.from({ length: guesses }, (_, i) => c.post('/login', { login: 'chen', password: `guess-${i}-password` })));
    // Every wrong password that was checked is audited as login.failed; the rest were refused unchecked.
    const entries = async (action: string) => (await store.listAudit({ action, target: 'chen', limit: 100 })).length;
    expect(await entries('login.failed')).toBe(settings.lockoutFailures);
    expect(await entries('login.refused-locked')).toBe(guesses - settings.lockoutFailures);
    expect(answers.filter((r) => r.statusCode === 401)).toHaveLength(settings.lockoutFailures - 1);
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(guesses - settings.lockoutFailures + 1);
    const right = await c.post('/login', { login: 'chen', password: PASSWORD });
    expect(right.statusCode).toBe(429);
    expect(right.body).toContain('已被锁定');
    expect(c.cookies.has('ssj_sid')).toBe(false);
    expect(await entries('login.ok')).toBe(0);
  });

  it('refuses a POST without the CSRF token, or with another session\'s, changing nothing', async () => {
    const c = new ConsoleClient(app);
    await c.get('/login');
    const noToken = await c.post('/login', { login: 'zhang', password: PASSWORD, _csrf: null });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('安全令牌不符');
    expect(c.cookies.has('ssj_sid')).toBe(false);
    // Cross-site: a form posted from elsewhere carries no cookie and no token.
    const bare = await app.inject({ method: 'POST', url: '/login', payload: `login=zhang&password=${encodeURIComponent(PASSWORD)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(bare.statusCode).toBe(403);

    expect((await c.login('zhang', PASSWORD)).statusCode).toBe(303);
    const other = new ConsoleClient(app);
    await other.login('wang', PASSWORD);
    await other.get('/');
    const forged = await c.post('/logout', { _csrf: other.csrf });
    expect(forged.statusCode).toBe(403);
    expect((await c.get('/')).statusCode).toBe(200); // still signed in: the forged logout did nothing
    expect(await auditActions()).toContain('csrf.refused /logout');
  });

  it('keeps anonymous refusals from filling the audit log: targets cut to 300 characters, one entry per address and minute', async () => {
    const ADDRESS = '192.0.2.50';
    const url = `/logout?${'x'.repeat(8000)}`;
    const junk = () => app.inject({ method: 'POST', url, remoteAddress: ADDRESS, payload: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const refusals = async (ip: string) => (await store.listAudit({ action: 'csrf.refused', limit: 1000 })).filter((e) => e.ip === ip);
    for (let i = 0; i < 20; i++) expect((await junk()).statusCode).toBe(403);
    const first = await refusals(ADDRESS);
    expect(first).toHaveLength(1);
    expect(first[0]!.target).toBe(url.slice(0, 300));
    // Another address is its own: its first refusal is written.
    await app.inject({ method: 'POST', url: '/logout', remoteAddress: '192.0.2.51' });
    expect(await refusals('192.0.2.51')).toHaveLength(1);
    // An IPv6 client counts by its /64: fresh addresses in it write no more.
    for (const v6 of ['2001:db8:5:1::a', '2001:db8:5:1::b', '2001:db8:5:1:ffff::c']) await app.inject({ method: 'POST', url: '/logout', remoteAddress: v6 });
    await app.inject({ method: 'POST', url: '/logout', remoteAddress: '2001:db8:5:2::a' });
    const v6 = (await store.listAudit({ action: 'csrf.refused', limit: 1000 })).filter((e) => e.ip?.startsWith('2001:db8:5:'));
    expect(v6.map((e) => e.ip).sort()).toEqual(['2001:db8:5:1::a', '2001:db8:5:2::a']);
    // A dead invitation link, too, is written once a minute per address.
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: `/invite/${'A'.repeat(30)}${i}`, remoteAddress: ADDRESS })).statusCode).toBe(410);
    expect((await store.listAudit({ action: 'invitation.refused', limit: 1000 })).filter((e) => e.ip === ADDRESS)).toHaveLength(1);
    // A minute on, the next one is written, saying how many were left out.
    advance(1);
    expect((await junk()).statusCode).toBe(403);
    const later = await refusals(ADDRESS);
    expect(later).toHaveLength(2);
    expect(later[0]!.detail).toEqual({ unrecordedBefore: 19 });
    // A signed-in person's refusals are all written: they are accountable, not anonymous.
    const signed = new ConsoleClient(app, {}, ADDRESS);
    await signed.login('zhang', PASSWORD);
    for (let i = 0; i < 3; i++) expect((await signed.post('/logout', { _csrf: null })).statusCode).toBe(403);
    expect((await refusals(ADDRESS)).filter((e) => e.personId === 'P0010')).toHaveLength(3);
  });

  it('refuses the audit log to anyone but the discipline officer, and audits the refusal', async () => {
    const inspector = new ConsoleClient(app);
    await inspector.login('zhang', PASSWORD);
    const refused = await inspector.get('/audit');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('仅限纪检人员');
    expect(await auditActions()).toContain('role.refused /audit');
    const officer = new ConsoleClient(app);
    await officer.login('li.jijian', PASSWORD);
    const log = await officer.get('/audit');
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('审计日志');
    expect(log.body).toContain('拒绝（无权访问）');
    expect(log.body).toContain('P0010');
  });

  it('gives a new session id at sign-in: a planted cookie never becomes a signed-in session', async () => {
    // The attacker's own valid session, planted in the victim's browser.
    const attacker = new ConsoleClient(app);
    await attacker.login('wang', PASSWORD);
    const planted = attacker.cookies.get('ssj_sid')!;
    const victim = new ConsoleClient(app);
    await victim.get('/login');
    victim.cookies.set('ssj_sid', planted);
    expect((await victim.post('/login', { login: 'zhang', password: PASSWORD })).statusCode).toBe(303);
    const fresh = victim.cookies.get('ssj_sid')!;
    expect(fresh).not.toBe(planted);
    // The planted id is gone: the attacker is not signed in as the victim (nor as himself any more).
    expect((await attacker.get('/')).statusCode).toBe(303);
    expect((await victim.get('/')).body).toContain('张执法');
    // A made-up id gives nothing either.
    const guess = new ConsoleClient(app);
    guess.cookies.set('ssj_sid', 'A'.repeat(43));
    expect((await guess.get('/')).statusCode).toBe(303);
  });

  it('ends a session after the idle timeout, and says so at sign-in', async () => {
    const c = new ConsoleClient(app);
    await c.login('zhang', PASSWORD);
    advance(settings.idleMinutes - 1);
    expect((await c.get('/')).statusCode).toBe(200); // activity keeps it alive
    advance(settings.idleMinutes - 1);
    expect((await c.get('/')).statusCode).toBe(200);
    advance(settings.idleMinutes + 1);
    const expired = await c.get('/');
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/login?next=%2F&expired=1');
    expect((await c.get('/login?expired=1')).body).toContain('长时间未操作');
    expect(await auditActions()).toContain('session.expired zhang');
    expect((await store.listAudit({ action: 'session.expired' }))[0]?.personId).toBe('P0010');
  });

  it('ends a session SSJ_CONSOLE_SESSION_HOURS after sign-in however active, and says so at sign-in', async () => {
    const c = new ConsoleClient(app);
    await c.login('wang', PASSWORD);
    const signedInAt = clock.getTime();
    const lifetime = settings.sessionHours * 3_600_000;
    expect(settings.sessionHours).toBe(12);
    // Busy all day: a page every idleMinutes - 1, never idle, signed in until the lifetime is over.
    while (clock.getTime() + (settings.idleMinutes - 1) * 60_000 - signedInAt <= lifetime) {
      advance(settings.idleMinutes - 1);
      expect((await c.get('/')).statusCode).toBe(200);
    }
    advance(settings.idleMinutes - 1);
    const ended = await c.get('/');
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/login?next=%2F&expired=lifetime');
    expect((await c.get('/login?expired=lifetime')).body).toContain('登录已满12小时，为保障安全已自动退出，请重新登录。');
    const entry = (await store.listAudit({ action: 'session.expired' })).find((e) => e.target === 'wang');
    expect(entry?.detail).toEqual({ reason: 'lifetime' });
    // Signing in again starts a new lifetime.
    expect((await c.login('wang', PASSWORD)).statusCode).toBe(303);
    expect((await c.get('/')).statusCode).toBe(200);
  });

  /** A registry change as the console sees it: recorded, then the console's registry index read again (as it would be within a minute). */
  const registryChange = async (key: string, effectiveDate: string, changes: { id: string; state: Person | null }[]) => {
    await changePeople(registry, key, effectiveDate, changes);
    await (await registryIndex(registry, now)).refresh();
  };
  const GONE = '您的账号对应的人员在名录中已不在职或已停用，账号已不能使用，请联系系统管理员。';

  it('ends a live session on the next request once the person is inactive or gone from the registry, says why at sign-in, and audits it', async () => {
    const sun = new ConsoleClient(app);
    expect((await sun.login('sun', PASSWORD)).statusCode).toBe(303);
    const zhou = new ConsoleClient(app);
    expect((await zhou.login('zhou', PASSWORD)).statusCode).toBe(303);
    expect((await sun.get('/')).statusCode).toBe(200);
    const sid = sun.cookies.get('ssj_sid')!;

    await registryChange('retire-sun', '2026-02-01', [
      { id: 'P0020', state: { ...PEOPLE.P0020, active: false } },
      { id: 'P0021', state: null },
    ]);
    const ended = await sun.get('/');
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/login?next=%2F&ended=person');
    expect((await sun.get(ended.headers.location as string)).body).toContain(GONE);
    // The session is gone from the store, not merely refused this once.
    expect(await store.getSession(sha256(sid))).toBeNull();
    expect((await sun.get('/')).headers.location).toBe('/login?next=%2F');
    const [entry] = await store.listAudit({ action: 'session.ended', target: 'sun' });
    expect(entry).toMatchObject({ personId: 'P0020', detail: { reason: 'inactive' } });

    // Opening the sign-in page itself also says why.
    const page = await zhou.get('/login');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(GONE);
    expect((await store.listAudit({ action: 'session.ended', target: 'zhou' }))[0]?.detail).toMatchObject({ reason: 'not-in-registry' });
  });

  it('refuses sign-in of a person gone from the registry with the reason, the same whether the password is right or not; lockout counts as before', async () => {
    const before = (await store.getLoginThrottle('sun'))?.failures ?? 0;
    const right = await new ConsoleClient(app).login('sun', PASSWORD);
    const wrong = await new ConsoleClient(app).login('sun', 'not the password at all');
    for (const res of [right, wrong]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain(GONE);
      expect(res.body).not.toContain('登录名或密码不正确');
      expect(res.cookies.some((k) => k.name === 'ssj_sid' && k.value !== '')).toBe(false);
    }
    // Same page but for the anonymous form's own token.
    const strip = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, '');
    expect(strip(right.body)).toBe(strip(wrong.body));
    expect((await store.getLoginThrottle('sun'))?.failures).toBe(before + 2);
    const refused = await store.listAudit({ action: 'login.refused-unusable', target: 'sun' });
    expect(refused.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'inactive', passwordOk: true }), expect.objectContaining({ reason: 'inactive', passwordOk: false })]));
    const gone = await new ConsoleClient(app).login('zhou', PASSWORD);
    expect(gone.statusCode).toBe(403);
    expect(gone.body).toContain(GONE);
    // Past the lockout number the lock answers first, as for anyone.
    for (let i = 0; i < settings.lockoutFailures; i++) await new ConsoleClient(app).login('sun', PASSWORD);
    expect((await new ConsoleClient(app).login('sun', PASSWORD)).statusCode).toBe(429);
    advance(settings.lockoutMinutes + 1);
  });

  it('a role given up in the registry is refused (403) and gone from the header; given back, it counts again; none left ends the session', async () => {
    const wu = new ConsoleClient(app);
    expect((await wu.login('wu.jian', PASSWORD)).statusCode).toBe(303);
    const home = await wu.get('/');
    expect(home.body).toContain('吴兼任（分管领导、纪检人员）');
    expect(home.body).toContain('<a href="/audit">审计日志</a>');
    expect((await wu.get('/audit')).statusCode).toBe(200);

    await registryChange('wu-leaves-discipline', '2026-02-02', [{ id: 'P0030', state: { ...PEOPLE.P0030, roles: ['manager'] } }]);
    const refused = await wu.get('/audit');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('吴兼任（分管领导）');
    expect(refused.body).not.toContain('<a href="/audit">');
    expect((await store.listAudit({ action: 'role.refused', personId: 'P0030' }))[0]?.target).toBe('/audit');
    const after = await wu.get('/');
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('吴兼任（分管领导）');
    expect(after.body).not.toContain('纪检人员');
    // The grant is untouched: what was granted is still on the account.
    expect((await store.getAccountByLogin('wu.jian'))?.roles).toEqual(['manager', 'discipline']);

    await registryChange('wu-back-to-discipline', '2026-02-03', [{ id: 'P0030', state: PEOPLE.P0030 }]);
    expect((await wu.get('/audit')).statusCode).toBe(200);
    expect((await wu.get('/')).body).toContain('吴兼任（分管领导、纪检人员）');

    // Holding none of the granted roles any more is the same as leaving.
    await registryChange('wu-becomes-inspector', '2026-02-04', [{ id: 'P0030', state: { ...PEOPLE.P0030, roles: ['inspector'] } }]);
    const ended = await wu.get('/');
    expect(ended.headers.location).toBe('/login?next=%2F&ended=roles');
    expect((await wu.get(ended.headers.location as string)).body).toContain('您在名录中已不再担任此账号被授予的任何角色，账号已不能使用，请联系系统管理员。');
    expect((await store.listAudit({ action: 'session.ended', target: 'wu.jian' }))[0]?.detail).toMatchObject({ reason: 'no-roles' });
    const login = await new ConsoleClient(app).login('wu.jian', PASSWORD);
    expect(login.statusCode).toBe(403);
    expect(login.body).toContain('不再担任');
  });

  it('lists every route a page polls as polling (no activity): each self-refreshing element of the views', () => {
    const views = path.join(__dirname, '..', 'console', 'views');
    const polled: string[] = [];
    for (const file of fs.readdirSync(views).filter((f) => f.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(views, file), 'utf8');
      for (const tag of source.match(/<[^<>]*hx-trigger="[^"]*every [^<>]*>/g) ?? []) {
        const route = /hx-get="(?:\$\{link\(')?(\/[^'"?$]*)/.exec(tag)?.[1];
        expect(route, `${file}: ${tag}`).toBeDefined();
        polled.push(route!);
      }
    }
    expect(polled.sort()).toEqual(['/ceremony/screen/live', '/quarter/live']);
    for (const route of polled) expect(POLLING_ROUTES.has(route), route).toBe(true);
    // The projector's page reloads itself without script (meta refresh): its route too.
    expect(fs.readFileSync(path.join(views, 'ceremony.ts'), 'utf8')).toContain('<meta http-equiv="refresh" content="10">');
    expect(POLLING_ROUTES.has('/ceremony/screen')).toBe(true);
  });

  it('accepts an invitation once: the invitee sets login and password and signs in; the link then is dead', async () => {
    const { link } = await invite(store, { person: PEOPLE.P0666, roles: [], publicUrl: settings.publicUrl, hours: 72, createdBy: null, now: clock });
    const url = new URL(link).pathname;
    const c = new ConsoleClient(app);
    const form = await c.get(url);
    expect(form.statusCode).toBe(200);
    // The person's name holds a script: shown as text.
    expect(form.body).toContain('赵&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(form.body).not.toContain(XSS);
    const mismatch = await c.post(url, { login: 'zhao', password: 'a long password 1', password2: 'a long password 2' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('两次输入的密码不一致');
    // The password rules' refusals end as every other message does, with 。.
    const short = await c.post(url, { login: 'zhao', password: 'short 1', password2: 'short 1' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('密码至少10个字符。');
    const long = await c.post(url, { login: 'zhao', password: 'x'.repeat(201), password2: 'x'.repeat(201) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('密码不能超过200个字符。');
    const withLogin = await c.post(url, { login: 'zhao', password: 'my name is Zhao 1', password2: 'my name is Zhao 1' });
    expect(withLogin.statusCode).toBe(400);
    expect(withLogin.body).toContain('密码不能包含登录名。');
    const badLogin = await c.post(url, { login: XSS, password: 'a long password 1', password2: 'a long password 1' });
    expect(badLogin.body).toContain('&lt;script&gt;');
    expect(badLogin.body).not.toContain(XSS);
    const taken = await c.post(url, { login: 'zhang', password: 'a long password 1', password2: 'a long password 1' });
    expect(taken.body).toContain('该登录名已被使用');
    const ok = await c.post(url, { login: 'zhao', password: 'a long password 1', password2: 'a long password 1' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/login?invited=1');
    const again = await new ConsoleClient(app).get(url);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('已使用或已过期');
    const reuse = await c.post(url, { login: 'zhao2', password: 'a long password 1', password2: 'a long password 1' });
    expect(reuse.statusCode).toBe(410);
    expect((await c.login('zhao', 'a long password 1')).statusCode).toBe(303);
    const home = await c.get('/');
    expect(home.body).not.toContain(XSS);
    expect(home.body).toContain('赵&lt;script&gt;');
    expect(await auditActions()).toEqual(expect.arrayContaining(['invitation.accepted zhao', 'invitation.refused']));
  });

  it('refuses an invitation while its person is inactive in the registry (no account made, the invitation kept); usable again once active', async () => {
    const { link } = await invite(store, { person: PEOPLE.P0040, roles: [], publicUrl: settings.publicUrl, hours: 72, createdBy: null, now: clock });
    const url = new URL(link).pathname;
    const c = new ConsoleClient(app);
    expect((await c.get(url)).statusCode).toBe(200); // the form, opened while the person was in post
    await registryChange('leave-qian', '2026-02-15', [{ id: 'P0040', state: { ...PEOPLE.P0040, active: false } }]);
    const post = await c.post(url, { login: 'qian', password: 'a long password 1', password2: 'a long password 1' });
    expect(post.statusCode).toBe(403);
    expect(post.body).toContain('受邀人员在名录中已不在职或已停用，邀请已不能使用');
    expect(await store.getAccountByLogin('qian')).toBeNull();
    const form = await c.get(url);
    expect(form.statusCode).toBe(403);
    expect(form.body).not.toContain('name="password"');
    expect((await store.listAudit({ action: 'invitation.refused-unusable', target: 'P0040' })).map((e) => e.detail)).toEqual([{ reason: 'inactive' }, { reason: 'inactive' }]);

    await registryChange('back-qian', '2026-02-20', [{ id: 'P0040', state: PEOPLE.P0040 }]);
    expect((await c.get(url)).statusCode).toBe(200);
    expect((await c.post(url, { login: 'qian', password: 'a long password 1', password2: 'a long password 1' })).headers.location).toBe('/login?invited=1');
    expect((await c.login('qian', 'a long password 1')).statusCode).toBe(303);
  });

  it('renders script in the login field, the user agent and the audit log as inert text', async () => {
    const c = new ConsoleClient(app, { 'user-agent': `Mozilla ${XSS}` });
    const res = await c.login(XSS, 'whatever-password');
    expect(res.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(res.body).not.toContain(XSS);
    const long = `a"><img src=x onerror=alert(1)>`;
    const attr = await c.post('/login', { login: long, password: 'x', next: `/"><script>x</script>` });
    expect(attr.body).not.toContain('<img src=x');
    expect(attr.body).not.toContain('<script>x');
    const officer = new ConsoleClient(app);
    await officer.login('li.jijian', PASSWORD);
    const log = await officer.get('/audit');
    expect(log.body).toContain('Mozilla &lt;script&gt;');
    expect(log.body).not.toContain(XSS);
    expect(log.body).not.toContain('<img src=x');
  });

  it('never redirects off-site after sign-in', async () => {
    const c = new ConsoleClient(app);
    await c.get('/login?next=//evil.example/x');
    expect(c.csrf).not.toBe('');
    const res = await c.post('/login', { login: 'wang', password: PASSWORD, next: '//evil.example/x' });
    expect(res.headers.location).toBe('/');
    const c2 = new ConsoleClient(app);
    await c2.get('/login');
    expect((await c2.post('/login', { login: 'wang', password: PASSWORD, next: '/audit?x=1' })).headers.location).toBe('/audit?x=1');
  });

  it('keeps the audit log append-only: the database refuses to change or delete an entry', async () => {
    const entries = await store.listAudit({ limit: 5 });
    expect(entries.length).toBeGreaterThan(0);
    // The console has no route that changes the log; the store's triggers stop everything else.
    const db = (await import('better-sqlite3')).default(path.join(dir, 'ssj.db'));
    try {
      expect(() => db.prepare("UPDATE audit_log SET action = 'x'").run()).toThrow();
      expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow();
    } finally {
      db.close();
    }
  });
});

describe('console settings and limits', () => {
  it('makes cookies Secure when the public URL is https', async () => {
    const s = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_PUBLIC_URL: 'https://ssj.example.org/' } });
    expect(s.secureCookies).toBe(true);
    expect(s.publicUrl).toBe('https://ssj.example.org');
    const secureApp = await buildConsole({ settings: s, store, now, personName: async () => null, people: null });
    try {
      const c = new ConsoleClient(secureApp);
      const res = await c.login('wang', PASSWORD);
      expect(res.cookies.find((k) => k.name === 'ssj_sid')?.secure).toBe(true);
      expect(String(res.headers['strict-transport-security'])).toContain('max-age');
    } finally {
      await secureApp.close();
    }
  });

  it('rate-limits sign-in attempts per address', async () => {
    const s = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_LOGIN_PER_MINUTE: '3' } });
    const limited = await buildConsole({ settings: s, store, now, personName: async () => null, people: null });
    try {
      const c = new ConsoleClient(limited);
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await c.login(`rate${i}`, 'wrong-password')).statusCode);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('behind a trusted reverse proxy, rate-limits and audits by the client address it forwards; ignores the header from anyone else', async () => {
    const PROXY = '10.20.0.7';
    const s = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_LOGIN_PER_MINUTE: '2', SSJ_CONSOLE_TRUST_PROXY: ` ${PROXY}, fd00::/8 ` } });
    expect(s.trustProxy).toEqual([PROXY, 'fd00::/8']);
    const proxied = await buildConsole({ settings: s, store, now, personName: async () => null, people: null });
    try {
      const via = (client: string) => new ConsoleClient(proxied, { 'user-agent': 'proxy-test', 'x-forwarded-for': client }, PROXY);
      // Two people behind the one proxy: each has their own budget.
      const first = via('203.0.113.1');
      expect((await first.login('proxy.a', 'wrong-password')).statusCode).toBe(401);
      expect((await first.login('proxy.a', 'wrong-password')).statusCode).toBe(401);
      expect((await first.login('proxy.a', 'wrong-password')).statusCode).toBe(429);
      expect((await via('203.0.113.2').login('proxy.b', 'wrong-password')).statusCode).toBe(401);
      const failed = (target: string) => store.listAudit({ action: 'login.failed', target, limit: 10 });
      expect(new Set((await failed('proxy.a')).map((e) => e.ip))).toEqual(new Set(['203.0.113.1']));
      expect((await failed('proxy.b')).map((e) => e.ip)).toEqual(['203.0.113.2']);
      // From an address that is not the proxy the header is anybody's word: ignored.
      const direct = new ConsoleClient(proxied, { 'x-forwarded-for': '203.0.113.3' }, '198.51.100.9');
      expect((await direct.login('proxy.c', 'wrong-password')).statusCode).toBe(401);
      expect((await failed('proxy.c')).map((e) => e.ip)).toEqual(['198.51.100.9']);
    } finally {
      await proxied.close();
    }
  });

  it('limits sign-ins of an IPv6 client by its /64: a fresh address in the same /64 shares the budget, another /64 has its own', async () => {
    expect(limitKey('203.0.113.9')).toBe('203.0.113.9');
    expect(limitKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(limitKey('2001:db8:0:7::1')).toBe('2001:db8:0:7::/64');
    expect(limitKey('2001:0DB8:0000:0007:ffff:ffff:ffff:fffe')).toBe('2001:db8:0:7::/64');
    expect(limitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(limitKey('64:ff9b::198.51.100.1')).toBe('64:ff9b:0:0::/64');
    const s = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_LOGIN_PER_MINUTE: '2' } });
    const limited = await buildConsole({ settings: s, store, now, personName: async () => null, people: null });
    try {
      const from = (address: string) => new ConsoleClient(limited, {}, address);
      expect((await from('2001:db8:0:7::1').login('v6.a', 'wrong-password')).statusCode).toBe(401);
      expect((await from('2001:db8:0:7::2').login('v6.a', 'wrong-password')).statusCode).toBe(401);
      expect((await from('2001:db8:0:7:abcd::3').login('v6.a', 'wrong-password')).statusCode).toBe(429);
      expect((await from('2001:db8:0:8::1').login('v6.b', 'wrong-password')).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });

  it("hashes a password stored with lower scrypt costs again at its owner's sign-in", async () => {
    const salt = randomBytes(16);
    const old = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), scryptSync(PASSWORD, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 2 ** 26 }).toString('base64')].join('$');
    const account = await store.createAccount({ login: 'old.hash', personId: 'P0003', roles: ['manager'], passwordHash: old, now: clock });
    expect(weakerThanCurrent(old)).toBe(true);
    const c = new ConsoleClient(app);
    expect((await c.login('old.hash', PASSWORD)).headers.location).toBe('/');
    const renewed = (await store.getAccount(account.id))!.passwordHash!;
    expect(renewed).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(weakerThanCurrent(renewed)).toBe(false);
    expect(await verifyPassword(PASSWORD, renewed)).toBe(true);
    // And the new hash signs in (the old one is gone).
    expect((await new ConsoleClient(app).login('old.hash', PASSWORD)).headers.location).toBe('/');
    expect((await new ConsoleClient(app).login('old.hash', 'wrong-password')).statusCode).toBe(401);
  });

  it('reports every bad setting by its variable', () => {
    expect(() => loadConsoleSettings({ env: { SSJ_CONSOLE_PORT: 'eighty', SSJ_CONSOLE_PUBLIC_URL: 'ftp://x', SSJ_OIDC_ISSUER: 'https://idp.example' } })).toThrow(
      /SSJ_CONSOLE_PORT: must be a whole number[\s\S]*SSJ_CONSOLE_PUBLIC_URL: must be an http\(s\) URL/,
    );
    expect(() => loadConsoleSettings({ env: { SSJ_OIDC_ISSUER: 'https://idp.example' } })).toThrow(/set all three/);
    expect(() => loadConsoleSettings({ env: { SSJ_CONSOLE_TRUST_PROXY: '10.0.0.1, proxy.local' } })).toThrow(/SSJ_CONSOLE_TRUST_PROXY: must be comma-separated IP addresses or CIDR blocks of the reverse proxies: "proxy.local" is not an IP address/);
    expect(() => loadConsoleSettings({ env: { SSJ_CONSOLE_TRUST_PROXY: '10.0.0.0/33' } })).toThrow(/SSJ_CONSOLE_TRUST_PROXY: .*"10\.0\.0\.0\/33": the prefix length must be 0 to 32/);
    expect(loadConsoleSettings({ env: {} }).trustProxy).toEqual([]);
    expect(() => loadConsoleSettings({ env: { SSJ_CONSOLE_SESSION_HOURS: '0' } })).toThrow(/SSJ_CONSOLE_SESSION_HOURS: must be 1 to 168 \(got "0"\)/);
  });
});
