// The inspection page and result form in the console against a real quarter on the dev server:
// the team sees the unit, its address, the check method and the programme's check items; the
// form is refused in place when it breaks a rule (fewer than two present), with what was typed
// (script included) shown as text; a CSRF-less POST and another team's inspector are refused and
// audited; the result goes through the SAME submitResult Update as `ssj inspection submit`, as the
// signed-in person, with the per-item record in the message (not in the published description);
// a teammate's later submission is answered "已处理" with who submitted.
// Screenshots at desktop and phone sizes go to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { loadProgramme } from '../config/programme';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import * as api from '../client/temporal';
import { addAccount } from '../console/accounts';
import { parseResultForm } from '../console/inspection-form';
import { inspectionRegistry, type InspectionRegistry } from '../console/inspection-registry';
import { SqlBlobStore } from '../stores/blob-store';
import { openStoreDatabase } from '../stores/open';
import { ResultDraftStore } from '../stores/result-drafts';
import type { SqlDatabase } from '../stores/sql';
import type { Person } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, screenshotCurrent, SCREENSHOTS, SIZES, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { quarterAtInspection } from './helpers/quarter-at-inspection';
import { ConsoleClient } from './helpers/console-client';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';

const PASSWORD = 'inspector password 1';
const SCRIPT = '<script>alert("x")</script>';
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let registry: InspectionRegistry;
let sharedRegistry: RegistryStore | undefined;
let browser: Browser;
let people: Map<string, Person>;
let resultsDb: SqlDatabase | undefined;

/** A form POST with repeated fields (the `present` checkboxes), signed in as `who`, with its CSRF token. */
function postForm(who: ConsoleClient, pairs: [string, string][], csrf: string | null = who.csrf) {
  const body = new URLSearchParams(csrf === null ? pairs : [['_csrf', csrf], ...pairs]);
  return c.app.inject({
    method: 'POST',
    url: '/inspection',
    payload: body.toString(),
    headers: { cookie: [...who.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
  });
}

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture('console-inspection-2024');
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  sharedRegistry = await openRegistryStore({ dataDir: fx.dataDir, databaseUrl: null });
  people = new Map((await sharedRegistry.snapshotAt('2024-01-01')).people.map((p) => [p.id, p]));
  registry = await inspectionRegistry(sharedRegistry);
  resultsDb = await openStoreDatabase({ dataDir: fx.dataDir, databaseUrl: null });
  c = await startConsole({
    personName: async (id) => people.get(id)?.name ?? null,
    temporal: client,
    inspections: { registry, checkItems: fx.programme.checkItems, couldNotInspect: fx.programme.reasons?.couldNotInspect ?? [], results: { drafts: new ResultDraftStore(resultsDb), blobs: new SqlBlobStore(resultsDb) } },
  });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await sharedRegistry?.close();
  await resultsDb?.close();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('an inspection in the console', () => {
  it('shows the unit and check items to the team only, and submits the result through the Update as the signed-in inspector', async () => {
    const taskQueue = uniqueTaskQueue('console-inspection');
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), allowRehearsalClock: true });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });

    await worker.runUntil(async () => {
      const { campaignId, section } = await quarterAtInspection(client, fx, { taskQueue, entropy: { admin: 'ConsoleInspection2024', discipline: '271828182845904523' } });
      const [lead, mate] = section.team as [string, string];
      const outsider = [...PEOPLE.sectionInspectors, ...PEOPLE.brigadeInspectors].find((id) => !section.team.includes(id))!;
      for (const [login, id] of [['lead', lead], ['mate', mate], ['other', outsider]] as const) {
        await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
      }
      const unit = registry.unit(section.unitId)!;
      // The rehearsal clock's today: a check date the form accepts (not in the future) however fast the quarter ran.
      const checkedOn = (await api.inspectionStatus(client, campaignId, section.unitId)).today;
      const url = `/inspection?campaign=${encodeURIComponent(campaignId)}&unit=${encodeURIComponent(section.unitId)}`;

      // The team's page: unit, address, department, team, method, due date, check items, reasons.
      const insp = new ConsoleClient(c.app);
      await insp.login('lead', PASSWORD);
      const pageRes = await insp.get(url);
      expect(pageRes.statusCode).toBe(200);
      for (const text of [unit.name, unit.address, '执法一科', `${people.get(lead)!.name}（${lead}）`, '现场检查', '剩余', fx.programme.checkItems[0]!.item, '停产检修，无法开展检查', '市场监督管理局']) {
        expect(pageRes.body).toContain(text);
      }

      // Another team's inspector: refused on the page and on the form, audited, nothing sent.
      const other = new ConsoleClient(c.app);
      await other.login('other', PASSWORD);
      const refused = await other.get(url);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('您不是此检查对象的检查组成员');
      expect(refused.body).not.toContain(unit.address);
      const form = (present: string[], description: string): [string, string][] => [
        ['campaign', campaignId],
        ['unit', section.unitId],
        ['item-1-checked', '1'],
        ['item-1-problem', '1'],
        ['item-1-handling', '当场责令改正'],
        ['howChecked', '现场查看治污设施，查阅在线监测数据'],
        ['checkedOn', checkedOn],
        ...present.map((p): [string, string] => ['present', p]),
        ['outcome', 'problems-found'],
        ['description', description],
        ['referTo', ''],
        ['reasonCode', ''],
        ['note', ''],
      ];
      expect((await postForm(other, form([lead, mate], '越权提交'))).statusCode).toBe(403);

      // Without the CSRF token: refused before anything else.
      const noCsrf = await postForm(insp, form([lead, mate], '无令牌'), null);
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.body).toContain('安全令牌不符');

      // Fewer than two present: refused in place, what was typed shown back as text.
      const one = await postForm(insp, form([lead], `${SCRIPT}废水超标`));
      expect(one.statusCode).toBe(400);
      expect(one.body).toContain('须至少勾选两名在场执法人员');
      expect(one.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;废水超标');
      expect(one.body).not.toContain(SCRIPT);
      expect((await api.inspectionStatus(client, campaignId, section.unitId)).result).toBeNull();

      // A description over its 4000 characters: refused naming the field, all of it shown back (never cut).
      const long = `${'超'.repeat(4000)}标`;
      const tooLong = await postForm(insp, form([lead], long));
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.body).toContain('“问题描述”最多 4000 个字符，现有 4001 个');
      expect(tooLong.body).toContain(`>${long}</textarea>`);

      // In Chromium, as an inspector on a phone would: the page, a form refused in place, then the
      // result (checkboxes, radio, text) submitted from the real form.
      const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
      await page.goto(`${c.url}/login`);
      await page.fill('#login', 'lead');
      await page.fill('#password', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL(`${c.url}/`);
      await screenshotBoth(browser, page, `${c.url}${url}`, 'inspection');
      await page.goto(`${c.url}${url}`);
      await page.check('input[name=item-1-checked]');
      await page.check('input[name=item-1-problem]');
      await page.fill('#item-1-handling', '当场责令改正');
      await page.fill('#howChecked', '现场查看治污设施，查阅在线监测数据');
      await page.fill('#checkedOn', checkedOn);
      await page.check(`input[name=present][value="${lead}"]`);
      await page.check('input[name=outcome][value=problems-found]');
      await page.fill('#description', `${SCRIPT}废水超标排放`);
      await page.click('form.record button[value=submit]');
      await page.getByText('须至少勾选两名在场执法人员').waitFor();
      expect(await page.inputValue('#description')).toBe(`${SCRIPT}废水超标排放`);
      expect(await page.isChecked('input[name=item-1-problem]')).toBe(true);
      await screenshotCurrent(page, 'inspection-refused');
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize(SIZES.desktop);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'inspection-print.png'), fullPage: true });
      await page.emulateMedia({ media: 'screen' });

      // The teammate opens the form now and submits after the lead has.
      const mateClient = new ConsoleClient(c.app);
      await mateClient.login('mate', PASSWORD);
      await mateClient.get(url);

      await page.check(`input[name=present][value="${mate}"]`);
      await page.click('form.record button[value=submit]');
      await page.getByText('检查结果（发现问题）已提交').waitFor();
      const done = await page.content();
      expect(done).toMatch(/<li><strong>污染源日常环境监管<\/strong>：已检查，<span class="overdue">发现问题<\/span><br><span class="hint">处理情况：<\/span>当场责令改正<\/li>/);
      expect(done).toContain('&lt;script&gt;');
      expect(await page.locator('main script').count()).toBe(0);
      await screenshotCurrent(page, 'inspection-done');
      const status = await api.inspectionStatus(client, campaignId, section.unitId);
      expect(status.result).toMatchObject({ outcome: 'problems-found', by: lead, checkedOn, description: `${SCRIPT}废水超标排放` });
      expect(status.result?.record).toEqual({ howChecked: '现场查看治污设施，查阅在线监测数据', items: fx.programme.checkItems.map((ci) => ({ seq: ci.seq, checked: ci.seq === 1, problemFound: ci.seq === 1, handling: ci.seq === 1 ? '当场责令改正' : '' })) });
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase !== 'inspection', 'past the inspection phase');

      const late = await postForm(mateClient, form([lead, mate], '重复提交'));
      expect(late.statusCode).toBe(200);
      expect(late.body).toContain('已处理');
      expect(late.body).toContain(`提交人：${people.get(lead)!.name}（${lead}）`);
      const again = await insp.get(url);
      expect(again.body).toContain('已处理');
      await screenshotBoth(browser, page, `${c.url}${url}`, 'inspection-submitted');

      const audit = await c.store.listAudit({ action: 'inspection.' });
      expect(audit.map((e) => `${e.action} ${e.personId}`)).toEqual(
        expect.arrayContaining([`inspection.result ${lead}`, `inspection.refused ${outsider}`, `inspection.stale-submit ${mate}`]),
      );
      expect(audit.find((e) => e.action === 'inspection.result')?.detail).toMatchObject({ outcome: 'problems-found', present: [lead, mate], evidence: 0 });
    });
  }, 300_000);
});

describe('the result form, read into the submitResult message', () => {
  const checkItems = loadProgramme().checkItems; // config/programme.json, as the worker loads it
  const ctx = { by: 'S1', team: ['S1', 'S2'], today: '2024-02-01', checkItems, couldNotInspect: [{ code: 'suspended', label: '停产检修，无法开展检查' }], agencies: ['agency-market'] };
  const base = { checkedOn: '2024-02-01', present: ['S1', 'S2'], howChecked: '现场检查', 'item-1-checked': '1' };

  it('keeps the per-item record out of the internal note when the unit could not be inspected', () => {
    const r = parseResultForm({ ...base, 'item-1-checked': '', outcome: 'could-not-inspect', reasonCode: 'suspended', note: '厂区停产' }, ctx);
    expect(r.ok && r.report.result).toEqual({ outcome: 'could-not-inspect', reasonCode: 'suspended', note: '厂区停产' });
    expect(r.ok && r.report.record?.items[0]).toEqual({ seq: 1, checked: false, problemFound: false, handling: '' });
  });
  it('refuses, in Chinese, what the record forbids', () => {
    const refusal = (body: Record<string, unknown>) => {
      const r = parseResultForm({ ...base, ...body }, ctx);
      return r.ok ? null : r.error;
    };
    expect(refusal({ outcome: 'no-problem', 'item-1-problem': '1' })).toContain('不能为“未发现问题”');
    expect(refusal({ outcome: 'no-problem', 'item-1-checked': '' })).toContain('尚未勾选“已检查”');
    expect(refusal({ outcome: 'problems-found', description: '超标', referTo: 'brigade-shihe' })).toContain('移送机关不在名录中');
    expect(refusal({ outcome: 'no-problem', checkedOn: '2024-02-02' })).toContain('不能晚于今天');
    expect(refusal({ outcome: 'no-problem', present: ['S1', 'B1'] })).toContain('须为本检查组成员');
    expect(refusal({ outcome: 'could-not-inspect', reasonCode: 'closed' })).toContain('须选择原因');
    expect(refusal({ outcome: 'problems-found', description: '超标\u202e' })).toContain('不允许的字符');
    expect(refusal({ outcome: '' })).toContain('请选择检查结论');
    expect(refusal({ outcome: 'no-problem' })).toBeNull();
  });
});
