// The quarterly Schedule, made by `ssj plan schedule`, fired for real on the dev server: the
// campaign it starts (whose workflow id Temporal suffixes with the scheduled time) is found by
// programme, year and quarter, by the client code and by `ssj quarter status`; a second campaign
// of that quarter started by hand is refused by the campaign store before any freeze or draw,
// with a message naming the first. `ssj quarter status` also shows notice problems and parking.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { WorkflowFailedError, type Client, type Connection } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { codecBundleOptions, devServerClient, quiet, testKeyring, testWorkerCodec, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { cliEnv, runSsj } from './helpers/ssj-cli';
import { createActivities } from '../activities';
import { CAMPAIGN_QUARTER_TAKEN } from '../stores/campaign-store';
import * as api from '../client/temporal';
import { formatCampaignStatus } from '../client/commands/quarter';
import { NoticeProblemLog } from '../stores/notice-problems';
import { openStoreDatabase } from '../stores/open';
import { campaignWorkflowId } from '../workflows/definitions';
import type { Keyring } from '../codec/keyring';

let fx: Fixture;
let keyring: Keyring;
let env: NodeJS.ProcessEnv;
let client: Client;
let connection: Connection;
const taskQueue = uniqueTaskQueue('schedule');

beforeAll(async () => {
  fx = await createFixture('sched-2024');
  const keys = testKeyring();
  keyring = keys.keyring;
  env = cliEnv(fx, { keysEnv: keys.env, temporalAddress: inject('temporalAddress'), taskQueue });
  ({ client, connection } = await devServerClient(keyring));
});
afterAll(async () => {
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('the quarterly schedule, fired', () => {
  it('starts the campaign, which is found by year and quarter; a second campaign of the quarter stops before the draw', async () => {
    const programmeId = fx.programme.id;
    const q1 = { programmeId, year: 2024, quarter: 1 };
    const base = campaignWorkflowId(programmeId, 2024, 1);
    const mail = recordingMail(fx.mailDb);
    const native = await NativeConnection.connect({ address: inject('temporalAddress') });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet(), ...codecBundleOptions });
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowBundle,
      // The schedule below is a rehearsal one, which this worker allows.
      activities: createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, keyring, allowRehearsalClock: true }),
      ...testWorkerCodec(keyring),
    });
    const scheduleId = api.campaignScheduleId(programmeId, 2024, 1);
    const schedule = client.schedule.getHandle(scheduleId);
    let scheduledId: string | undefined;
    try {
      // The schedule as an administrator makes it (a rehearsal one: a programme day lasts an hour).
      const planned = await runSsj(['plan', 'schedule', '--year', '2024', '--quarters', '1', '--as', PEOPLE.admin, '--rehearsal', '3600'], env);
      expect(planned.stderr).toBe('');
      expect(planned.code).toBe(0);
      expect(planned.stdout).toMatch(new RegExp(`^${scheduleId} +Q1 +2023-12-17 08:00 +in the past: it will not fire by itself`, 'm'));
      expect((await schedule.describe()).action).toMatchObject({ workflowId: campaignWorkflowId(programmeId, 2024, 1), taskQueue });

      await worker.runUntil(async () => {
        await expect(api.findCampaign(client, q1, { dataDir: fx.dataDir })).rejects.toThrow(api.CampaignNotFoundError);
        await schedule.trigger();

        // Found by programme, year and quarter: at first through Temporal's visibility, then through
        // the store once prepareCampaign has claimed the quarter.
        const found = await eventually(async () => {
          const f = await api.findCampaign(client, q1, { dataDir: fx.dataDir }).catch(() => null);
          return f?.source === 'store' ? f : null;
        }, 'the scheduled campaign in the store', 600);
        scheduledId = found.workflowId;
        expect(scheduledId.startsWith(`${base}-`)).toBe(true); // the id Temporal gave it, not the one --year/--quarter spell
        expect((await schedule.describe()).info.recentActions.map((a) => a.action.workflow.workflowId)).toContain(scheduledId);
        expect(await api.findCampaign(client, q1)).toEqual({ workflowId: scheduledId, source: 'visibility' });
        const st = await api.campaignStatus(client, scheduledId);
        expect(st).toMatchObject({ campaignId: scheduledId, phase: 'update-window', today: '2023-12-17' });

        // A notice that missed someone, as the best-effort mailer records it in the shared store.
        const db = await openStoreDatabase({ dataDir: fx.dataDir, databaseUrl: null });
        try {
          const log = new NoticeProblemLog(db);
          await log.record({
            key: `${scheduledId}/change-list-reminder/county-xixian`,
            campaignId: scheduledId,
            kind: 'change-list-reminder',
            unitId: null,
            status: 'partly-sent',
            subject: '请提交本季度变更清单',
            sentTo: ['county-xixian@bureau.example.cn'],
            refused: [{ address: 'cc1@bureau.example.cn', person: { id: PEOPLE.countyClerk, name: `人员${PEOPLE.countyClerk}` }, code: 'smtp-refused', reason: '550 mailbox unavailable' }],
            at: '2023-12-20T09:00:00+08:00',
          });
          await log.setAlert(`${scheduledId}/change-list-reminder/county-xixian`, { key: 'alert-1', status: 'sent', sentTo: ['dl1@bureau.example.cn'] });
        } finally {
          await db.close();
        }

        // The command line finds it with --year/--quarter, and shows the notice problem.
        const status = await runSsj(['quarter', 'status', '--year', '2024', '--quarter', '1'], env);
        expect(status.stderr).toBe('');
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(new RegExp(`^campaign +${scheduledId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
        expect(status.stdout).toMatch(/^phase +update-window$/m);
        expect(status.stdout).toMatch(/^notice problems +1 notice\(s\) did not reach everyone \(below\)$/m);
        expect(status.stdout).toMatch(
          /^2023-12-20T09:00:00\+08:00 +change-list-reminder +- +partly-sent +人员CC1 \(CC1\) <cc1@bureau\.example\.cn> +smtp-refused: 550 mailbox unavailable +sent \(dl1@bureau\.example\.cn\)$/m,
        );
        expect(status.stdout).not.toMatch(/^parked/m);
        // Nothing is parked, so a resume is refused by the workflow; an inspector may not resume at all.
        const resume = await runSsj(['quarter', 'resume', '--year', '2024', '--quarter', '1', '--as', PEOPLE.admin, '--note', '已补正'], env);
        expect(resume.code).toBe(3);
        expect(resume.stderr).toContain(`refused: resume: nothing is parked in campaign ${scheduledId}`);
        const notOperator = await runSsj(['quarter', 'resume', '--year', '2024', '--quarter', '1', '--as', PEOPLE.sectionInspectors[0]!], env);
        expect(notOperator.code).toBe(3);
        expect(notOperator.stderr).toContain('to resume a parked step one needs: detachment-leader or admin');
        // A parked step as the status Query gives it (a campaign really parking: tests/workflow-parking.test.ts).
        const parked = formatCampaignStatus({
          ...st,
          phase: 'parked',
          parked: { step: 'publication', reason: 'the programme names no publication office', failureType: 'NeedsData', since: '2024-04-03T09:00:00+08:00', operators: ['DL1', 'ADM1'] },
        }, { parkedInspections: ['x.insp.1'] });
        expect(parked).toMatch(/^parked +publication since 2024-04-03T09:00:00\+08:00 \(NeedsData\): the programme names no publication office; resume after the fix, as DL1 or ADM1$/m);
        expect(parked).toMatch(/^parked inspections +1 \(see them with: ssj inspection list --phase parked/m);
        const again = await runSsj(['quarter', 'start', '--year', '2024', '--quarter', '1', '--as', PEOPLE.admin], env);
        expect(again.code).toBe(3);
        expect(again.stderr).toContain(`${scheduledId} was already started; a quarter runs once`);

        // A second campaign of the quarter started by hand (past the command line's check): Temporal
        // takes it (another workflow id), the campaign store refuses it at its first step.
        const second = await api.startCampaign(client, { programmeId, year: 2024, quarter: 1 }, { taskQueue });
        expect(second.workflowId).toBe(base);
        const failure = await second.result().then(
          () => null,
          (e: unknown) => e,
        );
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const activity = (failure as WorkflowFailedError).cause;
        expect(activity).toBeInstanceOf(ActivityFailure);
        expect((activity as ActivityFailure).activityType).toBe('prepareCampaign');
        const refusal = (activity as ActivityFailure).cause as ApplicationFailure;
        expect(refusal).toBeInstanceOf(ApplicationFailure);
        expect(refusal.type).toBe(CAMPAIGN_QUARTER_TAKEN);
        expect(refusal.message).toBe(
          `campaign ${base}: programme ${programmeId} 2024 Q1 already has its campaign ${scheduledId}; ` +
            'a programme quarter is drawn once, so this campaign stops before its freeze and draw',
        );
        // Nothing after prepareCampaign ran: no freeze, no draw, one attempt. (The console's
        // projector writes the campaign's row beside it; it is the list, not a step of the quarter.)
        const scheduled = (await second.fetchHistory()).events!.filter((e) => e.activityTaskScheduledEventAttributes);
        const steps = scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name).filter((n) => n !== 'projectCampaign');
        expect(steps).toEqual(['prepareCampaign']);
        expect(fs.existsSync(path.join(fx.dataDir, 'campaigns', base))).toBe(false);

        // Visibility now lists both; --year/--quarter still mean the one the store says drew.
        const listed: string[] = [];
        for await (const wf of client.workflow.list({ query: `WorkflowId = '${base}' OR WorkflowId STARTS_WITH '${base}-'` })) listed.push(wf.workflowId);
        expect(listed.sort()).toEqual([base, scheduledId].sort());
        const after = await runSsj(['quarter', 'status', '--year', '2024', '--quarter', '1', '--json'], env);
        expect(after.code).toBe(0);
        expect(JSON.parse(after.stdout)).toMatchObject({
          campaignId: scheduledId,
          phase: 'update-window',
          parkedInspections: [],
          noticeProblems: [{ kind: 'change-list-reminder', status: 'partly-sent', alert: { status: 'sent' } }],
        });
      });
    } finally {
      if (scheduledId) await client.workflow.getHandle(scheduledId).terminate('test over').catch(() => undefined);
      await schedule.delete().catch(() => undefined);
      await native.close();
      mail.close();
    }
  }, 300_000);
});
