// One quarter of the programme: registry update window → freeze → witnessed draw → sealed list →
// inspections (through batch children) → publication → closed with statistics. Every deadline is
// a programme date from the calendar, turned into a timer by the programme clock.
import { allHandlersFinished, CancellationScope, condition, executeChild, patched, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { addDays, addWorkingDays, quarterEnd, quarterStart, type WorkingCalendar } from '../domain/calendar';
import { endOfDayMs, programmeDate, programmeHoursMs, programmeInstantIso, resolveClock, startOfDayMs } from '../domain/programme-clock';
import { changeListSubmissionSchema, firstIssue, witnessEntropySchema, witnessRoles, type WitnessEntropy, type WitnessRole } from '../domain/messages';
import type { CampaignSettings } from '../activities';
import { acts, handled, reject, visibilityFor, waitUntil, withCalendar } from './common';
import { WitnessCeremonies, type CeremonyGate } from './ceremony';
import { addTally, emptyTally, inspectionBatchWorkflow } from './batch';
import { NoticeQueue } from './notice-queue';
import { Parking } from './parking';
import { Projector } from './projector';
import { RecordedCalendar } from './recorded-calendar';
import {
  batchWorkflowId,
  campaignStatusQuery,
  commitWitnessUpdate,
  giveEntropyUpdate,
  revealWitnessUpdate,
  submitChangeListUpdate,
  type CampaignInput,
  type CampaignPhase,
  type CampaignResult,
  type CampaignStats,
  type CampaignStatus,
} from './definitions';

const DEFAULT_BATCH_SIZE = 250;
/** Hours after the last commitment by which every witness must reveal, when the programme says nothing. */
const DEFAULT_REVEAL_HOURS = 48;
const MAX_BATCH_SIZE = 500;
/**
 * The calendar a campaign records: from this many days before its update window closes (the
 * change-list reminder) to this many after its inspections are due (escalation, publication,
 * and the approval deadlines of late hand-overs), clipped to the years the calendar holds.
 */
const CALENDAR_DAYS_BEFORE = 60;
const CALENDAR_DAYS_AFTER = 200;

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignResult> {
  const visibility = visibilityFor(input.searchAttributes);
  const campaignId = workflowInfo().workflowId;
  // Campaigns started before ssj-draw/2 (their histories lack this marker) keep giveEntropy and a
  // v1 manifest; newer ones hold the commit-then-reveal ceremony (DRAW-SPEC section 11).
  const drawV2 = patched('ssj-draw-2');
  // Campaigns started since `dates-from-activity` ask an activity for the working-day calendar
  // and keep it in their history (and hand it to their children), so a holiday edit changes no
  // running quarter; older ones compute with the calendar bundled in the workflow code.
  const datesFromActivity = patched('dates-from-activity');
  const clock = resolveClock(input.clock, Date.now());
  const { year, quarter } = input;
  const batchSize = Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor(input.batchSize ?? DEFAULT_BATCH_SIZE)));
  const today = () => programmeDate(clock, Date.now());

  let phase: CampaignPhase = 'update-window';
  let settings: CampaignSettings | null = null;
  let brigades: { id: string; name: string; members: string[] }[] | null = null;
  const submitted = new Map<string, { brigade: string; by: string; batchId: string | null; on: string }>();
  let changeListsMissing: string[] = [];
  let manifest: CampaignStatus['manifest'] = null;
  let witnessRoster: Record<WitnessRole, string[]> | null = null;
  const witnesses = new Map<WitnessRole, WitnessEntropy>();
  const ceremonies = new WitnessCeremonies({
    nowIso: () => programmeInstantIso(clock, Date.now()),
    nowMs: () => Date.now(),
    revealMs: () => programmeHoursMs(clock, settings?.witnessRevealHours ?? DEFAULT_REVEAL_HOURS),
    isoAt: (ms) => programmeInstantIso(clock, ms),
  });
  let drawOverdue = false;
  let sealed: CampaignStatus['sealed'] = null;
  const inspections = { batches: 0, finished: 0, total: 0 };
  let publication: CampaignStatus['publication'] = null;
  let publicationLate = false;
  let stats: CampaignStats | null = null;
  const overdue: string[] = [];
  const failedBatches: NonNullable<CampaignStatus['failedBatches']> = [];

  // --- dates: the quarter's own need no calendar; the working-day ones follow once the settings
  // and (since `dates-from-activity`) the recorded calendar are in (a bad quarter fails at once).
  const dates: CampaignStatus['dates'] = withCalendar(`campaign ${campaignId}`, () => {
    const start = quarterStart(year, quarter);
    const inspectionDue = quarterEnd(year, quarter);
    return {
      windowCloses: addDays(start, -1),
      drawDue: start, // replaced below once the programme's draw day is known
      inspectionDue,
      escalateAfter: inspectionDue,
      publicationDue: inspectionDue,
    };
  });

  // --- messages (registered before the first await so early callers get a clear answer) ---------
  setHandler(
    submitChangeListUpdate,
    async (msg) => {
      const s = changeListSubmissionSchema.parse(msg);
      const entry = { brigade: s.brigade, by: s.by, batchId: s.batchId, on: today() };
      submitted.set(s.brigade, entry);
      await acts.recordChangeList({ campaignId, ...entry });
      return { ...entry, waitingFor: missingBrigades() };
    },
    {
      validator: (msg) => {
        const p = changeListSubmissionSchema.safeParse(msg);
        if (!p.success) reject(`submitChangeList: ${firstIssue(p.error)}`);
        const s = p.data;
        if (!brigades) reject('submitChangeList: the campaign is still starting; try again in a moment');
        if (phase !== 'update-window') reject(`submitChangeList: the update window closed on ${dates.windowCloses}; the campaign is in phase ${phase}`);
        const b = brigades.find((x) => x.id === s.brigade);
        if (!b) reject(`submitChangeList: ${s.brigade} is not a brigade of the registry (brigades: ${brigades.map((x) => x.id).join(', ')})`);
        if (!b.members.includes(s.by)) reject(`submitChangeList: ${s.by} is not a member of ${s.brigade} (${b.name})`);
        const prior = submitted.get(s.brigade);
        if (prior) reject(`submitChangeList: ${s.brigade} already submitted its change list (by ${prior.by} on ${prior.on})`);
      },
    },
  );

  setHandler(
    giveEntropyUpdate,
    (msg) => {
      const w = witnessEntropySchema.parse(msg);
      witnesses.set(w.role, w);
      return {
        role: w.role,
        personId: w.personId,
        manifestDigest: manifest!.digest,
        given: witnessRoles.filter((r) => witnesses.has(r)),
        waitingFor: witnessRoles.filter((r) => !witnesses.has(r)),
      };
    },
    {
      validator: (msg) => {
        if (drawV2) reject('giveEntropy: this campaign draws by ssj-draw/2: each witness commits, then reveals (Updates commitWitness and revealWitness; ssj witness commit, then ssj witness reveal); entropy is never sent in clear');
        const p = witnessEntropySchema.safeParse(msg);
        if (!p.success) reject(`giveEntropy: ${firstIssue(p.error)}`);
        const w = p.data;
        if (phase !== 'draw' || !witnessRoster || !manifest) {
          reject(`giveEntropy: the campaign is in phase ${phase}; entropy is taken only in phase draw, after the freeze has fixed the manifest digest`);
        }
        if (witnesses.size >= witnessRoles.length) reject('giveEntropy: both witnesses have given entropy; the draw is running or done');
        if (!witnessRoster[w.role].includes(w.personId)) reject(`giveEntropy: ${w.personId} does not hold the role ${w.role} in the frozen roster`);
        const prior = witnesses.get(w.role);
        if (prior) reject(`giveEntropy: the ${w.role} witness has already given entropy (${prior.personId})`);
        for (const other of witnesses.values()) {
          if (other.personId === w.personId) reject(`giveEntropy: ${w.personId} is already the ${other.role} witness; the two witnesses must be different persons`);
        }
      },
    },
  );

  // ssj-draw/2: commit, then reveal. The validators refuse, before anything is recorded, a message
  // in the wrong phase, from the wrong person, a duplicate, a reveal before every commitment, and
  // a reveal that does not reproduce its commitment.
  const ceremonyGate = (): CeremonyGate => {
    if (!drawV2) return { open: false, why: 'this campaign started before ssj-draw/2; its witnesses give entropy with giveEntropy (ssj witness entropy)' };
    if (phase !== 'draw' || !witnessRoster || !manifest) {
      return { open: false, why: `the campaign is in phase ${phase}; the witness ceremony is held only in phase draw, after the freeze has fixed the manifest digest` };
    }
    return { open: true, manifestDigest: manifest.digest, roster: witnessRoster };
  };
  setHandler(commitWitnessUpdate, (msg) => ({ ...ceremonies.commit(msg), manifestDigest: manifest!.digest }), {
    validator: (msg) => ceremonies.validateCommit(msg, ceremonyGate()),
  });
  setHandler(revealWitnessUpdate, (msg) => ceremonies.reveal(msg), {
    validator: (msg) => ceremonies.validateReveal(msg, ceremonyGate()),
  });

  setHandler(campaignStatusQuery, (): CampaignStatus => {
    const waitingOn: string[] = [];
    if (phase === 'update-window') for (const b of missingBrigades()) waitingOn.push(`brigade ${b} (change list)`);
    if (phase === 'draw' && !drawV2) for (const r of witnessRoles) if (!witnesses.has(r)) waitingOn.push(`witness ${r}`);
    if (phase === 'draw' && drawV2 && !ceremonies.allRevealed()) waitingOn.push(...ceremonies.waitingOn());
    if (phase === 'inspection') waitingOn.push(`inspections: ${inspections.total - inspections.finished} of ${inspections.total} not yet finished`);
    waitingOn.push(...parking.waitingOn());
    return {
      campaignId,
      programmeId: input.programmeId,
      year,
      quarter,
      phase,
      today: today(),
      dates,
      updateWindow: { submitted: [...submitted.values()], waitingFor: phase === 'update-window' ? missingBrigades() : [] },
      manifest,
      witnesses: drawV2 ? ceremonies.participants() : [...witnesses.values()].map((w) => ({ role: w.role, personId: w.personId })),
      drawSpec: drawV2 ? 'ssj-draw/2' : 'ssj-draw/1',
      ceremony: ceremonies.status(),
      voidCeremonies: ceremonies.voids(),
      sealed,
      inspections: { ...inspections },
      publication,
      overdue: [...overdue],
      waitingOn,
      stats,
      parked: parking.parked,
      failedBatches: failedBatches.map((f) => ({ ...f })),
    };
  });

  function missingBrigades(): string[] {
    return (brigades ?? []).map((b) => b.id).filter((b) => !submitted.has(b));
  }
  function setPhase(p: CampaignPhase): void {
    phase = p;
    visibility({ phase: p });
  }

  // A step refused for data (the publication) parks until an operator resumes it. The alert's
  // queue starts only when a step parks, so campaigns that never park run as before.
  let alerts: NoticeQueue | null = null;
  let phaseBeforeParking: CampaignPhase = phase;
  const parking = new Parking({
    campaignId,
    workflowId: campaignId,
    nowIso: () => programmeInstantIso(clock, Date.now()),
    resumeHow: `ssj quarter resume --year ${year} --quarter ${quarter} --as <detachment-leader or admin>`,
    onPark: () => {
      phaseBeforeParking = phase;
      setPhase('parked');
    },
    onResume: () => setPhase(phaseBeforeParking),
    notify: (n) => (alerts ??= new NoticeQueue()).push(n),
  });

  /** ssj-draw/1 (campaigns started before the patch): both witnesses give entropy, then the draw. */
  async function entropyDraw() {
    const bothGiven = () => witnessRoles.every((r) => witnesses.has(r));
    if (!(await waitUntil(bothGiven, endOfDayMs(clock, dates.drawDue)))) {
      drawOverdue = true;
      overdue.push(`draw not held by ${dates.drawDue}`);
      await acts.sendNotice({
        key: `${campaignId}/draw-overdue`,
        campaignId,
        kind: 'draw-overdue',
        to: { roles: ['manager'] },
        params: { drawDue: dates.drawDue, waitingFor: witnessRoles.filter((r) => !witnesses.has(r)) },
        at: programmeInstantIso(clock, Date.now()),
      });
      await condition(bothGiven);
    }
    return acts.drawCampaign({ campaignId, witnesses: witnessRoles.map((r) => witnesses.get(r)!), batchSize });
  }

  /**
   * ssj-draw/2: ceremonies until one has every reveal in by its deadline; each voided one is kept,
   * stored and announced. The draw-overdue alert runs alongside, as in ssj-draw/1.
   */
  async function ceremonyDraw() {
    ceremonies.start();
    // Handled from creation: its failure (a refused notice, a cancelled campaign) surfaces at the
    // await below instead of failing the workflow task on every replay.
    const overdueWatch = handled((async () => {
      if (await waitUntil(() => ceremonies.allRevealed(), endOfDayMs(clock, dates.drawDue))) return;
      drawOverdue = true;
      overdue.push(`draw not held by ${dates.drawDue}`);
      await acts.sendNotice({
        key: `${campaignId}/draw-overdue`,
        campaignId,
        kind: 'draw-overdue',
        to: { roles: ['manager'] },
        params: { drawDue: dates.drawDue, waitingFor: ceremonies.waitingFor() },
        at: programmeInstantIso(clock, Date.now()),
      });
    })());
    for (;;) {
      await condition(() => ceremonies.allCommitted());
      await waitUntil(() => ceremonies.allRevealed(), ceremonies.revealByMs()!);
      if (ceremonies.allRevealed()) break;
      const v = ceremonies.voidAndRestart();
      await acts.recordCeremony({ campaignId, ceremony: v, outcome: 'void' });
      await acts.sendNotice({
        key: `${campaignId}/ceremony-void/${v.number}`,
        campaignId,
        kind: 'ceremony-void',
        to: { roles: ['manager'], persons: v.witnesses.map((w) => w.personId) },
        params: { ceremony: v.number, revealBy: v.revealBy ?? '', failed: v.failed.map((f) => `${f.role} ${f.personId}`), next: v.number + 1 },
        at: v.voidedAt,
      });
    }
    await overdueWatch;
    return acts.drawCampaign({ campaignId, witnesses: ceremonies.revealed(), ceremony: ceremonies.status()!, batchSize });
  }

  // The console's campaign row follows every phase change, written from its own coroutine
  // (./projector.ts). Histories from before replay without it.
  const projector = patched('console-projection')
    ? new Projector(
        () => ({ campaignId, programmeId: input.programmeId, year, quarter, phase, dates: { ...dates }, parked: parking.parked ? { step: parking.parked.step, reason: parking.parked.reason } : null }),
        (state, revision) => acts.projectCampaign({ ...state, revision, at: programmeInstantIso(clock, Date.now()) }),
      )
    : null;

  // --- 1. update window --------------------------------------------------------------------------
  visibility({ year, quarter, phase });
  // The clock goes along so the worker can refuse a rehearsal it does not allow (newer campaigns).
  const prep = await acts.prepareCampaign({ campaignId, programmeId: input.programmeId, year, quarter, rosterAsOf: dates.windowCloses, ...(datesFromActivity ? { clock } : {}) });
  settings = prep.settings;
  brigades = prep.brigades;
  const calendarSlice = datesFromActivity
    ? await acts.campaignCalendar({ campaignId, from: addDays(dates.windowCloses, -CALENDAR_DAYS_BEFORE), to: addDays(dates.inspectionDue, CALENDAR_DAYS_AFTER) })
    : undefined;
  const calendar = new RecordedCalendar(calendarSlice, campaignId, `campaign ${campaignId}`);
  const s = settings;
  /** The escalation and publication deadlines, after the quarter's end; the publication one returned. */
  const deadlines = (cal: WorkingCalendar) => {
    dates.escalateAfter = addWorkingDays(dates.inspectionDue, s.graceWorkingDays, cal);
    return (dates.publicationDue = addWorkingDays(dates.inspectionDue, s.publicationWorkingDays, cal));
  };
  const reminderDate = (cal: WorkingCalendar) => addWorkingDays(dates.windowCloses, -s.changeListReminderWorkingDays, cal);
  const quarterDates = (cal: WorkingCalendar) => {
    dates.drawDue = addDays(quarterStart(year, quarter), s.drawByDayOfFirstMonth - 1);
    deadlines(cal);
    return reminderDate(cal);
  };
  // Q4's escalation and publication deadlines fall in January, and next year's holidays are
  // published in November or December. Since `deadlines-when-needed` (asked only when the year is
  // missing) a Q4 quarter started before they are recorded runs on with both deadlines pending:
  // each inspection computes its escalation date once overdue, the campaign its deadlines once the
  // inspections are done or due (below). Histories from between `calendar-parks` and it parked
  // here until the year was recorded and an operator resumed; from before, the quarter failed.
  let deadlinesPending = false;
  const mayPark = () => (deadlinesPending = patched('deadlines-when-needed')) || patched('calendar-parks');
  let reminderOn = calendar.answer(quarterDates, mayPark);
  if (reminderOn === null && deadlinesPending) {
    Object.assign(dates, { escalateAfter: null, publicationDue: null });
    reminderOn = calendar.answer(reminderDate, () => false)!; // before the quarter's end: never next year
  }
  reminderOn ??= await calendar.parkUntilAnswered(parking, 'quarter-dates', 'quarter-dates', quarterDates);
  const allSubmitted = () => missingBrigades().length === 0;
  if (startOfDayMs(clock, reminderOn) > Date.now() && !(await waitUntil(allSubmitted, startOfDayMs(clock, reminderOn)))) {
    for (const b of missingBrigades()) {
      await acts.sendNotice({
        key: `${campaignId}/change-list-reminder/${b}`,
        campaignId,
        kind: 'change-list-reminder',
        to: { departments: [b], departmentRoles: { department: b, roles: ['brigade-leader'] } },
        params: { brigade: brigades.find((x) => x.id === b)?.name ?? b, windowCloses: dates.windowCloses },
        at: programmeInstantIso(clock, Date.now()),
      });
    }
  }
  if (!(await waitUntil(allSubmitted, endOfDayMs(clock, dates.windowCloses)))) {
    changeListsMissing = missingBrigades();
    overdue.push(`change lists missing at window close: ${changeListsMissing.join(', ')}`);
    await acts.sendNotice({
      key: `${campaignId}/change-list-missing`,
      campaignId,
      kind: 'change-list-missing',
      to: { roles: ['detachment-leader'] },
      params: { brigades: changeListsMissing, windowCloses: dates.windowCloses },
      at: programmeInstantIso(clock, Date.now()),
    });
  }

  // The freeze reads the registries as they stood when the window closed, so it waits for the
  // close even when every list came early (a backdated change recorded meanwhile still counts).
  const closeIn = endOfDayMs(clock, dates.windowCloses) - Date.now();
  if (closeIn > 0) await sleep(closeIn);

  // --- 2. freeze ---------------------------------------------------------------------------------
  setPhase('freeze');
  const frozen = await acts.freezeCampaign({ campaignId, quarter, asOf: dates.windowCloses, ...(drawV2 ? { spec: 'ssj-draw/2' as const } : {}) });
  manifest = { digest: frozen.manifestDigest, units: frozen.counts.units, inspectors: frozen.counts.inspectors, pools: frozen.counts.pools };
  witnessRoster = { admin: frozen.witnesses.admin, discipline: frozen.witnesses.discipline };

  // --- 3. witnessed draw -------------------------------------------------------------------------
  setPhase('draw');
  const drawn = drawV2 ? await ceremonyDraw() : await entropyDraw();
  sealed = { seedCommitment: drawn.seedCommitment, manifestDigest: drawn.manifestDigest, drawn: drawn.drawn };
  visibility({ departments: drawn.departments });

  // --- 4. inspections, through batch children ------------------------------------------------------
  setPhase('inspection');
  inspections.batches = drawn.batches.length;
  inspections.total = drawn.drawn;
  const tally = emptyTally();
  let batchesDone = 0;
  const fanIn = Promise.all(
    drawn.batches.map(async (b, i) => {
      let out;
      try {
        out = await executeChild(inspectionBatchWorkflow, {
          workflowId: batchWorkflowId(campaignId, i),
          args: [
            {
              campaignId,
              year,
              quarter,
              batchNo: i,
              department: b.department,
              chunk: b.chunk,
              batchSize,
              clock,
              dates: { due: dates.inspectionDue, escalateAfter: dates.escalateAfter },
              ...(calendar.slice ? { calendar: calendar.slice } : {}),
              settings: {
                reminderDaysBeforeDue: settings!.inspectionDaysBeforeDue,
                approvalWorkingDays: settings!.approvalWorkingDays,
                ...(dates.escalateAfter === null ? { graceWorkingDays: settings!.graceWorkingDays } : {}),
              },
              searchAttributes: input.searchAttributes,
            },
          ],
        });
      } catch (err) {
        // One batch's failure (terminated, a refusal loading it, a bug) must not stop the quarter:
        // its units count as failed and not inspected, as a failed inspection does, it is named in
        // the status, and the quarter goes on to publication. Decided when a batch fails, so a
        // campaign stuck on one before this patch goes on; older closed histories replay as before.
        // A cancelled campaign (its batches cancelled with it) ends as cancelled.
        if (CancellationScope.current().consideredCancelled || !patched('batch-failure-counted')) throw err;
        failedBatches.push({ batchNo: i, department: b.department, chunk: b.chunk, units: b.count, reason: rootMessage(err) });
        tally.inspections += b.count;
        tally.failed += b.count;
        tally.notInspected += b.count;
        inspections.finished += b.count;
        batchesDone++;
        return;
      }
      addTally(tally, out.tally);
      // Replacement units add inspections; "finished" counts drawn places, not workflows.
      inspections.finished += out.tally.inspections - out.tally.replacedUnits;
      batchesDone++;
    }),
  );
  // Handled from creation: a rejection before the await below must not fail the workflow task.
  handled(fanIn);
  const allBatchesDone = () => batchesDone === drawn.batches.length;
  // Deadlines pending since the start (`deadlines-when-needed`): computed once the inspections are
  // done or due, the year still missing parks until it is recorded and an operator resumes.
  let publicationDue = dates.publicationDue;
  if (publicationDue === null) {
    await waitUntil(allBatchesDone, endOfDayMs(clock, dates.inspectionDue));
    publicationDue = calendar.answer(deadlines, () => true) ?? (await calendar.parkUntilAnswered(parking, 'quarter-dates', 'quarter-dates', deadlines));
  }
  if (!(await waitUntil(allBatchesDone, endOfDayMs(clock, publicationDue)))) {
    publicationLate = true;
    overdue.push(`publication not made by ${publicationDue}`);
    await acts.sendNotice({
      key: `${campaignId}/publication-late`,
      campaignId,
      kind: 'publication-late',
      to: { roles: ['detachment-leader'] },
      params: { publicationDue, open: inspections.total - inspections.finished },
      at: programmeInstantIso(clock, Date.now()),
    });
  }
  await fanIn;

  // --- 5. publication ----------------------------------------------------------------------------
  setPhase('publication');
  const publish = () => acts.publishCampaign({ campaignId, quarter, publishedOn: today() });
  // A refused publication (broken input, a store refusal) parks; older histories failed or retried.
  const pub = patched('park-publication') ? await parking.run('publication', publish) : await publish();
  const late = publicationLate || pub.publishedOn > publicationDue;
  publication = { location: pub.location, publishedOn: pub.publishedOn, late };

  stats = {
    drawn: drawn.drawn,
    inspected: tally.inspected,
    onTime: tally.onTime,
    overdue: tally.overdue,
    escalated: tally.escalated,
    findings: tally.findings,
    ownCases: tally.ownCases,
    handedOver: tally.handedOver,
    handoverRejected: tally.handoverRejected,
    referred: tally.referred,
    notInspected: tally.notInspected,
    replacedUnits: tally.replacedUnits,
    replacedInspectors: tally.replacedInspectors,
    failed: tally.failed,
    drawOverdue,
    publishedOnTime: !late,
    changeListsMissing,
  };
  await acts.saveStats({ campaignId, stats });
  setPhase('closed');
  if (alerts) await condition(() => alerts!.idle);
  if (projector) await condition(() => projector.idle);
  await condition(allHandlersFinished);
  return { campaignId, stats, publication };
}

/** The innermost cause's message (a child's failure wraps an activity's, which wraps the refusal). */
function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown };
  while (e.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  return e.message ?? String(err);
}
