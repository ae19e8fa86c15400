// One quarter of the programme: registry update window → freeze → witnessed draw → sealed list →
// inspections (through batch children) → publication → closed with statistics. Every deadline is
// a programme date from the calendar, turned into a timer by the programme clock.
import { allHandlersFinished, ApplicationFailure, condition, executeChild, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { addDays, addWorkingDays, CalendarError, quarterEnd, quarterStart } from '../domain/calendar';
import { endOfDayMs, programmeDate, programmeInstantIso, resolveClock, startOfDayMs } from '../domain/programme-clock';
import { changeListSubmissionSchema, firstIssue, witnessEntropySchema, witnessRoles, type WitnessEntropy, type WitnessRole } from '../domain/messages';
import type { CampaignSettings } from '../activities/campaign/activities';
import { acts, reject, visibilityFor, waitUntil } from './common';
import { addTally, emptyTally, inspectionBatchWorkflow } from './batch';
import {
  batchWorkflowId,
  campaignStatusQuery,
  giveEntropyUpdate,
  submitChangeListUpdate,
  type CampaignInput,
  type CampaignPhase,
  type CampaignResult,
  type CampaignStats,
  type CampaignStatus,
} from './definitions';

const DEFAULT_BATCH_SIZE = 250;
const MAX_BATCH_SIZE = 500;

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignResult> {
  const visibility = visibilityFor(input.searchAttributes);
  const campaignId = workflowInfo().workflowId;
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
  let drawOverdue = false;
  let sealed: CampaignStatus['sealed'] = null;
  const inspections = { batches: 0, finished: 0, total: 0 };
  let publication: CampaignStatus['publication'] = null;
  let publicationLate = false;
  let stats: CampaignStats | null = null;
  const overdue: string[] = [];

  // --- dates, from the calendar (a quarter outside it fails at once with the calendar's reason) --
  let dates: CampaignStatus['dates'];
  try {
    const start = quarterStart(year, quarter);
    const inspectionDue = quarterEnd(year, quarter);
    dates = {
      windowCloses: addDays(start, -1),
      drawDue: start, // replaced below once the programme's draw day is known
      inspectionDue,
      escalateAfter: inspectionDue,
      publicationDue: inspectionDue,
    };
  } catch (err) {
    if (err instanceof CalendarError) throw ApplicationFailure.create({ message: `campaign ${campaignId}: ${err.message}`, nonRetryable: true });
    throw err;
  }

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

  setHandler(campaignStatusQuery, (): CampaignStatus => {
    const waitingOn: string[] = [];
    if (phase === 'update-window') for (const b of missingBrigades()) waitingOn.push(`brigade ${b} (change list)`);
    if (phase === 'draw') for (const r of witnessRoles) if (!witnesses.has(r)) waitingOn.push(`witness ${r}`);
    if (phase === 'inspection') waitingOn.push(`inspections: ${inspections.total - inspections.finished} of ${inspections.total} not yet finished`);
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
      witnesses: [...witnesses.values()].map((w) => ({ role: w.role, personId: w.personId })),
      sealed,
      inspections: { ...inspections },
      publication,
      overdue: [...overdue],
      waitingOn,
      stats,
    };
  });

  function missingBrigades(): string[] {
    return (brigades ?? []).map((b) => b.id).filter((b) => !submitted.has(b));
  }
  function setPhase(p: CampaignPhase): void {
    phase = p;
    visibility({ phase: p });
  }

  // --- 1. update window --------------------------------------------------------------------------
  visibility({ year, quarter, phase });
  const prep = await acts.prepareCampaign({ campaignId, programmeId: input.programmeId, year, quarter, rosterAsOf: dates.windowCloses });
  settings = prep.settings;
  brigades = prep.brigades;
  try {
    dates.drawDue = addDays(quarterStart(year, quarter), settings.drawByDayOfFirstMonth - 1);
    dates.escalateAfter = addWorkingDays(dates.inspectionDue, settings.graceWorkingDays);
    dates.publicationDue = addWorkingDays(dates.inspectionDue, settings.publicationWorkingDays);
  } catch (err) {
    if (err instanceof CalendarError) throw ApplicationFailure.create({ message: `campaign ${campaignId}: ${err.message}`, nonRetryable: true });
    throw err;
  }
  const allSubmitted = () => missingBrigades().length === 0;
  const reminderOn = addWorkingDays(dates.windowCloses, -settings.changeListReminderWorkingDays);
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
  const frozen = await acts.freezeCampaign({ campaignId, quarter, asOf: dates.windowCloses });
  manifest = { digest: frozen.manifestDigest, units: frozen.counts.units, inspectors: frozen.counts.inspectors, pools: frozen.counts.pools };
  witnessRoster = { admin: frozen.witnesses.admin, discipline: frozen.witnesses.discipline };

  // --- 3. witnessed draw -------------------------------------------------------------------------
  setPhase('draw');
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
  const drawn = await acts.drawCampaign({ campaignId, witnesses: witnessRoles.map((r) => witnesses.get(r)!), batchSize });
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
      const out = await executeChild(inspectionBatchWorkflow, {
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
            settings: { reminderDaysBeforeDue: settings!.inspectionDaysBeforeDue, approvalWorkingDays: settings!.approvalWorkingDays },
            searchAttributes: input.searchAttributes,
          },
        ],
      });
      addTally(tally, out.tally);
      // Replacement units add inspections; "finished" counts drawn places, not workflows.
      inspections.finished += out.tally.inspections - out.tally.replacedUnits;
      batchesDone++;
    }),
  );
  if (!(await waitUntil(() => batchesDone === drawn.batches.length, endOfDayMs(clock, dates.publicationDue)))) {
    publicationLate = true;
    overdue.push(`publication not made by ${dates.publicationDue}`);
    await acts.sendNotice({
      key: `${campaignId}/publication-late`,
      campaignId,
      kind: 'publication-late',
      to: { roles: ['detachment-leader'] },
      params: { publicationDue: dates.publicationDue, open: inspections.total - inspections.finished },
      at: programmeInstantIso(clock, Date.now()),
    });
  }
  await fanIn;

  // --- 5. publication ----------------------------------------------------------------------------
  setPhase('publication');
  const pub = await acts.publishCampaign({ campaignId, quarter, publishedOn: today() });
  const late = publicationLate || pub.publishedOn > dates.publicationDue;
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
  await condition(allHandlersFinished);
  return { campaignId, stats, publication };
}
