// The quarter's timers on the time-skipping test server, in one campaign where people are late:
// change-list reminder and escalation, draw overdue, inspection reminders / overdue / grace
// escalation, hand-over approval overdue, publication late. Along the way every message that
// should be refused is refused with its reason, and a recusal and a closed unit change the list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, readNotices, recordingMail, report, saveHistory, type Fixture, rejection } from './helpers/campaign-fixture';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { campaignWorkflowId } from '../workflows/definitions';

let bundle: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;
let fx: Fixture;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  env = await createTimeSkippingEnv();
  fx = await createFixture();
});
afterAll(async () => {
  await env?.teardown();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('a late quarter on the time-skipping server', () => {
  it('fires every timer, refuses every wrong message, and closes with the statistics', async () => {
    const taskQueue = uniqueTaskQueue('timers');
    const mail = recordingMail(fx.mailDb);
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, allowRehearsalClock: true });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    const client = env.client;
    const campaignId = campaignWorkflowId('testcity-2024', 2024, 1);

    await worker.runUntil(async () => {
      // Programme day 2023-12-15 is "now"; a day lasts a day (time skipping makes it fast).
      const handle = await api.startCampaign(
        client,
        { programmeId: 'testcity-2024', year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-15', secondsPerDay: 86_400 }, batchSize: 3, searchAttributes: false },
        { taskQueue },
      );
      await expect(api.startCampaign(client, { programmeId: 'testcity-2024', year: 2024, quarter: 1, searchAttributes: false }, { taskQueue })).rejects.toThrow(
        api.WorkflowExecutionAlreadyStartedError,
      );

      // --- update window ---
      await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
      expect(await rejection(api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.brigadeClerk, batchId: null }))).toMatch(
        /BC1 is not a member of county-xixian/,
      );
      expect(await rejection(api.submitChangeList(client, campaignId, { brigade: 'section-1', by: 'S1', batchId: null }))).toMatch(/section-1 is not a brigade/);
      const ack = await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeClerk, batchId: 'units:abc' });
      expect(ack).toMatchObject({ brigade: 'brigade-shihe', on: '2023-12-15', waitingFor: ['county-xixian'] });
      expect(await rejection(api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null }))).toMatch(
        /already submitted/,
      );
      expect(await rejection(api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, commitment: 'a'.repeat(64) }))).toMatch(
        /phase update-window/,
      );

      // A month later: the window closed on 12-31 without the county, the draw day (01-10) passed.
      await env.sleep('30 days');
      let status = await api.campaignStatus(client, campaignId);
      expect(status.phase).toBe('draw');
      expect(status.today).toBe('2024-01-11'); // a query sees the time of the workflow's last step: the draw-overdue timer
      expect(status.overdue).toEqual(['change lists missing at window close: county-xixian', 'draw not held by 2024-01-10']);
      expect(status.waitingOn).toEqual(['witness admin (commitment, ceremony 1)', 'witness discipline (commitment, ceremony 1)']);
      let keys = readNotices(fx.mailDb).map((n) => n.key);
      expect(keys).toContain(`${campaignId}/change-list-reminder/county-xixian`);
      expect(keys).not.toContain(`${campaignId}/change-list-reminder/brigade-shihe`);
      expect(keys).toContain(`${campaignId}/change-list-missing`);
      expect(keys).toContain(`${campaignId}/draw-overdue`);
      expect(await rejection(api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null }))).toMatch(
        /update window closed on 2023-12-31/,
      );

      // --- the witnessed draw (ssj-draw/2; every refusal of the ceremony: tests/workflow-ceremony.test.ts) ---
      expect(await rejection(api.giveEntropy(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, entropy: '31415926535897932384' }))).toMatch(
        /^giveEntropy: this campaign draws by ssj-draw\/2/,
      );
      const digest = status.manifest!.digest;
      await api.holdWitnessCeremony(client, campaignId, [
        { role: 'admin', personId: PEOPLE.admin2, entropy: '31415926535897932384' },
        { role: 'discipline', personId: PEOPLE.discipline, entropy: 'DiceRolls6625143321' },
      ]);
      status = await eventually(async () => {
        const s = await api.campaignStatus(client, campaignId);
        return s.phase === 'inspection' ? s : null;
      }, 'the draw and fan-out');
      expect(status.sealed).toMatchObject({ drawn: 7, manifestDigest: digest });
      expect(status.sealed!.seedCommitment).toMatch(/^[0-9a-f]{64}$/);

      // --- inspections ---
      const units = drawnUnits(fx.dataDir, campaignId);
      const brigade = units.filter((u) => u.department === 'brigade-shihe');
      const section = units.find((u) => u.department === 'section-1')!;
      const [quick, recused, closed] = brigade as [(typeof brigade)[number], (typeof brigade)[number], (typeof brigade)[number]];
      const lateOnes = brigade.slice(3);
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'inspection', 'inspections running');
      for (const u of brigade) await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'inspection', u.unitId);

      const [lead, second] = quick.team as [string, string];
      const outsider = PEOPLE.brigadeInspectors.concat(PEOPLE.brigadeClerk).find((p) => !quick.team.includes(p))!;
      expect(await rejection(api.submitResult(client, campaignId, quick.unitId, report(outsider, [outsider, lead])))).toMatch(/is not on the team/);
      expect(await rejection(api.submitResult(client, campaignId, quick.unitId, report(lead, [lead, outsider])))).toMatch(/not on the team/);
      expect(
        await rejection(api.submitResult(client, campaignId, quick.unitId, report(lead, [lead, second], { outcome: 'problems-found', description: '无证', referTo: 'agency-nowhere' }))),
      ).toMatch(/referTo: agency-nowhere is not an agency in the registry \(agencies: agency-market\)/);
      await expect(api.submitResult(client, campaignId, quick.unitId, report(lead, [lead]))).rejects.toThrow(/at least two inspectors/);
      expect(await rejection(api.submitResult(client, campaignId, quick.unitId, report(lead, [lead, second], { outcome: 'no-problem' }, '2024-02-30')))).toMatch(
        /checkedOn: 2024-02-30 is not a real calendar date/,
      );
      expect(await rejection(api.decideHandover(client, campaignId, quick.unitId, { by: 'MGR1', decision: 'approve' }))).toMatch(/not awaiting a hand-over/);
      const r1 = await api.submitResult(client, campaignId, quick.unitId, report(lead, [lead, second]));
      expect(r1).toEqual({ unitId: quick.unitId, outcome: 'no-problem', onTime: true, next: 'none' });

      // A recusal: only the inspector or a manager may declare it; the leader in charge decides; the
      // rules pick the replacement.
      const leaving = recused.team[0]!;
      expect(
        await rejection(api.declareRecusal(client, campaignId, recused.unitId, { by: recused.team[1]!, inspectorId: leaving, reasonCode: 'kinship', note: '亲属' })),
      ).toMatch(/only the inspector themself or a manager/);
      await expect(api.declareRecusal(client, campaignId, recused.unitId, { by: leaving, inspectorId: leaving, reason: '其配偶在该单位任职' })).rejects.toThrow(
        /reasonCode/,
      );
      const declared = await api.declareRecusal(client, campaignId, recused.unitId, { by: leaving, inspectorId: leaving, reasonCode: 'kinship', note: '其配偶在该单位任职' });
      expect(declared).toMatchObject({ status: 'pending', awaitingDecisionFrom: PEOPLE.managers });
      const rec = await api.decideRecusal(client, campaignId, recused.unitId, { by: 'MGR2', inspectorId: leaving, decision: 'approve' });
      if (rec.status !== 'approved') throw new Error('expected the recusal to be approved');
      expect(rec.approvedBy).toBe('MGR2');
      expect(rec.seq).toBe(1);
      expect(rec.team).not.toContain(leaving);
      expect(rec.team).toContain(rec.replacement);

      // A closed unit: reported by the team, approved by a manager, replaced by the rule.
      expect(await rejection(api.decideUnitReplacement(client, campaignId, closed.unitId, { by: 'MGR1', decision: 'approve' }))).toMatch(/not been reported closed/);
      await api.reportUnitClosed(client, campaignId, closed.unitId, { by: closed.team[0]!, reasonCode: 'closed', note: '已停产关闭' });
      expect(await rejection(api.decideUnitReplacement(client, campaignId, closed.unitId, { by: closed.team[0]!, decision: 'approve' }))).toMatch(/not a manager/);
      await expect(api.decideUnitReplacement(client, campaignId, closed.unitId, { by: 'MGR1', decision: 'reject' })).rejects.toThrow(/rejection needs a reason code/);
      const rep = await api.decideUnitReplacement(client, campaignId, closed.unitId, { by: 'MGR1', decision: 'approve', note: '经核实已关闭' });
      expect(rep).toMatchObject({ decision: 'approve', unitId: closed.unitId, seq: 2 });
      const newUnit = (rep as { replacement: string }).replacement;
      expect(brigade.map((u) => u.unitId)).not.toContain(newUnit);
      await eventually(async () => (await api.inspectionStatus(client, campaignId, newUnit)).phase === 'inspection', 'replacement unit inspection');

      // A recusal and a closed unit's report the leader in charge leaves undecided: each has the
      // programme's approval limit (5 working days from the request: 2024-01-19), shown where the
      // inspection waits, and the team cannot report meanwhile.
      const [stuckRecusal, stuckClosure] = lateOnes as [(typeof lateOnes)[number], (typeof lateOnes)[number]];
      const [asking] = stuckRecusal.team as [string, string];
      expect(await api.declareRecusal(client, campaignId, stuckRecusal.unitId, { by: asking, inspectorId: asking, reasonCode: 'kinship', note: '其兄在该单位任职' })).toMatchObject({ status: 'pending' });
      await api.reportUnitClosed(client, campaignId, stuckClosure.unitId, { by: stuckClosure.team[0]!, reasonCode: 'closed', note: '厂房已拆除' });
      expect((await api.inspectionStatus(client, campaignId, stuckRecusal.unitId)).waitingOn[0]).toMatch(new RegExp(`^manager: decision on the recusal of ${asking} \\(kinship\\) by 2024-01-19 `));
      expect((await api.inspectionStatus(client, campaignId, stuckClosure.unitId)).waitingOn[0]).toMatch(/^manager: decision on replacing closed unit \S+ by 2024-01-19 /);

      // The section finds a problem: the leader in charge must approve the hand-over (not given in time).
      const [s1, s2] = section.team as [string, string];
      const sr = await api.submitResult(client, campaignId, section.unitId, report(s1, [s1, s2], { outcome: 'problems-found', description: '废气处理设施未运行' }));
      expect(sr.next).toBe('awaiting-approval');
      expect(await rejection(api.submitResult(client, campaignId, section.unitId, report(s2, [s1, s2])))).toMatch(/already submitted by S|already submitted by/);
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'handover-approval', 'approval phase');
      expect(await rejection(api.decideHandover(client, campaignId, section.unitId, { by: s1, decision: 'approve' }))).toMatch(/not a manager/);

      // Four months later: reminders, overdue, escalation, approval overdue, publication late.
      await env.sleep('120 days');
      status = await api.campaignStatus(client, campaignId);
      expect(status.phase).toBe('inspection');
      // 2024-04-28 is a working Sunday (劳动节调休), so 20 working days end there.
      expect(status.overdue.at(-1)).toBe('publication not made by 2024-04-28');
      const late = await api.inspectionStatus(client, campaignId, newUnit);
      expect(late).toMatchObject({ overdue: true, escalated: true, remindersSent: 4, due: '2024-03-31', escalateAfter: '2024-04-03' });
      const sec = await api.inspectionStatus(client, campaignId, section.unitId);
      expect(sec).toMatchObject({ phase: 'handover-approval', overdue: true, escalated: false });
      keys = readNotices(fx.mailDb).map((n) => n.key);
      const wf = (u: string) => `${campaignId}.unit.${u}`;
      for (const d of [14, 7, 3, 1]) expect(keys).toContain(`${wf(newUnit)}/reminder/${d}`);
      expect(keys).toContain(`${wf(newUnit)}/overdue`);
      expect(keys).toContain(`${wf(newUnit)}/escalated`);
      expect(keys).not.toContain(`${wf(quick.unitId)}/overdue`);
      expect(keys).toContain(`${wf(section.unitId)}/handover-approval-overdue`);
      // The undecided requests went to the detachment leader once each; the decided recusal never did.
      const requestOverdue = readNotices(fx.mailDb).filter((n) => n.key.includes('-approval-overdue/'));
      expect(requestOverdue.map((n) => n.key).sort()).toEqual([`${wf(stuckRecusal.unitId)}/recusal-approval-overdue/1`, `${wf(stuckClosure.unitId)}/replacement-approval-overdue/1`].sort());
      // Before each 督办, as the last day began, the ones who decide were reminded once: the
      // leaders in charge (not the inspector asking to leave); nothing for what was decided in time.
      const reminders = readNotices(fx.mailDb).filter((n) => n.key.includes('-approval-reminder'));
      expect(reminders.map((n) => n.key).sort()).toEqual(
        [`${wf(section.unitId)}/handover-approval-reminder`, `${wf(stuckRecusal.unitId)}/recusal-approval-reminder/1`, `${wf(stuckClosure.unitId)}/replacement-approval-reminder/1`].sort(),
      );
      for (const n of reminders) {
        expect(n.subject).toMatch(/^【审批提醒】.*今日审批到期$/);
        expect(n.calls).toBe(1);
      }
      const byKey = new Map(readNotices(fx.mailDb).map((n) => [n.key, n]));
      const asked = (key: string) => [...byKey.get(key)!.to].sort();
      expect([...reminders.find((n) => n.key.includes('recusal-approval-reminder'))!.to].sort()).toEqual(asked(`${wf(stuckRecusal.unitId)}/recusal-requested/1`));
      expect([...reminders.find((n) => n.key.includes('replacement-approval-reminder'))!.to].sort()).toEqual(asked(`${wf(stuckClosure.unitId)}/unit-closed-reported`));
      expect([...reminders.find((n) => n.key.includes('handover-approval-reminder'))!.to].sort()).toEqual(asked(`${wf(section.unitId)}/handover-approval`));
      expect(await rejection(api.submitResult(client, campaignId, stuckRecusal.unitId, report(asking, [...stuckRecusal.team])))).toMatch(/recusal/);
      await api.decideRecusal(client, campaignId, stuckRecusal.unitId, { by: 'MGR1', inspectorId: asking, decision: 'reject', reasonCode: 'no-conflict', note: '' });
      await api.decideUnitReplacement(client, campaignId, stuckClosure.unitId, { by: 'MGR1', decision: 'reject', reasonCode: 'not-verified', note: '现场核实仍在生产' });
      expect(keys).toContain(`${campaignId}/publication-late`);

      // Everyone answers at last.
      for (const u of [recused.unitId, newUnit, ...lateOnes.map((x) => x.unitId)]) {
        const t = (await api.inspectionStatus(client, campaignId, u)).team as [string, string];
        const r = await api.submitResult(client, campaignId, u, report(t[0], [t[0], t[1]]));
        expect(r.onTime).toBe(false);
      }
      const ho = await api.decideHandover(client, campaignId, section.unitId, { by: 'MGR2', decision: 'approve' });
      expect(ho).toMatchObject({ decision: 'approve', handling: null, documents: [], documentFollows: true });

      const result = await handle.result();
      // The document followed the answer, from the inspection's main loop.
      const handed = await api.inspectionStatus(client, campaignId, section.unitId);
      expect(handed.phase).toBe('done');
      expect(handed.documents).toHaveLength(1);
      expect(handed.documents[0]!.kind).toMatch(/^(transfer-form|supervision-notice)$/);
      expect(handed.documents[0]!.number).toMatch(/^信环执(交|监)〔2024〕第001号$/);
      expect(result.stats).toEqual({
        drawn: 7,
        inspected: 7,
        onTime: 2,
        overdue: 5,
        escalated: 5,
        findings: 1,
        ownCases: 0,
        handedOver: 1,
        handoverRejected: 0,
        referred: 0,
        notInspected: 0, // the closed unit's place was inspected through its replacement
        replacedUnits: 1,
        replacedInspectors: 1,
        failed: 0,
        drawOverdue: true,
        publishedOnTime: false,
        changeListsMissing: ['county-xixian'],
      });
      expect(result.publication.late).toBe(true);
      expect(fs.existsSync(path.join(result.publication.location, 'draw-record.json'))).toBe(true);
      const replacements = JSON.parse(fs.readFileSync(path.join(result.publication.location, 'replacements.json'), 'utf8'));
      expect(replacements.map((r: { kind: string; reason: string; approved_by: string }) => [r.kind, r.reason, r.approved_by])).toEqual([
        ['inspector', 'kinship', 'MGR2'],
        ['unit', 'closed', 'MGR1'],
      ]);
      const notices = readNotices(fx.mailDb);
      expect(notices.find((n) => n.key.endsWith(`${section.unitId}/handover`))?.attachments).toBe(1);
      await saveHistory(handle, 'campaign-late-quarter-v2');
      await saveHistory(client.workflow.getHandle(`${campaignId}.unit.${section.unitId}`), 'inspection-late-handover-v2');
      await saveHistory(client.workflow.getHandle(`${campaignId}.unit.${closed.unitId}`), 'inspection-unit-replaced-v2');
      await saveHistory(client.workflow.getHandle(`${campaignId}.unit.${stuckRecusal.unitId}`), 'inspection-request-overdue');
      // Since approval-reminders (the saved histories above keep the paths before it):
      await saveHistory(client.workflow.getHandle(`${campaignId}.unit.${stuckRecusal.unitId}`), 'inspection-request-reminded');
      await saveHistory(client.workflow.getHandle(`${campaignId}.unit.${section.unitId}`), 'inspection-handover-reminded');
    });
    mail.close();
  });
});
