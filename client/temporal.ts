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
  recusalSchema,
  resultReportSchema,
  unitClosedReportSchema,
  unitReplacementDecisionSchema,
  witnessEntropySchema,
} from '../domain/messages';
import type { Quarter } from '../domain/programme';
import { quarterStart, addDays } from '../domain/calendar';
import {
  annualPlanStatusQuery,
  annualPlanWorkflowId,
  batchStatusQuery,
  campaignStatusQuery,
  campaignWorkflowId,
  declareRecusalUpdate,
  decideHandoverUpdate,
  decideUnitReplacementUpdate,
  DEFAULT_TASK_QUEUE,
  giveEntropyUpdate,
  inspectionStatusQuery,
  inspectionWorkflowId,
  reportUnitClosedUpdate,
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

export function campaignHandle(client: Client, programmeId: string, year: number, quarter: number): WorkflowHandle {
  return client.workflow.getHandle(campaignWorkflowId(programmeId, year, quarter));
}
export function inspectionHandle(client: Client, campaignId: string, unitId: string): WorkflowHandle {
  return client.workflow.getHandle(inspectionWorkflowId(campaignId, unitId));
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

export async function giveEntropy(client: Client, campaignId: string, msg: unknown) {
  return client.workflow.getHandle(campaignId).executeUpdate(giveEntropyUpdate, { args: [parseMessage(witnessEntropySchema, msg, 'giveEntropy')] });
}
export async function submitChangeList(client: Client, campaignId: string, msg: unknown) {
  return client.workflow.getHandle(campaignId).executeUpdate(submitChangeListUpdate, { args: [parseMessage(changeListSubmissionSchema, msg, 'submitChangeList')] });
}
export async function submitResult(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(submitResultUpdate, { args: [parseMessage(resultReportSchema, msg, 'submitResult')] });
}
export async function declareRecusal(client: Client, campaignId: string, unitId: string, msg: unknown) {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(declareRecusalUpdate, { args: [parseMessage(recusalSchema, msg, 'declareRecusal')] });
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

/** Inspection workflows of a campaign in a phase, by visibility (e.g. 'handover-approval'). */
export async function listInspections(client: Client, campaignId: string, phase?: string): Promise<string[]> {
  const ids: string[] = [];
  const q = `WorkflowType = '${WORKFLOW_TYPES.inspection}' AND WorkflowId STARTS_WITH '${campaignId}.unit.'${phase ? ` AND SsjPhase = '${phase}'` : ''}`;
  for await (const wf of client.workflow.list({ query: q })) ids.push(wf.workflowId);
  return ids.sort();
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
 * Returns the schedule ids.
 */
export async function scheduleQuarterCampaigns(
  client: Client,
  a: { programmeId: string; year: number; quarters?: Quarter[]; windowOpensDaysBefore?: number; taskQueue?: string },
): Promise<string[]> {
  const ids: string[] = [];
  for (const quarter of a.quarters ?? ([1, 2, 3, 4] as Quarter[])) {
    const scheduleId = campaignScheduleId(a.programmeId, a.year, quarter);
    const opens = addDays(quarterStart(a.year, quarter), -(a.windowOpensDaysBefore ?? 15));
    const [y, m, d] = opens.split('-').map(Number) as [number, number, number];
    const input: CampaignInput = { programmeId: a.programmeId, year: a.year, quarter };
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

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;
function monthName(m: number): (typeof MONTHS)[number] {
  return MONTHS[m - 1]!;
}
