// Parking, fast handlers and the replacement race, on the time-skipping test server with a real
// campaign store, registry and SMTP server on loopback:
// - a hand-over whose unit lies in an area no brigade covers parks (phase `parked`, the reason in
//   the status, one alert to operations), parks again when resumed unfixed, and completes once the
//   registry is corrected and an operator resumes it from the console;
// - a recusal's Update answers while the mail server holds every message; the notice follows;
// - a manager's reject racing another's approval of a unit replacement: exactly one decision wins;
// - a campaign whose publication is refused (its frozen manifest was altered) parks, and publishes
//   once the manifest is restored and an operator resumes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, withRegistry, drawnUnits, eventually, PEOPLE, readNotices, recordingMail, rejection, report, saveHistory, type Fixture, withCampaignStore } from './helpers/campaign-fixture';
import * as api from '../client/temporal';
import { resumeCampaign } from '../client/commands/resume';
import { startConsole } from './helpers/browser-console';
import { signedInClient } from './helpers/console-client';
import { addAccounts, operationsOf } from './console-quarter-fixture';
import { createActivities, type MailSender } from '../activities';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import { createMailer } from '../mail/mailer';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { resolveClock } from '../domain/programme-clock';
import type { Unit } from '../domain/registry';
import { tamperStoredManifest } from './helpers/manifest-blob';
import {
  declareRecusalUpdate,
  decideHandoverUpdate,
  decideUnitReplacementUpdate,
  inspectionStatusQuery,
  legacyInspectionWorkflowId,
  reportUnitClosedUpdate,
  campaignWorkflowId,
  resumeParkedStepUpdate,
  submitResultUpdate,
  type InspectionInput,
  type InspectionOutcome,
} from '../workflows/definitions';

const programmeId = 'parking-2024';
const campaignId = `campaign-${programmeId}-2024q1`;

let bundle: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;
let fx: Fixture;
let inputs: { section: InspectionInput; brigade: InspectionInput[] };

/** Records a registry change of one unit, effective on `on`. */
async function changeUnit(unitId: string, on: string, change: Partial<Unit>, why: string): Promise<void> {
  await withRegistry(fx.dataDir, async (reg) => {
    const current = (await reg.snapshotAt(on)).units.find((u) => u.id === unitId)!;
    await reg.applyBatch({ key: `test:${why}`, kind: 'test', source: 'test', reason: why, effectiveDate: on, changes: [{ entityKind: 'unit', entityId: unitId, state: { ...current, ...change } }] });
  });
}

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  env = await createTimeSkippingEnv();
  fx = await createFixture(programmeId);
  // The quarter's store, freeze and draw, as the campaign's activities make them.
  const mail = recordingMail(fx.mailDb);
  const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
  await freezeAndDraw(acts, campaignId, programmeId, { admin: 'ParkingAdmin2024', discipline: 'ParkingDiscipline24' });
  const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, await env.currentTimeMs());
  const of = (department: string) => inspectionInputs(acts, campaignId, department, clock);
  inputs = { section: (await of('section-1'))[0]!, brigade: (await of('brigade-shihe')).filter((x) => x.poolId.startsWith('general.')) };
  acts.close();
  mail.close();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

async function inspect<T>(mail: MailSender, fn: (start: (x: InspectionInput) => Promise<WorkflowHandle>) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('parking');
  const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
  try {
    return await worker.runUntil(fn((x) => env.client.workflow.start('inspectionWorkflow', { workflowId: legacyInspectionWorkflowId(campaignId, x.unitId), taskQueue, args: [x] })));
  } finally {
    acts.close();
  }
}

describe('a step that needs data parks, and resumes once the registry is fixed', () => {
  it('parks a hand-over whose unit no brigade covers, alerts operations once per parking, completes after the fix', async () => {
    const { section } = inputs;
    const wf = legacyInspectionWorkflowId(campaignId, section.unitId);
    // A bad registry entry: the unit's area is one no brigade covers.
    await changeUnit(section.unitId, '2023-06-01', { jurisdiction: 'pingqiao' }, 'wrong area');
    const mail = recordingMail(fx.mailDb);
    try {
      await inspect(mail, async (start) => {
        const h = await start(section);
        const [s1, s2] = section.team as [string, string];
        expect(await rejection(h.executeUpdate(resumeParkedStepUpdate, { args: [{ by: PEOPLE.detachmentLeader, note: '' }] }))).toBe(
          `resumeParkedStep: nothing is parked in the inspection of ${section.unitId}`,
        );
        await h.executeUpdate(submitResultUpdate, { args: [report(s1, [s1, s2], { outcome: 'problems-found', description: '废气处理设施未运行', referTo: null })] });
        await eventually(async () => (await h.query(inspectionStatusQuery)).phase === 'handover-approval', 'approval phase');
        // The decision answers at once: the document follows from the workflow's main loop.
        const ack = await h.executeUpdate(decideHandoverUpdate, { args: [{ by: 'MGR1', decision: 'approve', reasonCode: null, note: '' }] });
        expect(ack).toEqual({ unitId: section.unitId, decision: 'approve', handling: null, documents: [], documentFollows: true });

        const st = await eventually(async () => {
          const s = await h.query(inspectionStatusQuery);
          return s.phase === 'parked' ? s : null;
        }, 'parked', 600);
        expect(st.parked).toMatchObject({ step: 'handover-document', failureType: 'NeedsData', since: expect.stringMatching(/^2024-01-15T/) });
        expect(st.parked!.reason).toBe(
          `unit ${section.unitId}: no brigade covers its area pingqiao (brigades of the frozen roster: brigade-shihe: shihe, county-xixian: xixian); correct the unit's area (jurisdiction) in the registry, then resume the inspection`,
        );
        expect([...st.parked!.operators].sort()).toEqual([PEOPLE.admin, PEOPLE.admin2, PEOPLE.detachmentLeader].sort());
        expect(st.waitingOn).toEqual([expect.stringMatching(/^operations: handover-document parked: unit .* no brigade covers .*; once fixed: ssj inspection resume /)]);
        expect(st.documents).toEqual([]);
        const alert = await eventually(async () => readNotices(fx.mailDb).find((n) => n.key === `${wf}/parked/1`), 'the alert');
        expect(alert.to.sort()).toEqual(['adm1@bureau.example.cn', 'adm2@bureau.example.cn', 'dl1@bureau.example.cn']);

        // Only operations may resume; resumed unfixed, the step parks again with a second alert.
        expect(await rejection(h.executeUpdate(resumeParkedStepUpdate, { args: [{ by: 'MGR1', note: '' }] }))).toMatch(
          /^resumeParkedStep: MGR1 may not resume a parked step: only a detachment leader or an admin/,
        );
        const again = await h.executeUpdate(resumeParkedStepUpdate, { args: [{ by: PEOPLE.detachmentLeader, note: '还没改' }] });
        expect(again).toEqual({ step: 'handover-document', resumedBy: PEOPLE.detachmentLeader, parkedSince: st.parked!.since });
        await eventually(async () => readNotices(fx.mailDb).find((n) => n.key === `${wf}/parked/2`), 'the second alert');
        expect((await h.query(inspectionStatusQuery)).phase).toBe('parked');

        // The registry clerk corrects the area; an admin resumes; the document goes out.
        await changeUnit(section.unitId, '2024-01-10', { jurisdiction: 'shihe' }, 'area corrected');
        // The admin resumes it from the console (the same Update as `ssj inspection resume`).
        const c = await startConsole({ personName: async () => null, temporal: env.client, operations: operationsOf(fx.programme, { taskQueue: 'unused', dataDir: fx.dataDir }) });
        try {
          await c.store.upsertCampaign({ campaignId, programmeId, year: 2024, quarter: 1, phase: 'inspection', detail: {}, revision: 1, updatedAt: new Date() });
          await addAccounts(c.store, 'parking password 1', [
            ['admin1', PEOPLE.admin, ['admin']],
            // A console admin whom the frozen roster does not name as one: the workflow refuses them.
            ['mgr-admin', 'MGR1', ['admin']],
          ]);
          const outsider = await signedInClient(c.app, 'mgr-admin', 'parking password 1');
          await outsider.get('/');
          const refused = await outsider.post('/resume', { campaign: campaignId, unit: section.unitId, note: '试试' });
          expect(refused.statusCode).toBe(409);
          expect(refused.body).toContain('只有本季度冻结名册中的支队领导或系统管理员可以恢复暂停的步骤，您不在其中');
          expect(refused.body).toContain('该步骤仍处于暂停状态');
          expect(refused.body).not.toContain('无需再次操作');
          expect((await h.query(inspectionStatusQuery)).phase).toBe('parked');
          expect(await c.store.listAudit({ action: 'resume.refused' })).toMatchObject([{ personId: 'MGR1', detail: { message: expect.stringMatching(/MGR1 may not resume a parked step/) } }]);
          const admin = await signedInClient(c.app, 'admin1', 'parking password 1');
          await admin.get('/');
          // The note on two lines, as the browser sends a textarea's (CRLF): kept with LF.
          const resumed = await admin.post('/resume', { campaign: campaignId, unit: section.unitId, note: '已更正属地\r\n辖区改为石河' });
          expect(resumed.statusCode).toBe(200);
          expect(resumed.body).toContain('已恢复执行');
          const [entry] = await c.store.listAudit({ action: 'resume.inspection' });
          expect(entry).toMatchObject({ personId: PEOPLE.admin, target: `${campaignId}/${section.unitId}`, detail: { step: 'handover-document' } });
        } finally {
          await c.stop();
        }
        const out = (await h.result()) as InspectionOutcome;
        expect(out).toMatchObject({ unitId: section.unitId, handling: 'transfer-form', outcome: 'problems-found' });
        const done = await h.query(inspectionStatusQuery);
        expect(done).toMatchObject({ phase: 'done', parked: null, handling: 'transfer-form' });
        expect(done.documents).toEqual([{ kind: 'transfer-form', number: '信环执交〔2024〕第001号', to: 'brigade-shihe' }]);
        const keys = readNotices(fx.mailDb).map((n) => n.key);
        expect(keys.filter((k) => k.startsWith(`${wf}/parked/`))).toEqual([`${wf}/parked/1`, `${wf}/parked/2`]);
        expect(keys).toContain(`${wf}/handover`);
        await saveHistory(h, 'inspection-parked-resumed');
      });
    } finally {
      mail.close();
    }
    // Who resumed, with the note on what was fixed, is kept internally.
    const resumed = (await withCampaignStore(fx.dataDir, (store) => store.notes(campaignId))).filter((n) => n.kind === 'step-resumed');
    expect(resumed.map((n) => [n.by, n.note])).toEqual([
      [PEOPLE.detachmentLeader, '还没改'],
      [PEOPLE.admin, '已更正属地\n辖区改为石河'],
    ]);
  }, 180_000);
});

describe('a hand-over approval with nobody to decide it', () => {
  it('parks until the registry names a leader in charge, then asks them', async () => {
    // The brigade unit's findings go through approval as a section's would; the roster froze no manager.
    const base = inputs.brigade[2]!;
    const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-02-01', secondsPerDay: 86_400 }, await env.currentTimeMs());
    const u: InspectionInput = { ...base, clock, authority: { ...base.authority, managers: [], departmentKind: 'section' } };
    const people = (on: string, active: boolean, why: string) =>
      withRegistry(fx.dataDir, async (reg) => {
        const snap = await reg.snapshotAt(on);
        const changes = PEOPLE.managers.map((id) => ({ entityKind: 'person' as const, entityId: id, state: { ...snap.people.find((p) => p.id === id)!, active } }));
        await reg.applyBatch({ key: `test:${why}`, kind: 'test', source: 'test', reason: why, effectiveDate: on, changes });
      });
    await people('2024-01-20', false, 'managers leave');
    const mail = recordingMail(fx.mailDb);
    try {
      await inspect(mail, async (start) => {
        const h = await start(u);
        const [t1, t2] = u.team as [string, string];
        await h.executeUpdate(submitResultUpdate, { args: [report(t1, [t1, t2], { outcome: 'problems-found', description: '雨污管网混接', referTo: null })] });
        const st = await eventually(async () => {
          const s = await h.query(inspectionStatusQuery);
          return s.phase === 'parked' ? s : null;
        }, 'parked', 600);
        expect(st.parked).toMatchObject({ step: 'handover-approval', failureType: 'NeedsData' });
        expect(st.parked!.reason).toMatch(
          new RegExp(`^unit ${u.unitId}: no leader in charge \\(role manager\\) in the registry as of 2024-\\d\\d-\\d\\d to decide the hand-over approval; give a person the role manager in the registry, then resume the inspection$`),
        );
        await people('2024-02-01', true, 'managers back');
        await h.executeUpdate(resumeParkedStepUpdate, { args: [{ by: PEOPLE.detachmentLeader, note: '分管领导已在名录中恢复' }] });
        // The phase is entered before the leaders in charge are looked up: wait for the approval's deadline too.
        await eventually(async () => {
          const s = await h.query(inspectionStatusQuery);
          return s.phase === 'handover-approval' && !s.waitingOn.some((w) => w.includes('finding the leaders')) ? s : null;
        }, 'approval asked');
        expect((await h.query(inspectionStatusQuery)).waitingOn).toEqual([expect.stringMatching(/^manager: hand-over approval by \S+ \(MGR1, MGR2\)$/)]);
        await h.executeUpdate(decideHandoverUpdate, { args: [{ by: 'MGR2', decision: 'reject', reasonCode: 'rectified', note: '' }] });
        expect(((await h.result()) as InspectionOutcome).handling).toBe('handover-rejected');
        const wf = legacyInspectionWorkflowId(campaignId, u.unitId);
        expect(readNotices(fx.mailDb).find((n) => n.key === `${wf}/handover-approval`)?.to.sort()).toEqual(['mgr1@bureau.example.cn', 'mgr2@bureau.example.cn']);
      });
    } finally {
      mail.close();
    }
  }, 180_000);
});

describe('Update handlers answer without waiting for mail', () => {
  let catcher: MailCatcher;
  let release: () => void = () => undefined;
  afterAll(async () => {
    release();
    await catcher?.close();
  });

  it('answers a recusal while the SMTP server holds every message; the notice follows once it answers', async () => {
    const held = new Promise<void>((r) => (release = r));
    catcher = await startMailCatcher({
      dir: path.join(fx.dir, 'caught'),
      // A slow mail server: it takes no sender until the test lets it.
      smtp: { onMailFrom: (_address, _session, cb) => void held.then(() => cb()) },
    });
    const mailer = createMailer(
      { smtp: { host: catcher.host, port: catcher.port, secure: false, user: null, pass: null }, mailFrom: { name: '信阳市生态环境综合行政执法支队', address: 'ssj@example.org' } },
      path.join(fx.dir, 'mailer'),
    );
    try {
      const u = inputs.brigade[0]!;
      const wf = legacyInspectionWorkflowId(campaignId, u.unitId);
      await inspect(mailer, async (start) => {
        const h = await start(u);
        const lead = u.team[0]!;
        const ack = await h.executeUpdate(declareRecusalUpdate, { args: [{ by: lead, inspectorId: lead, reasonCode: 'kinship', note: '' }] });
        expect(ack).toMatchObject({ status: 'pending', inspectorId: lead });
        // Answered while the server still holds the team's assignment and the request to decide.
        expect(catcher.messages()).toEqual([]);
        release();
        const caught = await eventually(async () => {
          const m = catcher.messages();
          return m.some((x) => x.noticeKey === `${wf}/recusal-requested/1`) ? m : null;
        }, 'the recusal notice');
        // Each once (the test server's skipped time may have added the overdue notices meanwhile).
        const keys = caught.map((m) => m.noticeKey);
        expect(keys.filter((k) => k === `${wf}/assigned` || k === `${wf}/recusal-requested/1`)).toEqual([`${wf}/assigned`, `${wf}/recusal-requested/1`]);
        await h.terminate("test done");
      });
    } finally {
      mailer.close();
    }
  }, 180_000);
});

describe('a reject racing an approval of a unit replacement', () => {
  it('lets exactly one decision through and refuses the other', async () => {
    const u = inputs.brigade[1]!;
    const mail = recordingMail(fx.mailDb);
    try {
      await inspect(mail, async (start) => {
        const h = await start(u);
        await h.executeUpdate(reportUnitClosedUpdate, { args: [{ by: u.team[0]!, reasonCode: 'closed', note: '' }] });
        // Both sent at once, the approval first.
        const approve = h.executeUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR1', decision: 'approve', reasonCode: null, note: '' }] });
        const rejectIt = h.executeUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR2', decision: 'reject', reasonCode: 'not-verified', note: '' }] });
        const [a, r] = await Promise.allSettled([approve, rejectIt]);
        const won = [a, r].filter((x) => x.status === 'fulfilled');
        const lost = [a, r].filter((x): x is PromiseRejectedResult => x.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        const why = (lost[0]!.reason as { cause?: { message?: string } }).cause?.message;
        expect(why).toMatch(/^decideUnitReplacement: (a decision on replacing unit .* is already being processed|unit .* has not been reported closed)$/);
        const st = await h.query(inspectionStatusQuery);
        if (a.status === 'fulfilled') {
          expect(a.value).toMatchObject({ decision: 'approve', unitId: u.unitId });
          const out = (await h.result()) as InspectionOutcome;
          expect(out.replacedBy?.replaces).toBe(u.unitId);
        } else {
          expect(st.closedReport).toBeNull();
          expect(st.replacedBy).toBeNull();
          const [t1, t2] = u.team as [string, string];
          await h.executeUpdate(submitResultUpdate, { args: [report(t1, [t1, t2])] });
          expect(((await h.result()) as InspectionOutcome).handling).toBe('none');
        }
        await saveHistory(h, 'inspection-replacement-race');
      });
    } finally {
      mail.close();
    }
  }, 180_000);
});

describe('a unit reported closed again after a rejection', () => {
  it('asks the managers again: each report is its own notice', async () => {
    const u = inputs.brigade[3]!;
    const wf = legacyInspectionWorkflowId(campaignId, u.unitId);
    const mail = recordingMail(fx.mailDb);
    try {
      await inspect(mail, async (start) => {
        const h = await start(u);
        const requested = () => readNotices(fx.mailDb).filter((n) => n.key.startsWith(`${wf}/unit-closed-reported`));
        await h.executeUpdate(reportUnitClosedUpdate, { args: [{ by: u.team[0]!, reasonCode: 'closed', note: '' }] });
        await eventually(async () => requested().length === 1, 'the first request');
        await h.executeUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR1', decision: 'reject', reasonCode: 'not-verified', note: '' }] });
        // The team finds it closed after all and reports again: the managers must hear of it again.
        await h.executeUpdate(reportUnitClosedUpdate, { args: [{ by: u.team[1]!, reasonCode: 'closed', note: '复查仍停产' }] });
        const both = await eventually(async () => (requested().length === 2 ? requested() : null), 'the second request');
        expect(both.map((n) => n.key)).toEqual([`${wf}/unit-closed-reported`, `${wf}/unit-closed-reported/2`]);
        for (const n of both) expect(n.to.sort()).toEqual(['mgr1@bureau.example.cn', 'mgr2@bureau.example.cn']);
        await h.terminate('test done');
      });
    } finally {
      mail.close();
    }
  }, 180_000);
});

describe('a refused publication parks the campaign', () => {
  it('parks while the frozen manifest is altered, publishes once it is restored and an operator resumes', async () => {
    const pfx = await createFixture('parkpub-2024');
    const campaignId = campaignWorkflowId('parkpub-2024', 2024, 1);
    const taskQueue = uniqueTaskQueue('parkpub');
    const mail = recordingMail(pfx.mailDb);
    // One worker throughout, caching its workflows: a worker that cached nothing replayed every
    // history on every task (a campaign and its inspections), which took minutes under load.
    const acts = createActivities({ dataDir: pfx.dataDir, programme: pfx.programme, mail, allowRehearsalClock: true });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
    const client = env.client;
    try {
      const handle = await api.startCampaign(
        client,
        { programmeId: 'parkpub-2024', year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-25', secondsPerDay: 86_400 }, batchSize: 10, searchAttributes: false },
        { taskQueue },
      );
      await worker.runUntil(async () => {
        await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
        await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
        await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
        await env.sleep('8 days');
        await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase');
        await api.holdWitnessCeremony(client, campaignId, [
          { role: 'admin', personId: PEOPLE.admin, entropy: 'PublicationAdmin2024' },
          { role: 'discipline', personId: PEOPLE.discipline, entropy: 'PublicationDiscipline24' },
        ]);
        await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase', 600);
        const units = drawnUnits(pfx.dataDir, campaignId);
        for (const u of units.slice(1)) {
          await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'inspection', u.unitId, 600);
          await api.submitResult(client, campaignId, u.unitId, report(u.team[0]!, u.team.slice(0, 2)));
        }

        // The frozen manifest is altered in the store before the last result; the publication refuses it.
        const restore = tamperStoredManifest(pfx.dataDir, campaignId);
        const last = units[0]!;
        await eventually(async () => (await api.inspectionStatus(client, campaignId, last.unitId)).phase === 'inspection', last.unitId, 600);
        await api.submitResult(client, campaignId, last.unitId, report(last.team[0]!, last.team.slice(0, 2)));
        const st = await eventually(async () => {
          const s = await api.campaignStatus(client, campaignId);
          return s.phase === 'parked' ? s : null;
        }, 'the publication parked', 600);
        expect(st.parked).toMatchObject({ step: 'publication', failureType: 'ManifestRefused' });
        expect(st.parked!.reason).toMatch(/^campaign campaign-parkpub-2024-2024q1: the frozen manifest: blob [0-9a-f]{64} in .* is damaged/s);
        expect(st.waitingOn).toEqual([expect.stringMatching(/^operations: publication parked: .*; once fixed: ssj quarter resume --year 2024 --quarter 1 --as /s)]);
        await eventually(async () => readNotices(pfx.mailDb).find((n) => n.key === `${campaignId}/parked/1`), 'the alert', 600);
        expect(await rejection(resumeCampaign(client, campaignId, { by: 'MGR1' }))).toMatch(/^resumeParkedStep: MGR1 may not resume a parked step/);
        // Nothing was published while parked.
        expect(fs.existsSync(path.join(pfx.dataDir, 'publication', campaignId))).toBe(false);

        restore();
        expect(await resumeCampaign(client, campaignId, { by: PEOPLE.detachmentLeader, note: '已恢复冻结名录' })).toMatchObject({ step: 'publication', resumedBy: PEOPLE.detachmentLeader });
        const result = await handle.result();
        expect(result.stats).toMatchObject({ drawn: units.length, inspected: units.length, failed: 0 });
        expect(fs.existsSync(path.join(result.publication.location, 'draw-record.json'))).toBe(true);
        expect((await api.campaignStatus(client, campaignId)).parked).toBeNull();
        await saveHistory(handle, 'campaign-publication-parked');
      });
    } finally {
      acts.close();
      mail.close();
      fs.rmSync(pfx.dir, { recursive: true, force: true });
    }
  }, 300_000);
});
