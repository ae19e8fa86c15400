// A Q4 quarter started before next year's holidays are recorded (its escalation and publication
// deadlines lie in January) runs on with those deadlines pending (`deadlines-when-needed`), on the
// time-skipping test server with a real campaign store and registry:
// - it starts, draws and runs its inspections without parking; the status and `ssj quarter status`
//   say the deadlines are pending (待定), never "null" (the console: tests/console-charts.test.ts);
// - an inspection reported before its due date never needs the escalation date;
// - an inspection overdue at the end of 2024 sends its overdue alert (the escalation date said to
//   be pending) and parks on the missing year (escalation-date); one whose result then comes in
//   goes on without an operator; one resumed once 2025 is recorded escalates on the day the full
//   calendar gives;
// - the campaign computes its deadlines at the end of the quarter: the year missing it parks
//   (quarter-dates) and, resumed from the console's quarter page once it is recorded (an admin
//   the frozen roster does not name refused, the step still parked), waits for publication until
//   the right day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { calendarUpTo, shippedCalendar } from './helpers/calendars';
import { createFixture, drawnUnits, eventually, PEOPLE, readNotices, recordingMail, report, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { formatCampaignStatus } from '../client/commands/quarter';
import { resumeInspection } from '../client/commands/resume';
import { startConsole } from './helpers/browser-console';
import { signedInClient } from './helpers/console-client';
import { addAccounts, operationsOf } from './console-quarter-fixture';
import { addWorkingDays, PENDING_DEADLINE_TEXT, WorkingCalendar } from '../domain/calendar';
import { calendarYearMissingReason, knownParkedReason } from '../domain/parking';
import { campaignWorkflowId } from '../workflows/definitions';

/** The calendar as it stood before the State Council's notice for 2025 was recorded. */
const to2024 = () => calendarUpTo(2024);

let bundle: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;
let fx: Fixture;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  env = await createTimeSkippingEnv();
  fx = await createFixture('q4pending-2024');
}, 120_000);
afterAll(async () => {
  await env?.teardown();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('a Q4 quarter started before next year is in the calendar', () => {
  it('runs on with its January deadlines pending and computes each when it is first needed', async () => {
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 4);
    const calendarFile = path.join(fx.dir, 'calendar.json');
    fs.writeFileSync(calendarFile, JSON.stringify(to2024()));
    const taskQueue = uniqueTaskQueue('q4-pending');
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, calendarFile, allowRehearsalClock: true });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
    const client = env.client;
    const grace = fx.programme.escalation.graceWorkingDays;
    const full = WorkingCalendar.fromData(shippedCalendar(), 'shipped');
    try {
      await worker.runUntil(async () => {
        // The update window opens in late September: 2025's holidays are months away.
        const handle = await api.startCampaign(
          client,
          { programmeId, year: 2024, quarter: 4, clock: { mode: 'rehearsal', programmeStart: '2024-09-25', secondsPerDay: 86_400 }, batchSize: 10, searchAttributes: false },
          { taskQueue },
        );
        const started = await eventually(async () => {
          const s = await api.campaignStatus(client, campaignId);
          return s.updateWindow.waitingFor.length === 2 ? s : null;
        }, 'brigades loaded');
        expect(started.phase).toBe('update-window');
        expect(started.parked).toBeNull();
        expect(started.dates).toMatchObject({ inspectionDue: '2024-12-31', escalateAfter: null, publicationDue: null });
        expect(started.dates.drawDue).toMatch(/^2024-10-/);
        const shown = formatCampaignStatus(started);
        expect(shown).toMatch(new RegExp(`publication due +${PENDING_DEADLINE_TEXT}`));
        expect(shown).toContain(`(escalated after ${PENDING_DEADLINE_TEXT})`);
        expect(shown).not.toContain('null');

        await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
        await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
        await env.sleep('7 days');
        await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase');
        await api.holdWitnessCeremony(client, campaignId, [
          { role: 'admin', personId: PEOPLE.admin, entropy: 'Q4PendingAdminEntropy2024' },
          { role: 'discipline', personId: PEOPLE.discipline, entropy: 'Q4PendingDisciplineEntropy' },
        ]);
        await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase', 600);
        const units = drawnUnits(fx.dataDir, campaignId);
        expect(units.length).toBeGreaterThanOrEqual(3);
        const [late, reported, ...onTime] = units as [(typeof units)[number], (typeof units)[number], ...typeof units];
        for (const u of units) await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'inspection', u.unitId, 600);
        expect(await api.inspectionStatus(client, campaignId, late.unitId)).toMatchObject({ due: '2024-12-31', escalateAfter: null, overdue: false });
        // Reported before the due date: these never need the escalation date.
        for (const u of onTime) await api.submitResult(client, campaignId, u.unitId, report(u.team[0]!, u.team.slice(0, 2), { outcome: 'no-problem' }, '2024-11-05'));
        const running = await api.campaignStatus(client, campaignId);
        expect(running).toMatchObject({ phase: 'inspection', parked: null, dates: { escalateAfter: null, publicationDue: null } });

        // The quarter ends with two inspections unreported; 2025 is still not in the calendar.
        await env.sleep('91 days'); // 1 January 2025

        const reason = calendarYearMissingReason(2025, 'escalation-date');
        for (const u of [late, reported]) {
          const s = await eventually(async () => {
            const st = await api.inspectionStatus(client, campaignId, u.unitId);
            return st.phase === 'parked' ? st : null;
          }, `${u.unitId} parked`, 600);
          expect(s).toMatchObject({ overdue: true, escalated: false, escalateAfter: null, parked: { step: 'escalation-date', failureType: 'CalendarYearMissing', reason } });
        }
        expect(knownParkedReason(reason)).toBe('工作日历缺少2025年的节假日安排，无法计算逾期任务的升级督办日期。请在日历中录入该年安排后恢复。');
        // The overdue alert went out on time (its text says the escalation date is pending: tests/mail-templates.test.ts).
        const lateWf = api.inspectionHandle(client, campaignId, late.unitId).workflowId;
        await eventually(async () => readNotices(fx.mailDb).find((n) => n.key === `${lateWf}/overdue`), 'the overdue alert');
        expect(readNotices(fx.mailDb).find((n) => n.key === `${lateWf}/escalated`)).toBeUndefined();
        // The campaign needs its publication deadline now: it parks on the same missing year.
        const parked = await eventually(async () => {
          const s = await api.campaignStatus(client, campaignId);
          return s.phase === 'parked' ? s : null;
        }, 'campaign parked', 600);
        expect(parked.parked).toMatchObject({ step: 'quarter-dates', failureType: 'CalendarYearMissing', reason: calendarYearMissingReason(2025, 'quarter-dates') });
        expect(parked.dates).toMatchObject({ escalateAfter: null, publicationDue: null });

        // A result after the due date: that inspection goes on without the escalation date.
        await api.submitResult(client, campaignId, reported.unitId, report(reported.team[0]!, reported.team.slice(0, 2), { outcome: 'no-problem' }, '2025-01-02'));
        const ended = await eventually(async () => {
          const s = await api.inspectionStatus(client, campaignId, reported.unitId);
          return s.phase === 'done' ? s : null;
        }, `${reported.unitId} done`, 600);
        expect(ended).toMatchObject({ parked: null, escalated: false, escalateAfter: null, result: { onTime: false } });

        // 2025's holidays are recorded; operators resume the inspection and the campaign.
        fs.writeFileSync(calendarFile, JSON.stringify(shippedCalendar()));
        await resumeInspection(client, campaignId, late.unitId, { by: PEOPLE.admin, note: '已录入2025年节假日安排' });
        const escalateAfter = addWorkingDays('2024-12-31', grace, full);
        expect(escalateAfter.startsWith('2025-01-')).toBe(true);
        const resumed = await eventually(async () => {
          const s = await api.inspectionStatus(client, campaignId, late.unitId);
          return s.phase === 'inspection' && s.escalateAfter ? s : null;
        }, `${late.unitId} resumed`, 600);
        expect(resumed).toMatchObject({ escalateAfter, escalated: false, parked: null });
        expect(resumed.today < escalateAfter).toBe(true);
        // The detachment leader resumes the quarter from its console page (`ssj quarter resume`'s Update).
        const c = await startConsole({ personName: async () => null, temporal: client, operations: operationsOf(fx.programme, { taskQueue: 'unused', dataDir: fx.dataDir }) });
        try {
          // The console's row of the quarter, parked as the campaign's projection records it.
          await c.store.upsertCampaign({ campaignId, programmeId, year: 2024, quarter: 4, phase: 'parked', detail: { parked: { step: parked.parked!.step, reason: parked.parked!.reason } }, revision: 1, updatedAt: new Date() });
          await addAccounts(c.store, 'q4 password 1', [
            ['leader', PEOPLE.detachmentLeader, ['detachment-leader']],
            // A console admin whom the frozen roster does not name as one: the workflow refuses them.
            ['mgr-admin', 'MGR1', ['admin']],
          ]);
          const quarterPath = `/quarter?campaign=${encodeURIComponent(campaignId)}`;
          const outsider = await signedInClient(c.app, 'mgr-admin', 'q4 password 1');
          expect((await outsider.get(quarterPath)).body).toContain('action="/quarter/resume"');
          const refused = await outsider.post('/quarter/resume', { campaign: campaignId, note: '试试' });
          expect(refused.statusCode).toBe(409);
          expect(refused.body).toContain('只有本季度冻结名册中的支队领导或系统管理员可以恢复暂停的步骤，您不在其中');
          expect((await api.campaignStatus(client, campaignId)).phase).toBe('parked');
          const leader = await signedInClient(c.app, 'leader', 'q4 password 1');
          const page = await leader.get(quarterPath);
          expect(page.body).toContain('工作日历缺少2025年的节假日安排');
          expect(page.body).toContain('action="/quarter/resume"');
          const resumedQuarter = await leader.post('/quarter/resume', { campaign: campaignId, note: '已录入2025年节假日安排' });
          expect(resumedQuarter.statusCode).toBe(200);
          expect(resumedQuarter.body).toContain('已恢复执行');
          expect(await c.store.listAudit({ action: 'resume.' })).toMatchObject([
            { action: 'resume.campaign', personId: PEOPLE.detachmentLeader, target: campaignId, detail: { step: 'quarter-dates' } },
            { action: 'resume.refused', personId: 'MGR1', target: campaignId },
          ]);
        } finally {
          await c.stop();
        }
        const publicationDue = addWorkingDays('2024-12-31', fx.programme.deadlines.publicationWorkingDays, full);
        const settled = await eventually(async () => {
          const s = await api.campaignStatus(client, campaignId);
          return s.phase === 'inspection' && s.dates.publicationDue ? s : null;
        }, 'campaign deadlines', 600);
        expect(settled.dates).toMatchObject({ escalateAfter, publicationDue });
        expect(settled.parked).toBeNull();

        // Past the escalation date the unreported inspection escalates, then its result comes in.
        await env.sleep('10 days');
        const escalated = await eventually(async () => {
          const s = await api.inspectionStatus(client, campaignId, late.unitId);
          return s.escalated ? s : null;
        }, `${late.unitId} escalated`, 600);
        expect(escalated.today > escalateAfter).toBe(true);
        await eventually(async () => readNotices(fx.mailDb).find((n) => n.key === `${lateWf}/escalated`), 'the escalation notice');
        await api.submitResult(client, campaignId, late.unitId, report(late.team[0]!, late.team.slice(0, 2), { outcome: 'no-problem' }, '2025-01-30'));
        const result = await handle.result();
        expect(result.stats).toMatchObject({ drawn: units.length, escalated: 1, overdue: 2 });
        const closed = await api.campaignStatus(client, campaignId);
        expect(closed.dates).toMatchObject({ escalateAfter, publicationDue });
        expect(closed.publication).toMatchObject({ late: false });
        expect(closed.publication!.publishedOn < publicationDue).toBe(true);

        // Each parked workflow fetched 2025 once, on its resume.
        const fetched = (await handle.fetchHistory()).events?.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'campaignCalendar');
        expect(fetched).toHaveLength(2); // at start, and on the resume
        await saveHistory(handle, 'campaign-deadlines-when-needed');
        await saveHistory(api.inspectionHandle(client, campaignId, late.unitId), 'inspection-escalation-date-parked');
      });
    } finally {
      acts.close();
      mail.close();
    }
  }, 300_000);
});
