// Typed helpers to start, message and query the quarter's workflows: used by the `ssj` command
// line, the demo and the tests. Messages are checked with the same zod schemas as the workflows'
// validators before they leave, so a bad flag fails here with the field named.
import {
  Client,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type WorkflowHandle,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import {
  changeListSubmissionSchema,
  handoverDecisionSchema,
  parseMessage,
  recusalDecisionSchema,
  recusalSchema,
  resultReportInputSchema,
  unitClosedReportSchema,
  unitReplacementDecisionSchema,
  witnessCommitSchema,
  witnessEntropySchema,
  witnessRevealSchema,
  type WitnessRole,
} from '../domain/messages';
import { newSalt } from './witness-secret';
import { witnessCommitment } from '../domain/draw/commitment';
import type { Quarter } from '../domain/programme';
import { quarterStart, addDays } from '../domain/calendar';
import {
  annualPlanStatusQuery,
  annualPlanWorkflowId,
  batchStatusQuery,
  campaignStatusQuery,
  campaignWorkflowId,
  commitWitnessUpdate,
  declareRecusalUpdate,
  decideRecusalUpdate,
  decideHandoverUpdate,
  decideUnitReplacementUpdate,
  DEFAULT_TASK_QUEUE,
  giveEntropyUpdate,
  inspectionStatusQuery,
  inspectionWorkflowIdPrefixes,
  legacyInspectionWorkflowId,
  reportUnitClosedUpdate,
  revealWitnessUpdate,
  submitChangeListUpdate,
  submitResultUpdate,
  WORKFLOW_TYPES,
  type AnnualPlanInput,
  type AnnualPlanStatus,
  type BatchStatus,
  type CampaignInput,
  type CampaignResult,
  type CampaignStatus,
  type InspectionStatus,
} from '../workflows/definitions';
import { SsjPhase, SsjQuarter, SsjYear } from '../workflows/search-attributes';
import { keyringOf } from '../codec/data-converter';
import { readCampaignOfQuarter } from '../stores/campaign-store';

export { WorkflowExecutionAlreadyStartedError };

export interface StartOptions {
  taskQueue?: string;
}

/** Starts the quarter's campaign; a second start of the same programme and quarter is refused (WorkflowExecutionAlreadyStartedError). */
export async function startCampaign(client: Client, input: CampaignInput, opts: StartOptions = {}): Promise<WorkflowHandle> {
  const workflowId = campaignWorkflowId(input.programmeId, input.year, input.quarter);
  return client.workflow.start(WORKFLOW_TYPES.campaign, {
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    ...(input.searchAttributes === false
      ? {}
      : {
          typedSearchAttributes: new TypedSearchAttributes([
            { key: SsjYear, value: input.year },
            { key: SsjQuarter, value: input.quarter },
            { key: SsjPhase, value: 'update-window' },
          ]),
        }),
  });
}

/** A programme quarter, as `--year/--quarter` name it. */
export interface ProgrammeQuarter {
  programmeId: string;
  year: number;
  quarter: number;
}

/** How findCampaign found a quarter's campaign: its workflow id, and the source that named it. */
export interface FoundCampaign {
  workflowId: string;
  source: 'store' | 'visibility';
}

/** No campaign of the quarter: neither the store nor Temporal knows one. */
export class CampaignNotFoundError extends Error {
  constructor(readonly quarter: ProgrammeQuarter) {
    const id = campaignWorkflowId(quarter.programmeId, quarter.year, quarter.quarter);
    super(
      `no campaign of programme ${quarter.programmeId} ${quarter.year} Q${quarter.quarter} has started: no workflow ${id}, ` +
        `nor one started by its schedule ${campaignScheduleId(quarter.programmeId, quarter.year, quarter.quarter)} (${id}-<scheduled time>)`,
    );
    this.name = 'CampaignNotFoundError';
  }
}

/** Temporal lists several campaigns of the quarter and none is running (the store, which would decide, is not here). */
export class CampaignAmbiguousError extends Error {
  constructor(
    readonly quarter: ProgrammeQuarter,
    readonly candidates: { workflowId: string; status: string }[],
  ) {
    super(
      `programme ${quarter.programmeId} ${quarter.year} Q${quarter.quarter} has more than one campaign in Temporal: ` +
        candidates.map((c) => `${c.workflowId} (${c.status})`).join(', '),
    );
    this.name = 'CampaignAmbiguousError';
  }
}

/**
 * The campaign of a programme quarter, started by hand (`campaign-<programme>-<year>q<n>`) or by its
 * Schedule (the same id with the scheduled time appended, e.g. `...-2024-03-17T00:00:00Z`).
 *
 * The campaign store (the shared store: SSJ_DATABASE_URL, or `<dataDir>/ssj.db`) is asked first because it is authoritative: the
 * claim it records in prepareCampaign is the same rule that refuses a second campaign of the
 * quarter, so it names the one campaign allowed to draw. Temporal's visibility would also list a
 * refused second campaign, lags behind starts, and cannot tell which one drew. Visibility is the
 * fallback for a campaign not yet prepared (its first activity has not run) or a command run away
 * from the worker's data folder; among several there, the only running one is taken.
 */
export async function findCampaign(client: Client, q: ProgrammeQuarter, opts: { dataDir?: string } = {}): Promise<FoundCampaign> {
  if (opts.dataDir !== undefined) {
    const stored = await readCampaignOfQuarter(opts.dataDir, q);
    if (stored) return { workflowId: stored, source: 'store' };
  }
  const base = campaignWorkflowId(q.programmeId, q.year, q.quarter);
  const found: { workflowId: string; status: string }[] = [];
  const query = `WorkflowType = '${WORKFLOW_TYPES.campaign}' AND (WorkflowId = '${base}' OR WorkflowId STARTS_WITH '${base}-')`;
  for await (const wf of client.workflow.list({ query })) found.push({ workflowId: wf.workflowId, status: wf.status.name });
  const ids = [...new Set(found.map((f) => f.workflowId))];
  if (ids.length === 1) return { workflowId: ids[0]!, source: 'visibility' };
  if (ids.length === 0) throw new CampaignNotFoundError(q);
  const running = [...new Set(found.filter((f) => f.status === 'RUNNING').map((f) => f.workflowId))];
  if (running.length === 1) return { workflowId: running[0]!, source: 'visibility' };
  throw new CampaignAmbiguousError(q, found.sort((a, b) => (a.workflowId < b.workflowId ? -1 : 1)));
}
/**
 * The inspection of `unitId`: its opaque workflow id is computed with the keyring of the client's
 * codec (codec/data-converter.ts). A client without the codec (tests that run without it) gets the
 * legacy `<campaign>.unit.<unitId>` id, as do workers without a keyring.
 */
export function inspectionHandle(client: Client, campaignId: string, unitId: string): WorkflowHandle {
  return client.workflow.getHandle(inspectionWorkflowIdFor(client, campaignId, unitId));
}
export function inspectionWorkflowIdFor(client: Client, campaignId: string, unitId: string): string {
  return keyringOf(client)?.inspectionWorkflowId(campaignId, unitId) ?? legacyInspectionWorkflowId(campaignId, unitId);
}

export async function campaignStatus(client: Client, campaignId: string): Promise<CampaignStatus> {
  return client.workflow.getHandle(campaignId).query(campaignStatusQuery);
}
export async function inspectionStatus(client: Client, campaignId: string, unitId: string): Promise<InspectionStatus> {
  return inspectionHandle(client, campaignId, unitId).query(inspectionStatusQuery);
}
export async function batchStatus(client: Client, batchWorkflowId: string): Promise<BatchStatus> {
  return client.workflow.getHandle(batchWorkflowId).query(batchStatusQuery);
}
export async function campaignResult(client: Client, campaignId: string): Promise<CampaignResult> {
  return client.workflow.getHandle(campaignId).result();
}

// --- messages (each is an Update: resolves with the recorded result, or rejects with the reason) ---

/** ssj-draw/1 only: campaigns started before ssj-draw/2 (newer ones refuse it). */
export async function giveEntropy(client: Client, campaignId: string, msg: unknown) {
  return client.workflow.getHandle(campaignId).executeUpdate(giveEntropyUpdate, { args: [parseMessage(witnessEntropySchema, msg, 'giveEntropy')] });
}
/** ssj-draw/2, step 1: `{ role, personId, commitment }` (no secret). Resolves with CommitAck. */
export async function commitWitness(client: Client, campaignId: string, msg: unknown) {
  return client.workflow.getHandle(campaignId).executeUpdate(commitWitnessUpdate, { args: [parseMessage(witnessCommitSchema, msg, 'commitWitness')] });
}
/** ssj-draw/2, step 2: `{ role, personId, salt, entropy }`, once every witness has committed. Resolves with RevealAck. */
export async function revealWitness(client: Client, campaignId: string, msg: unknown) {
  return client.workflow.getHandle(campaignId).executeUpdate(revealWitnessUpdate, { args: [parseMessage(witnessRevealSchema, msg, 'revealWitness')] });
}

/**
 * A whole ssj-draw/2 ceremony for witnesses whose entropy the caller holds (the demo, tests,
 * benchmarks): a fresh salt each, every commitment, then every reveal. The campaign must be in
 * phase draw. Resolves with the ceremony number and each witness's commitment.
 */
export async function holdWitnessCeremony(
  client: Client,
  campaignId: string,
  witnesses: { role: WitnessRole; personId: string; entropy: string }[],
): Promise<{ ceremony: number; commitments: Record<string, string> }> {
  const st = await campaignStatus(client, campaignId);
  if (!st.manifest) throw new Error(`${campaignId} has no manifest yet (phase ${st.phase}); the ceremony is held in phase draw`);
  const secrets = witnesses.map((w) => {
    const salt = newSalt();
    return { ...w, salt, commitment: witnessCommitment(st.manifest!.digest, w.role, w.personId, salt, w.entropy) };
  });
  let ceremony = 0;
  for (const w of secrets) ceremony = (await commitWitness(client, campaignId, { role: w.role, personId: w.personId, commitment: w.commitment })).ceremony;
  for (const w of secrets) await revealWitness(client, campaignId, { role: w.role, personId: w.personId, salt: w.salt, entropy: w.entropy });
  return { ceremony, commitments: Object.fromEntries(secrets.map((w) => [w.role, w.commitment])) };
}
export async function submitChangeList(client: Client, campaignId: string, msg: unknown) {
  return client.workflow.getHandle(campaignId).executeUpdate(submitChangeListUpdate, { args: [parseMessage(changeListSubmissionSchema, msg, 'submitChangeList')] });
}
export async function submitResult(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(submitResultUpdate, { args: [parseMessage(resultReportInputSchema, msg, 'submitResult')] });
}
export async function declareRecusal(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(declareRecusalUpdate, { args: [parseMessage(recusalSchema, msg, 'declareRecusal')] });
}
/** A manager approves or rejects a recusal an inspector declared (`{ by, inspectorId, decision, reasonCode?, note? }`). */
export async function decideRecusal(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(decideRecusalUpdate, { args: [parseMessage(recusalDecisionSchema, msg, 'decideRecusal')] });
}
export async function reportUnitClosed(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(reportUnitClosedUpdate, { args: [parseMessage(unitClosedReportSchema, msg, 'reportUnitClosed')] });
}
export async function decideUnitReplacement(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(decideUnitReplacementUpdate, {
    args: [parseMessage(unitReplacementDecisionSchema, msg, 'decideUnitReplacement')],
  });
}
export async function decideHandover(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(decideHandoverUpdate, { args: [parseMessage(handoverDecisionSchema, msg, 'decideHandover')] });
}

/** Inspection workflow ids of a campaign (opaque and legacy), optionally in a phase, by visibility (e.g. 'handover-approval'). */
export async function listInspections(client: Client, campaignId: string, phase?: string): Promise<string[]> {
  const ids: string[] = [];
  const prefixes = inspectionWorkflowIdPrefixes(campaignId).map((p) => `WorkflowId STARTS_WITH '${p}'`);
  const q = `WorkflowType = '${WORKFLOW_TYPES.inspection}' AND (${prefixes.join(' OR ')})${phase ? ` AND SsjPhase = '${phase}'` : ''}`;
  for await (const wf of client.workflow.list({ query: q })) ids.push(wf.workflowId);
  return ids.sort();
}

/**
 * The units of listInspections: an opaque id names no unit, so each inspection is asked for its
 * status (decrypted by the client's codec; a worker must be running). Sorted by unit id.
 */
export async function listInspectionUnits(client: Client, campaignId: string, phase?: string): Promise<{ unitId: string; workflowId: string }[]> {
  const legacy = inspectionWorkflowIdPrefixes(campaignId)[1]!;
  const out: { unitId: string; workflowId: string }[] = [];
  for (const workflowId of await listInspections(client, campaignId, phase)) {
    const unitId = workflowId.startsWith(legacy)
      ? workflowId.slice(legacy.length)
      : (await client.workflow.getHandle(workflowId).query(inspectionStatusQuery)).unitId;
    out.push({ unitId, workflowId });
  }
  return out.sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
}

// --- annual plan and the yearly schedule -------------------------------------------------------

export async function startAnnualPlan(client: Client, input: AnnualPlanInput, opts: StartOptions = {}): Promise<WorkflowHandle> {
  return client.workflow.start(WORKFLOW_TYPES.annualPlan, {
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: annualPlanWorkflowId(input.programmeId, input.year),
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  });
}
export async function annualPlanStatus(client: Client, programmeId: string, year: number): Promise<AnnualPlanStatus> {
  return client.workflow.getHandle(annualPlanWorkflowId(programmeId, year)).query(annualPlanStatusQuery);
}

/** `ssj-<programmeId>-<year>-q<quarter>`. */
export function campaignScheduleId(programmeId: string, year: number, quarter: number): string {
  return `ssj-${programmeId}-${year}-q${quarter}`;
}

/**
 * Creates one Temporal Schedule per quarter that starts the quarter's campaign once, on the day
 * its update window opens (`windowOpensDaysBefore` days before the quarter starts, 08:00 Beijing),
 * so the brigades' change lists can come in. Existing schedules are left as they are.
 * `rehearsal` (training installations; the worker must allow rehearsal clocks): each campaign
 * runs on a rehearsal clock whose start stands for its window's opening day.
 * Temporal appends the scheduled time to the workflow id of each start; findCampaign finds it.
 * Returns the schedule ids.
 */
export async function scheduleQuarterCampaigns(
  client: Client,
  a: { programmeId: string; year: number; quarters?: Quarter[]; windowOpensDaysBefore?: number; taskQueue?: string; rehearsal?: { secondsPerDay: number } },
): Promise<string[]> {
  const ids: string[] = [];
  for (const quarter of a.quarters ?? ([1, 2, 3, 4] as Quarter[])) {
    const scheduleId = campaignScheduleId(a.programmeId, a.year, quarter);
    const opens = updateWindowOpens(a.year, quarter, a.windowOpensDaysBefore);
    const [y, m, d] = opens.split('-').map(Number) as [number, number, number];
    const input: CampaignInput = { programmeId: a.programmeId, year: a.year, quarter };
    if (a.rehearsal) input.clock = { mode: 'rehearsal', programmeStart: opens, secondsPerDay: a.rehearsal.secondsPerDay };
    try {
      await client.schedule.create({
        scheduleId,
        spec: { calendars: [{ year: y, month: monthName(m), dayOfMonth: d, hour: 8, minute: 0 }], timezone: 'Asia/Shanghai' },
        action: {
          type: 'startWorkflow',
          workflowType: WORKFLOW_TYPES.campaign,
          workflowId: campaignWorkflowId(a.programmeId, a.year, quarter),
          taskQueue: a.taskQueue ?? DEFAULT_TASK_QUEUE,
          args: [input],
          typedSearchAttributes: new TypedSearchAttributes([
            { key: SsjYear, value: a.year },
            { key: SsjQuarter, value: quarter },
          ]),
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        state: { note: `${a.programmeId} ${a.year} Q${quarter}: campaign starts as the update window opens`, remainingActions: 1 },
      });
    } catch (err) {
      if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
    }
    ids.push(scheduleId);
  }
  return ids;
}

/** The day a quarter's update window opens, when its Schedule starts the campaign (08:00 Beijing). */
export function updateWindowOpens(year: number, quarter: Quarter, windowOpensDaysBefore = 15): string {
  return addDays(quarterStart(year, quarter), -windowOpensDaysBefore);
}

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;
function monthName(m: number): (typeof MONTHS)[number] {
  return MONTHS[m - 1]!;
}
