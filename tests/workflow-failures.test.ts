// Failures and cancellations on the time-skipping test server:
// - a batch child that fails (here: its department's context refused) does not stop the quarter:
//   its units count as failed and not inspected, the status names it, the quarter publishes;
// - a cancelled inspection, and a cancelled campaign with its batches and inspections, end as
//   cancelled (their notice and projection loops end quietly instead of failing every task);
// - the inspection's lock admits one change of the team at a time, even when two waiting changes
//   are released together; a recusal approval that waited behind the unit's replacement is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, recordingMail, rejection, report, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { createActivities, type CampaignActivities } from '../activities';
import * as api from '../client/temporal';
import { formatCampaignStatus } from '../client/commands/quarter';
import {
  batchWorkflowId,
  campaignWorkflowId,
  declareRecusalUpdate,
  decideRecusalUpdate,
  decideUnitReplacementUpdate,
  legacyInspectionWorkflowId,
  reportUnitClosedUpdate,
  type InspectionInput,
  type InspectionOutcome,
} from '../workflows/definitions';
import { WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { resolveClock } from '../domain/programme-clock';
import { refuse } from '../activities/steps/refusals';

let bundle: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** A campaign of `fx`'s programme, run up to its inspections (change lists in, the ceremony held). */
async function campaignAtInspection(fx: Fixture, taskQueue: string) {
  const programmeId = fx.programme.id;
  const campaignId = campaignWorkflowId(programmeId, 2024, 1);
  const client = env.client;
  const handle = await api.startCampaign(
    client,
    { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-25', secondsPerDay: 86_400 }, batchSize: 10, searchAttributes: false },
    { taskQueue },
  );
  await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
  await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
  await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
  await env.sleep('8 days');
  await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase');
  await api.holdWitnessCeremony(client, campaignId, [
    { role: 'admin', personId: PEOPLE.admin, entropy: `${programmeId.replace(/\W/g, "")}AdminEntropy` },
    { role: 'discipline', personId: PEOPLE.discipline, entropy: `${programmeId.replace(/\W/g, "")}DisciplineEntropy` },
  ]);
  await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase', 600);
  return { campaignId, handle };
}

describe('a batch child that fails', () => {
  it('does not stop the quarter: its units count as failed and not inspected, the status names it, the quarter publishes', async () => {
    const fx = await createFixture('batchfail-2024');
    const taskQueue = uniqueTaskQueue('batchfail');
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, allowRehearsalClock: true });
    // The brigade's batch fails at its start: its context is refused (non-retryable), as a
    // registry the worker cannot read for it would be. (The Java test server does not tell a
    // parent that its child was terminated, so an operator's terminate cannot be tested here.)
    const refused = 'brigade-shihe';
    const activities = {
      ...acts,
      inspectionContext: async (a: Parameters<typeof acts.inspectionContext>[0]) => {
        if (a.department === refused) throw refuse(`department ${a.department}: test refusal of the batch's context`);
        return acts.inspectionContext(a);
      },
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    const client = env.client;
    try {
      await worker.runUntil(async () => {
        const { campaignId, handle } = await campaignAtInspection(fx, taskQueue);
        const units = drawnUnits(fx.dataDir, campaignId);
        const lost = units.filter((u) => u.department === refused);
        const kept = units.filter((u) => u.department !== refused);
        expect(lost.length).toBeGreaterThan(0);
        expect(kept.length).toBeGreaterThan(0);
        for (const u of kept) {
          await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'inspection', u.unitId, 600);
          await api.submitResult(client, campaignId, u.unitId, report(u.team[0]!, u.team.slice(0, 2)));
        }
        const result = await handle.result();
        expect(result.stats).toMatchObject({ drawn: units.length, inspected: kept.length, failed: lost.length, notInspected: lost.length });
        expect(fs.existsSync(path.join(result.publication.location, 'draw-record.json'))).toBe(true);
        const status = await api.campaignStatus(client, campaignId);
        expect(status.phase).toBe('closed');
        expect(status.inspections).toEqual({ batches: status.inspections.batches, finished: units.length, total: units.length });
        expect(status.failedBatches).toEqual([
          { batchNo: expect.any(Number), department: refused, chunk: 0, units: lost.length, reason: expect.stringMatching(/test refusal of the batch's context/) },
        ]);
        expect(formatCampaignStatus(status)).toMatch(
          new RegExp(`failed batches +batch 0 \\(${refused}, ${lost.length} units counted failed, not inspected\\): department ${refused}: test refusal`),
        );
        await saveHistory(handle, 'campaign-batch-failed');
      });
    } finally {
      acts.close();
      mail.close();
      fs.rmSync(fx.dir, { recursive: true, force: true });
    }
  }, 300_000);
});

/** The workflow's status once it is closed (polled: nothing here may skip time). */
async function closedStatus(client: TestWorkflowEnvironment['client'], workflowId: string): Promise<string> {
  return eventually(async () => {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? null : d.status.name;
  }, `${workflowId} closed`, 300);
}

describe('cancellation', () => {
  it('ends a cancelled inspection as cancelled, also while a recusal or a closure report awaits a decision', async () => {
    const fx = await createFixture('cancel-2024');
    const campaignId = campaignWorkflowId('cancel-2024', 2024, 1);
    const taskQueue = uniqueTaskQueue('cancel');
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
    try {
      await freezeAndDraw(acts, campaignId, 'cancel-2024', { admin: 'CancelAdmin2024xx', discipline: 'CancelDiscipline24' });
      const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, await env.currentTimeMs());
      const [plain, recusal, closure] = await inspectionInputs(acts, campaignId, 'brigade-shihe', clock);
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
      await worker.runUntil(async () => {
        const started: { workflowId: string; h: WorkflowHandle }[] = [];
        for (const input of [plain!, recusal!, closure!]) {
          const workflowId = legacyInspectionWorkflowId(campaignId, input.unitId);
          started.push({ workflowId, h: await env.client.workflow.start('inspectionWorkflow', { workflowId, taskQueue, args: [input] }) });
          await eventually(async () => (await api.inspectionStatus(env.client, campaignId, input.unitId)).phase === 'inspection', 'inspection phase');
        }
        // Each pending request has its approval limit watched by a timer of its own, which the
        // cancellation cancels too: the inspection must still end as cancelled.
        const asking = recusal!.team[0]!;
        await started[1]!.h.executeUpdate(declareRecusalUpdate, { args: [{ by: asking, inspectorId: asking, reasonCode: 'kinship', note: '' }] });
        await started[2]!.h.executeUpdate(reportUnitClosedUpdate, { args: [{ by: closure!.team[0]!, reasonCode: 'closed', note: '' }] });
        for (const { h } of started) await h.cancel();
        for (const { workflowId, h } of started) {
          expect(await closedStatus(env.client, workflowId), workflowId).toBe('CANCELLED');
          const failedTasks = ((await h.fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
          expect(failedTasks, workflowId).toHaveLength(0);
        }
      });
    } finally {
      acts.close();
      mail.close();
      fs.rmSync(fx.dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('ends a cancelled campaign as cancelled, with its batches and inspections', async () => {
    const fx = await createFixture('cancelq-2024');
    const taskQueue = uniqueTaskQueue('cancelq');
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, allowRehearsalClock: true });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
    try {
      await worker.runUntil(async () => {
        const { campaignId, handle } = await campaignAtInspection(fx, taskQueue);
        const unit = drawnUnits(fx.dataDir, campaignId)[0]!;
        await eventually(async () => (await api.inspectionStatus(env.client, campaignId, unit.unitId)).phase === 'inspection', unit.unitId, 600);
        await handle.cancel();
        expect(await closedStatus(env.client, campaignId)).toBe('CANCELLED');
        expect(await closedStatus(env.client, batchWorkflowId(campaignId, 0))).toBe('CANCELLED');
        expect(await closedStatus(env.client, legacyInspectionWorkflowId(campaignId, unit.unitId))).toBe('CANCELLED');
      });
    } finally {
      acts.close();
      mail.close();
      fs.rmSync(fx.dir, { recursive: true, force: true });
    }
  }, 300_000);
});

/**
 * Brigade-shihe's first inspection of `programmeId`'s drawn quarter, running on the test server
 * with the activities `wrap` makes of the real ones, until `run` is done.
 */
async function withInspection(
  programmeId: string,
  entropy: { admin: string; discipline: string },
  wrap: (acts: CampaignActivities) => CampaignActivities,
  run: (h: WorkflowHandle, input: InspectionInput, campaignId: string) => Promise<void>,
): Promise<void> {
  const fx = await createFixture(programmeId);
  const campaignId = campaignWorkflowId(programmeId, 2024, 1);
  const taskQueue = uniqueTaskQueue(programmeId);
  const mail = recordingMail(fx.mailDb);
  const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
  try {
    await freezeAndDraw(acts, campaignId, programmeId, entropy);
    const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, await env.currentTimeMs());
    const input = (await inspectionInputs(acts, campaignId, 'brigade-shihe', clock))[0]!;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: wrap(acts) });
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start('inspectionWorkflow', { workflowId: legacyInspectionWorkflowId(campaignId, input.unitId), taskQueue, args: [input] });
      await eventually(async () => (await api.inspectionStatus(env.client, campaignId, input.unitId)).phase === 'inspection', 'inspection phase');
      await run(h, input, campaignId);
    });
  } finally {
    await acts.close();
    mail.close();
    fs.rmSync(fx.dir, { recursive: true, force: true });
  }
}

describe("the inspection's lock", () => {
  it('lets one team change through at a time when two waiting ones are released together', async () => {
    // The first replacement is held until the test lets it go, so two more decisions queue behind
    // it; each replacement takes a moment, so two let in together would overlap.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    function watched<A, R>(fn: (a: A) => Promise<R>): (a: A) => Promise<R> {
      return async (a) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await (calls++ === 0 ? held : new Promise((r) => setTimeout(r, 500)));
          return await fn(a);
        } finally {
          inFlight--;
        }
      };
    }
    await withInspection(
      'mutex-2024',
      { admin: 'MutexAdmin2024xxx', discipline: 'MutexDiscipline24' },
      (acts) => ({ ...acts, replaceInspector: watched(acts.replaceInspector), replaceUnit: watched(acts.replaceUnit) }),
      async (h, input) => {
        const [a, b] = input.team as [string, string];
        const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
        // A manager records both recusals (decided in the same act) and approves replacing the unit.
        const first = await h.startUpdate(declareRecusalUpdate, { args: [{ by: 'MGR1', inspectorId: a, reasonCode: 'kinship', note: '' }], ...accepted });
        await eventually(async () => calls === 1, 'the first replacement running');
        const second = await h.startUpdate(declareRecusalUpdate, { args: [{ by: 'MGR1', inspectorId: b, reasonCode: 'kinship', note: '' }], ...accepted });
        await h.executeUpdate(reportUnitClosedUpdate, { args: [{ by: a, reasonCode: 'closed', note: '' }] });
        const third = await h.startUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR2', decision: 'approve', reasonCode: null, note: '' }], ...accepted });
        release();
        const [r1, r2, r3] = await Promise.all([first.result(), second.result(), third.result()]);
        expect(calls).toBe(3);
        expect(maxInFlight).toBe(1);
        expect([r1.status, r2.status, r3.decision]).toEqual(['approved', 'approved', 'approve']);
        // Each recusal saw the team the one before it left.
        if (r1.status !== 'approved' || r2.status !== 'approved') throw new Error('expected both recusals approved');
        expect(r2.team).not.toContain(a);
        expect(r2.team).not.toContain(b);
        // The unit was replaced: the inspection ends, handing its replacement to the batch.
        expect(((await h.result()) as InspectionOutcome).replacedBy?.replaces).toBe(input.unitId);
        await saveHistory(h, 'inspection-mutex-exclusive');
      },
    );
  }, 180_000);

  it('refuses a recusal approval that waited behind the unit’s replacement, without asking the list for an inspector on a unit no longer on it', async () => {
    // The unit's replacement is held until the test lets it go; the recusal approval queues behind it.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let unitCalls = 0;
    let inspectorCalls = 0;
    await withInspection(
      'mutex-late-2024',
      { admin: 'MutexLateAdmin2024', discipline: 'MutexLateDiscipl24' },
      (acts) => ({
        ...acts,
        replaceUnit: async (a) => {
          unitCalls++;
          await held;
          return acts.replaceUnit(a);
        },
        replaceInspector: async (a) => {
          inspectorCalls++;
          return acts.replaceInspector(a);
        },
      }),
      async (h, input) => {
        const [a, b] = input.team as [string, string];
        const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
        await h.executeUpdate(declareRecusalUpdate, { args: [{ by: a, inspectorId: a, reasonCode: 'kinship', note: '' }] });
        await h.executeUpdate(reportUnitClosedUpdate, { args: [{ by: b, reasonCode: 'closed', note: '' }] });
        const unit = await h.startUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR2', decision: 'approve', reasonCode: null, note: '' }], ...accepted });
        await eventually(async () => unitCalls === 1, 'the replacement running');
        const recusal = await h.startUpdate(decideRecusalUpdate, { args: [{ by: 'MGR1', inspectorId: a, decision: 'approve', reasonCode: null, note: '' }], ...accepted });
        release();
        expect((await unit.result()).decision).toBe('approve');
        expect(await rejection(recusal.result())).toMatch(new RegExp(`^decideRecusal: unit ${input.unitId} was replaced by \\S+ meanwhile; its team no longer changes$`));
        expect(inspectorCalls).toBe(0); // never asked the list for an inspector on a unit no longer on it
        expect(((await h.result()) as InspectionOutcome).replacedBy?.replaces).toBe(input.unitId);
      },
    );
  }, 180_000);
});
