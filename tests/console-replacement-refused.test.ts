// A manager's approval that the published replacement rules cannot carry out (DRAW-SPEC section 6:
// no inspector or no unit left to bring in) is refused and changes nothing, end to end on the dev
// server with the real projection and console:
// - a recusal: the section has three inspectors, so after one recusal (its replacement the third)
//   a second leaves no one to take over, by the real rules. The approval answers 409 saying why in
//   Chinese; the request still awaits a decision (status, console task open, the team's result
//   still held back) and the manager can then decide it otherwise (不同意), which closes the task;
// - a unit replacement: its refusal is the same typed ReplacementFailed, injected here (exhausting
//   a pool's candidates takes more units than this fixture has). The report stays open and the
//   manager rejects it; the team may then report the result.
// Before, the approval marked the request decided before the replacement was tried: a refused one
// left the recusal lost (the inspector kept inspecting, the task 已处理) or the closure stuck.
// The refused page, at 1280 and 390 px, goes to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { refuse } from '../activities/steps/refusals';
import * as api from '../client/temporal';
import { addAccount } from '../console/accounts';
import { resolveClock } from '../domain/programme-clock';
import type { Person } from '../domain/registry';
import { campaignWorkflowId } from '../workflows/definitions';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../scripts/browser';
import { screenshotCurrent, type RunningConsole } from './helpers/browser-console';
import { signedInPage } from './console-quarter-fixture';
import { createFixture, eventually, PEOPLE, recordingMail, rejection, report, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';
import { startFixtureConsole } from './helpers/fixture-console';

const PASSWORD = 'refused password 1';
const programmeId = 'console-refused-2024';
const campaignId = campaignWorkflowId(programmeId, 2024, 1);
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let people: Map<string, Person>;
let browser: Browser;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture(programmeId);
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  ({ console: c, people } = await startFixtureConsole(fx, client));
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('an approval the replacement rules cannot carry out', () => {
  it('is refused saying why; the request stays pending and its task open until decided otherwise', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, consoleStore: c.store, allowRehearsalClock: true });
    let unitReplacements = 0;
    const activities = {
      ...acts,
      replaceUnit: async (a: Parameters<typeof acts.replaceUnit>[0]): ReturnType<typeof acts.replaceUnit> => {
        unitReplacements++;
        throw refuse(`no replacement unit for ${a.unitId}: no unit left to replace ${a.unitId} in pool ${a.poolId}: all 1 candidate(s) are selected or already brought in`, 'ReplacementFailed');
      },
    };
    try {
      await freezeAndDraw(acts, campaignId, programmeId, { admin: 'RefusedAdmin20244', discipline: 'RefusedDiscipl2024' });
      const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, Date.now());
      const section = (await inspectionInputs(acts, campaignId, 'section-1', clock))[0]!;
      const [s1, s2] = section.team as [string, string];
      const s3 = PEOPLE.sectionInspectors.find((s) => !section.team.includes(s))!;
      const m1 = PEOPLE.managers[0]!;
      for (const [login, id] of [['insp1', s1], ['insp2', s2], ['insp3', s3], ['mgr1', m1]] as const) {
        await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
      }
      const wf = api.inspectionWorkflowIdFor(client, campaignId, section.unitId);
      const where = { campaign: campaignId, unit: section.unitId };
      const status = () => api.inspectionStatus(client, campaignId, section.unitId);
      const signedIn = async (login: string) => {
        const cc = new ConsoleClient(c.app);
        await cc.login(login, PASSWORD);
        return cc;
      };

      const taskQueue = uniqueTaskQueue('console-refused');
      const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
      await worker.runUntil(async () => {
        const h = await client.workflow.start('inspectionWorkflow', { workflowId: wf, taskQueue, args: [section] });
        await eventually(async () => (await c.store.getTask(`${wf}/result`))?.status === 'open', 'the result task');
        const mgr1 = await signedIn('mgr1');
        const inspectionUrl = `/inspection?campaign=${encodeURIComponent(campaignId)}&unit=${encodeURIComponent(section.unitId)}`;

        // s1 steps aside: the third inspector takes over.
        const insp1 = await signedIn('insp1');
        await insp1.get(inspectionUrl);
        expect((await insp1.post('/inspection/recusal', { ...where, reasonCode: 'kinship', note: '' })).statusCode).toBe(200);
        const firstKey = `${wf}/approve-recusal/1`;
        await eventually(async () => (await c.store.getTask(firstKey))?.status === 'open', 'the first recusal task');
        await mgr1.get(`/approval?task=${encodeURIComponent(firstKey)}`);
        expect((await mgr1.post('/approval', { task: firstKey, decision: 'approve', reasonCode: '', note: '' })).body).toContain('已同意回避');
        expect((await status()).team.sort()).toEqual([s2, s3].sort());

        // Now s3 declares a conflict too: by the rules no one is left to take over.
        const insp3 = await signedIn('insp3');
        await insp3.get(inspectionUrl);
        expect((await insp3.post('/inspection/recusal', { ...where, reasonCode: 'financial-interest', note: '' })).statusCode).toBe(200);
        const secondKey = `${wf}/approve-recusal/2`;
        const secondUrl = `/approval?task=${encodeURIComponent(secondKey)}`;
        await eventually(async () => (await c.store.getTask(secondKey))?.status === 'open', 'the second recusal task');
        await mgr1.get(secondUrl);
        const refused = await mgr1.post('/approval', { task: secondKey, decision: 'approve', reasonCode: '', note: '' });
        expect(refused.statusCode).toBe(409);
        expect(refused.body).toContain(`无法同意此回避申请：按公布的抽取规则，本部门已没有可以接替${people.get(s3)!.name}（${s3}）的检查人员`);
        expect(refused.body).toContain('检查组未作更改，此申请仍待决定');
        expect(refused.body).toContain(`no inspector left to replace ${s3}`);
        expect(refused.body).toContain('同意回避'); // the form again, to decide otherwise
        // Nothing changed: the request awaits a decision, the team as it was, its result held back.
        expect(await status()).toMatchObject({ team: expect.arrayContaining([s2, s3]), pendingRecusals: [{ inspectorId: s3, reasonCode: 'financial-interest' }] });
        expect(await rejection(api.submitResult(client, campaignId, section.unitId, report(s2, [s2, s3], { outcome: 'no-problem' }, '2024-01-20')))).toMatch(
          new RegExp(`^submitResult: the recusal of ${s3} awaits a manager's decision`),
        );
        // As the manager sees it in Chromium (screenshots at both widths).
        const page = await signedInPage(browser, c.url, 'mgr1', PASSWORD);
        await page.goto(`${c.url}${secondUrl}`);
        await page.click('button[name=decision][value=approve]');
        await page.waitForSelector('text=无法同意此回避申请');
        await screenshotCurrent(page, 'approval-recusal-refused');
        await page.context().close();
        // The command line reads the refusal itself, not "activity failed".
        const cli = await rejection(api.decideRecusal(client, campaignId, section.unitId, { by: m1, inspectorId: s3, decision: 'approve', reasonCode: null, note: '' }));
        expect(cli).toMatch(new RegExp(`^decideRecusal: no replacement inspector for ${section.unitId}: no inspector left to replace ${s3}`));
        // The manager decides it otherwise; only then is the task done.
        const again = await mgr1.get(secondUrl);
        expect(again.body).not.toContain('已处理');
        const rejectCode = fx.programme.reasons!.rejection![0]!.code;
        const rejected = await mgr1.post('/approval', { task: secondKey, decision: 'reject', reasonCode: rejectCode, note: '' });
        expect(rejected.statusCode).toBe(200);
        expect(rejected.body).toContain('已退回');
        await eventually(async () => (await c.store.getTask(secondKey))?.status === 'done', 'the second recusal task closed');
        expect(await c.store.getTask(secondKey)).toMatchObject({ decidedBy: m1, detail: { decision: 'reject' } });
        expect((await status()).pendingRecusals).toEqual([]);

        // The unit is reported closed; its replacement is refused (no unit left in the pool).
        const insp2 = await signedIn('insp2');
        await insp2.get(inspectionUrl);
        expect((await insp2.post('/inspection/unit-closed', { ...where, reasonCode: 'closed', note: '' })).statusCode).toBe(200);
        const closureKey = `${wf}/approve-replacement/1`;
        const closureUrl = `/approval?task=${encodeURIComponent(closureKey)}`;
        await eventually(async () => (await c.store.getTask(closureKey))?.status === 'open', 'the replacement task');
        await mgr1.get(closureUrl);
        const noUnit = await mgr1.post('/approval', { task: closureKey, decision: 'approve', reasonCode: '', note: '' });
        expect(noUnit.statusCode).toBe(409);
        expect(noUnit.body).toContain('无法同意替换：按公布的抽取规则找不到递补单位');
        expect(noUnit.body).toContain('抽查名单未作更改，关停报告仍待决定；如不替换，请选择“不同意”并选择理由');
        expect(unitReplacements).toBe(1);
        expect(await status()).toMatchObject({ closedReport: { by: s2, reasonCode: 'closed' }, replacedBy: null });
        expect((await mgr1.get(closureUrl)).body).not.toContain('已处理');
        const kept = await mgr1.post('/approval', { task: closureKey, decision: 'reject', reasonCode: rejectCode, note: '' });
        expect(kept.statusCode).toBe(200);
        await eventually(async () => (await c.store.getTask(closureKey))?.status === 'done', 'the replacement task closed');
        expect(await c.store.getTask(closureKey)).toMatchObject({ decidedBy: m1, detail: { decision: 'reject' } });

        // The team goes on: the result comes in and the inspection ends.
        await api.submitResult(client, campaignId, section.unitId, report(s2, [s2, s3], { outcome: 'no-problem' }, '2024-01-22'));
        await h.result();
        await saveHistory(h, 'inspection-replacement-refused');
        const refusals = (await c.store.listAudit({ action: 'approval.refused' })).map((e) => `${e.personId} ${e.target}`);
        expect(refusals.sort()).toEqual([`${m1} ${secondKey}`, `${m1} ${secondKey}`, `${m1} ${closureKey}`].sort());
      });
    } finally {
      acts.close();
      mail.close();
    }
  }, 300_000);
});
