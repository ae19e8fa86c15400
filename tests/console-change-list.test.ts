// The brigades' change list (变更清单) in the console, against a real quarter in its update window
// on the dev server: a brigade leader of an awaited brigade sees 提交变更清单 on 工作台, opens the
// page in Chromium and submits the imported batch through the same Update as `ssj changes
// submit`; a second submit answers 已处理 with who submitted; another brigade says it has none.
// Refused: a person without the role, a missing CSRF token, a batch that is not an imported change
// list (made up, or the city's whole registry). Every act is in the audit log.
// Screenshots at 1280 and 390 px go to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { addAccount } from '../console/accounts';
import type { Person } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { campaignWorkflowId } from '../workflows/definitions';
import { screenshotBoth, screenshotCurrent, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { unit as unitState } from './helpers/registry-snapshot';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';

const PASSWORD = 'brigade password 1';
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let registry: RegistryStore;
let c: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture('console-change-list-2024');
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  registry = await openRegistryStore({ dataDir: fx.dataDir, databaseUrl: null });
  const people = new Map<string, Person>((await registry.snapshotAt('2024-01-01')).people.map((p) => [p.id, p]));
  c = await startConsole({ env: { SSJ_CONSOLE_LOGIN_PER_MINUTE: '100' }, personName: async (id) => people.get(id)?.name ?? null, temporal: client, registry });
  for (const [login, id] of [['bl1', PEOPLE.brigadeLeader], ['cc1', PEOPLE.countyClerk], ['adm', PEOPLE.admin]] as const) {
    await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
  }
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await registry?.close();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('the change list in the console', () => {
  it('a brigade leader submits the list from 工作台; a second submit answers 已处理; others are refused', async () => {
    const taskQueue = uniqueTaskQueue('console-change-list');
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), allowRehearsalClock: true, consoleStore: c.store });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 1);
    const status = () => api.campaignStatus(client, campaignId);
    const pagePath = `/change-list?campaign=${encodeURIComponent(campaignId)}`;

    await worker.runUntil(async () => {
      // A slow clock (one programme day an hour) from a day inside the update window: it stays open.
      await api.startCampaign(client, { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-20', secondsPerDay: 3600 } }, { taskQueue });
      const open = await eventually(async () => {
        const s = await status();
        return s.phase === 'update-window' && s.updateWindow.waitingFor.length > 0 ? s : null;
      }, 'update window', 300);
      expect(open.updateWindow.waitingFor).toEqual(expect.arrayContaining(['brigade-shihe', 'county-xixian']));

      // 工作台: the brigade leader has 提交变更清单 linking to the page, due when the window closes; an admin has not.
      const home = async (u: ConsoleClient) => [...(await u.get('/')).body.matchAll(/<a href="([^"]+)">提交变更清单<\/a>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
      const bl = new ConsoleClient(c.app);
      await bl.login('bl1', PASSWORD);
      const adm = new ConsoleClient(c.app);
      await adm.login('adm', PASSWORD);
      await eventually(async () => ((await home(bl)).length > 0 ? true : null), 'the change-list task on 工作台', 300);
      expect(await home(bl)).toEqual([pagePath]);
      expect(await home(adm)).toEqual([]);

      // Refused: no brigade-leader role (page and POST), and a POST without the CSRF token.
      expect((await adm.get(pagePath)).statusCode).toBe(403);
      expect((await adm.post('/change-list', { campaign: campaignId, none: '1' })).statusCode).toBe(403);
      await bl.get(pagePath);
      expect((await bl.post('/change-list', { _csrf: null, campaign: campaignId, none: '1' })).statusCode).toBe(403);
      // Neither a batch nor "none": a plain 400, nothing sent.
      expect((await bl.post('/change-list', { campaign: campaignId })).statusCode).toBe(400);
      // The brigade's quarterly list, imported under 名录管理: a batch of a change-list kind.
      await registry.applyBatch({
        key: 'new-units:shihe-2024q1',
        kind: 'new-units',
        source: '浉河大队2024Q1新增.csv',
        reason: '季度新增污染源',
        fileName: '浉河大队2024Q1新增.csv',
        effectiveDate: '2023-12-28',
        changes: [{ entityKind: 'unit', entityId: 'G07', state: unitState('G07', { category: 'general', jurisdiction: 'shihe' }) }],
      });
      const offered = [...(await bl.get(pagePath)).body.matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);
      expect(offered).toEqual([['', '请选择'], ['new-units:shihe-2024q1', expect.stringMatching(/^新增污染源清单：浉河大队2024Q1新增\.csv（批次 \d+，生效日期2023年12月28日，1项变化）$/)]]);
      // A batch that does not exist, or the city's whole registry (not a change list): refused naming the field, nothing sent.
      for (const bad of ['new-units:deadbeef', 'test:initial']) {
        const refused = await bl.post('/change-list', { campaign: campaignId, batch: bad });
        expect(refused.statusCode).toBe(400);
        expect(refused.body).toContain(`名录批次：没有可作为变更清单的批次“${bad}”。变更清单须是已导入的新增污染源清单、关停取缔污染源清单、人员变动清单`);
        expect(refused.body).toContain('action="/change-list"'); // the form again
      }
      expect((await status()).updateWindow.submitted).toEqual([]);

      // In Chromium: 工作台 → 提交变更清单 → choose the imported batch → 提交变更清单.
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      const page = await ctx.newPage();
      await page.goto(`${c.url}/login`);
      await page.fill('#login', 'bl1');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${c.url}/`), page.click('button[type=submit]')]);
      await expect(page.locator('main table').innerText()).resolves.toMatch(/提交变更清单\s+2024年第一季度名录更新\s+浉河大队\s+2023年12月31日/);
      await screenshotBoth(browser, page, `${c.url}/`, 'home-change-list');
      await Promise.all([page.waitForURL(`${c.url}${pagePath}`), page.click('a:has-text("提交变更清单")')]);
      await expect(page.locator('table.facts').innerText()).resolves.toContain('浉河大队');
      await screenshotBoth(browser, page, `${c.url}${pagePath}`, 'change-list');
      await page.selectOption('#batch', 'new-units:shihe-2024q1');
      await page.click('button:has-text("提交变更清单")');
      await page.waitForSelector('h1:has-text("变更清单已提交")');
      await expect(page.locator('main p.notice').innerText()).resolves.toContain('名录批次 new-units:shihe-2024q1');
      await screenshotCurrent(page, 'change-list-done');
      await ctx.close();

      const after = await status();
      expect(after.updateWindow.submitted).toEqual([expect.objectContaining({ brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: 'new-units:shihe-2024q1' })]);
      expect(after.updateWindow.waitingFor).not.toContain('brigade-shihe');

      // A second submit (an old tab): 已处理, naming who submitted; the workflow keeps the first.
      const again = await bl.post('/change-list', { campaign: campaignId, none: '1' });
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('<h1>已处理</h1>');
      expect(again.body).toContain(`人员${PEOPLE.brigadeLeader}（${PEOPLE.brigadeLeader}）已于`);
      expect((await status()).updateWindow.submitted).toHaveLength(1);
      // The page itself now says it is in, with no form; the task has left 工作台.
      const shown = await bl.get(pagePath);
      expect(shown.body).toContain('本大队的变更清单');
      expect(shown.body).not.toContain('action="/change-list"');
      expect(await home(bl)).toEqual([]);

      // The county brigade has nothing to report.
      const cc = new ConsoleClient(c.app);
      await cc.login('cc1', PASSWORD);
      await cc.get(pagePath);
      const none = await cc.post('/change-list', { campaign: campaignId, none: '1' });
      expect(none.body).toContain('本季度无变更');
      expect((await status()).updateWindow.submitted).toEqual(expect.arrayContaining([expect.objectContaining({ brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null })]));

      const audit = await c.store.listAudit({ action: 'change-list.' });
      const acts = audit.map((a) => `${a.action} ${a.personId}`);
      expect(acts).toEqual(expect.arrayContaining([`change-list.submit ${PEOPLE.brigadeLeader}`, `change-list.submit ${PEOPLE.countyClerk}`, `change-list.stale-click ${PEOPLE.brigadeLeader}`, `change-list.refused ${PEOPLE.brigadeLeader}`]));
      expect((await c.store.listAudit({ action: 'csrf.refused' })).length).toBeGreaterThan(0);
      await client.workflow.getHandle(campaignId).terminate('test done');
    });
  }, 600_000);
});
