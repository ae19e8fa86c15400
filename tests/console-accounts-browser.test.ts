// 用户管理 in a real browser: the accounts page, the role step of an invitation and the link
// page, screenshotted at desktop and phone sizes into test-output/console/ for a look.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, screenshotCurrent, startConsole, type RunningConsole } from './helpers/browser-console';
import { openPeopleRegistry, staffPerson as person } from './helpers/people-registry';
import { addAccounts, signedInPage } from './console-quarter-fixture';

const PASSWORD = 'accounts password 1';

let people: Awaited<ReturnType<typeof openPeopleRegistry>>;
let c: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  people = await openPeopleRegistry('ssj-console-accounts-browser', [person('ADM1', '刘管理', ['admin']), person('P10', '陈国强', ['manager', 'discipline']), person('P20', '张执法', ['manager'])]);
  c = await startConsole({ personName: async () => null, registry: people.registry });
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
  await people?.close();
});

describe('用户管理 in the browser', () => {
  it('shows the accounts, the role step, the link, and the open invitation until 撤销', async () => {
    const page = await signedInPage(browser, c.url, 'admin1', PASSWORD);
    await screenshotBoth(browser, page, `${c.url}/accounts`, 'accounts');
    await page.goto(`${c.url}/accounts`);
    await page.fill('input[name=person]', 'P10');
    await page.click('text=下一步：选择角色');
    await page.waitForSelector('input[name=role]');
    await screenshotCurrent(page, 'accounts-invite-roles');
    // P10 can witness the draw (纪检人员): the admin is told they could not witness beside them.
    expect(await page.textContent('main')).toContain('由您开通的账号，不能与您、也不能与其他由您开通的账号共同见证');
    await page.check('input[value=discipline]');
    await page.click('text=生成邀请链接');
    await page.waitForSelector('textarea.invite-link');
    expect(await page.inputValue('textarea.invite-link')).toContain('/invite/');
    await screenshotCurrent(page, 'accounts-invite-link');
    // The open invitation is listed with its 撤销 button; revoking it takes it off the list.
    await screenshotBoth(browser, page, `${c.url}/accounts`, 'accounts-open-invitation');
    await page.goto(`${c.url}/accounts`);
    expect(await page.textContent('#open-invitations')).toContain('陈国强');
    await page.click('#open-invitations button:has-text("撤销")');
    await page.waitForSelector('text=已撤销');
    expect(await page.locator('#open-invitations').count()).toBe(0);
  }, 60_000);
});
