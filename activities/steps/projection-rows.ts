// The console's projection of one inspection: its row and its tasks (the result due from the team,
// the hand-over approval due from the managers, a parked step for operations), written by the
// inspection workflow through `projectInspection` at each phase change. The console lists from
// these rows, never from Temporal's eventually-consistent visibility. Every row carries the
// workflow's revision: a retried or late call with an older one changes nothing.
import type { ConsoleStore, TaskRow, TaskStatus } from '../../stores/console-store';
import type { ProjectedDecision } from '../../workflows/projected-decisions';

/** What the inspection workflow knows; names are resolved here, never in workflow code. */
export interface InspectionProjection {
  workflowId: string;
  campaignId: string;
  /** The workflow's counter, one more at each call. */
  revision: number;
  /** Workflow time of this state (ISO-8601): the rows' updatedAt, so a retry writes the same. */
  at: string;
  unitId: string;
  /** The department id the inspection belongs to. */
  department: string;
  team: string[];
  managers: string[];
  phase: string;
  /** 'YYYY-MM-DD': the result's due date. */
  due: string;
  overdue: boolean;
  parked: { step: string; reason: string; operators: string[] } | null;
  result: { by: string; at: string; outcome: string } | null;
  /** Set once a hand-over approval was requested. */
  approval: { due: string; decision: { decision: string; by: string; at: string } | null } | null;
  handling: string | null;
  /** The unit that replaced this one (reported closed, replacement approved). */
  replacedBy: string | null;
  /** Recusals and unit replacements asked of the managers (absent in histories from before). */
  decisions?: ProjectedDecision[];
}

/** Display names, as the notices have them (noticeContext). */
export interface ProjectionNames {
  unitName(unitId: string): string;
  departmentName(departmentId: string): string;
  /** The programme's label of a recusal (reasons.recusal) or closed-unit (reasons.unitClosed) code; null when none. */
  reasonLabel?(kind: ProjectedDecision['kind'], code: string): string | null;
}

/** The role that works parked steps (with the parking's named operators). */
export const OPERATIONS_ROLE = 'detachment-leader';

export const taskKeys = {
  result: (wf: string) => `${wf}/result`,
  approveHandover: (wf: string) => `${wf}/approve-handover`,
  parked: (wf: string) => `${wf}/parked`,
  approveRecusal: (wf: string, n: number) => `${wf}/approve-recusal/${n}`,
  approveReplacement: (wf: string, n: number) => `${wf}/approve-replacement/${n}`,
};

export const DECISION_TASK_KINDS = { recusal: 'approve-recusal', replacement: 'approve-replacement' } as const;

/** Writes the inspection row and its task rows; returns how many rows were written (0: all older or equal). */
export async function projectInspection(store: ConsoleStore, names: ProjectionNames, p: InspectionProjection): Promise<number> {
  const updatedAt = new Date(p.at);
  const unitName = names.unitName(p.unitId);
  const base = {
    campaignId: p.campaignId,
    inspectionWorkflowId: p.workflowId,
    unitId: p.unitId,
    unitName,
    department: p.department,
    revision: p.revision,
    updatedAt,
  };
  const detail = { departmentName: names.departmentName(p.department), phase: p.phase };
  const task = (t: Pick<TaskRow, 'key' | 'kind' | 'assignees' | 'role' | 'roleDepartment' | 'deadline' | 'status' | 'decidedBy' | 'decidedAt'>): TaskRow => ({ ...base, ...t, detail });

  const rows: TaskRow[] = [];
  const done = p.phase === 'done' || p.replacedBy !== null;
  const resultStatus: TaskStatus = p.result ? 'done' : done ? 'cancelled' : 'open';
  rows.push(
    task({
      key: taskKeys.result(p.workflowId),
      kind: 'result',
      assignees: p.team,
      role: null,
      roleDepartment: null,
      deadline: p.due,
      status: resultStatus,
      decidedBy: p.result?.by ?? null,
      decidedAt: p.result ? new Date(p.result.at) : null,
    }),
  );
  if (p.approval) {
    const d = p.approval.decision;
    rows.push(
      task({
        key: taskKeys.approveHandover(p.workflowId),
        kind: 'approve-handover',
        assignees: p.managers,
        role: null,
        roleDepartment: null,
        deadline: p.approval.due,
        status: d ? 'done' : 'open',
        decidedBy: d?.by ?? null,
        decidedAt: d ? new Date(d.at) : null,
      }),
    );
  }
  for (const d of p.decisions ?? []) {
    const open = !d.decision && !done;
    rows.push({
      ...task({
        key: d.kind === 'recusal' ? taskKeys.approveRecusal(p.workflowId, d.n) : taskKeys.approveReplacement(p.workflowId, d.n),
        kind: DECISION_TASK_KINDS[d.kind],
        // An inspector never decides their own recusal.
        assignees: p.managers.filter((m) => m !== d.inspectorId),
        role: null,
        roleDepartment: null,
        deadline: d.due ?? null,
        status: d.decision ? 'done' : open ? 'open' : 'cancelled',
        decidedBy: d.decision?.by ?? null,
        decidedAt: d.decision ? new Date(d.decision.at) : null,
      }),
      detail: { ...detail, inspectorId: d.inspectorId, requestedBy: d.requestedBy, reasonCode: d.reasonCode, reasonLabel: names.reasonLabel?.(d.kind, d.reasonCode) ?? null, requestedOn: d.on, decision: d.decision?.decision ?? null },
    });
  }
  const parkedKey = taskKeys.parked(p.workflowId);
  if (p.parked || (await store.getTask(parkedKey))?.status === 'open') {
    rows.push(
      task({
        key: parkedKey,
        kind: 'parked',
        assignees: p.parked?.operators ?? [],
        role: OPERATIONS_ROLE,
        roleDepartment: null,
        deadline: null,
        status: p.parked ? 'open' : 'done',
        decidedBy: null,
        decidedAt: null,
      }),
    );
  }

  let written = 0;
  if (
    await store.upsertInspection({
      ...base,
      workflowId: p.workflowId,
      team: p.team,
      phase: p.phase,
      deadline: p.due,
      overdue: p.overdue,
      parked: p.parked !== null,
      parkedReason: p.parked?.reason ?? null,
      outcome: p.result?.outcome ?? null,
      detail: { ...detail, handling: p.handling, replacedBy: p.replacedBy, approvalDue: p.approval?.due ?? null, parkedStep: p.parked?.step ?? null },
    })
  ) {
    written++;
  }
  for (const r of rows) if (await store.upsertTask(r)) written++;
  return written;
}

/** What the campaign workflow shows operations: its phase and the programme's dates. */
export interface CampaignProjection {
  campaignId: string;
  programmeId: string;
  year: number;
  quarter: number;
  phase: string;
  revision: number;
  /** Workflow time of this state (ISO-8601). */
  at: string;
  dates: Record<string, string | null>;
  parked: { step: string; reason: string } | null;
}

/** Writes the campaign row; false when a newer revision is stored. */
export function projectCampaign(store: ConsoleStore, p: CampaignProjection): Promise<boolean> {
  return store.upsertCampaign({
    campaignId: p.campaignId,
    programmeId: p.programmeId,
    year: p.year,
    quarter: p.quarter,
    phase: p.phase,
    // The programme instant beside the real one: the console tells a rehearsal (演练) quarter, whose
    // programme clock runs ahead, by their distance, and counts its deadlines on its own date.
    detail: { dates: p.dates, parked: p.parked, clock: { programmeAt: p.at, recordedAt: new Date().toISOString() } },
    revision: p.revision,
    updatedAt: new Date(p.at),
  });
}
