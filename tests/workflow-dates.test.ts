// Issue 9, determinism across data edits and typed refusals:
// - a campaign takes its working-day calendar from an activity and keeps it in its history, so a
//   holiday edit (or a programme edit) after it started changes none of its dates, while a quarter
//   started after the edit gets the new ones (time-skipping server, a worker restarted between);
// - a quarter whose deadlines need a year its recorded calendar lacks starts and runs on to its
//   draw with them pending (computed when needed: tests/workflow-q4-deadlines.test.ts);
// - the activities refuse, typed and non-retryable, what a retry cannot cure (a rehearsal clock
//   the worker does not allow, a workflow id that would escape the data folder, a campaign the
//   store does not hold, a manifest changed after the freeze), and leave SQLITE_BUSY retryable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, eventually, readNotices, recordingMail, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { createActivities, type CampaignActivityDeps } from '../activities';
import { classifyFailure, withTypedRefusals } from '../activities/steps/refusals';
import { addDays, addWorkingDays, bundledCalendar, CalendarError, WorkingCalendar, type CalendarData } from '../domain/calendar';
import { resumeParkedStepSchema } from '../domain/parking';
import { UnsafeWorkflowIdError, workflowIdProblem } from '../domain/workflow-id';
import { drawNoticeDir } from '../files/publication/draw-notice';
import { REAL_CLOCK, type ResolvedClock } from '../domain/programme-clock';
import * as api from '../client/temporal';
import { campaignWorkflowId, type CampaignStatus } from '../workflows/definitions';
import { tamperStoredManifest } from './helpers/manifest-blob';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture('dates-2024');
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** The refusal an activity call failed with (it must be a non-retryable ApplicationFailure). */
async function refusal(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected a typed refusal, got ${err === null ? 'success' : String(err)}`);
  expect(err.nonRetryable).toBe(true);
  return err;
}

/** config/calendar-cn.json with two made-up weeks of holidays in 2024 (8–12 April, 14–18 October). */
function editedCalendar(): CalendarData {
  const data = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'config', 'calendar-cn.json'), 'utf8')) as CalendarData;
  const y2024 = data.years.find((y) => y.year === 2024)!;
  y2024.holidays.push({ name: '测试假期一', from: '2024-04-08', to: '2024-04-12' }, { name: '测试假期二', from: '2024-10-14', to: '2024-10-18' });
  return data;
}

describe('a working-day calendar slice', () => {
  it('answers as the calendar it was cut from, and refuses a day outside it by name', () => {
    const slice = bundledCalendar.slice('2023-11-01', '2024-10-31');
    expect(slice.restWeekdays).toContain('2024-02-12'); // 春节
    expect(slice.workingWeekends).toContain('2024-02-04'); // 调休上班
    expect(slice.notices).toEqual(bundledCalendar.notices.filter((n) => n.year === 2023 || n.year === 2024).map((n) => n.number));
    const cal = WorkingCalendar.fromSlice(JSON.parse(JSON.stringify(slice)));
    for (const [from, n] of [['2023-12-31', -5], ['2024-03-31', 20], ['2024-02-08', 3], ['2024-09-30', 5]] as const) {
      expect(cal.addWorkingDays(from, n), `${from} ${n}`).toBe(addWorkingDays(from, n));
    }
    expect(() => cal.addWorkingDays('2024-10-25', 10)).toThrow(CalendarError);
    expect(() => cal.addWorkingDays('2024-10-25', 10)).toThrow(/2024-11-01 is outside the calendar recorded when the campaign started \(2023-11-01 to 2024-10-31\)/);
    // A slice is checked like the data: a "rest weekday" on a Sunday is refused.
    expect(() => WorkingCalendar.fromSlice({ ...slice, restWeekdays: ['2024-03-03'] })).toThrow(/rest weekday 2024-03-03 is a Saturday or Sunday/);
    // Clipped to what the calendar holds.
    expect(bundledCalendar.slice('2026-10-01', '2027-06-30').last).toBe('2026-12-31');
  });
});

describe('typed refusals of the activities (real SQLite store)', () => {
  // A store of their own: the workflow tests below claim quarters of `fx`'s programme.
  let ux: Fixture;
  beforeAll(async () => {
    ux = await createFixture('dates-units-2024');
  });
  afterAll(() => {
    if (ux) fs.rmSync(ux.dir, { recursive: true, force: true });
  });
  const deps = (extra: Partial<CampaignActivityDeps> = {}): CampaignActivityDeps => ({
    dataDir: ux.dataDir,
    programme: ux.programme,
    mail: recordingMail(ux.mailDb),
    ...extra,
  });
  const prep = (campaignId: string, clock?: ResolvedClock) => ({
    campaignId,
    programmeId: ux.programme.id,
    year: 2024,
    quarter: 1 as const,
    rosterAsOf: '2023-12-31',
    ...(clock ? { clock } : {}),
  });
  const rehearsal = { mode: 'rehearsal' as const, programmeStart: '2023-12-28', startedAt: 0, secondsPerDay: 60 };

  it('refuses a rehearsal clock unless the worker allows it, naming the setting', async () => {
    const strict = createActivities(deps());
    try {
      const err = await refusal(strict.prepareCampaign(prep('campaign-dates-units-2024q1', rehearsal)));
      expect(err.type).toBe('RehearsalClockRefused');
      expect(err.message).toMatch(/campaign campaign-dates-units-2024q1: it runs on a rehearsal clock .*SSJ_ALLOW_REHEARSAL_CLOCK=true/);
      // A real clock (or none, as older campaigns pass) is fine on the same worker.
      await expect(strict.prepareCampaign(prep('campaign-dates-units-2024q1', REAL_CLOCK))).resolves.toHaveProperty('settings');
      await expect(strict.prepareCampaign(prep('campaign-dates-units-2024q1'))).resolves.toHaveProperty('settings');
    } finally {
      strict.close();
    }
    const rehearsing = createActivities(deps({ allowRehearsalClock: true }));
    try {
      await expect(rehearsing.prepareCampaign(prep('campaign-dates-units-2024q1', rehearsal))).resolves.toHaveProperty('brigades');
    } finally {
      rehearsing.close();
    }
  });

  it('refuses a workflow id that would leave the data folder, before anything is written', async () => {
    const acts = createActivities(deps());
    try {
      for (const bad of ['../x', 'a/../../x', '.hidden', 'a\0b', 'a b', '']) {
        const err = await refusal(acts.freezeCampaign({ campaignId: bad, quarter: 1, asOf: '2023-12-31' }));
        expect(err.type).toBe('UnsafeWorkflowId');
        expect(err.message).toMatch(/^activity freezeCampaign \(campaign [^]*\): workflow id .* cannot name a folder: it must match/);
      }
      // The same check where the notices folder is named (read by the publication and the console).
      expect(() => drawNoticeDir(ux.dataDir, '../x')).toThrow(UnsafeWorkflowIdError);
      expect(fs.existsSync(path.join(ux.dataDir, 'x'))).toBe(false);
      expect(fs.existsSync(path.join(ux.dir, 'x'))).toBe(false);
    } finally {
      acts.close();
    }
    // The ids the programme makes, and a Schedule's (the scheduled time appended), pass.
    for (const ok of [campaignWorkflowId('city-2024', 2024, 2), 'campaign-city-2024-2024q2-2024-04-01T00:00:00Z', 'campaign-x-2024q1.batch.3', 'campaign-x-2024q1.insp.0123abcd']) {
      expect(workflowIdProblem(ok), ok).toBeNull();
    }
  });

  it('refuses a campaign the store does not hold, and a manifest changed after the freeze', async () => {
    const acts = createActivities(deps({ allowRehearsalClock: true }));
    try {
      const missing = await refusal(acts.drawCampaign({ campaignId: 'campaign-nowhere', witnesses: [], batchSize: 10 }));
      expect(missing.type).toBe('StoreRefused');
      expect(missing.message).toMatch(/^activity drawCampaign \(campaign campaign-nowhere\): campaign campaign-nowhere is not in the campaign store/);

      const id = 'campaign-dates-units-2024q2';
      await acts.prepareCampaign({ ...prep(id), quarter: 2, rosterAsOf: '2024-03-31' });
      await acts.freezeCampaign({ campaignId: id, quarter: 2, asOf: '2024-03-31', spec: 'ssj-draw/2' });
      tamperStoredManifest(ux.dataDir, id, 'units.csv', 'X99,general,shihe\n');
      const changed = await refusal(acts.drawCampaign({ campaignId: id, witnesses: [], batchSize: 10 }));
      expect(changed.type).toBe('ManifestRefused');
      expect(changed.message).toMatch(/^campaign campaign-dates-units-2024q2: the frozen manifest: blob [0-9a-f]{64} in .* is damaged/);
    } finally {
      acts.close();
    }
  });

  it('types a bad calendar file and a zod refusal; leaves SQLITE_BUSY retryable', async () => {
    const file = path.join(ux.dir, 'broken-calendar.json');
    fs.writeFileSync(file, '{ "years": [');
    const acts = createActivities(deps({ calendarFile: file }));
    try {
      const err = await refusal(acts.campaignCalendar({ campaignId: 'campaign-dates-units-2024q3', from: '2024-05-01', to: '2024-12-31' }));
      expect(err.type).toBe('CalendarRefused');
      expect(err.message).toContain(`calendar file ${file}: not JSON`);
    } finally {
      acts.close();
    }

    const parsed = resumeParkedStepSchema.safeParse({ by: '', note: 1 });
    expect(parsed.success).toBe(false);
    const zod = classifyFailure(parsed.error, 'activity x (campaign c)') as ApplicationFailure;
    expect(zod).toBeInstanceOf(ApplicationFailure);
    expect(zod.type).toBe('InvalidInput');
    expect(zod.message).toMatch(/^activity x \(campaign c\): invalid input: by: /);

    // A real SQLITE_BUSY: one connection holds the write lock, another gives up at once.
    const dbFile = path.join(ux.dir, 'busy.db');
    const holder = new Database(dbFile);
    holder.exec('CREATE TABLE t (x INTEGER)');
    const other = new Database(dbFile, { timeout: 0 });
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const wrapped = withTypedRefusals({ write: async (_a: { campaignId: string }) => other.prepare('INSERT INTO t VALUES (1)').run() });
      const busy = await wrapped.write({ campaignId: 'campaign-c' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(busy).toBeInstanceOf(Database.SqliteError);
      expect((busy as { code: string }).code).toBe('SQLITE_BUSY');
      expect(busy).not.toBeInstanceOf(ApplicationFailure);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      other.close();
    }
  });
});

describe('dates from an activity, on the time-skipping server', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
    env = await createTimeSkippingEnv();
  }, 180_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('keeps a running quarter on the calendar and settings it started with; a new quarter gets the edited ones', async () => {
    const taskQueue = uniqueTaskQueue('dates');
    const calendarFile = path.join(fx.dir, 'calendar.json');
    fs.copyFileSync(path.join(__dirname, '..', 'config', 'calendar-cn.json'), calendarFile);
    const mail = recordingMail(fx.mailDb);
    const worker = async (programme = fx.programme) =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: createActivities({ dataDir: fx.dataDir, programme, mail, calendarFile, allowRehearsalClock: true }),
        // No cache: every workflow task replays the history on the worker of the moment (and no
        // task waits on the sticky queue of the worker that was stopped).
        maxCachedWorkflows: 0,
      });
    const client = env.client;
    const q1 = campaignWorkflowId(fx.programme.id, 2024, 1);
    const q3 = campaignWorkflowId(fx.programme.id, 2024, 3);
    const datesSettled = (id: string) =>
      eventually(async () => {
        const s = await api.campaignStatus(client, id);
        return s.dates.publicationDue !== s.dates.inspectionDue ? s : null;
      }, `${id}: dates`);
    const p = fx.programme;

    // --- Q1 starts on the calendar as shipped, with the programme as it was ---
    let before: CampaignStatus;
    const w1 = await worker();
    await w1.runUntil(async () => {
      await api.startCampaign(
        client,
        { programmeId: p.id, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-15', secondsPerDay: 86_400 }, searchAttributes: false },
        { taskQueue },
      );
      before = await datesSettled(q1);
    });
    expect(before!.dates).toEqual({
      windowCloses: '2023-12-31',
      drawDue: `2024-01-${String(p.deadlines.drawByDayOfFirstMonth).padStart(2, '0')}`,
      inspectionDue: '2024-03-31',
      escalateAfter: addWorkingDays('2024-03-31', p.escalation.graceWorkingDays),
      publicationDue: addWorkingDays('2024-03-31', p.deadlines.publicationWorkingDays),
    });

    // --- the calendar gets a week of holidays in April and July, the programme 5 more working
    // days to publish; the worker restarts (a new worker replays Q1 from its history) ---
    fs.writeFileSync(calendarFile, JSON.stringify(editedCalendar()));
    const edited = WorkingCalendar.fromData(editedCalendar(), 'edited');
    const later = { ...p, deadlines: { ...p.deadlines, publicationWorkingDays: p.deadlines.publicationWorkingDays + 5 } };
    expect(addWorkingDays('2024-03-31', later.deadlines.publicationWorkingDays, edited)).not.toBe(before!.dates.publicationDue);

    const w2 = await worker(later);
    await w2.runUntil(async () => {
      // Past the window's close: Q1 replays on the new worker, freezes and waits for its witnesses.
      await env.sleep('20 days');
      const now = await eventually(async () => {
        const s = await api.campaignStatus(client, q1);
        return s.phase === 'draw' ? s : null;
      }, 'Q1 frozen');
      expect(now.dates).toEqual(before!.dates);

      const h3 = await api.startCampaign(
        client,
        { programmeId: p.id, year: 2024, quarter: 3, clock: { mode: 'rehearsal', programmeStart: '2024-06-20', secondsPerDay: 86_400 }, searchAttributes: false },
        { taskQueue },
      );
      const s3 = await datesSettled(q3);
      expect(s3.dates.escalateAfter).toBe(addWorkingDays('2024-09-30', p.escalation.graceWorkingDays, edited));
      expect(s3.dates.publicationDue).toBe(addWorkingDays('2024-09-30', later.deadlines.publicationWorkingDays, edited));
      expect(s3.dates.publicationDue).not.toBe(addWorkingDays('2024-09-30', p.deadlines.publicationWorkingDays));
      // The October week counts in Q3's dates: the same settings on the shipped calendar differ.
      expect(s3.dates.publicationDue).not.toBe(addWorkingDays('2024-09-30', later.deadlines.publicationWorkingDays));
      await h3.terminate('test over');

      // Q1 asked for its calendar once, in its history, where the slice lies.
      const history = await client.workflow.getHandle(q1).fetchHistory();
      const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'campaignCalendar');
      expect(scheduled).toHaveLength(1);
      await saveHistory(client.workflow.getHandle(q1), 'campaign-dates-from-activity');
      await client.workflow.getHandle(q1).terminate('test over');
    });
  }, 300_000);

  it('runs a quarter whose deadlines need a year its recorded calendar lacks with them pending, without parking at start', async () => {
    const ex = await createFixture('dates-edge-2024');
    try {
      // A calendar file that ends with 2024 (2025's notice not yet recorded): Q4's escalation and
      // publication deadlines (working days after 2024-12-31) lie outside the slice the campaign
      // records. Since `deadlines-when-needed` they wait until needed (tests/workflow-q4-deadlines.test.ts);
      // between `calendar-parks` and it the quarter parked here (tests/histories/campaign-calendar-parked.json).
      const calendarFile = path.join(ex.dir, 'calendar-to-2024.json');
      const data = editedCalendar();
      fs.writeFileSync(calendarFile, JSON.stringify({ ...data, years: data.years.filter((y) => y.year <= 2024) }));
      const taskQueue = uniqueTaskQueue('dates-edge');
      const w = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: createActivities({ dataDir: ex.dataDir, programme: ex.programme, mail: recordingMail(ex.mailDb), calendarFile }),
      });
      await w.runUntil(async () => {
        const h = await api.startCampaign(env.client, { programmeId: ex.programme.id, year: 2024, quarter: 4, searchAttributes: false }, { taskQueue });
        const id = h.workflowId;
        // On the real clock the window has long closed: the quarter goes on to its draw.
        const drawing = await eventually(async () => {
          const s = await api.campaignStatus(env.client, id);
          return s.phase === 'draw' || s.phase === 'parked' ? s : null;
        }, 'Q4 at its draw');
        expect(drawing.phase).toBe('draw');
        expect(drawing.parked).toBeNull();
        expect(drawing.dates).toMatchObject({ inspectionDue: '2024-12-31', escalateAfter: null, publicationDue: null });
        expect(drawing.dates.drawDue).toBe(addDays('2024-10-01', ex.programme.deadlines.drawByDayOfFirstMonth - 1));
        expect(readNotices(ex.mailDb).filter((n) => n.key.startsWith(`${id}/parked/`))).toEqual([]);
        const history = await h.fetchHistory();
        const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'campaignCalendar');
        expect(scheduled).toHaveLength(1); // at start only
        await h.terminate('test over');
      });
    } finally {
      fs.rmSync(ex.dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('fails a rehearsal quarter at once, typed, on a worker that does not allow rehearsals', async () => {
    const taskQueue = uniqueTaskQueue('no-rehearsal');
    const w = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb) }),
    });
    await w.runUntil(async () => {
      const h = await api.startCampaign(
        env.client,
        { programmeId: fx.programme.id, year: 2024, quarter: 4, clock: { mode: 'rehearsal', programmeStart: '2024-09-20', secondsPerDay: 60 }, searchAttributes: false },
        { taskQueue },
      );
      const err = await h.result().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause?.cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe('RehearsalClockRefused');
      expect((cause as ApplicationFailure).message).toMatch(/SSJ_ALLOW_REHEARSAL_CLOCK/);
    });
  }, 120_000);
});
