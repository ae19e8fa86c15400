// The console's projection of inspections (activities/steps/projection-rows.ts, workflows/projector.ts):
// - the activity against a real SQLite console store: revisions order the writes (a retry or an
//   older revision changes nothing), finished tasks close with who decided and when, a parked step
//   is operations' task until resumed;
// - an inspection on the time-skipping server, from assignment through a hand-over approval: the
//   inspector's and then the manager's task lists in the store are right at each step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, withRegistry, eventually, PEOPLE, recordingMail, report, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { createActivities } from '../activities';
import { projectInspection, taskKeys, type InspectionProjection } from '../activities/steps/projection-rows';
import { openConsoleStore } from '../stores/open';
import type { ConsoleStore } from '../stores/console-store';
import { resolveClock } from '../domain/programme-clock';
import * as api from '../client/temporal';
import { campaignWorkflowId, decideHandoverUpdate, inspectionStatusQuery, legacyInspectionWorkflowId, submitResultUpdate, type InspectionOutcome } from '../workflows/definitions';

describe('projectInspection on a real SQLite console store', () => {
  let dir: string;
  let store: ConsoleStore;
  const names = { unitName: (id: string) => `${id}号化工有限公司`, departmentName: (id: string) => `${id}科` };
  const wf = 'campaign-x.unit.U1';
  const base: InspectionProjection = {
    workflowId: wf,
    campaignId: 'campaign-x',
    revision: 1,
    at: '2024-01-15T09:00:00+08:00',
    unitId: 'U1',
    department: 'section-1',
    team: ['S1', 'S2'],
    managers: ['MGR1', 'MGR2'],
    phase: 'inspection',
    due: '2024-03-31',
    overdue: false,
    parked: null,
    result: null,
    approval: null,
    handling: null,
    replacedBy: null,
  };
  const submitted: InspectionProjection = {
    ...base,
    revision: 2,
    at: '2024-01-20T10:00:00+08:00',
    phase: 'handover-approval',
    result: { by: 'S1', at: '2024-01-20T10:00:00+08:00', outcome: 'problems-found' },
    approval: { due: '2024-02-01', decision: null },
    handling: 'awaiting-approval',
  };
  const open = (personId: string, roles: string[]) => store.listTasksFor({ personId, roles }).then((ts) => ts.map((t) => [t.kind, t.deadline]));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-projection-'));
    store = await openConsoleStore({ dataDir: dir, databaseUrl: null });
  });
  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the team its result task, then the managers the approval; a retry and an older revision change nothing', async () => {
    expect(await projectInspection(store, names, base)).toBe(2); // the inspection and the result task
    expect(await open('S1', ['inspector'])).toEqual([['result', '2024-03-31']]);
    expect(await open('MGR1', ['manager'])).toEqual([]);
    const row = await store.getInspection(wf);
    expect(row).toMatchObject({ unitName: 'U1号化工有限公司', department: 'section-1', phase: 'inspection', revision: 1, detail: { departmentName: 'section-1科' } });

    expect(await projectInspection(store, names, submitted)).toBe(3);
    expect(await open('S1', ['inspector'])).toEqual([]);
    expect(await open('MGR2', ['manager'])).toEqual([['approve-handover', '2024-02-01']]);
    expect(await store.getTask(taskKeys.result(wf))).toMatchObject({ status: 'done', decidedBy: 'S1', decidedAt: new Date('2024-01-20T02:00:00Z'), revision: 2 });

    // The same call retried writes its rows again (same revision) and they stay as they were.
    const before = await store.getTask(taskKeys.approveHandover(wf));
    await projectInspection(store, names, submitted);
    expect(await store.getTask(taskKeys.approveHandover(wf))).toEqual(before);

    // A late call with an older revision is ignored: the result task stays done.
    expect(await projectInspection(store, names, { ...base, revision: 1 })).toBe(0);
    expect(await store.getTask(taskKeys.result(wf))).toMatchObject({ status: 'done', revision: 2 });
    expect((await store.getInspection(wf))!.phase).toBe('handover-approval');
  });

  it('closes the approval with who decided and when; a parked step is operations’ task until resumed', async () => {
    const decided = { ...submitted, revision: 3, at: '2024-01-22T11:00:00+08:00', phase: 'handover', approval: { due: '2024-02-01', decision: { decision: 'approve', by: 'MGR2', at: '2024-01-22T11:00:00+08:00' } } };
    await projectInspection(store, names, decided);
    expect(await open('MGR1', ['manager'])).toEqual([]);
    expect(await store.getTask(taskKeys.approveHandover(wf))).toMatchObject({ status: 'done', decidedBy: 'MGR2', decidedAt: new Date('2024-01-22T03:00:00Z') });

    const parked = { ...decided, revision: 4, phase: 'parked', parked: { step: 'handover-document', reason: 'no brigade covers its area', operators: ['DL1', 'ADM1'] } };
    await projectInspection(store, names, parked);
    expect(await open('DL1', ['detachment-leader'])).toEqual([['parked', null]]);
    expect(await open('ADM2', ['detachment-leader'])).toEqual([['parked', null]]); // by role
    expect(await store.getInspection(wf)).toMatchObject({ parked: true, parkedReason: 'no brigade covers its area' });

    await projectInspection(store, names, { ...decided, revision: 5, phase: 'done', handling: 'transfer-form' });
    expect(await open('DL1', ['detachment-leader'])).toEqual([]);
    expect(await store.getTask(taskKeys.parked(wf))).toMatchObject({ status: 'done' });
    expect(await store.getInspection(wf)).toMatchObject({ phase: 'done', parked: false, outcome: 'problems-found', revision: 5 });
  });

  it('cancels the result task of a unit replaced before its result', async () => {
    const w2 = 'campaign-x.unit.U2';
    await projectInspection(store, names, { ...base, workflowId: w2, unitId: 'U2' });
    await projectInspection(store, names, { ...base, workflowId: w2, unitId: 'U2', revision: 2, phase: 'replaced', replacedBy: 'U9' });
    expect(await store.getTask(taskKeys.result(w2))).toMatchObject({ status: 'cancelled', decidedBy: null });
  });
});

describe('an inspection keeps the console’s task lists up to date', () => {
  const programmeId = 'projection-2024';
  const campaignId = `campaign-${programmeId}-2024q1`;
  let bundle: WorkflowBundleWithSourceMap;
  let env: TestWorkflowEnvironment;
  let fx: Fixture;
  let store: ConsoleStore;

  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
    env = await createTimeSkippingEnv();
    fx = await createFixture(programmeId);
    store = await openConsoleStore({ dataDir: fx.dataDir, databaseUrl: null });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await env?.teardown();
    if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
  });

  it('shows the inspector the result, then the managers the hand-over approval, then neither', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, consoleStore: store });
    try {
      await freezeAndDraw(acts, campaignId, programmeId, { admin: 'ProjectionAdmin2024', discipline: 'ProjectionDiscipl24' });
      const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, await env.currentTimeMs());
      const section = (await inspectionInputs(acts, campaignId, 'section-1', clock))[0]!;
      const wf = legacyInspectionWorkflowId(campaignId, section.unitId);
      const [s1, s2] = section.team as [string, string];
      const unitName = (await withRegistry(fx.dataDir, (reg) => reg.snapshotAt('2023-12-31'))).units.find((u) => u.id === section.unitId)!.name;
      const kinds = async (personId: string, roles: string[]) => (await store.listTasksFor({ personId, roles })).map((t) => `${t.kind} ${t.unitName} ${t.deadline}`);

      const taskQueue = uniqueTaskQueue('projection');
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
      await worker.runUntil(async () => {
        const h = await env.client.workflow.start('inspectionWorkflow', { workflowId: wf, taskQueue, args: [section] });

        // Assigned: the result is the team's task, named by the unit's registry name.
        await eventually(async () => (await kinds(s1, ['inspector'])).length === 1, 'the result task');
        expect(await kinds(s1, ['inspector'])).toEqual([`result ${unitName} 2024-03-31`]);
        expect(await kinds(s2, ['inspector'])).toEqual([`result ${unitName} 2024-03-31`]);
        expect(await kinds('MGR1', ['manager'])).toEqual([]);
        expect(await store.getInspection(wf)).toMatchObject({ phase: 'inspection', team: section.team, unitName });

        // Findings: the result task closes with who submitted it, the approval goes to the managers.
        await h.executeUpdate(submitResultUpdate, { args: [report(s1, [s1, s2], { outcome: 'problems-found', description: '废气处理设施未运行', referTo: null })] });
        await eventually(async () => (await kinds('MGR1', ['manager'])).length === 1, 'the approval task');
        const approvalDue = (await h.query(inspectionStatusQuery)).waitingOn[0]!.match(/by (\d{4}-\d\d-\d\d)/)![1];
        expect(await kinds('MGR1', ['manager'])).toEqual([`approve-handover ${unitName} ${approvalDue}`]);
        expect(await kinds('MGR2', ['manager'])).toEqual([`approve-handover ${unitName} ${approvalDue}`]);
        expect(await kinds(s1, ['inspector'])).toEqual([]);
        expect(await store.getTask(`${wf}/result`)).toMatchObject({ status: 'done', decidedBy: s1 });
        expect(await store.getInspection(wf)).toMatchObject({ phase: 'handover-approval', outcome: 'problems-found' });

        // Approved: nobody has a task left; the approval says who decided it.
        await h.executeUpdate(decideHandoverUpdate, { args: [{ by: 'MGR2', decision: 'approve', reasonCode: null, note: '' }] });
        const out = (await h.result()) as InspectionOutcome;
        expect(out.handling).toMatch(/^(transfer-form|supervision-notice)$/);
        expect(await kinds('MGR1', ['manager'])).toEqual([]);
        expect(await store.getTask(`${wf}/approve-handover`)).toMatchObject({ status: 'done', decidedBy: 'MGR2', decidedAt: expect.any(Date) });
        expect(await store.getInspection(wf)).toMatchObject({ phase: 'done', parked: false, detail: { handling: out.handling } });
        await saveHistory(h, 'inspection-console-projection');
      });
    } finally {
      acts.close();
      mail.close();
    }
  }, 240_000);

  it('keeps the campaign row’s phase and dates', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, consoleStore: store, allowRehearsalClock: true });
    const campaignQ2 = campaignWorkflowId(programmeId, 2024, 2);
    try {
      const taskQueue = uniqueTaskQueue('projection-campaign');
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
      await worker.runUntil(async () => {
        const h = await api.startCampaign(
          env.client,
          { programmeId, year: 2024, quarter: 2, clock: { mode: 'rehearsal', programmeStart: '2024-03-10', secondsPerDay: 86_400 }, searchAttributes: false },
          { taskQueue },
        );
        const row = await eventually(async () => {
          const r = await store.getCampaign(campaignQ2);
          return r && (r.detail as { dates: { drawDue: string } }).dates.drawDue !== '2024-04-01' ? r : null;
        }, 'the campaign row with the programme dates');
        expect(row).toMatchObject({ programmeId, year: 2024, quarter: 2, phase: 'update-window' });
        expect((row.detail as { dates: Record<string, string> }).dates).toMatchObject({ windowCloses: '2024-03-31', inspectionDue: '2024-06-30' });

        await eventually(async () => (await api.campaignStatus(env.client, campaignQ2)).updateWindow.waitingFor.length === 2, 'brigades loaded');
        await api.submitChangeList(env.client, campaignQ2, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
        await api.submitChangeList(env.client, campaignQ2, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
        // The window closes on 03-31: skip past it to the draw.
        await env.sleep('25 days');
        expect((await api.campaignStatus(env.client, campaignQ2)).phase).toBe('draw');
        const drawing = await eventually(async () => {
          const r = await store.getCampaign(campaignQ2);
          return r?.phase === 'draw' ? r : null;
        }, 'the draw phase in the campaign row');
        expect(drawing.revision).toBeGreaterThan(row.revision);
        await saveHistory(h, 'campaign-console-projection');
        await h.terminate('test done');
      });
    } finally {
      acts.close();
      mail.close();
    }
  }, 240_000);
});
