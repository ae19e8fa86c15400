// The manager's hand-over approval in the console against a real quarter on the dev server: the
// list from the task projection, the approval page with the team's result, a rejection without a
// reason refused in place, the approval sent through the same Update as `ssj handover approve`,
// and a second manager's late click answered "已处理" with who decided, never an error page.
// Screenshots of the approval screens at desktop and phone sizes go to test-output/console/.
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
import { campaignWorkflowId } from '../workflows/definitions';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, withRegistry, drawnUnits, eventually, PEOPLE, recordingMail, report, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';

const PASSWORD = 'manager password 1';
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
  fx = await createFixture('console-approvals-2024');
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  people = new Map((await withRegistry(fx.dataDir, (reg) => reg.snapshotAt('2024-01-01'))).people.map((p) => [p.id, p]));
  c = await startConsole({ personName: async (id) => people.get(id)?.name ?? null, temporal: client, rejectionReasons: fx.programme.reasons?.rejection ?? [] });
  for (const [login, id] of [['mgr1', PEOPLE.managers[0]!], ['mgr2', PEOPLE.managers[1]!], ['insp', PEOPLE.sectionInspectors[0]!]] as const) {
    await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
  }
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('hand-over approval in the console', () => {
  it('approves through the Update, and answers a late second click with 已处理 and who decided', async () => {
    const taskQueue = uniqueTaskQueue('console-approvals');
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), allowRehearsalClock: true });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 1);

    await worker.runUntil(async () => {
      await api.startCampaign(client, { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-28', secondsPerDay: 1 } }, { taskQueue });
      await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
      await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
      await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
      await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase', 600);
      await api.holdWitnessCeremony(client, campaignId, [
        { role: 'admin', personId: PEOPLE.admin, entropy: 'ConsoleApprovals2024' },
        { role: 'discipline', personId: PEOPLE.discipline, entropy: '314159265358979323' },
      ]);
      await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase', 600);
      const section = drawnUnits(fx.dataDir, campaignId).find((u) => u.department === 'section-1')!;
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'inspection', section.unitId);
      const team = section.team as [string, string];
      await api.submitResult(client, campaignId, section.unitId, report(team[0], team, { outcome: 'problems-found', description: '超标排放' }));
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'handover-approval', 'approval');

      // The task as the projection holds it (written here until the workflows write it themselves).
      const workflowId = api.inspectionWorkflowIdFor(client, campaignId, section.unitId);
      const key = `${workflowId}/approve-handover`;
      await c.store.upsertTask({
        key,
        kind: 'approve-handover',
        campaignId,
        inspectionWorkflowId: workflowId,
        unitId: section.unitId,
        unitName: `单位${section.unitId}`,
        department: '执法一科',
        assignees: [],
        role: 'manager',
        roleDepartment: null,
        deadline: '2024-02-20',
        status: 'open',
        decidedBy: null,
        decidedAt: null,
        detail: {},
        revision: 1,
        updatedAt: new Date(),
      });
      const approvalUrl = `/approval?task=${encodeURIComponent(key)}`;

      // Only managers.
      const insp = new ConsoleClient(c.app);
      await insp.login('insp', PASSWORD);
      expect((await insp.get('/approvals')).statusCode).toBe(403);

      const m1 = new ConsoleClient(c.app);
      await m1.login('mgr1', PASSWORD);
      const list = await m1.get('/approvals');
      expect(list.body).toContain(`单位${section.unitId}`);
      expect(list.body).toContain(`href="${approvalUrl.replace(/&/g, '&amp;')}"`);
      const form = await m1.get(approvalUrl);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('发现问题');
      expect(form.body).toContain(team.map((id) => `${people.get(id)!.name}（${id}）`).join('、'));

      // Screens: the list and the approval form, desktop and phone.
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${c.url}/login`);
      await page.fill('#login', 'mgr1');
      await page.fill('#password', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL(`${c.url}/`);
      await screenshotBoth(browser, page, `${c.url}/approvals`, 'approvals');
      await screenshotBoth(browser, page, `${c.url}${approvalUrl}`, 'approval');

      // A rejection needs a reason code: refused in place, nothing sent.
      const noReason = await m1.post('/approval', { task: key, decision: 'reject', reasonCode: '', note: '' });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.body).toContain('不同意移交时须选择理由');
      expect((await api.inspectionStatus(client, campaignId, section.unitId)).phase).toBe('handover-approval');

      // The second manager opens the page now, and clicks after the first has decided.
      const m2 = new ConsoleClient(c.app);
      await m2.login('mgr2', PASSWORD);
      await m2.get(approvalUrl);

      const approved = await m1.post('/approval', { task: key, decision: 'approve', reasonCode: '', note: '' });
      expect(approved.statusCode).toBe(200);
      expect(approved.body).toContain('已同意移交');
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase !== 'handover-approval', 'decided');

      const late = await m2.post('/approval', { task: key, decision: 'reject', reasonCode: 'rectified', note: '' });
      expect(late.statusCode).toBe(200);
      expect(late.body).toContain('已处理');
      expect(late.body).toContain(`处理人：${people.get(PEOPLE.managers[0]!)!.name}`);
      await page.goto(`${c.url}/login`); // a fresh page for the 已处理 screenshot below

      // Once the projection records the decision, the page itself says so.
      await c.store.upsertTask({ ...(await c.store.getTask(key))!, status: 'done', decidedBy: PEOPLE.managers[0]!, decidedAt: new Date(), revision: 2 });
      const after = await m2.get(approvalUrl);
      expect(after.body).toContain('已处理');
      await screenshotBoth(browser, page, `${c.url}${approvalUrl}`, 'approval-decided');

      const audit = await c.store.listAudit({ action: 'approval.' });
      expect(audit.map((e) => `${e.action} ${e.personId}`)).toEqual(expect.arrayContaining([`approval.handover ${PEOPLE.managers[0]}`, `approval.stale-click ${PEOPLE.managers[1]}`]));
      expect(audit.find((e) => e.action === 'approval.handover')?.detail).toMatchObject({ decision: 'approve', unitId: section.unitId });
    });
  }, 300_000);
});
