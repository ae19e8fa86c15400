// The annual plan: before the programme's date (25 January) the detachment files the year's plan
// (Annex 1 check items, Annex 2 quarterly draw plan) with the superior office.
import { setHandler, workflowInfo } from '@temporalio/workflow';
import { programmeDate, resolveClock } from '../domain/programme-clock';
import { acts, visibilityFor } from './common';
import { annualPlanStatusQuery, type AnnualPlanInput, type AnnualPlanStatus } from './definitions';

export async function annualPlanWorkflow(input: AnnualPlanInput): Promise<NonNullable<AnnualPlanStatus['filed']>> {
  const visibility = visibilityFor(input.searchAttributes);
  const wfId = workflowInfo().workflowId;
  const clock = resolveClock(input.clock, Date.now());
  let status: AnnualPlanStatus = { programmeId: input.programmeId, year: input.year, phase: 'waiting', due: `${input.year}-01-25`, filed: null };
  setHandler(annualPlanStatusQuery, () => status);
  visibility({ year: input.year, phase: 'annual-plan' });

  const settings = await acts.campaignSettings();
  const due = `${input.year}-${String(settings.annualPlanBy.month).padStart(2, '0')}-${String(settings.annualPlanBy.day).padStart(2, '0')}`;
  status = { ...status, due };
  const on = programmeDate(clock, Date.now());
  // The clock goes along so the worker can refuse a rehearsal it does not allow (an argument, not a command: replays as before).
  const filed = await acts.fileAnnualPlan({ key: `${wfId}/file`, programmeId: input.programmeId, year: input.year, issuedOn: on, clock });
  status = { ...status, phase: 'filed', filed: { number: filed.number, on, late: on > due } };
  visibility({ phase: 'filed' });
  return status.filed!;
}
