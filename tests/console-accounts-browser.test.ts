// 用户管理 in a real browser: the accounts page, the role step of an invitation and the link
// page, screenshotted at desktop and phone sizes into test-output/console/ for a look.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { screenshotBoth, screenshotCurrent, startConsole, type RunningConsole } from './helpers/browser-console';
import { addAccounts, signedInPage } from './console-quarter-fixture';
import { cityDepartments } from './helpers/registry-snapshot';

const PASSWORD = 'accounts password 1';
const person = (id: string, name: string, roles: Person['roles']): Person => ({ id, name, department: 'section-1', roles, email: null, inspector: null, active: true });

let tmp: string;
let registry: RegistryStore;
let c: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-console-accounts-browser-'));
  registry = await openRegistryStore({ dataDir: tmp, databaseUrl: null });
  const people = [person('ADM1', '刘管理', ['admin']), person('P10', '陈国强', ['manager', 'discipline']), person('P20', '张执法', ['manager'])];
  await registry.applyBatch({
    key: 'base',
    kind: 'test',
    source: 'test',
    reason: 'test',
    effectiveDate: '2024-01-01',
    changes: [...cityDepartments().map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })), ...people.map((p) => ({ entityKind: 'person' as const, entityId: p.id, state: p }))],
  });
  c = await startConsole({ personName: async () => null, registry });
  await addAccounts(c.store, PASSWORD, [
    ['admin1', 'ADM1', ['admin']],
    ['zhang.manager', 'P20', ['manager']],
  ]);
  await c.store.updateAccount((await c.store.getAccountByLogin('zhang.manager'))!.id, { disabled: true, now: new Date() });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await registry?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('用户管理 in the browser', () => {
  it('shows the accounts, the role step and the link', async () => {
    const page = await signedInPage(browser, c.url, 'admin1', PASSWORD);
    await screenshotBoth(browser, page, `${c.url}/accounts`, 'accounts');
    await page.goto(`${c.url}/accounts`);
    await page.fill('input[name=person]', 'P10');
    await page.click('text=下一步：选择角色');
    await page.waitForSelector('input[name=role]');
    await screenshotCurrent(page, 'accounts-invite-roles');
    await page.check('input[value=discipline]');
    await page.click('text=生成邀请链接');
    await page.waitForSelector('textarea.invite-link');
    expect(await page.inputValue('textarea.invite-link')).toContain('/invite/');
    await screenshotCurrent(page, 'accounts-invite-link');
  }, 60_000);
});
