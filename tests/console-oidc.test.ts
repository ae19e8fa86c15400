// OIDC single sign-on against a real identity provider (oidc-provider on loopback), in Chromium:
// the console sends the browser to the provider (authorization code + PKCE + state + nonce), the
// person signs in there, and comes back signed in to the account bound to their subject. An
// unknown subject, a subject whose person has left the registry's staff, or a callback without the
// console's flow cookie, is refused and audited.
import * as http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount } from '../console/accounts';
import { registryPeople } from '../console/people';
import { registryIndex } from '../console/registry-cache';
import type { Person } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { freePort, screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { changePeople, openPeopleRegistry } from './helpers/people-registry';

const person = (id: string, name: string, roles: Person['roles']): Person => ({ id, name, department: 'section-1', roles, email: null, inspector: null, active: true });
const MANAGER = person('P0002', '王领导', ['manager']);
const LEAVER = person('P0003', '陈离职', ['manager']);

let c: RunningConsole;
let people: Awaited<ReturnType<typeof openPeopleRegistry>>;
let idp: http.Server;
let issuer: string;
let browser: Browser;
const authorizeRequests: URL[] = [];

beforeAll(async () => {
  const idpPort = await freePort();
  // "localhost" for the provider, 127.0.0.1 for the console: two hosts, two cookie jars.
  issuer = `http://localhost:${idpPort}`;
  people = await openPeopleRegistry('ssj-console-oidc', [MANAGER, LEAVER]);
  c = await startConsole({
    personName: async (id) => (id === MANAGER.id ? MANAGER.name : null),
    people: await registryPeople(people.registry),
    env: { SSJ_OIDC_ISSUER: issuer, SSJ_OIDC_CLIENT_ID: 'ssj-console', SSJ_OIDC_CLIENT_SECRET: 'a-client-secret-for-the-test-only' },
  });
  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'ssj-console',
        client_secret: 'a-client-secret-for-the-test-only',
        redirect_uris: [c.settings.oidc!.redirectUrl],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    // The built-in development login form accepts any login as the subject.
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  const handler = provider.callback() as http.RequestListener;
  idp = http.createServer((req, res) => {
    if (req.url?.startsWith('/auth')) authorizeRequests.push(new URL(req.url, issuer));
    handler(req, res);
  });
  await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
  await addAccount(c.store, { login: 'wang', person: MANAGER, roles: [], password: null, oidc: { issuer, subject: 'wang.sso' }, now: new Date() });
  await addAccount(c.store, { login: 'chen', person: LEAVER, roles: [], password: null, oidc: { issuer, subject: 'chen.sso' }, now: new Date() });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await people?.close();
  await new Promise((resolve) => idp?.close(resolve));
});

async function ssoAs(page: Page, subject: string): Promise<void> {
  await page.goto(`${c.url}/login`);
  await page.click('a:has-text("统一身份认证")');
  await page.waitForURL((u) => u.host === new URL(issuer).host);
  await page.fill('input[name=login]', subject);
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
  // The provider asks once for consent to share the identity with the console.
  const consent = page.locator('button[type=submit]:has-text("Continue")');
  await Promise.race([consent.waitFor({ timeout: 30_000 }).then(() => consent.click()), page.waitForURL((u) => u.host === new URL(c.url).host, { timeout: 30_000 })]);
  await page.waitForURL((u) => u.host === new URL(c.url).host && !u.pathname.startsWith('/login/oidc'));
}

describe('OIDC single sign-on', () => {
  it('signs in the account bound to the subject, with PKCE, state and nonce', async () => {
    const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await screenshotBoth(browser, page, `${c.url}/login`, 'login-sso'); // the sign-in page with the SSO button
    await ssoAs(page, 'wang.sso');
    expect(page.url()).toBe(`${c.url}/`);
    await expect(page.locator('nav .who').textContent()).resolves.toContain('王领导（分管领导）');
    const auth = authorizeRequests[0]!;
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    const entry = (await c.store.listAudit({ action: 'login.ok' }))[0]!;
    expect(entry.personId).toBe('P0002');
    expect(entry.detail).toMatchObject({ method: 'oidc', subject: 'wang.sso', issuer });
  });

  it('refuses a subject bound to no account, and says so', async () => {
    const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await ssoAs(page, 'stranger');
    expect(page.url()).toBe(`${c.url}/login?oidc=unknown`);
    await expect(page.locator('p.error').textContent()).resolves.toContain('没有与之对应的账户');
    expect((await c.store.listAudit({ action: 'login.oidc-unknown' }))[0]?.target).toBe('stranger');
    await page.goto(`${c.url}/`);
    expect(page.url()).toContain('/login');
  });

  it('refuses the subject of a person no longer active in the registry, and says why', async () => {
    await changePeople(people.registry, 'chen-leaves', '2024-06-01', [{ id: LEAVER.id, state: { ...LEAVER, active: false } }]);
    await (await registryIndex(people.registry)).refresh();
    const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await ssoAs(page, 'chen.sso');
    expect(page.url()).toBe(`${c.url}/login?ended=person`);
    await expect(page.locator('p.error').textContent()).resolves.toContain('您的账号对应的人员在名录中已不在职或已停用，账号已不能使用，请联系系统管理员。');
    const [entry] = await c.store.listAudit({ action: 'login.refused-unusable', target: 'chen' });
    expect(entry?.detail).toMatchObject({ reason: 'inactive', method: 'oidc', subject: 'chen.sso' });
    expect(await c.store.listAudit({ action: 'login.ok', target: 'chen' })).toEqual([]);
    await page.goto(`${c.url}/`);
    expect(page.url()).toContain('/login');
  });

  it('refuses a callback that the console did not start (no flow cookie)', async () => {
    const res = await c.app.inject(`/login/oidc/callback?code=abc&state=xyz`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?oidc=failed');
    expect((await c.store.listAudit({ action: 'login.oidc-failed' })).length).toBeGreaterThan(0);
  });
});
