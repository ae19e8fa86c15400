// The public face of the quarter's workflows: ids, inputs, message names and types, status shapes.
// The client (client/temporal.ts, the `ssj` command line), the worker and the tests import these;
// docs/workflows.md describes them for people. Keep names stable: running workflows depend on them.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Quarter } from '../domain/programme';
import type { ClockSpec, ResolvedClock } from '../domain/programme-clock';
import type { CalendarSlice } from '../domain/calendar';
import type {
  ChangeListSubmission,
  HandoverDecision,
  Recusal,
  RecusalDecision,
  ResultReport,
  UnitClosedReport,
  UnitReplacementDecision,
  WitnessCommit,
  WitnessEntropy,
  WitnessReveal,
  WitnessRole,
} from '../domain/messages';
import type { HandlingKind, InspectionRecord } from '../domain/outcomes';
import type { ResumeParkedStep } from '../domain/parking';
import type { ReasonCodes } from '../domain/programme';

// ---------------------------------------------------------------------------------------------
// Workflow ids and types

/** `campaign-<programmeId>-<year>q<quarter>`: one campaign per programme and quarter. */
export function campaignWorkflowId(programmeId: string, year: number, quarter: number): string {
  return `campaign-${programmeId}-${year}q${quarter}`;
}
/** `<campaignId>.batch.<n>`: the intermediate child that fans out up to `batchSize` inspections. */
export function batchWorkflowId(campaignId: string, batchNo: number): string {
  return `${campaignId}.batch.${batchNo}`;
}
/**
 * Inspection workflow ids are opaque, `<campaignId>.insp.<24 hex of an HMAC>`, so they reveal no
 * drawn unit before publication. Workflow code cannot compute the HMAC: the activities that hand
 * out units (loadBatch, replaceUnit) return the id (codec/keyring.ts `inspectionWorkflowId`).
 * This is the id of quarters started before that, `<campaignId>.unit.<unitId>`: used only where
 * an activity result saved in an older history has no `workflowId`, so those histories replay.
 */
export function legacyInspectionWorkflowId(campaignId: string, unitId: string): string {
  return `${campaignId}.unit.${unitId}`;
}
/** Both prefixes of a campaign's inspection workflow ids (opaque, then legacy), for visibility queries. */
export function inspectionWorkflowIdPrefixes(campaignId: string): string[] {
  return [`${campaignId}.insp.`, `${campaignId}.unit.`];
}
/** `annual-plan-<programmeId>-<year>`. */
export function annualPlanWorkflowId(programmeId: string, year: number): string {
  return `annual-plan-${programmeId}-${year}`;
}

export const WORKFLOW_TYPES = {
  campaign: 'campaignWorkflow',
  batch: 'inspectionBatchWorkflow',
  inspection: 'inspectionWorkflow',
  annualPlan: 'annualPlanWorkflow',
} as const;

/** The default task queue of the worker. */
export const DEFAULT_TASK_QUEUE = 'ssj';

// ---------------------------------------------------------------------------------------------
// Inputs

export interface CampaignInput {
  /** Must equal the worker's programme id (config/programme.json `id`). */
  programmeId: string;
  year: number;
  quarter: Quarter;
  /** Real time by default; rehearsal compresses the programme's days. */
  clock?: ClockSpec;
  /** Inspections per intermediate batch workflow (default 250, at most 500). */
  batchSize?: number;
  /** Upsert SsjYear/SsjQuarter/SsjDepartment/SsjPhase (default true; false on servers without them). */
  searchAttributes?: boolean;
}

export interface InspectionInput {
  campaignId: string;
  year: number;
  quarter: Quarter;
  unitId: string;
  poolId: string;
  department: string;
  /** Team in draw order (the first is the team lead). */
  team: string[];
  method: 'onsite' | 'offsite';
  clock: ResolvedClock;
  /**
   * Programme dates (YYYY-MM-DD): the time limit, and the deadlines derived from it. escalateAfter
   * null: pending, in a year the recorded calendar lacked at start (Q4's January, since
   * `deadlines-when-needed`); the inspection computes it once `due` has passed without a result.
   */
  dates: { due: string; escalateAfter: string | null };
  /** The working-day calendar the campaign recorded at start (absent before `dates-from-activity`: the bundled one). */
  calendar?: CalendarSlice;
  /** Present when this unit replaces a drawn unit found closed. */
  replaces?: string;
  /** The opaque workflow id the activity computed for this unit; absent in older histories (legacy id). */
  workflowId?: string;
  /** Who may decide (person ids of managers) and what kind of department inspects. */
  authority: {
    managers: string[];
    departmentKind: string;
    departmentName: string;
    agencies: string[];
    /** The programme's reason codes with labels (absent in inspections started before reason codes: any code passes). */
    reasons?: ReasonCodes;
  };
  /** graceWorkingDays: for a pending escalateAfter (absent in inspections started before `deadlines-when-needed`). */
  settings: { reminderDaysBeforeDue: number[]; approvalWorkingDays: number; graceWorkingDays?: number };
  searchAttributes?: boolean;
}

export interface BatchInput {
  campaignId: string;
  year: number;
  quarter: Quarter;
  batchNo: number;
  department: string;
  /** The department's assignments in walk order, chunk `chunk` of `batchSize`. */
  chunk: number;
  batchSize: number;
  clock: ResolvedClock;
  /** As InspectionInput's (escalateAfter null: pending). */
  dates: { due: string; escalateAfter: string | null };
  /** As InspectionInput's: handed on to every inspection. */
  calendar?: CalendarSlice;
  settings: InspectionInput['settings'];
  searchAttributes?: boolean;
}

export interface AnnualPlanInput {
  programmeId: string;
  year: number;
  clock?: ClockSpec;
  searchAttributes?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Update results

export interface WitnessAck {
  role: WitnessRole;
  personId: string;
  /** The manifest the entropy was given for. */
  manifestDigest: string;
  /** Roles that have given entropy so far, and those still awaited. */
  given: WitnessRole[];
  waitingFor: WitnessRole[];
}

/** ssj-draw/2: a commitment recorded in the current ceremony. */
export interface CommitAck {
  ceremony: number;
  role: WitnessRole;
  personId: string;
  commitment: string;
  /** The manifest the commitment is bound to (shown to the witness before they commit). */
  manifestDigest: string;
  committed: WitnessRole[];
  waitingFor: WitnessRole[];
  /** Programme instant by which every witness must reveal; set once the last commitment is in. */
  revealBy: string | null;
}

/** ssj-draw/2: a reveal that reproduced its commitment. */
export interface RevealAck {
  ceremony: number;
  role: WitnessRole;
  personId: string;
  revealed: WitnessRole[];
  waitingFor: WitnessRole[];
  revealBy: string;
}

export interface ChangeListAck {
  brigade: string;
  by: string;
  batchId: string | null;
  /** Programme date recorded. */
  on: string;
  /** Brigades still awaited. */
  waitingFor: string[];
}

/** A recusal made: the replacement drawn by the rule, approved by a manager (leader in charge). */
export interface RecusalMade {
  status: 'approved';
  unitId: string;
  left: string;
  replacement: string;
  /** The replacements-list entry number (DRAW-SPEC section 6). */
  seq: number;
  team: string[];
  /** The manager named as approver in the replacements list. */
  approvedBy: string;
}

/** `declareRecusal`: made at once when a manager declares it, else pending a manager's `decideRecusal`. */
export type RecusalAck = RecusalMade | { status: 'pending'; unitId: string; inspectorId: string; reasonCode: string; awaitingDecisionFrom: string[] };

/** `decideRecusal`. */
export type RecusalDecisionAck = RecusalMade | { status: 'rejected'; unitId: string; inspectorId: string; reasonCode: string; decidedBy: string };

export interface UnitClosedAck {
  unitId: string;
  reportedBy: string;
  reasonCode: string;
  /** Managers who may approve the replacement. */
  awaitingDecisionFrom: string[];
}

export type UnitReplacementAck =
  | { decision: 'approve'; unitId: string; replacement: string; seq: number; team: string[]; workflowId: string }
  | { decision: 'reject'; unitId: string; reasonCode: string | null };

export interface ResultAck {
  unitId: string;
  outcome: ResultReport['result']['outcome'];
  onTime: boolean;
  /** What happens next: none, own-case, awaiting-approval, referral, not-inspected. */
  next: HandlingKind;
}

export interface HandoverAck {
  unitId: string;
  decision: 'approve' | 'reject';
  /**
   * The handling that followed (supervision-notice, transfer-form, referral, handover-rejected).
   * Null when the document is still to be issued: the answer no longer waits for it (the status
   * Query shows it once issued, or the step parked for data).
   */
  handling: HandlingKind | null;
  /** Empty when `documentFollows`. */
  documents: DocumentRef[];
  /** True when an approval's document is issued after the answer (inspections started since `fast-handlers-parking`). */
  documentFollows?: boolean;
}

/** A step waiting for data to be fixed (an activity refused it); `resumeParkedStep` retries it. */
export interface ParkedStep {
  /** e.g. `handover-document`, `handover-approval`, `publication`. */
  step: string;
  /** What is missing, which registry entry, how to fix it (the activity's refusal). */
  reason: string;
  /** The refusal's failure type, e.g. NeedsData, CampaignRefused. */
  failureType: string;
  /** Programme instant (ISO, +08:00) when the step parked. */
  since: string;
  /** Who may resume it (detachment-leader or admin in the frozen roster). */
  operators: string[];
}

/** `resumeParkedStep`: the step is retried (and parks again if the data is still wrong). */
export interface ResumeAck {
  step: string;
  resumedBy: string;
  parkedSince: string;
}

export interface DocumentRef {
  kind: 'supervision-notice' | 'transfer-form' | 'referral';
  number: string;
  to: string;
}

// ---------------------------------------------------------------------------------------------
// Messages: Updates (validated; the caller gets the result or a clear rejection)

/** ssj-draw/1 only (campaigns started before the `ssj-draw-2` patch); newer campaigns refuse it. */
export const giveEntropyUpdate = defineUpdate<WitnessAck, [WitnessEntropy]>('giveEntropy');
/** ssj-draw/2 ceremony: every witness commits, then every witness reveals (DRAW-SPEC section 11). */
export const commitWitnessUpdate = defineUpdate<CommitAck, [WitnessCommit]>('commitWitness');
export const revealWitnessUpdate = defineUpdate<RevealAck, [WitnessReveal]>('revealWitness');
export const submitChangeListUpdate = defineUpdate<ChangeListAck, [ChangeListSubmission]>('submitChangeList');

export const submitResultUpdate = defineUpdate<ResultAck, [ResultReport]>('submitResult');
export const declareRecusalUpdate = defineUpdate<RecusalAck, [Recusal]>('declareRecusal');
export const decideRecusalUpdate = defineUpdate<RecusalDecisionAck, [RecusalDecision]>('decideRecusal');
export const reportUnitClosedUpdate = defineUpdate<UnitClosedAck, [UnitClosedReport]>('reportUnitClosed');
export const decideUnitReplacementUpdate = defineUpdate<UnitReplacementAck, [UnitReplacementDecision]>('decideUnitReplacement');
export const decideHandoverUpdate = defineUpdate<HandoverAck, [HandoverDecision]>('decideHandover');
/** On the campaign and on an inspection: retry the parked step once the data is fixed. */
export const resumeParkedStepUpdate = defineUpdate<ResumeAck, [ResumeParkedStep]>('resumeParkedStep');

// ---------------------------------------------------------------------------------------------
// Status (query `status` on every workflow)

export type CampaignPhase = 'update-window' | 'freeze' | 'draw' | 'inspection' | 'publication' | 'closed' | 'parked';
export type InspectionPhase = 'notify' | 'inspection' | 'unit-replacement' | 'handover-approval' | 'handover' | 'done' | 'replaced' | 'parked';

/** The quarter's statistics: the inspections' tally plus what only the campaign knows. */
export interface CampaignStats extends Omit<InspectionTally, 'inspections'> {
  drawn: number;
  drawOverdue: boolean;
  publishedOnTime: boolean | null;
  /** Brigades whose change list had not arrived when the update window closed. */
  changeListsMissing: string[];
}

/** One witness's part in a ceremony: never the salt or the entropy. Times are programme instants (ISO, +08:00). */
export interface CeremonyWitness {
  role: WitnessRole;
  personId: string;
  commitment: string;
  committedAt: string;
  revealedAt: string | null;
}

/** A commit-then-reveal ceremony of the ssj-draw/2 draw (numbered from 1 per campaign). */
export interface Ceremony {
  number: number;
  startedAt: string;
  witnesses: CeremonyWitness[];
  /** Set when the last commitment arrives: the reveal deadline. */
  revealBy: string | null;
}

/** A ceremony voided because a witness did not reveal by the deadline; kept, stored and published. */
export interface VoidCeremony extends Ceremony {
  voidedAt: string;
  /** Who failed and why (reason code `no-reveal`: no matching reveal by the deadline). */
  failed: { role: WitnessRole; personId: string; reason: 'no-reveal' }[];
}

export interface CampaignStatus {
  campaignId: string;
  programmeId: string;
  year: number;
  quarter: number;
  phase: CampaignPhase;
  /** Programme date now (rehearsal-aware). */
  today: string;
  /**
   * escalateAfter and publicationDue null: pending, in a year the calendar recorded at start
   * lacked (Q4's January, since `deadlines-when-needed`); computed once the inspections are done
   * or due. Shown as 待定 (pendingDateText).
   */
  dates: { windowCloses: string; drawDue: string; inspectionDue: string; escalateAfter: string | null; publicationDue: string | null };
  updateWindow: { submitted: { brigade: string; by: string; batchId: string | null; on: string }[]; waitingFor: string[] };
  manifest: { digest: string; units: number; inspectors: number; pools: number } | null;
  /** Who has given entropy (ssj-draw/1) or committed in the current ceremony (ssj-draw/2); never a secret. */
  witnesses: { role: WitnessRole; personId: string }[];
  /** `ssj-draw/2` for campaigns with the commit-then-reveal ceremony, `ssj-draw/1` for older ones. */
  drawSpec: 'ssj-draw/1' | 'ssj-draw/2';
  /** The current (or, after the draw, the last) ceremony; null before the draw phase and for ssj-draw/1. */
  ceremony: Ceremony | null;
  /** Ceremonies voided so far, oldest first. */
  voidCeremonies: VoidCeremony[];
  /** The sealed list: only the commitment (sha256 of the seed) and the manifest digest until publication. */
  sealed: { seedCommitment: string; manifestDigest: string; drawn: number } | null;
  inspections: { batches: number; finished: number; total: number };
  publication: { location: string; publishedOn: string; late: boolean } | null;
  overdue: string[];
  /** Who the campaign waits for now, in words, e.g. `witness discipline`, `brigade brigade-shihe (change list)`. */
  waitingOn: string[];
  stats: CampaignStats | null;
  /** A step waiting for data to be fixed (phase `parked`); absent in campaigns started before parking. */
  parked?: ParkedStep | null;
  /** Batches whose workflow failed: their units count as failed and not inspected. Absent from older workers. */
  failedBatches?: { batchNo: number; department: string; chunk: number; units: number; reason: string }[];
}

export interface BatchStatus {
  campaignId: string;
  batchNo: number;
  department: string;
  total: number;
  finished: number;
  running: string[];
  /** Units whose inspection workflow failed, with the reason. */
  failed: { unitId: string; reason: string }[];
}

export interface InspectionStatus {
  workflowId: string;
  campaignId: string;
  unitId: string;
  replaces: string | null;
  poolId: string;
  department: string;
  team: string[];
  method: 'onsite' | 'offsite';
  phase: InspectionPhase;
  today: string;
  due: string;
  /** Null: pending until the due date passes (see InspectionInput's dates). */
  escalateAfter: string | null;
  remindersSent: number;
  overdue: boolean;
  escalated: boolean;
  result: {
    outcome: string;
    by: string;
    checkedOn: string;
    onTime: boolean;
    /** The findings as submitted (published), the per-item record and evidence references (internal); absent from older workers. */
    description?: string | null;
    record?: InspectionRecord | null;
    evidence?: string[];
  } | null;
  handling: HandlingKind | null;
  documents: DocumentRef[];
  /** A closure report awaiting a manager (the note is internal: staff only, never published). */
  /** `due`: the last day to decide on the replacement (request-approval-limits), when it has one. */
  closedReport: { by: string; reasonCode: string; note: string; due?: string } | null;
  /** Recusals declared by inspectors, awaiting a manager's decision (a result waits for them). */
  pendingRecusals?: { inspectorId: string; by: string; reasonCode: string; note: string; on: string; due?: string }[];
  replacedBy: string | null;
  waitingOn: string[];
  /** A step waiting for data to be fixed (phase `parked`); absent in inspections started before parking. */
  parked?: ParkedStep | null;
}

export interface AnnualPlanStatus {
  programmeId: string;
  year: number;
  phase: 'waiting' | 'filed';
  due: string;
  filed: { number: string; on: string; late: boolean } | null;
}

export const campaignStatusQuery = defineQuery<CampaignStatus>('status');
export const batchStatusQuery = defineQuery<BatchStatus>('status');
export const inspectionStatusQuery = defineQuery<InspectionStatus>('status');
export const annualPlanStatusQuery = defineQuery<AnnualPlanStatus>('status');

// ---------------------------------------------------------------------------------------------
// Results

/** What one inspection reports to its batch (and the batch, summed, to the campaign). */
export interface InspectionOutcome {
  unitId: string;
  department: string;
  /** Set when the unit was replaced: the batch starts an inspection of this unit next. */
  replacedBy: InspectionInput | null;
  outcome: ResultReport['result']['outcome'] | null;
  handling: HandlingKind;
  onTime: boolean;
  overdue: boolean;
  escalated: boolean;
  inspectorReplacements: number;
}

/** Counts only, so a campaign's history stays small at any registry size (results live in the store). */
export interface InspectionTally {
  inspections: number;
  inspected: number;
  onTime: number;
  overdue: number;
  escalated: number;
  findings: number;
  ownCases: number;
  handedOver: number;
  handoverRejected: number;
  referred: number;
  notInspected: number;
  replacedUnits: number;
  replacedInspectors: number;
  /** Inspection workflows that failed (e.g. a hand-over with no brigade for the unit's area); see the batch's status. */
  failed: number;
}

export interface BatchOutcome {
  batchNo: number;
  tally: InspectionTally;
}

export interface CampaignResult {
  campaignId: string;
  stats: CampaignStats;
  publication: { location: string; publishedOn: string; late: boolean };
}
