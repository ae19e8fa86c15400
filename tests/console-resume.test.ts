// Resuming an inspection's step parked for data from the console: the quarter's inspection page
// offers operators (detachment leader, admin) a note and the resume button, sent as the
// `resumeParkedStep` Update of `ssj inspection resume`; a manager sees no form and is refused the
// POST; a POST without the CSRF token is refused; a resume that finds nothing parked (here: the
// projection's parked item has no running workflow on the real dev server) answers 已处理, audited.
// The quarter's own parked step likewise from the quarter page (`ssj quarter resume`'s Update).
// Screenshots at 1280 and 390 px go to test-output/console/.
import type { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, screenshotCurrent, startConsole, type RunningConsole } from './helpers/browser-console';
import { PEOPLE } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { devServerClient, uniqueTaskQueue } from './helpers/temporal';
import { addAccounts, operationsOf, signedInPage, writeDemoQuarter } from './console-quarter-fixture';
import { loadProgramme } from '../config/programme';
import { calendarYearMissingReason } from '../domain/parking';

const PASSWORD = 'operations password 1';
let client: Client;
let connection: Connection;
let c: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  ({ client, connection } = await devServerClient());
  c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: operationsOf(loadProgramme(), { taskQueue: uniqueTaskQueue('console-resume'), dataDir: null }) });
  await addAccounts(c.store, PASSWORD, [
    ['leader', PEOPLE.detachmentLeader, ['detachment-leader']],
    ['mgr1', PEOPLE.managers[0]!, ['manager']],
  ]);
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await connection?.close();
});

describe('resuming a parked step in the console', () => {
  it('offers operators the resume form; refuses others and a missing CSRF token; a resume that finds nothing parked answers 已处理', async () => {
    const campaign = await writeDemoQuarter(c.store, { programmeId: `console-resume-${Date.now().toString(36)}`, year: 2024, quarter: 2 });
    const itemPath = `/quarter/inspection?campaign=${encodeURIComponent(campaign.campaignId)}&unit=U07`;

    const mgr = new ConsoleClient(c.app);
    await mgr.login('mgr1', PASSWORD);
    const seen = await mgr.get(itemPath);
    expect(seen.statusCode).toBe(200);
    expect(seen.body).toContain('暂停原因');
    expect(seen.body).not.toContain('action="/resume"');
    expect((await mgr.post('/resume', { campaign: campaign.campaignId, unit: 'U07', note: 'x' })).statusCode).toBe(403);

    const leader = new ConsoleClient(c.app);
    await leader.login('leader', PASSWORD);
    const page = await leader.get(itemPath);
    expect(page.body).toContain('action="/resume"');
    // An item that is not parked has no form.
    expect((await leader.get(itemPath.replace('U07', 'U06'))).body).not.toContain('action="/resume"');
    expect((await leader.post('/resume', { _csrf: null, campaign: campaign.campaignId, unit: 'U07', note: 'x' })).statusCode).toBe(403);
    expect((await leader.post('/resume', { campaign: 'no-such-campaign', unit: 'U07', note: 'x' })).statusCode).toBe(404);
    // A note on two lines as a browser sends it (CRLF) goes to the workflow (nothing parked there: 已处理), never a 500;
    // one over its 1000 characters is refused naming the field.
    const twoLines = await leader.post('/resume', { campaign: campaign.campaignId, unit: 'U07', note: '名录已补正\r\n辖区已更正' });
    expect(twoLines.statusCode).toBe(200);
    expect(twoLines.body).toContain('已处理');
    const tooLong = await leader.post('/resume', { campaign: campaign.campaignId, unit: 'U07', note: '长'.repeat(1001) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('“补正说明”最多 1000 个字符，现有 1001 个');

    // In Chromium: the note, then the button; nothing is parked in Temporal, so: 已处理.
    const p = await signedInPage(browser, c.url, 'leader', PASSWORD);
    await screenshotBoth(browser, p, `${c.url}${itemPath}`, 'resume-form');
    await p.goto(`${c.url}${itemPath}`);
    await p.fill('#note', '名录已补正该单位所在辖区');
    await p.click('button:has-text("补正完毕，恢复执行")');
    await p.waitForSelector('h1:has-text("已处理")');
    await expect(p.locator('main p.notice').innerText()).resolves.toContain('未处于暂停状态');
    await screenshotCurrent(p, 'resume-stale');
    await p.context().close();

    // Had a colleague resumed it from the console (their entry, as resume.inspection writes it),
    // the answer names them.
    await c.store.appendAudit({ accountId: null, personId: PEOPLE.admin, action: 'resume.inspection', target: `${campaign.campaignId}/U07`, detail: {}, at: new Date('2026-12-03T02:00:00Z'), ip: null, userAgent: null });
    await leader.get(itemPath);
    const named = await leader.post('/resume', { campaign: campaign.campaignId, unit: 'U07', note: '' });
    expect(named.body).toContain(`该步骤已由人员${PEOPLE.admin}（${PEOPLE.admin}）于2026年12月3日恢复`);

    const audit = await c.store.listAudit({ action: 'resume.' });
    expect(audit.map((a) => `${a.action} ${a.personId} ${a.target}`)).toContain(`resume.stale ${PEOPLE.detachmentLeader} ${campaign.campaignId}/U07`);
    expect((await c.store.listAudit({ action: 'csrf.refused' })).length).toBeGreaterThan(0);
  }, 300_000);

  it("offers operators the quarter's own parked step (its deadlines, the calendar lacking next year) on the quarter page; not the publication's, resumed on 结果公示", async () => {
    const campaign = await writeDemoQuarter(c.store, { programmeId: `console-resume-q-${Date.now().toString(36)}`, year: 2024, quarter: 4 });
    const parkOn = async (step: string, revision: number) =>
      c.store.upsertCampaign({ ...campaign, revision, detail: { ...(campaign.detail as object), parked: { step, reason: calendarYearMissingReason(2025, 'quarter-dates') } } });
    await parkOn('quarter-dates', campaign.revision + 1);
    const quarterPath = `/quarter?campaign=${encodeURIComponent(campaign.campaignId)}`;

    const mgr = new ConsoleClient(c.app);
    await mgr.login('mgr1', PASSWORD);
    expect((await mgr.post('/quarter/resume', { campaign: campaign.campaignId, note: 'x' })).statusCode).toBe(403);

    const leader = new ConsoleClient(c.app);
    await leader.login('leader', PASSWORD);
    const page = await leader.get(quarterPath);
    expect(page.statusCode).toBe(200);
    // The reason in Chinese, one full stop before the sentence goes on.
    expect(page.body).toMatch(/“季度期限计算”已暂停，工作日历缺少2025年的节假日安排，无法计算[^。<]+。请在日历中录入该年安排后恢复。数据补正后/);
    expect(page.body).toContain('action="/quarter/resume"');
    expect((await leader.post('/quarter/resume', { campaign: 'no-such-campaign', note: 'x' })).statusCode).toBe(404);
    expect((await leader.post('/quarter/resume', { campaign: campaign.campaignId, note: '长'.repeat(1001) })).statusCode).toBe(400);
    // No workflow runs for the fixture's quarter: nothing is parked in Temporal, so 已处理, back to the quarter.
    const stale = await leader.post('/quarter/resume', { campaign: campaign.campaignId, note: '已录入2025年节假日安排' });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toContain('已处理');
    expect(stale.body).toContain(`href="${quarterPath.replace('&', '&amp;')}"`);
    expect(stale.body).toContain('返回季度抽查');
    const audit = await c.store.listAudit({ action: 'resume.stale' });
    expect(audit.map((a) => `${a.personId} ${a.target}`)).toContain(`${PEOPLE.detachmentLeader} ${campaign.campaignId}`);

    const p = await signedInPage(browser, c.url, 'leader', PASSWORD);
    await screenshotBoth(browser, p, `${c.url}${quarterPath}`, 'quarter-resume-form');
    await p.context().close();

    // A parked publication is resumed on 结果公示: the quarter page only points there.
    await parkOn('publication', campaign.revision + 2);
    const publicationParked = await leader.get(quarterPath);
    expect(publicationParked.body).toContain('公示步骤在“结果公示”页面恢复');
    expect(publicationParked.body).not.toContain('action="/quarter/resume"');
  }, 300_000);
});
