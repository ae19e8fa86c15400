// An intermediate child: fans out up to `batchSize` inspections of one department and sums their
// outcomes. It keeps the campaign's history to a few events per batch at any registry size, and
// it starts the inspection of a replacement unit when a drawn unit is replaced.
import { CancellationScope, executeChild, setHandler } from '@temporalio/workflow';
import { acts, visibilityFor } from './common';
import {
  batchStatusQuery,
  legacyInspectionWorkflowId,
  type BatchInput,
  type BatchOutcome,
  type InspectionInput,
  type InspectionOutcome,
  type InspectionTally,
} from './definitions';
import { inspectionWorkflow } from './inspection';

export function emptyTally(): InspectionTally {
  return {
    inspections: 0,
    inspected: 0,
    onTime: 0,
    overdue: 0,
    escalated: 0,
    findings: 0,
    ownCases: 0,
    handedOver: 0,
    handoverRejected: 0,
    referred: 0,
    notInspected: 0,
    replacedUnits: 0,
    replacedInspectors: 0,
    failed: 0,
  };
}

export function addOutcome(t: InspectionTally, o: InspectionOutcome): void {
  t.inspections++;
  t.replacedInspectors += o.inspectorReplacements;
  if (o.replacedBy) {
    t.replacedUnits++;
    return;
  }
  if (o.outcome === 'no-problem' || o.outcome === 'problems-found') t.inspected++;
  if (o.onTime) t.onTime++;
  if (o.overdue) t.overdue++;
  if (o.escalated) t.escalated++;
  if (o.outcome === 'problems-found') t.findings++;
  if (o.handling === 'own-case') t.ownCases++;
  if (o.handling === 'supervision-notice' || o.handling === 'transfer-form') t.handedOver++;
  if (o.handling === 'handover-rejected') t.handoverRejected++;
  if (o.handling === 'referral') t.referred++;
  if (o.handling === 'not-inspected') t.notInspected++;
}

export function addTally(into: InspectionTally, t: InspectionTally): void {
  for (const k of Object.keys(into) as (keyof InspectionTally)[]) into[k] += t[k];
}

export async function inspectionBatchWorkflow(input: BatchInput): Promise<BatchOutcome> {
  const visibility = visibilityFor(input.searchAttributes);
  visibility({ year: input.year, quarter: input.quarter, departments: [input.department], phase: 'inspection' });
  const tally = emptyTally();
  const running = new Set<string>();
  const failed: { unitId: string; reason: string }[] = [];
  let total = 0;
  setHandler(batchStatusQuery, () => ({
    campaignId: input.campaignId,
    batchNo: input.batchNo,
    department: input.department,
    total,
    finished: tally.inspections,
    running: [...running].sort(),
    failed: [...failed],
  }));

  const [seeds, ctx] = await Promise.all([
    acts.loadBatch({ campaignId: input.campaignId, department: input.department, chunk: input.chunk, batchSize: input.batchSize }),
    acts.inspectionContext({ campaignId: input.campaignId, department: input.department }),
  ]);
  total = seeds.length;
  const authority = { managers: ctx.managers, departmentKind: ctx.departmentKind, departmentName: ctx.departmentName, agencies: ctx.agencies, reasons: ctx.reasons };

  async function inspect(child: InspectionInput): Promise<void> {
    running.add(child.unitId);
    let out;
    try {
      // The id comes from the activity (opaque); results saved in older histories lack it.
      const workflowId = child.workflowId ?? legacyInspectionWorkflowId(child.campaignId, child.unitId);
      out = await executeChild(inspectionWorkflow, { workflowId, args: [child] });
    } catch (err) {
      // The batch itself cancelled (with its campaign): its inspections were cancelled with it.
      if (CancellationScope.current().consideredCancelled) throw err;
      // One unit's failure must not stop the quarter: count it, name it in the status, go on.
      running.delete(child.unitId);
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      failed.push({ unitId: child.unitId, reason: cause ?? (err as Error).message });
      tally.inspections++;
      tally.failed++;
      tally.notInspected++;
      return;
    }
    running.delete(child.unitId);
    addOutcome(tally, out);
    if (out.replacedBy) {
      total++;
      await inspect(out.replacedBy);
    }
  }

  await Promise.all(
    seeds.map((s) =>
      inspect({
        campaignId: input.campaignId,
        year: input.year,
        quarter: input.quarter,
        unitId: s.unitId,
        poolId: s.poolId,
        department: s.department,
        team: s.team,
        method: s.method,
        clock: input.clock,
        dates: input.dates,
        ...(input.calendar ? { calendar: input.calendar } : {}),
        authority,
        settings: input.settings,
        searchAttributes: input.searchAttributes,
        ...(s.workflowId !== undefined ? { workflowId: s.workflowId } : {}),
      }),
    ),
  );
  visibility({ phase: 'done' });
  return { batchNo: input.batchNo, tally };
}
