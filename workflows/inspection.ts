// The inspection of one drawn unit: notify the team, wait for the result with reminders, an
// overdue mark at the time limit and an escalation after the grace period; recusals and a closed
// unit change the list by DRAW-SPEC section 6; findings go to their handling (own case, manager
// approval then hand-over document, or referral). Every wait is a timer; nothing polls.
import { allHandlersFinished, ApplicationFailure, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { addDays, addWorkingDays, isRealDate, type WorkingCalendar } from '../domain/calendar';
import { endOfDayMs, programmeDate, programmeInstantIso, startOfDayMs } from '../domain/programme-clock';
import {
  firstIssue,
  handoverDecisionSchema,
  recusalDecisionSchema,
  recusalSchema,
  resultReportInputSchema,
  resultReportSchema,
  unitClosedReportSchema,
  unitReplacementDecisionSchema,
  upgradeLegacyReason,
  upgradeLegacyResult,
  type HandoverDecision,
  type ResultReport,
  type UnitReplacementDecision,
} from '../domain/messages';
import { reasonCodeProblem, reasonLabel } from '../domain/programme';
import { resultDetails, type HandlingKind } from '../domain/outcomes';
import {
  declareRecusalUpdate,
  decideHandoverUpdate,
  decideRecusalUpdate,
  decideUnitReplacementUpdate,
  inspectionStatusQuery,
  legacyInspectionWorkflowId,
  reportUnitClosedUpdate,
  submitResultUpdate,
  type DocumentRef,
  type HandoverAck,
  type InspectionInput,
  type InspectionOutcome,
  type InspectionPhase,
  type InspectionStatus,
  type RecusalMade,
  type UnitReplacementAck,
} from './definitions';
import { acts, Mutex, reject, visibilityFor, waitUntil } from './common';
import { endQuietlyOnCancel, NoticeQueue, type NoticeArgs } from './notice-queue';
import { Parking, refusalOf } from './parking';
import { ProjectedDecisions } from './projected-decisions';
import { Projector } from './projector';
import { RecordedCalendar } from './recorded-calendar';

export async function inspectionWorkflow(input: InspectionInput): Promise<InspectionOutcome> {
  const visibility = visibilityFor(input.searchAttributes);
  const wfId = workflowInfo().workflowId;
  const { clock, unitId, campaignId } = input;
  let managers = input.authority.managers;
  // Reason codes with internal notes, and recusals decided by the leader in charge. Histories from
  // before replay the old way: a recusal took effect at once, approved by whoever declared it.
  const approvalV2 = patched('recusal-approval');
  // Handlers answer without waiting for mail or documents (notices leave from one coroutine), and
  // a step refused for data parks until resumed. Histories from before replay the old way.
  const fastV3 = patched('fast-handlers-parking');
  // A manager's approval whose replacement the published rules cannot give (no inspector or unit
  // left: ReplacementFailed) is refused and changes nothing: the request stays pending, its console
  // task open. Histories from before replay the old way (the request marked decided first).
  const keepsRequest = patched('replacement-refusal-keeps-request');
  // A recusal, or a closed unit's replacement, awaiting the leader in charge has a time limit of its
  // own, the programme's approval limit (as a hand-over's): the team cannot report the result until
  // it is decided. Undecided by then, the detachment leaders are asked to see to it (督办) and the
  // console's task shows the limit. Histories from before replay without it.
  const requestLimits = patched('request-approval-limits');
  // An approval still undecided as its last day begins (a hand-over's, a recusal's, a closed unit's
  // replacement's) reminds whoever decides it, once, before the 督办 at that day's end. Histories
  // from before replay without it.
  const approvalReminders = patched('approval-reminders');
  const notices = fastV3 ? new NoticeQueue() : null;
  const reasons = input.authority.reasons;
  const pendingRecusals = new Map<string, { inspectorId: string; by: string; reasonCode: string; note: string; on: string; n: number; due?: string | null }>();
  let declarations = 0;
  let closures = 0;
  let team = [...input.team];
  let phase: InspectionPhase = 'notify';
  let remindersSent = 0;
  let overdue = false;
  let escalated = false;
  let result: { report: ResultReport; onTime: boolean } | null = null;
  let handling: HandlingKind | null = null;
  const documents: DocumentRef[] = [];
  /** `due`: the last day to decide on the replacement (request-approval-limits), when it has one. */
  let closedReport: { by: string; reasonCode: string; note: string; due?: string } | null = null;
  let replacedBy: InspectionInput | null = null;
  let handoverDecision: HandoverDecision | null = null;
  let approvalDue: string | null = null;
  // Pending (null) in a Q4 quarter started before next year's holidays were recorded: computed once overdue.
  let escalateAfter = input.dates.escalateAfter;
  let approvalOverdue = false;
  let inspectorReplacements = 0;
  // When the result and the hand-over decision arrived (workflow time), for the console's "已处理".
  let resultAt: string | null = null;
  let handoverDecidedAt: string | null = null;
  const recusing = new Set<string>();
  // Recusal and replacement decisions as the console's approval tasks show them (no commands).
  const decisionsForConsole = new ProjectedDecisions();
  const replacedOnUnit = new Set<string>();
  const lock = new Mutex();
  const today = () => programmeDate(clock, Date.now());
  const at = () => programmeInstantIso(clock, Date.now());
  const waitingForResult = () => result === null && replacedBy === null;
  /** A decision on the closed unit's replacement is being made: a second one is refused. */
  let replacementDeciding = false;
  let phaseBeforeParking: InspectionPhase = phase;
  const parking = new Parking({
    campaignId,
    workflowId: wfId,
    unitId,
    nowIso: at,
    resumeHow: `ssj inspection resume ${unitId} --as <detachment-leader or admin>`,
    onPark: () => {
      phaseBeforeParking = phase;
      phase = 'parked';
      visibility({ phase: 'parked' });
    },
    onResume: () => {
      phase = phaseBeforeParking;
      visibility({ phase });
    },
    notify: (n) => notices!.push(n),
  });

  /** Queued (inspections since fast-handlers-parking) or, in older histories, sent and awaited. */
  function notify(n: NoticeArgs): Promise<unknown> {
    if (!notices) return acts.sendNotice(n);
    notices.push(n);
    return Promise.resolve();
  }
  /** A step an activity may refuse for data: parks (since fast-handlers-parking), else fails as before. */
  function parkable<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return fastV3 ? parking.run(name, fn) : fn();
  }

  // The calendar the campaign recorded, widened by a year fetched on resume (shared by the steps that
  // compute on it; declared before the handlers, which may use it from the first message on).
  let recordedCalendar: RecordedCalendar | null = null;
  const calendar = () => (recordedCalendar ??= new RecordedCalendar(input.calendar, campaignId, `inspection of ${unitId}`));

  /**
   * The last day to decide a request made today (request-approval-limits), or null: before that
   * patch, or when the day falls in a year the recorded calendar lacks (a December request before
   * next year's holidays are out: the inspection's own time limit still applies).
   */
  function requestDue(): string | null {
    if (!requestLimits) return null;
    const requestedOn = today();
    try {
      return calendar().answer((c) => addWorkingDays(requestedOn, input.settings.approvalWorkingDays, c), () => true);
    } catch (err) {
      // The calendar refused the day (CalendarRefused): no limit of its own, the request still stands.
      if (err instanceof ApplicationFailure) return null;
      throw err;
    }
  }

  /**
   * Still `pending()` as day `due` begins (approval-reminders), `deciders` are reminded once; at its
   * end (and once a decision being made then is through), the detachment leaders are told once
   * (督办). The inspection's own time limit is not touched: the request's lateness shows on its
   * task and in the notice. Ends quietly when the inspection is cancelled (its timer's
   * cancellation would otherwise be an unhandled rejection).
   */
  function watchRequest(
    due: string | null,
    pending: () => boolean,
    deciding: () => boolean,
    key: string,
    params: Record<string, unknown>,
    reminder: { key: string; deciders: string[] },
  ): void {
    if (due === null) return;
    (async () => {
      if (approvalReminders && (await remindOnLastDay(due, pending, deciding))) {
        await notify({ key: reminder.key, campaignId, kind: 'approval-reminder', to: { persons: reminder.deciders }, params: { ...params, unitId, approvalDue: due }, unitId, at: at() });
      }
      if (await waitUntil(() => !pending(), endOfDayMs(clock, due))) return;
      await condition(() => !deciding());
      if (!pending()) return;
      await notify({ key, campaignId, kind: 'request-approval-overdue', to: { roles: ['detachment-leader'] }, params: { ...params, unitId, approvalDue: due }, unitId, at: at() });
    })().catch(endQuietlyOnCancel);
  }

  /**
   * Whether an approval due on `due` is still `pending()` as that day begins (and once a decision
   * being made then is through): its deciders are then reminded. Not when the day had begun
   * already as it was asked (a limit of the same day: the request itself says so).
   */
  async function remindOnLastDay(due: string, pending: () => boolean, deciding: () => boolean = () => false): Promise<boolean> {
    const dayBegins = startOfDayMs(clock, due);
    if (dayBegins <= Date.now()) return false;
    if (await waitUntil(() => !pending(), dayBegins)) return false;
    await condition(() => !deciding());
    return pending();
  }

  // --- messages ---------------------------------------------------------------------------------

  /** Internal notes go to the campaign store (never published); older histories had none. */
  async function keepNote(key: string, kind: string, reasonCode: string | null, text: string, by: string): Promise<void> {
    if (approvalV2) await acts.recordNote({ key: `${wfId}/note/${key}`, campaignId, unitId, kind, reasonCode, note: text, by, at: at() });
  }

  /** Replaces `inspectorId` on the team by the published rule; `approvedBy` is named in the list. The caller holds `recusing`. */
  function makeRecusal(update: string, inspectorId: string, reasonCode: string, approvedBy: string): Promise<RecusalMade> {
    return lock.run(async () => {
      // A unit replacement that held the lock first ended this inspection: no team left to change.
      if (keepsRequest && replacedBy) {
        throw ApplicationFailure.create({ message: `${update}: unit ${unitId} was replaced by ${replacedBy.unitId} meanwhile; its team no longer changes`, type: 'MessageRejected', nonRetryable: true });
      }
      // Awaited in the Update: its answer is the replacement and the new team, which only the
      // replacements list (the activity) can give.
      const call = () =>
        acts.replaceInspector({
          key: `${wfId}/recusal/${inspectorId}`,
          campaignId,
          poolId: input.poolId,
          unitId,
          inspectorId,
          reason: reasonCode,
          approvedBy,
          at: at(),
        });
      // Older histories await the activity itself (another promise between would reorder commands).
      const rep = keepsRequest ? await replacementOrRefusal(update, call) : await call();
      team = rep.team;
      replacedOnUnit.add(inspectorId);
      inspectorReplacements++;
      await notify({
        key: `${wfId}/assigned/${rep.replacement}`,
        campaignId,
        kind: 'inspection-assigned',
        to: { persons: [rep.replacement] },
        params: { unitId, team, method: input.method, due: input.dates.due },
        unitId,
        at: at(),
      });
      return { status: 'approved' as const, unitId, left: inspectorId, replacement: rep.replacement, seq: rep.seq, team, approvedBy };
    });
  }

  /**
   * A replacement activity's answer; its ReplacementFailed refusal (the rules give no one) becomes
   * the Update's own failure, typed and worded, so the caller reads why and not "activity failed".
   */
  async function replacementOrRefusal<T>(update: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal?.type === 'ReplacementFailed') {
        throw ApplicationFailure.create({ message: `${update}: ${refusal.message}`, type: 'ReplacementFailed', nonRetryable: true });
      }
      throw err;
    }
  }

  setHandler(
    declareRecusalUpdate,
    async (msg) => {
      const r = recusalSchema.parse(upgradeLegacyReason(msg, 'recusal'));
      const n = ++declarations;
      if (approvalV2 && !(r.by !== r.inspectorId && managers.includes(r.by))) {
        // An inspector's own declaration waits for the leader in charge.
        const due = requestDue();
        const deciders = managers.filter((m) => m !== r.inspectorId);
        pendingRecusals.set(r.inspectorId, { inspectorId: r.inspectorId, by: r.by, reasonCode: r.reasonCode, note: r.note, on: today(), n, due });
        decisionsForConsole.requested({ kind: 'recusal', n, inspectorId: r.inspectorId, requestedBy: r.by, reasonCode: r.reasonCode, on: today(), ...(due ? { due } : {}) });
        watchRequest(
          due,
          () => pendingRecusals.get(r.inspectorId)?.n === n,
          () => recusing.has(r.inspectorId),
          `${wfId}/recusal-approval-overdue/${n}`,
          { request: 'recusal', inspectorId: r.inspectorId },
          { key: `${wfId}/recusal-approval-reminder/${n}`, deciders },
        );
        await keepNote(`recusal/${n}`, 'recusal-declared', r.reasonCode, r.note, r.by);
        await notify({
          key: `${wfId}/recusal-requested/${n}`,
          campaignId,
          kind: 'recusal-decision-requested',
          to: { persons: deciders },
          params: { unitId, inspectorId: r.inspectorId, by: r.by, reasonCode: r.reasonCode, reasonLabel: reasonLabel(reasons, 'recusal', r.reasonCode) ?? '' },
          unitId,
          at: at(),
        });
        return { status: 'pending' as const, unitId, inspectorId: r.inspectorId, reasonCode: r.reasonCode, awaitingDecisionFrom: deciders };
      }
      // A manager recording a team member's recusal decides it in the same act (or, in older
      // histories, whoever declared it).
      recusing.add(r.inspectorId);
      try {
        if (!keepsRequest) await keepNote(`recusal/${n}`, 'recusal-declared-and-approved', r.reasonCode, r.note, r.by);
        const made = await makeRecusal('declareRecusal', r.inspectorId, r.reasonCode, r.by);
        if (keepsRequest) await keepNote(`recusal/${n}`, 'recusal-declared-and-approved', r.reasonCode, r.note, r.by);
        return made;
      } finally {
        recusing.delete(r.inspectorId);
      }
    },
    {
      validator: (msg) => {
        const p = recusalSchema.safeParse(msg);
        if (!p.success) reject(`declareRecusal: ${firstIssue(p.error)}`);
        const r = p.data;
        if (!waitingForResult()) reject(`declareRecusal: unit ${unitId} is past inspection (phase ${phase}); the team can no longer change`);
        if (!team.includes(r.inspectorId)) reject(`declareRecusal: ${r.inspectorId} is not on the team of unit ${unitId} (team: ${team.join(', ')})`);
        if (recusing.has(r.inspectorId)) reject(`declareRecusal: a recusal of ${r.inspectorId} is already being processed`);
        if (pendingRecusals.has(r.inspectorId)) reject(`declareRecusal: a recusal of ${r.inspectorId} already awaits a manager's decision (decideRecusal)`);
        if (r.by !== r.inspectorId && !managers.includes(r.by)) {
          reject(`declareRecusal: ${r.by} may not declare a recusal for ${r.inspectorId}: only the inspector themself or a manager may`);
        }
        const problem = reasonCodeProblem(reasons, 'recusal', r.reasonCode);
        if (problem) reject(`declareRecusal: reasonCode: ${problem}`);
        if (approvalV2 && r.by === r.inspectorId && !managers.some((m) => m !== r.inspectorId)) {
          reject(`declareRecusal: no manager other than ${r.inspectorId} can decide this recusal`);
        }
      },
    },
  );

  setHandler(
    decideRecusalUpdate,
    async (msg) => {
      const d = recusalDecisionSchema.parse(msg);
      const pending = pendingRecusals.get(d.inspectorId)!;
      // Held in `recusing` from here on, so no result slips in between the decision and the new team.
      recusing.add(d.inspectorId);
      if (keepsRequest && d.decision === 'approve') {
        // Pending until the replacement is made: refused, the request stands as it was.
        try {
          const made = await makeRecusal('decideRecusal', d.inspectorId, pending.reasonCode, d.by);
          pendingRecusals.delete(d.inspectorId);
          decisionsForConsole.decided('recusal', pending.n, { decision: d.decision, by: d.by, at: at() });
          await keepNote(`recusal/${pending.n}/decision`, 'recusal-approved', d.reasonCode, d.note, d.by);
          return made;
        } finally {
          recusing.delete(d.inspectorId);
        }
      }
      pendingRecusals.delete(d.inspectorId);
      decisionsForConsole.decided('recusal', pending.n, { decision: d.decision, by: d.by, at: at() });
      try {
        await keepNote(`recusal/${pending.n}/decision`, d.decision === 'approve' ? 'recusal-approved' : 'recusal-rejected', d.reasonCode, d.note, d.by);
        if (d.decision === 'approve') return await makeRecusal('decideRecusal', d.inspectorId, pending.reasonCode, d.by);
        const reasonCode = d.reasonCode!;
        await notify({
          key: `${wfId}/recusal-rejected/${pending.n}`,
          campaignId,
          kind: 'recusal-rejected',
          to: { persons: [...new Set([d.inspectorId, pending.by])] },
          params: { unitId, inspectorId: d.inspectorId, by: d.by, reasonCode, reasonLabel: reasonLabel(reasons, 'rejection', reasonCode) ?? '' },
          unitId,
          at: at(),
        });
        return { status: 'rejected' as const, unitId, inspectorId: d.inspectorId, reasonCode, decidedBy: d.by };
      } finally {
        recusing.delete(d.inspectorId);
      }
    },
    {
      validator: (msg) => {
        const p = recusalDecisionSchema.safeParse(msg);
        if (!p.success) reject(`decideRecusal: ${firstIssue(p.error)}`);
        const d = p.data;
        if (!approvalV2) reject(`decideRecusal: the inspection of ${unitId} started before recusals needed a decision; a recusal there takes effect when declared`);
        if (!managers.includes(d.by)) reject(`decideRecusal: ${d.by} is not a manager (leader in charge)`);
        if (d.by === d.inspectorId) reject(`decideRecusal: ${d.by} may not decide their own recusal; another manager must`);
        if (recusing.has(d.inspectorId)) reject(`decideRecusal: a decision on the recusal of ${d.inspectorId} is already being processed`);
        if (!pendingRecusals.has(d.inspectorId)) {
          const waiting = [...pendingRecusals.keys()];
          reject(`decideRecusal: no recusal of ${d.inspectorId} awaits a decision on unit ${unitId} (awaiting: ${waiting.join(', ') || 'none'})`);
        }
        if (!waitingForResult()) reject(`decideRecusal: unit ${unitId} is past inspection (phase ${phase})`);
        if (d.reasonCode) {
          const problem = reasonCodeProblem(reasons, 'rejection', d.reasonCode);
          if (problem) reject(`decideRecusal: reasonCode: ${problem}`);
        }
      },
    },
  );

  setHandler(
    reportUnitClosedUpdate,
    async (msg) => {
      const r = unitClosedReportSchema.parse(upgradeLegacyReason(msg, 'closed'));
      const c = ++closures;
      const due = requestDue();
      closedReport = { by: r.by, reasonCode: r.reasonCode, note: r.note, ...(due ? { due } : {}) };
      decisionsForConsole.requested({ kind: 'replacement', n: c, inspectorId: null, requestedBy: r.by, reasonCode: r.reasonCode, on: today(), ...(due ? { due } : {}) });
      watchRequest(
        due,
        () => closures === c && closedReport !== null && replacedBy === null,
        () => replacementDeciding,
        `${wfId}/replacement-approval-overdue/${c}`,
        { request: 'replacement', by: r.by },
        { key: `${wfId}/replacement-approval-reminder/${c}`, deciders: managers },
      );
      await keepNote(`unit-closed/${c}`, 'unit-closed', r.reasonCode, r.note, r.by);
      await notify({
        // One notice per report: a unit reported closed again after a rejection asks the managers
        // again (the first keeps its old key, so notices already sent are not sent twice).
        key: c === 1 ? `${wfId}/unit-closed-reported` : `${wfId}/unit-closed-reported/${c}`,
        campaignId,
        kind: 'unit-replacement-requested',
        to: { persons: managers },
        params: { unitId, by: r.by, reasonCode: r.reasonCode, reasonLabel: reasonLabel(reasons, 'unitClosed', r.reasonCode) ?? '' },
        unitId,
        at: at(),
      });
      return { unitId, reportedBy: r.by, reasonCode: r.reasonCode, awaitingDecisionFrom: managers };
    },
    {
      validator: (msg) => {
        const p = unitClosedReportSchema.safeParse(msg);
        if (!p.success) reject(`reportUnitClosed: ${firstIssue(p.error)}`);
        if (!waitingForResult()) reject(`reportUnitClosed: unit ${unitId} is past inspection (phase ${phase})`);
        if (closedReport) reject(`reportUnitClosed: unit ${unitId} was already reported closed by ${closedReport.by}; a manager must decide`);
        if (!team.includes(p.data.by) && !managers.includes(p.data.by)) reject(`reportUnitClosed: ${p.data.by} is neither on the team of unit ${unitId} nor a manager`);
        const problem = reasonCodeProblem(reasons, 'unitClosed', p.data.reasonCode);
        if (problem) reject(`reportUnitClosed: reasonCode: ${problem}`);
      },
    },
  );

  setHandler(
    decideUnitReplacementUpdate,
    async (msg) => {
      const d = unitReplacementDecisionSchema.parse(upgradeLegacyReason(msg, 'other'));
      // Taken before any await, and a second decision is refused until this one is done: a reject
      // racing an approval can no longer clear the report the approval is acting on.
      const report = closedReport!;
      const closure = closures;
      replacementDeciding = true;
      // An approval counts as decided once the replacement is made: refused, the report stays open.
      const decidedNow = !keepsRequest || d.decision === 'reject';
      if (decidedNow) decisionsForConsole.decided('replacement', closure, { decision: d.decision, by: d.by, at: at() });
      try {
        const ack = await decideReplacement(d, report, closure);
        if (!decidedNow) decisionsForConsole.decided('replacement', closure, { decision: d.decision, by: d.by, at: at() });
        return ack;
      } finally {
        replacementDeciding = false;
      }
    },
    {
      validator: (msg) => {
        const p = unitReplacementDecisionSchema.safeParse(msg);
        if (!p.success) reject(`decideUnitReplacement: ${firstIssue(p.error)}`);
        if (replacementDeciding) reject(`decideUnitReplacement: a decision on replacing unit ${unitId} is already being processed`);
        if (!closedReport) reject(`decideUnitReplacement: unit ${unitId} has not been reported closed`);
        if (!waitingForResult()) reject(`decideUnitReplacement: unit ${unitId} is past inspection (phase ${phase})`);
        if (!managers.includes(p.data.by)) reject(`decideUnitReplacement: ${p.data.by} is not a manager (leader in charge)`);
        const problem = p.data.reasonCode && reasonCodeProblem(reasons, 'rejection', p.data.reasonCode);
        if (problem) reject(`decideUnitReplacement: reasonCode: ${problem}`);
      },
    },
  );

  /** A manager's decision on replacing the unit reported closed (`report`, closure number `closure`). */
  async function decideReplacement(d: UnitReplacementDecision, report: { by: string; reasonCode: string; note: string }, closure: number): Promise<UnitReplacementAck> {
    if (d.decision === 'reject') {
      closedReport = null;
      await keepNote(`unit-closed/${closure}/decision`, 'unit-replacement-rejected', d.reasonCode, d.note, d.by);
      return { decision: 'reject' as const, unitId, reasonCode: d.reasonCode };
    }
    return lock.run(async () => {
      // Awaited in the Update: its answer is the replacement unit, its team and its workflow id.
      const call = () =>
        acts.replaceUnit({
          key: `${wfId}/unit-replacement`,
          campaignId,
          poolId: input.poolId,
          unitId,
          reason: report.reasonCode,
          approvedBy: d.by,
          at: at(),
        });
      const rep = keepsRequest ? await replacementOrRefusal('decideUnitReplacement', call) : await call();
      await keepNote(`unit-closed/${closure}/decision`, 'unit-replacement-approved', null, d.note, d.by);
      await acts.recordHandling({
        campaignId,
        unitId,
        handling: 'not-inspected',
        detail: { replacedBy: rep.replacement, seq: rep.seq, report: { by: report.by, reasonCode: report.reasonCode }, approvedBy: d.by },
      });
      // The replacement's opaque id comes from the activity; an older history's result lacks it.
      const workflowId = rep.workflowId ?? legacyInspectionWorkflowId(campaignId, rep.replacement);
      replacedBy = { ...input, unitId: rep.replacement, team: rep.team, method: rep.method, replaces: unitId, workflowId };
      return {
        decision: 'approve' as const,
        unitId,
        replacement: rep.replacement,
        seq: rep.seq,
        team: rep.team,
        workflowId,
      };
    });
  }

  setHandler(
    submitResultUpdate,
    async (msg) => {
      const report = resultReportSchema.parse(upgradeLegacyResult(msg));
      const onTime = Date.now() < endOfDayMs(clock, input.dates.due);
      result = { report, onTime };
      resultAt = at();
      if (!onTime) overdue = true;
      await acts.recordResult({ campaignId, unitId, report, onTime, at: at() });
      return { unitId, outcome: report.result.outcome, onTime, next: nextHandling(report, input.authority.departmentKind) };
    },
    {
      validator: (msg) => {
        const p = resultReportInputSchema.safeParse(msg);
        if (!p.success) reject(`submitResult: ${firstIssue(p.error)}`);
        const r = p.data;
        if (replacedBy) reject(`submitResult: unit ${unitId} was replaced by ${replacedBy.unitId}; submit to ${replacedBy.workflowId ?? legacyInspectionWorkflowId(campaignId, replacedBy.unitId)}`);
        if (result) reject(`submitResult: the result for unit ${unitId} was already submitted by ${result.report.by}`);
        if (closedReport) reject(`submitResult: unit ${unitId} is reported closed; a manager must decide on its replacement first`);
        if (!team.includes(r.by)) reject(`submitResult: ${r.by} is not on the team of unit ${unitId} (team: ${team.join(', ')})`);
        const outsiders = r.present.filter((x) => !team.includes(x));
        if (outsiders.length) reject(`submitResult: present: ${outsiders.join(', ')} not on the team of unit ${unitId} (team: ${team.join(', ')})`);
        if (new Set(r.present).size !== r.present.length) reject('submitResult: present: names someone twice');
        if (!isRealDate(r.checkedOn)) reject(`submitResult: checkedOn: ${r.checkedOn} is not a real calendar date`);
        if (r.result.outcome === 'problems-found' && r.result.referTo && !(input.authority.agencies ?? []).includes(r.result.referTo)) {
          reject(`submitResult: result.referTo: ${r.result.referTo} is not an agency in the registry (agencies: ${(input.authority.agencies ?? []).join(', ') || 'none'})`);
        }
        if (r.result.outcome === 'could-not-inspect') {
          const problem = reasonCodeProblem(reasons, 'couldNotInspect', r.result.reasonCode);
          if (problem) reject(`submitResult: result.reasonCode: ${problem}`);
        }
        if (pendingRecusals.size > 0) {
          reject(`submitResult: the recusal of ${[...pendingRecusals.keys()].join(', ')} awaits a manager's decision (${managers.join(', ')}); submit after it is decided`);
        }
        if (recusing.size > 0) reject('submitResult: a recusal is being processed; submit again in a moment');
      },
    },
  );

  setHandler(
    decideHandoverUpdate,
    async (msg) => {
      handoverDecision = handoverDecisionSchema.parse(upgradeLegacyReason(msg, 'other'));
      handoverDecidedAt = at();
      if (fastV3) {
        // The document is issued from the main loop (and may park there); the status shows it.
        const approved = handoverDecision.decision === 'approve';
        return { unitId, decision: handoverDecision.decision, handling: approved ? null : 'handover-rejected', documents: [], documentFollows: approved } satisfies HandoverAck;
      }
      await condition(() => phase === 'done');
      return { unitId, decision: handoverDecision.decision, handling: handling ?? 'handover-rejected', documents: [...documents] };
    },
    {
      validator: (msg) => {
        const p = handoverDecisionSchema.safeParse(msg);
        if (!p.success) reject(`decideHandover: ${firstIssue(p.error)}`);
        if (phase !== 'handover-approval' || handoverDecision) reject(`decideHandover: unit ${unitId} is not awaiting a hand-over decision (phase ${phase})`);
        if (!managers.includes(p.data.by)) reject(`decideHandover: ${p.data.by} is not a manager (leader in charge)`);
        const problem = p.data.reasonCode && reasonCodeProblem(reasons, 'rejection', p.data.reasonCode);
        if (problem) reject(`decideHandover: reasonCode: ${problem}`);
      },
    },
  );

  setHandler(inspectionStatusQuery, (): InspectionStatus => {
    const waitingOn: string[] = [];
    if (phase === 'inspection') {
      const by = (due: string | null | undefined) => (due ? ` by ${due}` : '');
      for (const p of pendingRecusals.values()) {
        waitingOn.push(`manager: decision on the recusal of ${p.inspectorId} (${p.reasonCode})${by(p.due)} (${managers.filter((m) => m !== p.inspectorId).join(', ')})`);
      }
      if (closedReport) waitingOn.push(`manager: decision on replacing closed unit ${unitId}${by(closedReport.due)} (${managers.join(', ')})`);
      else if (pendingRecusals.size === 0) waitingOn.push(`team: result for ${unitId} (${team.join(', ')})`);
    }
    // Between entering the phase and its deadline being set, the leaders in charge are looked up and
    // the due date computed (on resume from approval-due, after an activity fetched the calendar).
    if (phase === 'handover-approval') waitingOn.push(approvalDue === null ? 'manager: hand-over approval (finding the leaders in charge and the due date)' : `manager: hand-over approval by ${approvalDue} (${managers.join(', ')})`);
    waitingOn.push(...parking.waitingOn());
    const overdueList = overdue;
    return {
      workflowId: wfId,
      campaignId,
      unitId,
      replaces: input.replaces ?? null,
      poolId: input.poolId,
      department: input.department,
      team: [...team],
      method: input.method,
      phase,
      today: today(),
      due: input.dates.due,
      escalateAfter,
      remindersSent,
      overdue: overdueList || approvalOverdue,
      escalated,
      result: result ? { outcome: result.report.result.outcome, by: result.report.by, checkedOn: result.report.checkedOn, onTime: result.onTime, ...resultDetails(result.report) } : null,
      handling,
      documents: [...documents],
      closedReport: closedReport ? { ...closedReport } : null,
      pendingRecusals: [...pendingRecusals.values()].map(({ inspectorId, by, reasonCode, note, on, due }) => ({ inspectorId, by, reasonCode, note, on, ...(due ? { due } : {}) })),
      replacedBy: replacedBy?.unitId ?? null,
      waitingOn,
      parked: parking.parked,
    };
  });

  // The console's task and inspection rows follow every phase change, written from their own
  // coroutine (./projector.ts). Histories from before replay without it.
  // The recusal and replacement approvals joined the projection later: a new snapshot field would
  // write at moments older histories did not, so it is behind its own patch.
  const projectDecisions = patched('console-projection-approvals');
  const projector = patched('console-projection')
    ? new Projector(
        () => ({
          workflowId: wfId,
          campaignId,
          unitId,
          department: input.department,
          team: [...team],
          managers: [...managers],
          phase,
          due: input.dates.due,
          overdue: overdue || approvalOverdue,
          parked: parking.parked ? { step: parking.parked.step, reason: parking.parked.reason, operators: [...parking.parked.operators] } : null,
          result: result && resultAt ? { by: result.report.by, at: resultAt, outcome: result.report.result.outcome } : null,
          approval: approvalDue
            ? { due: approvalDue, decision: handoverDecision && handoverDecidedAt ? { decision: handoverDecision.decision, by: handoverDecision.by, at: handoverDecidedAt } : null }
            : null,
          handling,
          replacedBy: replacedBy?.unitId ?? null,
          ...(projectDecisions ? { decisions: decisionsForConsole.list() } : {}),
        }),
        (state, revision) => acts.projectInspection({ ...state, revision, at: at() }),
      )
    : null;

  // --- the inspection ------------------------------------------------------------------------------

  visibility({ year: input.year, quarter: input.quarter, departments: [input.department], phase: 'notify' });
  await notify({
    key: `${wfId}/assigned`,
    campaignId,
    kind: 'inspection-assigned',
    to: { persons: team },
    params: { unitId, team, method: input.method, due: input.dates.due },
    unitId,
    at: at(),
  });
  phase = 'inspection';
  visibility({ phase: 'inspection' });

  // Timers in date order: reminders before the limit, the overdue mark, the escalation.
  const startMs = Date.now();
  const steps: { atMs: () => number; run: () => Promise<void> }[] = [];
  for (const d of input.settings.reminderDaysBeforeDue) {
    const on = addDays(input.dates.due, -d);
    const atMs = startOfDayMs(clock, on);
    if (atMs > startMs) {
      steps.push({
        atMs: () => atMs,
        run: async () => {
          await notify({
            key: `${wfId}/reminder/${d}`,
            campaignId,
            kind: 'inspection-reminder',
            to: { persons: team },
            params: { unitId, due: input.dates.due, daysLeft: d },
            unitId,
            at: at(),
          });
          remindersSent++;
        },
      });
    }
  }
  // A pending escalation date is computed once the due date has passed without a result: the
  // overdue alert goes out (saying the date is pending when next year is still missing), then the
  // step parks until the year is recorded and an operator resumes, or the result comes in.
  const escalationOn = (cal: WorkingCalendar) => addWorkingDays(input.dates.due, input.settings.graceWorkingDays!, cal);
  steps.push({
    atMs: () => endOfDayMs(clock, input.dates.due),
    run: async () => {
      overdue = true;
      if (escalateAfter === null) escalateAfter = calendar().answer(escalationOn, () => true);
      await notify({
        key: `${wfId}/overdue`,
        campaignId,
        kind: 'inspection-overdue',
        to: { departmentRoles: { department: input.department, roles: ['brigade-leader'] }, departments: [input.department] },
        params: { unitId, due: input.dates.due, team, department: input.authority.departmentName, ...(escalateAfter === null ? {} : { escalateAfter }) },
        unitId,
        at: at(),
      });
      escalateAfter ??= await calendar().parkUnlessMoot(parking, 'escalation-date', 'escalation-date', escalationOn, () => !waitingForResult());
    },
  });
  steps.push({
    // Pending, it follows the overdue step (stable sort), which computes it or ends with the result in.
    atMs: () => endOfDayMs(clock, escalateAfter ?? input.dates.due),
    run: async () => {
      escalated = true;
      await notify({
        key: `${wfId}/escalated`,
        campaignId,
        kind: 'inspection-escalated',
        to: { roles: ['detachment-leader'] },
        params: { unitId, due: input.dates.due, team, department: input.authority.departmentName, escalateAfter: escalateAfter! },
        unitId,
        at: at(),
      });
    },
  });
  steps.sort((a, b) => a.atMs() - b.atMs());
  for (const step of steps) {
    // A pending closure report or recusal holds the timers' actions only while it is processed.
    if (await waitUntil(() => !waitingForResult(), step.atMs())) break;
    await step.run();
  }
  await condition(() => !waitingForResult());
  await condition(() => lock.idle);

  if (replacedBy) {
    phase = 'replaced';
    visibility({ phase: 'replaced' });
    if (notices) await condition(() => notices.idle);
    if (projector) await condition(() => projector.idle);
    await condition(allHandlersFinished);
    return outcome('not-inspected', replacedBy);
  }

  // --- findings -----------------------------------------------------------------------------------
  const report = result!.report;
  const res = report.result;
  if (res.outcome === 'no-problem') {
    handling = 'none';
  } else if (res.outcome === 'could-not-inspect') {
    handling = 'not-inspected';
  } else if (input.authority.departmentKind === 'section') {
    phase = 'handover-approval';
    handling = 'awaiting-approval';
    visibility({ phase: 'handover-approval' });
    // Nobody to decide: park until the registry names a leader in charge (older histories waited forever).
    if (fastV3 && managers.length === 0) managers = await parkable('handover-approval', () => acts.managersAsOf({ campaignId, unitId, asOf: today() }));
    // Working days on the calendar the campaign recorded at start (the bundled one in older quarters),
    // counted from the day approval is asked. A due date in a year the recording lacks (a December
    // hand-over before next year's holidays are out) parks until the year is recorded and an
    // operator resumes (since `calendar-parks`, asked only then); before, the inspection failed.
    const requestedOn = today();
    const dueOn = (calendar: WorkingCalendar) => addWorkingDays(requestedOn, input.settings.approvalWorkingDays, calendar);
    approvalDue = calendar().answer(dueOn, () => fastV3 && patched('calendar-parks')) ?? (await calendar().parkUntilAnswered(parking, 'approval-due', 'approval-due', dueOn));
    await acts.recordHandling({ campaignId, unitId, handling, detail: { approvalDue } });
    await notify({
      key: `${wfId}/handover-approval`,
      campaignId,
      kind: 'handover-approval-requested',
      to: { persons: managers },
      params: { unitId, department: input.authority.departmentName, description: res.description, approvalDue },
      unitId,
      at: at(),
    });
    if (approvalReminders && (await remindOnLastDay(approvalDue, () => handoverDecision === null))) {
      await notify({
        key: `${wfId}/handover-approval-reminder`,
        campaignId,
        kind: 'approval-reminder',
        to: { persons: managers },
        params: { unitId, request: 'handover', department: input.authority.departmentName, approvalDue },
        unitId,
        at: at(),
      });
    }
    if (!(await waitUntil(() => handoverDecision !== null, endOfDayMs(clock, approvalDue)))) {
      approvalOverdue = true;
      await notify({
        key: `${wfId}/handover-approval-overdue`,
        campaignId,
        kind: 'handover-approval-overdue',
        to: { roles: ['detachment-leader'] },
        params: { unitId, department: input.authority.departmentName, approvalDue },
        unitId,
        at: at(),
      });
      await condition(() => handoverDecision !== null);
    }
    const decision = handoverDecision!;
    if (decision.decision === 'reject') {
      handling = 'handover-rejected';
    } else {
      phase = 'handover';
      const approval = { by: decision.by, on: today() };
      const doc = await parkable('handover-document', () => acts.issueCaseDocument({
        key: `${wfId}/${res.referTo ? 'referral' : 'handover'}`,
        campaignId,
        unitId,
        department: input.department,
        what: res.referTo ? 'referral' : 'handover',
        report,
        method: input.method,
        approval,
        issuedOn: today(),
      }));
      documents.push(doc);
      handling = doc.kind;
    }
  } else if (res.referTo) {
    phase = 'handover';
    const doc = await parkable('referral-document', () => acts.issueCaseDocument({
      key: `${wfId}/referral`,
      campaignId,
      unitId,
      department: input.department,
      what: 'referral',
      report,
      method: input.method,
      approval: null,
      issuedOn: today(),
    }));
    documents.push(doc);
    handling = 'referral';
  } else {
    handling = 'own-case';
  }
  await acts.recordHandling({ campaignId, unitId, handling, detail: { documents, decision: handoverDecision, approvalOverdue } });
  phase = 'done';
  visibility({ phase: 'done' });
  if (notices) await condition(() => notices.idle);
  if (projector) await condition(() => projector.idle);
  // Let handlers still answering their callers (submitResult, decideHandover) finish first.
  await condition(allHandlersFinished);
  return outcome(handling, null);

  function outcome(h: HandlingKind, next: InspectionInput | null): InspectionOutcome {
    return {
      unitId,
      department: input.department,
      replacedBy: next,
      outcome: result?.report.result.outcome ?? null,
      handling: h,
      onTime: result?.onTime ?? false,
      overdue,
      escalated,
      inspectorReplacements,
    };
  }
}

function nextHandling(r: ResultReport, departmentKind: string): HandlingKind {
  if (r.result.outcome === 'no-problem') return 'none';
  if (r.result.outcome === 'could-not-inspect') return 'not-inspected';
  if (departmentKind === 'section') return 'awaiting-approval';
  return r.result.referTo ? 'referral' : 'own-case';
}
