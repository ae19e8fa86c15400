// The operations pages for the quarter against the real dev server and a real worker: only the
// operations roles get in (anyone else refused and audited); the start form needs its CSRF token;
// a quarter started from the console runs (the worker's projector writes its row into the
// console's store, and /quarters lists it); a second start answers 已存在 naming the campaign; the
// annual plan is filed from the console; the quarter page counts, lists and charts the projection
// rows and its fragment reloads alone. Screenshots at 1280 and 390 px go to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { launchChromium } from '../scripts/browser';
import { annualPlanWorkflowId, campaignWorkflowId } from '../workflows/definitions';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { signedInClient } from './helpers/console-client';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';
import { addAccounts, DEMO_COUNTS, operationsOf, signedInPage, writeDemoQuarter } from './console-quarter-fixture';

const PASSWORD = 'operations password 1';
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let browser: Browser;
const taskQueue = uniqueTaskQueue('console-quarter');
const started: string[] = [];

const signIn = (login: string) => signedInClient(c.app, login, PASSWORD);

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture('console-quarter-2024');
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: operationsOf(fx.programme, { taskQueue, dataDir: fx.dataDir }) });
  await addAccounts(c.store, PASSWORD, [
    ['admin1', PEOPLE.admin, ['admin']],
    ['leader', PEOPLE.detachmentLeader, ['detachment-leader']],
    ['mgr1', PEOPLE.managers[0]!, ['manager']],
    ['insp', PEOPLE.sectionInspectors[0]!, ['inspector']],
    ['disc', PEOPLE.discipline, ['discipline']],
  ]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  for (const id of started) await client?.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  await browser?.close();
  await c?.stop();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('the quarter pages for operations', () => {
  it('refuses other roles on every page, with an audit entry', async () => {
    const demo = await writeDemoQuarter(c.store, { programmeId: fx.programme.id, year: 2024, quarter: 2 });
    const q = encodeURIComponent(demo.campaignId);
    for (const login of ['insp', 'disc']) {
      const u = await signIn(login);
      for (const url of ['/quarters', `/quarter?campaign=${q}`, `/quarter/live?campaign=${q}`, `/quarter/inspection?campaign=${q}&unit=U06`, '/year', '/year.xlsx', `/publication?campaign=${q}`]) {
        const res = await u.get(url);
        expect(res.statusCode, `${login} ${url}`).toBe(403);
        expect(res.body).toContain('无权访问');
        expect(res.body).not.toContain('测试单位');
      }
    }
    const refused = await c.store.listAudit({ action: 'role.refused' });
    expect(refused.filter((e) => e.personId === PEOPLE.sectionInspectors[0]).map((e) => e.target)).toEqual(expect.arrayContaining(['/quarters', '/year.xlsx', `/publication?campaign=${q}`]));
    // A manager may look, and start, but not file the annual plan (as `ssj plan start`).
    const m = await signIn('mgr1');
    expect((await m.get('/quarters')).statusCode).toBe(200);
    expect((await m.post('/plan/start', {})).statusCode).toBe(403);
  });

  it('counts, charts and lists the quarter from the projection; the fragment reloads alone', async () => {
    const demo = (await c.store.getCampaign(`campaign-${fx.programme.id}-2024q2-fixture`))!;
    const q = encodeURIComponent(demo.campaignId);
    const u = await signIn('leader');
    const res = await u.get(`/quarter?campaign=${q}`);
    expect(res.statusCode).toBe(200);
    const counts = [...res.body.matchAll(/<dt>([^<]+)<\/dt><dd>(\d+)<\/dd>/g)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(counts)).toEqual({
      已抽取: DEMO_COUNTS.drawn,
      已报送结果: DEMO_COUNTS.resultIn,
      已逾期: DEMO_COUNTS.overdue,
      暂停待处理: DEMO_COUNTS.parked,
      已移交移送: DEMO_COUNTS.handedOver,
      已办结: DEMO_COUNTS.done,
    });
    // The timeline: the phases in order with the programme's dates, inspection the current one.
    expect(res.body).toMatch(/<li class="now" aria-current="step"><span class="ops-step">实施检查<\/span><span class="ops-date">2024年6月28日前（2024年7月5日起督办）<\/span><\/li>/);
    expect(res.body).toContain('截至2024年3月31日');
    // The three charts, server-side SVG.
    for (const id of ['ops-progress', 'ops-departments', 'ops-findings']) expect(res.body).toContain(`id="${id}"`);
    // Overdue and parked items, linked; U05 (finished late) is not an open overdue item.
    expect(res.body).toContain(`href="/quarter/inspection?campaign=${q}&amp;unit=U06"`);
    expect(res.body).toContain(`href="/quarter/inspection?campaign=${q}&amp;unit=U07"`);
    expect(res.body).not.toContain('unit=U05"');
    expect(res.body).toContain('逾期未完成（1）');
    expect(res.body).toContain('暂停待处理（1）');
    // The fragment: polled by htmx, the same figures without the page around them.
    expect(res.body).toContain(`hx-get="/quarter/live?campaign=${q}" hx-trigger="every 30s"`);
    const frag = await u.get(`/quarter/live?campaign=${q}`, { 'hx-request': 'true' });
    expect(frag.statusCode).toBe(200);
    expect(frag.body.startsWith('<div id="ops-live"')).toBe(true);
    expect(frag.body).not.toContain('<html');
    expect(frag.body).toContain(`<dt>已抽取</dt><dd>${DEMO_COUNTS.drawn}</dd>`);
    // Opened without htmx, the fragment's address leads to the page.
    expect((await u.get(`/quarter/live?campaign=${q}`)).headers.location).toBe(`/quarter?campaign=${q}`);
    // One inspection as operations see it.
    const one = await u.get(`/quarter/inspection?campaign=${q}&unit=U07`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('名录中没有负责该单位所在区域的大队');
    expect(one.body).toContain('人员S1（S1）、人员S2（S2）');
    expect((await u.get(`/quarter/inspection?campaign=${q}&unit=NOPE`)).statusCode).toBe(404);
    expect((await u.get('/quarter?campaign=no-such-campaign')).statusCode).toBe(404);
  });

  it('starts a quarter only with the CSRF token; it runs and shows up; a second start answers 已存在', async () => {
    const campaignId = campaignWorkflowId(fx.programme.id, 2024, 1);
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), allowRehearsalClock: true, consoleStore: c.store });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    try {
      await worker.runUntil(async () => {
        const admin = await signIn('admin1');
        await admin.get('/quarters');
        // Without the token: refused, audited, nothing started.
        const forged = await admin.post('/quarter/start', { _csrf: null, quarter: '1' });
        expect(forged.statusCode).toBe(403);
        expect((await c.store.listAudit({ action: 'csrf.refused' })).some((e) => e.target === '/quarter/start' && e.personId === PEOPLE.admin)).toBe(true);
        await expect(client.workflow.getHandle(campaignId).describe()).rejects.toThrow();

        // A bad rehearsal value is refused in place, the form as sent (quarter, rehearsal, the value).
        const bad = await admin.post('/quarter/start', { quarter: '3', rehearsal: '1', secondsPerDay: 'abc' });
        expect(bad.statusCode).toBe(400);
        expect(bad.body).toContain('演练模式：“每个计划日折合秒数”须是大于0且不超过86400的数（如 2），现为“abc”。');
        expect(bad.body).toContain('<option value="3" selected>第三季度</option>');
        expect(bad.body).toContain('name="rehearsal" value="1" checked>');
        expect(bad.body).toContain('name="secondsPerDay" inputmode="decimal" value="abc">');
        expect((await admin.post('/quarter/start', { quarter: '1', rehearsal: '1', secondsPerDay: '0' })).statusCode).toBe(400);

        // Started as the signed-in person (a rehearsal slow enough to stay in the update window).
        const ok = await admin.post('/quarter/start', { quarter: '1', rehearsal: '1', secondsPerDay: '3600' });
        started.push(campaignId);
        expect(ok.statusCode).toBe(200);
        expect(ok.body).toContain('已启动');
        expect(ok.body).toContain(campaignId);
        expect((await client.workflow.getHandle(campaignId).describe()).status.name).toBe('RUNNING');
        const entry = (await c.store.listAudit({ action: 'quarter.start' }))[0]!;
        expect(entry).toMatchObject({ personId: PEOPLE.admin, target: campaignId, detail: { year: 2024, quarter: 1, rehearsalSecondsPerDay: 3600 } });

        // The worker's projector writes the campaign row; the list shows it with its phase.
        await eventually(() => c.store.getCampaign(campaignId), 'the campaign row', 300);
        const list = await admin.get('/quarters');
        expect(list.body).toContain(`href="/quarter?campaign=${encodeURIComponent(campaignId)}"`);
        expect(list.body).toContain('2024年第一季度');
        expect(list.body).toContain('第一季度（已启动）');
        // The form now offers the first quarter not yet started (Q2 is the fixture's).
        expect(list.body).toContain('<option value="3" selected>第三季度</option>');
        const page = await admin.get(`/quarter?campaign=${encodeURIComponent(campaignId)}`);
        expect(page.body).toMatch(/<li class="now" aria-current="step"><span class="ops-step">名录更新/);

        // A second start, by another person: a plain answer naming the campaign, never an error page.
        const leader = await signIn('leader');
        await leader.get('/quarters');
        const again = await leader.post('/quarter/start', { quarter: '1' });
        expect(again.statusCode).toBe(200);
        expect(again.body).toContain('已存在');
        expect(again.body).toContain(campaignId);
        expect((await c.store.listAudit({ action: 'quarter.start-exists' }))[0]).toMatchObject({ personId: PEOPLE.detachmentLeader, target: campaignId });

        // The annual plan is issued under a number of its own year: 2024's cannot be filed today
        // (past 2024): refused at once, saying why, nothing started.
        const planId = annualPlanWorkflowId(fx.programme.id, 2024);
        const refusedPlan = await leader.post('/plan/start', {});
        expect(refusedPlan.statusCode).toBe(409);
        expect(refusedPlan.body).toContain('2024年度抽查计划须在2024年内印发备案（计划文号的年份须与印发日期一致），今天是');
        await expect(client.workflow.getHandle(planId).describe()).rejects.toThrow();
        // A console whose clock says January 2024 starts it; the worker, on today's date, cannot issue
        // it: the failure is said at once (not a false 已提交), and on the quarters page; again: 已存在.
        const jan = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: operationsOf(fx.programme, { taskQueue, dataDir: fx.dataDir }), now: () => new Date('2024-01-10T02:00:00Z') });
        try {
          await addAccounts(jan.store, PASSWORD, [['leader', PEOPLE.detachmentLeader, ['detachment-leader']]]);
          const l = await signedInClient(jan.app, 'leader', PASSWORD);
          await l.get('/quarters');
          const failed = await l.post('/plan/start', {});
          started.push(planId);
          expect(failed.statusCode).toBe(409);
          expect(failed.body).toMatch(/2024年度抽查计划未能备案：计划文号的年份（2024年）与印发日期（\d{4}年\d{1,2}月\d{1,2}日）不在同一年，系统不能印发。/);
          expect((await jan.store.listAudit({ action: 'plan.' })).map((e) => `${e.action} ${e.personId}`)).toEqual([`plan.failed ${PEOPLE.detachmentLeader}`, `plan.start ${PEOPLE.detachmentLeader}`]);
          const again = await l.post('/plan/start', {});
          expect(again.statusCode).toBe(200);
          expect(again.body).toContain('已存在');
        } finally {
          await jan.stop();
        }
        const planShown = (await admin.get('/quarters')).body;
        expect(planShown).toContain('备案期限');
        expect(planShown).toMatch(/<span class="overdue">未能备案<\/span>：计划文号的年份（2024年）/);
        expect((await c.store.listAudit({ action: 'plan.' })).map((e) => `${e.action} ${e.personId}`)).toEqual([`plan.refused ${PEOPLE.detachmentLeader}`]);

        // Screens: the list, the started quarter, the quarter in mid-inspection, one inspection, the answer to a second start.
        const pw = await signedInPage(browser, c.url, 'leader', PASSWORD);
        const demo = encodeURIComponent(`campaign-${fx.programme.id}-2024q2-fixture`);
        await screenshotBoth(browser, pw, `${c.url}/quarters`, 'quarters');
        await screenshotBoth(browser, pw, `${c.url}/quarter?campaign=${encodeURIComponent(campaignId)}`, 'quarter-started');
        await screenshotBoth(browser, pw, `${c.url}/quarter?campaign=${demo}`, 'quarter');
        await screenshotBoth(browser, pw, `${c.url}/quarter/inspection?campaign=${demo}&unit=U07`, 'quarter-inspection');
        await pw.goto(`${c.url}/quarters`);
        await pw.selectOption('#quarter', '1');
        await pw.click('form[action="/quarter/start"] button[type=submit]');
        await pw.waitForSelector('text=已存在');
        fs.mkdirSync(path.dirname(path.join(__dirname, '..', 'test-output', 'console', 'x')), { recursive: true });
        await pw.setViewportSize({ width: 390, height: 844 });
        await pw.screenshot({ path: path.join(__dirname, '..', 'test-output', 'console', 'quarter-exists-phone.png'), fullPage: true });
        // The page works in the browser with htmx loaded: no console errors from the CSP.
        const errors: string[] = [];
        pw.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await pw.goto(`${c.url}/quarter?campaign=${demo}`);
        await pw.waitForLoadState('networkidle');
        expect(errors).toEqual([]);
      });
    } finally {
      await activities.close();
    }
  }, 300_000);
});
