// The console in real Chromium (playwright-core, the machine's browser): sign in with a password,
// see 工作台 with my tasks (overdue in red), sign out; a wrong password; the audit log for the
// discipline officer; the invitation form. Every screen is saved at 1280×800 and 390×844 in
// test-output/console/, and no page makes a request outside the console or breaks its CSP.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount, invite } from '../console/accounts';
import type { Person } from '../domain/registry';
import type { TaskRow } from '../stores/console-store';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';

const person = (id: string, name: string, roles: Person['roles']): Person => ({ id, name, department: 'brigade-shihe', roles, email: null, inspector: null, active: true });
const PEOPLE: Record<string, Person> = {
  P0010: person('P0010', '张执法', ['inspector']),
  P0012: person('P0012', '陈新人', ['inspector']),
  P0005: person('P0005', '李纪检', ['discipline']),
};
const PASSWORD = 'correct horse battery';
// The console's "today": 2026-03-02 (a Monday) in Beijing.
const NOW = new Date('2026-03-02T02:00:00Z');

function task(key: string, kind: string, unit: string, deadline: string, over: Partial<TaskRow> = {}): TaskRow {
  return {
    key,
    kind,
    campaignId: 'campaign-xinyang-2026q1',
    inspectionWorkflowId: `wf-${key}`,
    unitId: unit,
    unitName: `信阳市${unit}化工有限公司`,
    department: '浉河区大队',
    assignees: ['P0010'],
    role: null,
    roleDepartment: null,
    deadline,
    status: 'open',
    decidedBy: null,
    decidedAt: null,
    detail: {},
    revision: 1,
    updatedAt: NOW,
    ...over,
  };
}

/** The page's window, typed for the two calls made in the browser (the project compiles without the DOM library). */
interface BrowserWindow {
  getComputedStyle(el: unknown, pseudo?: string): { color: string; content: string };
}

let c: RunningConsole;
let browser: Browser;
const outside: string[] = [];
const cspErrors: string[] = [];

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(c.url)) outside.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) cspErrors.push(m.text());
  });
  return page;
}
/** Fills the sign-in form; waits for 工作台 (or `landing`), or with `landing` null for the error shown in place. */
async function signIn(page: Page, login: string, password: string, landing: string | null = '/'): Promise<void> {
  await page.goto(`${c.url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  if (landing === null) await page.locator('p.error').waitFor();
  else await page.waitForURL(`${c.url}${landing}`);
}

beforeAll(async () => {
  c = await startConsole({ personName: async (id) => PEOPLE[id]?.name ?? null, now: () => NOW });
  await addAccount(c.store, { login: 'zhang', person: PEOPLE.P0010!, roles: [], password: PASSWORD, oidc: null, now: NOW });
  await addAccount(c.store, { login: 'li.jijian', person: PEOPLE.P0005!, roles: [], password: PASSWORD, oidc: null, now: NOW });
  await c.store.upsertTask(task('t1', 'result', 'U0101', '2026-03-20'));
  await c.store.upsertTask(task('t2', 'result', 'U0102', '2026-02-26'));
  await c.store.upsertTask(task('t3', 'result', 'U0103', '2026-03-02'));
  await c.store.upsertTask(task('t4', 'result', 'U0104', '2026-03-10', { assignees: ['P0012'] })); // another team's
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

describe('the console in Chromium', () => {
  it('signs an inspector in and shows 工作台: my tasks only, soonest first, overdue in red', async () => {
    const page = await newPage();
    await page.goto(`${c.url}/`);
    expect(page.url()).toBe(`${c.url}/login?next=%2F`);
    await screenshotBoth(browser, page, `${c.url}/login`, 'login');
    await signIn(page, 'zhang', PASSWORD);
    await expect(page.locator('h1').textContent()).resolves.toBe('我的待办');
    const rows = page.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    const units = await rows.locator('td:nth-child(2) .code').allTextContents();
    expect(units).toEqual(['U0102', 'U0103', 'U0101']);
    await expect(rows.nth(0).getAttribute('class')).resolves.toBe('overdue');
    // 2026-02-28 is a Saturday worked in place of a Spring Festival day: Thu, Fri, Sat.
    await expect(rows.nth(0).locator('td').nth(4).textContent()).resolves.toBe('已逾期3个工作日');
    await expect(rows.nth(1).locator('td').nth(4).textContent()).resolves.toBe('今日到期');
    await expect(rows.nth(2).locator('td').nth(4).textContent()).resolves.toBe('剩余14个工作日');
    const red = await rows.nth(0).locator('td').first().evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).color);
    expect(red).toBe('rgb(179, 38, 30)');
    await expect(page.locator('nav .who').textContent()).resolves.toContain('张执法（执法人员）');
    // htmx loaded from the console itself (the CSP allows nothing else).
    await expect(page.evaluate(() => typeof (globalThis as unknown as { htmx?: unknown }).htmx)).resolves.toBe('object');
    await screenshotBoth(browser, page, `${c.url}/`, 'home');

    // Phone: the table becomes labelled cards.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(rows.nth(0).locator('td').first().evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el, '::before').content)).resolves.toBe('"事项："');

    await Promise.all([page.waitForURL(`${c.url}/login?out=1`), page.click('nav button:has-text("退出")')]);
    await expect(page.locator('p.notice').textContent()).resolves.toBe('已安全退出。');
    await page.goto(`${c.url}/`);
    expect(page.url()).toBe(`${c.url}/login?next=%2F`);
  });

  it('says a wrong password plainly, and refuses the audit log to an inspector', async () => {
    const page = await newPage();
    await signIn(page, 'zhang', 'not-the-password', null);
    await expect(page.locator('p.error').textContent()).resolves.toBe('登录名或密码不正确。');
    await page.screenshot({ path: `${(await import('./helpers/browser-console')).SCREENSHOTS}/login-failed-desktop.png`, fullPage: true });
    await signIn(page, 'zhang', PASSWORD);
    const res = await page.goto(`${c.url}/audit`);
    expect(res?.status()).toBe(403);
    await expect(page.locator('p.error').textContent()).resolves.toContain('仅限纪检人员');
    await screenshotBoth(browser, page, `${c.url}/audit`, 'refused');
  });

  it('shows the discipline officer the audit log', async () => {
    const page = await newPage();
    await signIn(page, 'li.jijian', PASSWORD);
    await page.click('nav a:has-text("审计日志")');
    await page.waitForURL(`${c.url}/audit`);
    const actions = await page.locator('tbody td[data-label="操作"]').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['登录成功', '登录失败', '退出登录', '拒绝（无权访问）']));
    await screenshotBoth(browser, page, `${c.url}/audit`, 'audit');
  });

  it('lets an invited person set a password and sign in', async () => {
    const { link } = await invite(c.store, { person: PEOPLE.P0012!, roles: [], publicUrl: c.settings.publicUrl, hours: 72, createdBy: null, now: NOW });
    const page = await newPage();
    await page.goto(link);
    await screenshotBoth(browser, page, link, 'invitation');
    await page.fill('#login', 'chen');
    await page.fill('#password', 'a long password 1');
    await page.fill('#password2', 'a long password 1');
    await Promise.all([page.waitForURL(`${c.url}/login?invited=1`), page.click('button[type=submit]')]);
    await signIn(page, 'chen', 'a long password 1');
    await expect(page.locator('tbody tr td .code').allTextContents()).resolves.toEqual(['U0104']);
    const dead = await page.goto(link);
    expect(dead?.status()).toBe(410);
    await page.screenshot({ path: `${(await import('./helpers/browser-console')).SCREENSHOTS}/invitation-used-desktop.png`, fullPage: true });
  });

  it('made no request outside the console and broke no CSP rule', () => {
    expect(outside).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
