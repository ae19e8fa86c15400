// The annual plan is filed with the superior office (document with Annex 1 and 2, numbered once),
// and the yearly schedule creates one Temporal Schedule per quarter that starts the campaign
// (Schedules exist on the dev server only, not on the time-skipping test server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { WorkflowFailedError, type Client, type Connection } from '@temporalio/client';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, readNotices, recordingMail, type Fixture, withCampaignStore } from './helpers/campaign-fixture';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { campaignWorkflowId, WORKFLOW_TYPES } from '../workflows/definitions';

const REHEARSAL = { mode: 'rehearsal' as const, programmeStart: '2024-01-08', secondsPerDay: 60 };

let fx: Fixture;
let client: Client;
let connection: Connection;
let address: string;

beforeAll(async () => {
  fx = await createFixture('plan-2024');
  ({ client, connection, address } = await devServerClient());
});
afterAll(async () => {
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('annual plan', () => {
  it('files the plan once, numbered, with the superior office, and refuses a second start', async () => {
    const taskQueue = uniqueTaskQueue('plan');
    const mail = recordingMail(fx.mailDb);
    const native = await NativeConnection.connect({ address });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowBundle,
      activities: createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, allowRehearsalClock: true }),
    });
    try {
      await worker.runUntil(async () => {
        const input = { programmeId: fx.programme.id, year: 2024, clock: REHEARSAL };
        const handle = await api.startAnnualPlan(client, input, { taskQueue });
        await expect(api.startAnnualPlan(client, input, { taskQueue })).rejects.toThrow(api.WorkflowExecutionAlreadyStartedError);
        const filed = await handle.result();
        expect(filed).toEqual({ number: '信环执计〔2024〕第001号', on: '2024-01-08', late: false });
        expect(await api.annualPlanStatus(client, fx.programme.id, 2024)).toMatchObject({ phase: 'filed', due: '2024-01-25' });
      });
    } finally {
      await native.close();
      mail.close();
    }
    const notices = readNotices(fx.mailDb);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ to: ['sup1@bureau.example.cn'], attachments: 1 });
    const docs = await withCampaignStore(fx.dataDir, (store) => store.documents(`annual-plan-${fx.programme.id}-2024`));
    expect(docs).toHaveLength(1);
    expect(docs[0]!.html).toContain('附件1');
    expect(docs[0]!.html).toContain('附件2');
  });
});

describe('annual plan on a worker that does not allow rehearsals', () => {
  it('fails at once, typed RehearsalClockRefused, before any document is numbered or mailed', async () => {
    const rx = await createFixture('plan-refused-2024');
    const taskQueue = uniqueTaskQueue('plan-strict');
    const mail = recordingMail(rx.mailDb);
    const native = await NativeConnection.connect({ address });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
    const activities = createActivities({ dataDir: rx.dataDir, programme: rx.programme, mail });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle, activities });
    try {
      await worker.runUntil(async () => {
        const handle = await api.startAnnualPlan(client, { programmeId: rx.programme.id, year: 2024, clock: REHEARSAL }, { taskQueue });
        // The workflow fails on the activity's refusal, typed and naming the setting.
        const failed = handle.result();
        await expect(failed).rejects.toBeInstanceOf(WorkflowFailedError);
        await expect(failed).rejects.toMatchObject({
          cause: {
            cause: {
              type: 'RehearsalClockRefused',
              nonRetryable: true,
              message: expect.stringMatching(/^annual plan plan-refused-2024 2024: it runs on a rehearsal clock .*SSJ_ALLOW_REHEARSAL_CLOCK=true/),
            },
          },
        });
      });
      // Refused at the first line: no plan numbered, nothing sent.
      expect(readNotices(rx.mailDb)).toHaveLength(0);
      await withCampaignStore(rx.dataDir, async (store) => {
        expect(await store.documents(`annual-plan-${rx.programme.id}-2024`)).toHaveLength(0);
        expect(await store.documentNumbers('annual-plan', 2024)).toEqual([]); // not even a reserved number
      });
    } finally {
      activities.close();
      await native.close();
      mail.close();
      fs.rmSync(rx.dir, { recursive: true, force: true });
    }
  });
});

describe('quarterly schedule', () => {
  it('creates one schedule per quarter that starts the campaign as the update window opens', async () => {
    const ids = await api.scheduleQuarterCampaigns(client, { programmeId: fx.programme.id, year: 2024, taskQueue: 'nowhere' });
    expect(ids).toEqual([1, 2, 3, 4].map((q) => api.campaignScheduleId(fx.programme.id, 2024, q)));
    // Idempotent: a second call leaves the schedules as they are.
    expect(await api.scheduleQuarterCampaigns(client, { programmeId: fx.programme.id, year: 2024, taskQueue: 'nowhere' })).toEqual(ids);
    const q2 = await client.schedule.getHandle(ids[1]!).describe();
    expect(q2.action).toMatchObject({ type: 'startWorkflow', workflowType: WORKFLOW_TYPES.campaign, workflowId: campaignWorkflowId(fx.programme.id, 2024, 2) });
    expect(q2.spec.calendars?.[0]).toMatchObject({ year: [{ start: 2024, end: 2024, step: 1 }], month: [{ start: 'MARCH', end: 'MARCH', step: 1 }], dayOfMonth: [{ start: 17, end: 17, step: 1 }] });
    expect(q2.spec.timezone).toBe('Asia/Shanghai');
    for (const id of ids) await client.schedule.getHandle(id).delete();
  });
});
