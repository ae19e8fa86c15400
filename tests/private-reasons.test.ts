// Private reasons stay private: hostile, private text given as notes (a recusal, its rejection, a
// closure and its rejection, a could-not-inspect result, a rejected hand-over) and a registry
// conflict's reason travel the whole path on a real Temporal server (time-skipping), a real
// campaign store and a real publication folder, and none of it reaches any published file, while
// the programme's codes and Chinese labels do. A recusal waits for the leader in charge, who is
// named as the approver of the replacement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, withRegistry, PEOPLE, readNotices, recordingMail, report, saveHistory, type Fixture, rejection, withCampaignStore } from './helpers/campaign-fixture';
import { findInFolder, publicTexts } from '../scripts/public-folder';
import { createActivities } from '../activities';
import { conflictEntityId } from '../stores/registry-store';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { resolveClock } from '../domain/programme-clock';
import {
  declareRecusalUpdate,
  decideHandoverUpdate,
  decideRecusalUpdate,
  decideUnitReplacementUpdate,
  inspectionStatusQuery,
  reportUnitClosedUpdate,
  submitResultUpdate,
  type InspectionInput,
} from '../workflows/definitions';

const HOSTILE = '我的小舅子在该厂工作 <script>alert(1)</script> =HYPERLINK("x") \u202e司公';
const NEEDLES = ['小舅子', 'alert(1)', 'HYPERLINK', '\u202e', '司公'];
// A registry conflict's reason is a code, but it names the relation: it stays in the registry.
const CONFLICT_REASON = 'sister-runs-the-plant';

const programmeId = 'private-2024';
const campaignId = `campaign-${programmeId}-2024q1`;

let bundle: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;
let fx: Fixture;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  env = await createTimeSkippingEnv();
  fx = await createFixture(programmeId);
  const conflict = { inspectorId: 'S3', unitId: 'K05', reason: CONFLICT_REASON };
  await withRegistry(fx.dataDir, (reg) => reg.applyBatch({
    key: 'test:conflict',
    kind: 'test',
    source: 'test',
    reason: 'declared conflict',
    effectiveDate: '2023-01-01',
    changes: [{ entityKind: 'conflict', entityId: conflictEntityId(conflict), state: conflict }],
  }));
});
afterAll(async () => {
  await env?.teardown();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('reasons on the whole path, into a real publication folder', () => {
  it('publishes codes and labels only; the leader in charge decides recusals and approves replacements', async () => {
    const taskQueue = uniqueTaskQueue('private');
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
    const client = env.client;

    // The quarter's store, freeze (ssj-draw/2) and draw, as the campaign's activities make them.
    await freezeAndDraw(acts, campaignId, programmeId, { admin: '31415926535897932384', discipline: 'DiceRolls6625143321' });
    const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, await env.currentTimeMs());
    const inputs = (department: string) => inspectionInputs(acts, campaignId, department, clock);
    const general = (await inputs('brigade-shihe')).filter((x) => x.poolId.startsWith('general.'));
    const section = (await inputs('section-1'))[0]!;
    expect(general.length).toBeGreaterThanOrEqual(3);
    expect(section.authority.reasons).toEqual(fx.programme.reasons);
    const [u1, u2, u3] = general as [InspectionInput, InspectionInput, InspectionInput];

    await worker.runUntil(async () => {
      const start = (x: InspectionInput) => client.workflow.start('inspectionWorkflow', { workflowId: `${campaignId}.test.${x.unitId}`, taskQueue, args: [x] });
      const [h1, h2, h3, h4] = (await Promise.all([u1, u2, u3, section].map(start))) as WorkflowHandle[] as [WorkflowHandle, WorkflowHandle, WorkflowHandle, WorkflowHandle];

      // --- 1. An inspector declares a recusal: it waits for the leader in charge. ---
      const [lead1, second1] = u1.team as [string, string];
      expect(await rejection(h1.executeUpdate(declareRecusalUpdate, { args: [{ by: lead1, inspectorId: lead1, reasonCode: 'brother-in-law', note: HOSTILE }] }))).toBe(
        'declareRecusal: reasonCode: brother-in-law is not a recusal reason code of the programme (allowed: kinship, financial-interest, former-employment, other-interest)',
      );
      expect(await rejection(h1.executeUpdate(declareRecusalUpdate, { args: [{ by: lead1, inspectorId: lead1, reason: HOSTILE } as never] }))).toMatch(
        /declareRecusal: .*reasonCode/,
      );
      const pending = await h1.executeUpdate(declareRecusalUpdate, { args: [{ by: lead1, inspectorId: lead1, reasonCode: 'kinship', note: HOSTILE }] });
      expect(pending).toEqual({ status: 'pending', unitId: u1.unitId, inspectorId: lead1, reasonCode: 'kinship', awaitingDecisionFrom: PEOPLE.managers });
      let st = await h1.query(inspectionStatusQuery);
      expect(st.team).toEqual(u1.team);
      expect(st.pendingRecusals).toEqual([{ inspectorId: lead1, by: lead1, reasonCode: 'kinship', note: HOSTILE, on: '2024-01-15', due: '2024-01-22' }]);
      // The request's own limit: 5 working days (the programme's approval limit) from the day asked.
      expect(st.waitingOn).toEqual([`manager: decision on the recusal of ${lead1} (kinship) by 2024-01-22 (MGR1, MGR2)`]);
      expect(await rejection(h1.executeUpdate(submitResultUpdate, { args: [report(second1, [lead1, second1])] }))).toBe(
        `submitResult: the recusal of ${lead1} awaits a manager's decision (MGR1, MGR2); submit after it is decided`,
      );
      expect(await rejection(h1.executeUpdate(declareRecusalUpdate, { args: [{ by: lead1, inspectorId: lead1, reasonCode: 'kinship', note: '' }] }))).toMatch(
        /already awaits a manager's decision/,
      );
      expect(await rejection(h1.executeUpdate(decideRecusalUpdate, { args: [{ by: second1, inspectorId: lead1, decision: 'approve', reasonCode: null, note: '' }] }))).toMatch(
        /is not a manager/,
      );
      expect(await rejection(h1.executeUpdate(decideRecusalUpdate, { args: [{ by: 'MGR1', inspectorId: second1, decision: 'approve', reasonCode: null, note: '' }] }))).toBe(
        `decideRecusal: no recusal of ${second1} awaits a decision on unit ${u1.unitId} (awaiting: ${lead1})`,
      );
      expect(await rejection(h1.executeUpdate(decideRecusalUpdate, { args: [{ by: 'MGR1', inspectorId: lead1, decision: 'reject', reasonCode: 'rectified-typo', note: '' }] }))).toMatch(
        /reasonCode: rectified-typo is not a rejection reason code of the programme \(allowed: not-verified, no-conflict/,
      );

      // Two months pass with no decision: nothing decides for the manager; the first reminder (14
      // days before the 03-31 limit) still goes to the team.
      await env.sleep('65 days');
      st = await h1.query(inspectionStatusQuery);
      expect(st.pendingRecusals?.map((p) => p.inspectorId)).toEqual([lead1]);
      expect(st.team).toEqual(u1.team);
      expect(st.remindersSent).toBe(1);

      const made = await h1.executeUpdate(decideRecusalUpdate, { args: [{ by: 'MGR1', inspectorId: lead1, decision: 'approve', reasonCode: null, note: HOSTILE }] });
      expect(made).toMatchObject({ status: 'approved', unitId: u1.unitId, left: lead1, approvedBy: 'MGR1', seq: 1 });
      if (made.status !== 'approved') throw new Error('expected an approval');
      expect(made.team).not.toContain(lead1);
      st = await h1.query(inspectionStatusQuery);
      expect(st.pendingRecusals).toEqual([]);
      await h1.executeUpdate(submitResultUpdate, { args: [report(made.team[0]!, made.team)] });

      // --- 2. A recusal rejected, then a manager records a team member's recusal in one act. ---
      const [lead2, second2] = u2.team as [string, string];
      await h2.executeUpdate(declareRecusalUpdate, { args: [{ by: second2, inspectorId: second2, reasonCode: 'other-interest', note: HOSTILE }] });
      const rejected = await h2.executeUpdate(decideRecusalUpdate, { args: [{ by: 'MGR2', inspectorId: second2, decision: 'reject', reasonCode: 'no-conflict', note: HOSTILE }] });
      expect(rejected).toEqual({ status: 'rejected', unitId: u2.unitId, inspectorId: second2, reasonCode: 'no-conflict', decidedBy: 'MGR2' });
      expect((await h2.query(inspectionStatusQuery)).team).toEqual(u2.team);
      const byManager = await h2.executeUpdate(declareRecusalUpdate, { args: [{ by: 'MGR1', inspectorId: lead2, reasonCode: 'financial-interest', note: HOSTILE }] });
      expect(byManager).toMatchObject({ status: 'approved', left: lead2, approvedBy: 'MGR1', seq: 2 });
      const team2 = (await h2.query(inspectionStatusQuery)).team as [string, string];
      expect(
        await rejection(h2.executeUpdate(submitResultUpdate, { args: [report(team2[0], team2, { outcome: 'could-not-inspect', reasonCode: 'closed', note: HOSTILE })] })),
      ).toMatch(/result\.reasonCode: closed is not a could-not-inspect reason code of the programme \(allowed: suspended, refused-entry, not-found, force-majeure\)/);
      await h2.executeUpdate(submitResultUpdate, { args: [report(team2[0], team2, { outcome: 'could-not-inspect', reasonCode: 'refused-entry', note: HOSTILE })] });

      // --- 3. A closure reported, rejected, reported again, approved. ---
      const lead3 = u3.team[0]!;
      await h3.executeUpdate(reportUnitClosedUpdate, { args: [{ by: lead3, reasonCode: 'shut-down', note: HOSTILE }] });
      st = await h3.query(inspectionStatusQuery);
      expect(st.closedReport).toEqual({ by: lead3, reasonCode: 'shut-down', note: HOSTILE, due: '2024-03-27' });
      await expect(
        h3.executeUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR1', decision: 'reject', reasonCode: null, note: HOSTILE }] }),
      ).rejects.toThrow();
      const no = await h3.executeUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR1', decision: 'reject', reasonCode: 'not-verified', note: HOSTILE }] });
      expect(no).toEqual({ decision: 'reject', unitId: u3.unitId, reasonCode: 'not-verified' });
      await h3.executeUpdate(reportUnitClosedUpdate, { args: [{ by: lead3, reasonCode: 'closed', note: HOSTILE }] });
      const yes = await h3.executeUpdate(decideUnitReplacementUpdate, { args: [{ by: 'MGR2', decision: 'approve', reasonCode: null, note: HOSTILE }] });
      expect(yes).toMatchObject({ decision: 'approve', unitId: u3.unitId, seq: 3 });

      // --- 4. A section's findings; the hand-over rejected with a note. ---
      const [s1, s2] = section.team as [string, string];
      await h4.executeUpdate(submitResultUpdate, { args: [report(s1, [s1, s2], { outcome: 'problems-found', description: '废气处理设施未运行', referTo: null })] });
      for (let i = 0; i < 50 && (await h4.query(inspectionStatusQuery)).phase !== 'handover-approval'; i++) await new Promise((r) => setTimeout(r, 100));
      await h4.executeUpdate(decideHandoverUpdate, { args: [{ by: 'MGR2', decision: 'reject', reasonCode: 'rectified', note: HOSTILE }] });

      for (const h of [h1, h2, h3, h4]) await h.result();
      // Replay guards for the new paths (recorded only with SSJ_RECORD_HISTORIES=1).
      await saveHistory(h1, 'inspection-recusal-approved');
      await saveHistory(h2, 'inspection-recusal-rejected');
      await saveHistory(h3, 'inspection-closure-rejected-then-approved');
    });

    // Internally the notes are kept (staff read them); the published folder holds none of them.
    await withCampaignStore(fx.dataDir, async (store) => {
      const notes = await store.notes(campaignId);
      expect(notes.filter((n) => n.note === HOSTILE).map((n) => n.kind).sort()).toEqual(
        [
          'recusal-approved',
          'recusal-declared',
          'recusal-declared',
          'recusal-declared-and-approved',
          'recusal-rejected',
          'unit-closed',
          'unit-closed',
          'unit-replacement-approved',
          'unit-replacement-rejected',
        ].sort(),
      );
      const replacements = await store.replacements(campaignId);
      expect(replacements.map((r) => [r.kind, r.reason, r.approved_by])).toEqual([
        ['inspector', 'kinship', 'MGR1'],
        ['inspector', 'financial-interest', 'MGR1'],
        ['unit', 'closed', 'MGR2'],
      ]);
    });
    const keys = readNotices(fx.mailDb).map((n) => n.key);
    expect(keys).toContain(`${campaignId}.test.${u1.unitId}/recusal-requested/1`);
    expect(keys).toContain(`${campaignId}.test.${u2.unitId}/recusal-rejected/1`);

    const pub = await acts.publishCampaign({ campaignId, quarter: 1, publishedOn: '2024-04-20' });
    acts.close();
    mail.close();
    expect(findInFolder(pub.location, [...NEEDLES, CONFLICT_REASON])).toEqual({});
    const published = JSON.parse(fs.readFileSync(path.join(pub.location, 'replacements.json'), 'utf8')) as { kind: string; reason: string; approved_by: string }[];
    expect(published.map((r) => [r.kind, r.reason, r.approved_by])).toEqual([
      ['inspector', 'kinship', 'MGR1'],
      ['inspector', 'financial-interest', 'MGR1'],
      ['unit', 'closed', 'MGR2'],
    ]);
    const page = fs.readFileSync(path.join(pub.location, 'index.html'), 'utf8');
    for (const label of ['与检查对象有近亲属关系', '与检查对象有经济利益关系', '已关停', '未能检查（拒绝或阻挠检查）', '经审核不予移交']) expect(page, label).toContain(label);
    // The workflows' instants appear as a Chinese reader dates them, never raw.
    expect(page.match(/<td class="date">\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}<\/td>/g)?.length, 'the three changes’ times').toBe(3);
    expect(page).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const csv = fs.readFileSync(path.join(pub.location, 'results.csv'), 'utf8');
    expect(csv).toContain('未能检查（拒绝或阻挠检查）');
    const sheet = publicTexts(pub.location).find((t) => t.where === 'results.xlsx!xl/sharedStrings.xml');
    expect(sheet?.text).toContain('未能检查（拒绝或阻挠检查）');
    expect(fs.readFileSync(path.join(pub.location, 'manifest', 'conflicts.csv'), 'utf8').split('\n')[0]).toBe('inspector_id,unit_id');
  });
});
