// The managers' other approvals in the console, end to end on the dev server with the real
// projection: an inspector declares a recusal from the inspection page, the task reaches the
// managers through the workflow's projector, one manager approves it through the same Update as
// the command line, the other's late click answers 已处理 with who decided; then a team member
// reports the unit closed and a manager approves its replacement the same way. An inspector may
// not open the approvals. Screens at 1280 px and 390 px go to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { addAccount } from '../console/accounts';
import { chineseDate } from '../domain/documents/html';
import { resolveClock } from '../domain/programme-clock';
import type { Person } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { campaignWorkflowId } from '../workflows/definitions';
import { screenshotBoth, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';
import { startFixtureConsole } from './helpers/fixture-console';

const PASSWORD = 'decisions password 1';
const programmeId = 'console-decisions-2024';
const campaignId = campaignWorkflowId(programmeId, 2024, 1);
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let browser: Browser;
let people: Map<string, Person>;

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

async function signedInPage(login: string) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${c.url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${c.url}/`);
  return page;
}

describe('recusal and unit replacement approvals in the console', () => {
  it('goes from the inspector’s forms through the managers’ approvals; late clicks answer 已处理', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, consoleStore: c.store, allowRehearsalClock: true });
    try {
      await freezeAndDraw(acts, campaignId, programmeId, { admin: 'DecisionsAdmin2024', discipline: 'DecisionsDiscipl24' });
      const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, Date.now());
      const section = (await inspectionInputs(acts, campaignId, 'section-1', clock))[0]!;
      const [s1, s2] = section.team as [string, string];
      const [m1, m2] = PEOPLE.managers as [string, string];
      const other = [...people.values()].find((p) => p.roles.includes('inspector') && !section.team.includes(p.id) && !p.roles.includes('manager'))!;
      for (const [login, id] of [['insp1', s1], ['insp2', s2], ['mgr1', m1], ['mgr2', m2], ['other', other.id]] as const) {
        await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
      }
      const wf = api.inspectionWorkflowIdFor(client, campaignId, section.unitId);
      const inspectionUrl = `/inspection?campaign=${encodeURIComponent(campaignId)}&unit=${encodeURIComponent(section.unitId)}`;
      const where = { campaign: campaignId, unit: section.unitId };
      const name = (id: string) => people.get(id)!.name;

      const taskQueue = uniqueTaskQueue('console-decisions');
      const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities: acts });
      await worker.runUntil(async () => {
        await client.workflow.start('inspectionWorkflow', { workflowId: wf, taskQueue, args: [section] });
        await eventually(async () => (await c.store.getTask(`${wf}/result`))?.status === 'open', 'the result task');

        // The inspector declares their own recusal from the inspection page.
        const insp = new ConsoleClient(c.app);
        await insp.login('insp1', PASSWORD);
        const pageHtml = (await insp.get(inspectionUrl)).body;
        expect(pageHtml).toContain('申请回避');
        expect(pageHtml).toContain('报告检查对象关停');
        // No reason chosen: the inspection page again, saying what is missing, the note typed kept.
        const noReason = await insp.post('/inspection/recusal', { ...where, reasonCode: '', note: '其配偶在该企业任职' });
        expect(noReason.statusCode).toBe(400);
        expect(noReason.body).toContain('申请回避：请选择回避理由后再提交（见页面下方“申请回避”）。');
        expect(noReason.body).toContain('name="note" rows="2" maxlength="1000">其配偶在该企业任职</textarea>');
        expect(noReason.body).toContain('action="/inspection/recusal"');
        const noSituation = await insp.post('/inspection/unit-closed', { ...where, reasonCode: '', note: '' });
        expect(noSituation.body).toContain('报告检查对象关停：请选择情况后再提交');
        // A note over its 1000 characters or with a control character: refused naming the field, nothing sent.
        const longNote = await insp.post('/inspection/recusal', { ...where, reasonCode: 'kinship', note: '长'.repeat(1001) });
        expect(longNote.statusCode).toBe(400);
        expect(longNote.body).toContain('“说明”最多 1000 个字符，现有 1001 个');
        const bell = await insp.post('/inspection/recusal', { ...where, reasonCode: 'kinship', note: '响铃\u0007' });
        expect(bell.statusCode).toBe(400);
        expect(bell.body).toContain('“说明”含有不允许的字符');
        expect((await api.inspectionStatus(client, campaignId, section.unitId)).pendingRecusals ?? []).toEqual([]);
        // Two lines, as a browser sends a textarea's line break (CRLF): taken, kept with LF.
        const declared = await insp.post('/inspection/recusal', { ...where, reasonCode: 'kinship', note: '<script>alert(1)</script>其配偶\r\n在该企业任职' });
        expect(declared.statusCode).toBe(200);
        expect(declared.body).toContain('回避申请已提交');
        expect((await api.inspectionStatus(client, campaignId, section.unitId)).pendingRecusals).toMatchObject([{ inspectorId: s1, by: s1, reasonCode: 'kinship', note: '<script>alert(1)</script>其配偶\n在该企业任职' }]);
        // While it awaits the managers, the page says so first and the result cannot be submitted.
        const waiting = (await insp.get(inspectionUrl)).body;
        expect(waiting).toMatch(/检查组有待分管领导决定的回避申请（审批期限：\d{4}年\d{1,2}月\d{1,2}日）；决定前不能提交检查结果（可先保存草稿）。/);
        expect(waiting).toContain('<button type="submit" name="action" value="submit" disabled');

        // The projector opens the managers' task (not for the inspector recusing, not for others).
        const recusalKey = `${wf}/approve-recusal/1`;
        await eventually(async () => (await c.store.getTask(recusalKey))?.status === 'open', 'the recusal task');
        expect((await c.store.getTask(recusalKey))!.assignees.sort()).toEqual([m1, m2].sort());
        // Its own limit (the programme's approval limit from the day asked), on the task and the page.
        const recusalDue = (await c.store.getTask(recusalKey))!.deadline;
        expect(recusalDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const approvalUrl = `/approval?task=${encodeURIComponent(recusalKey)}`;

        // Wrong role: an inspector gets no approvals.
        const outsider = new ConsoleClient(c.app);
        await outsider.login('other', PASSWORD);
        expect((await outsider.get('/approvals')).statusCode).toBe(403);
        expect((await outsider.post('/approval', { task: recusalKey, decision: 'approve', reasonCode: '', note: '' })).statusCode).toBe(403);

        const mgr1 = new ConsoleClient(c.app);
        await mgr1.login('mgr1', PASSWORD);
        const list = await mgr1.get('/approvals');
        expect(list.body).toContain('回避审批');
        expect(list.body).toContain(`href="${approvalUrl.replace(/&/g, '&amp;')}"`);
        const form = await mgr1.get(approvalUrl);
        expect(form.body).toContain(`${name(s1)}（${s1}）`);
        expect(form.body).toContain('同意回避');
        expect(form.body).toContain(`<tr><th>审批期限</th><td>${chineseDate(recusalDue!)}</td></tr>`);
        // 不同意 offers the reasons that fit a recusal (programme reasons.rejection[].decisions).
        const offered = (body: string) => [...body.matchAll(/<option value="([a-z][^"]*)"[^>]*>/g)].map((m) => m[1]);
        expect(offered(form.body)).toEqual(['not-verified', 'no-conflict', 'other']);
        // The inspector's own words beside the reason (internal, escaped).
        expect(form.body).toContain('<tr><th>申请说明</th><td class="pre-line">&lt;script&gt;alert(1)&lt;/script&gt;其配偶\n在该企业任职</td></tr>');

        const shots = await signedInPage('mgr1');
        await screenshotBoth(browser, shots, `${c.url}/approvals`, 'approvals-recusal-list');
        await screenshotBoth(browser, shots, `${c.url}${approvalUrl}`, 'approval-recusal');
        const inspShots = await signedInPage('insp2');
        await screenshotBoth(browser, inspShots, `${c.url}${inspectionUrl}`, 'inspection-requests');

        const mgr2 = new ConsoleClient(c.app);
        await mgr2.login('mgr2', PASSWORD);
        await mgr2.get(approvalUrl);
        const longDecision = await mgr1.post('/approval', { task: recusalKey, decision: 'approve', reasonCode: '', note: '长'.repeat(1001) });
        expect(longDecision.statusCode).toBe(400);
        expect(longDecision.body).toContain('“说明”最多 1000 个字符，现有 1001 个');
        const approved = await mgr1.post('/approval', { task: recusalKey, decision: 'approve', reasonCode: '', note: '确有亲属关系\r\n同意回避' });
        expect(approved.statusCode).toBe(200);
        expect(approved.body).toContain('已同意回避');
        const late = await mgr2.post('/approval', { task: recusalKey, decision: 'reject', reasonCode: fx.programme.reasons!.rejection![0]!.code, note: '' });
        expect(late.statusCode).toBe(200);
        expect(late.body).toContain('已处理');
        expect(late.body).toContain(`处理人：${name(m1)}`);
        await eventually(async () => (await c.store.getTask(recusalKey))?.status === 'done', 'the recusal task closed');
        expect(await c.store.getTask(recusalKey)).toMatchObject({ decidedBy: m1, decidedAt: expect.any(Date) });
        expect((await api.inspectionStatus(client, campaignId, section.unitId)).team).not.toContain(s1);
        await screenshotBoth(browser, shots, `${c.url}${approvalUrl}`, 'approval-recusal-decided');

        // A team member reports the unit closed; a manager approves its replacement.
        const member = new ConsoleClient(c.app);
        await member.login('insp2', PASSWORD);
        await member.get(inspectionUrl);
        const reported = await member.post('/inspection/unit-closed', { ...where, reasonCode: 'closed', note: '现场已拆除\r\n厂房空置' });
        expect(reported.statusCode).toBe(200);
        expect(reported.body).toContain('已报告检查对象关停');
        expect((await api.inspectionStatus(client, campaignId, section.unitId)).closedReport).toEqual({ by: s2, reasonCode: 'closed', note: '现场已拆除\n厂房空置', due: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
        const replacementKey = `${wf}/approve-replacement/1`;
        await eventually(async () => (await c.store.getTask(replacementKey))?.status === 'open', 'the replacement task');
        const replacementUrl = `/approval?task=${encodeURIComponent(replacementKey)}`;
        await screenshotBoth(browser, shots, `${c.url}${replacementUrl}`, 'approval-replacement');
        expect(offered((await mgr1.get(replacementUrl)).body)).toEqual(['not-verified', 'other']);
        await mgr2.get(replacementUrl);
        const noReject = await mgr2.post('/approval', { task: replacementKey, decision: 'reject', reasonCode: '', note: '已电话核实\r\n企业仍在生产' });
        expect(noReject.statusCode).toBe(400);
        expect(noReject.body).toContain('不同意时须选择理由');
        // The note typed is kept, to add the reason, not to retype it; the closure report's own note is shown.
        expect(noReject.body).toContain('>已电话核实\n企业仍在生产</textarea>');
        expect(noReject.body).toContain('<tr><th>报告说明</th><td class="pre-line">现场已拆除\n厂房空置</td></tr>');
        const replaced = await mgr2.post('/approval', { task: replacementKey, decision: 'approve', reasonCode: '', note: '' });
        expect(replaced.statusCode).toBe(200);
        expect(replaced.body).toContain('已同意替换');
        await mgr1.get(replacementUrl);
        const lateToo = await mgr1.post('/approval', { task: replacementKey, decision: 'approve', reasonCode: '', note: '' });
        expect(lateToo.body).toContain('已处理');
        expect(lateToo.body).toContain(`处理人：${name(m2)}`);
        await eventually(async () => (await c.store.getTask(replacementKey))?.status === 'done', 'the replacement task closed');
        expect(await c.store.getTask(replacementKey)).toMatchObject({ decidedBy: m2 });

        // With SSJ_RECORD_HISTORIES=1: the history behind patch 'console-projection-approvals', for replay.
        if (process.env.SSJ_RECORD_HISTORIES === '1') {
          const h = client.workflow.getHandle(wf);
          await h.result();
          await saveHistory(h, 'inspection-console-approvals');
        }
        const audit = await c.store.listAudit({ limit: 500 });
        const acts_ = audit.map((e) => `${e.action} ${e.personId}`);
        expect(acts_).toEqual(
          expect.arrayContaining([`inspection.recusal-declared ${s1}`, `approval.recusal ${m1}`, `approval.stale-click ${m2}`, `inspection.unit-closed-reported ${s2}`, `approval.replacement ${m2}`, `approval.stale-click ${m1}`]),
        );
      });
    } finally {
      acts.close();
      mail.close();
    }
  }, 300_000);
});
