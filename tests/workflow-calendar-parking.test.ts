// A working-day computation the recorded calendar cannot answer parks instead of failing, on the
// time-skipping test server with a real campaign store and registry:
// - a hand-over reported in late December 2024 whose approval due date falls in January 2025,
//   on a campaign calendar recorded before 2025's holidays were: the inspection parks (status,
//   one alert to operations, the reason in Chinese), stays parked when resumed without the year,
//   and, once 2025 is in the calendar and an operator resumes, fetches the year through the
//   campaign's calendar activity and goes on with the due date the full calendar gives;
// - an inspection of a quarter from before `dates-from-activity` (no recorded slice) still fails,
//   typed CalendarRefused, on a year the bundled calendar lacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { calendarUpTo, shippedCalendar } from './helpers/calendars';
import { createFixture, eventually, PEOPLE, readNotices, recordingMail, report, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { createActivities } from '../activities';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { addWorkingDays, WorkingCalendar } from '../domain/calendar';
import { calendarYearMissingReason, knownParkedReason } from '../domain/parking';
import { resolveClock } from '../domain/programme-clock';
import {
  decideHandoverUpdate,
  inspectionStatusQuery,
  legacyInspectionWorkflowId,
  resumeParkedStepUpdate,
  submitResultUpdate,
  type InspectionInput,
  type InspectionOutcome,
} from '../workflows/definitions';

const programmeId = 'calpark-2024';
const campaignId = `campaign-${programmeId}-2024q4`;

/** The calendar as it stood before the State Council's notice for 2025 was recorded. */
const to2024 = () => calendarUpTo(2024);

let bundle: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;
let fx: Fixture;
let section: InspectionInput;
let calendarFile: string;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  env = await createTimeSkippingEnv();
  fx = await createFixture(programmeId);
  const mail = recordingMail(fx.mailDb);
  const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
  await freezeAndDraw(acts, campaignId, programmeId, { admin: 'CalparkAdmin2024x', discipline: 'CalparkDiscipline4' });
  // The hand-over is reported on Friday 27 December 2024: five working days reach into 2025.
  const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-12-27', secondsPerDay: 86_400 }, await env.currentTimeMs());
  const [first] = await inspectionInputs(acts, campaignId, 'section-1', clock);
  // The slice a Q4 campaign recorded in September: clipped at the end of 2024.
  const recorded = WorkingCalendar.fromData(to2024(), 'calendar-to-2024').slice('2024-08-01', '2025-04-18');
  expect(recorded.last).toBe('2024-12-31');
  section = { ...first!, quarter: 4, dates: { due: '2024-12-31', escalateAfter: '2025-01-07' }, calendar: recorded };
  calendarFile = path.join(fx.dir, 'calendar.json');
  fs.writeFileSync(calendarFile, JSON.stringify(to2024()));
  acts.close();
  mail.close();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('a due date beyond the recorded calendar parks the step', () => {
  it('parks the approval due date until 2025 is recorded and an operator resumes, then goes on with the right date', async () => {
    const wf = legacyInspectionWorkflowId(campaignId, section.unitId);
    const taskQueue = uniqueTaskQueue('calendar-parking');
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, calendarFile });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
    try {
      await worker.runUntil(async () => {
        const h = await env.client.workflow.start('inspectionWorkflow', { workflowId: wf, taskQueue, args: [section] });
        const [s1, s2] = section.team as [string, string];
        await h.executeUpdate(submitResultUpdate, { args: [report(s1, [s1, s2], { outcome: 'problems-found', description: '危废贮存场所未设置标识', referTo: null }, '2024-12-26')] });

        const parked = await eventually(async () => {
          const s = await h.query(inspectionStatusQuery);
          return s.phase === 'parked' ? s : null;
        }, 'parked', 600);
        const reason = calendarYearMissingReason(2025, 'approval-due');
        expect(parked.parked).toMatchObject({ step: 'approval-due', failureType: 'CalendarYearMissing', reason, since: expect.stringMatching(/^2024-12-27T/) });
        expect(knownParkedReason(parked.parked!.reason)).toBe('工作日历缺少2025年的节假日安排，无法计算审批期限。请在日历中录入该年安排后恢复。');
        expect(parked.waitingOn).toEqual([expect.stringMatching(/^operations: approval-due parked: the working-day calendar has no holiday arrangements for 2025, .*; once fixed: ssj inspection resume /)]);
        expect(parked.result).toMatchObject({ outcome: 'problems-found' });
        const alert = await eventually(async () => readNotices(fx.mailDb).find((n) => n.key === `${wf}/parked/1`), 'the alert');
        expect(alert.to.sort()).toEqual(['adm1@bureau.example.cn', 'adm2@bureau.example.cn', 'dl1@bureau.example.cn']);
        expect(alert.subject).toContain('“审批期限计算”因工作日历缺少节假日安排已暂停');

        // Resumed before the year is recorded: the calendar activity still lacks 2025, so it parks again.
        await h.executeUpdate(resumeParkedStepUpdate, { args: [{ by: PEOPLE.detachmentLeader, note: '先试一下' }] });
        await eventually(async () => readNotices(fx.mailDb).find((n) => n.key === `${wf}/parked/2`), 'the second alert');
        const still = await h.query(inspectionStatusQuery);
        expect(still.phase).toBe('parked');
        expect(still.parked).toMatchObject({ step: 'approval-due', reason });

        // The State Council's notice for 2025 is recorded in the calendar; an admin resumes.
        fs.writeFileSync(calendarFile, JSON.stringify(shippedCalendar()));
        await h.executeUpdate(resumeParkedStepUpdate, { args: [{ by: PEOPLE.admin, note: '已录入2025年节假日安排' }] });
        const due = addWorkingDays('2024-12-27', section.settings.approvalWorkingDays);
        expect(due).toBe('2025-01-06'); // 元旦 (1 January) is not counted
        // Asked once the resumed step has fetched the calendar and set the due date (an activity, so not at once).
        const asked = await eventually(async () => {
          const s = await h.query(inspectionStatusQuery);
          return s.phase === 'handover-approval' && s.waitingOn.some((w) => w.startsWith('manager: hand-over approval by ')) ? s : null;
        }, 'approval asked', 600);
        expect(asked.parked).toBeNull();
        expect(asked.waitingOn).toEqual([`manager: hand-over approval by ${due} (${section.authority.managers.join(', ')})`]);
        await eventually(async () => readNotices(fx.mailDb).find((n) => n.key === `${wf}/handover-approval`), 'the approval request');

        await h.executeUpdate(decideHandoverUpdate, { args: [{ by: 'MGR1', decision: 'approve', reasonCode: null, note: '' }] });
        const out = (await h.result()) as InspectionOutcome;
        expect(out).toMatchObject({ unitId: section.unitId, outcome: 'problems-found', handling: 'supervision-notice' });

        // Each resume asked the calendar activity once, recorded in the history.
        const history = await h.fetchHistory();
        const fetched = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'campaignCalendar');
        expect(fetched).toHaveLength(2);
        expect(readNotices(fx.mailDb).filter((n) => n.key.startsWith(`${wf}/parked/`)).map((n) => n.key)).toEqual([`${wf}/parked/1`, `${wf}/parked/2`]);
        await saveHistory(h, 'inspection-calendar-parked');
      });
    } finally {
      acts.close();
      mail.close();
    }
  }, 300_000);

  it('still fails, typed and named, a quarter from before dates-from-activity (no recorded slice to widen)', async () => {
    // Such an inspection computes on the calendar bundled with the code, which ends with 2026.
    const { calendar: _recorded, ...older } = section;
    const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2026-12-28', secondsPerDay: 86_400 }, await env.currentTimeMs());
    const input: InspectionInput = { ...older, clock, dates: { due: '2026-12-31', escalateAfter: '2027-01-08' } };
    const taskQueue = uniqueTaskQueue('calendar-bundled');
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: acts });
    try {
      await worker.runUntil(async () => {
        const h = await env.client.workflow.start('inspectionWorkflow', { workflowId: `${legacyInspectionWorkflowId(campaignId, section.unitId)}-bundled`, taskQueue, args: [input] });
        const [s1, s2] = section.team as [string, string];
        // Accepted is enough: the workflow fails before the Update's answer.
        await h.startUpdate(submitResultUpdate, { args: [report(s1, [s1, s2], { outcome: 'problems-found', description: '危废贮存场所未设置标识', referTo: null }, '2026-12-28')], waitForStage: WorkflowUpdateStage.ACCEPTED });
        const err = await h.result().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(WorkflowFailedError);
        const cause = (err as WorkflowFailedError).cause;
        expect(cause).toBeInstanceOf(ApplicationFailure);
        expect((cause as ApplicationFailure).type).toBe('CalendarRefused');
        expect((cause as ApplicationFailure).message).toMatch(new RegExp(`^inspection of ${section.unitId}: 2027-01-01 is outside the working-day calendar \\(2022–2026\\); add the State Council's holiday notice for 2027 to config/calendar-cn.json`));
      });
    } finally {
      acts.close();
      mail.close();
    }
  }, 120_000);
});
