// Resuming a step parked for data (Update `resumeParkedStep`), on an inspection or on the
// campaign, and how a parked step reads in a status. Used by `ssj inspection resume` here and by
// `ssj quarter resume` (client/commands/quarter.ts).
// 恢复因数据缺失而暂停的流程步骤。
import type { Client } from '@temporalio/client';
import { parseMessage } from '../../domain/messages';
import { resumeParkedStepSchema } from '../../domain/parking';
import { resumeParkedStepUpdate, type ParkedStep, type ResumeAck } from '../../workflows/definitions';
import { inspectionHandle } from '../temporal';

/** `msg`: `{ by, note? }`; `by` a detachment leader or admin of the frozen roster. Resolves once the step is retried. */
export async function resumeInspection(client: Client, campaignId: string, unitId: string, msg: unknown): Promise<ResumeAck> {
  return inspectionHandle(client, campaignId, unitId).executeUpdate(resumeParkedStepUpdate, { args: [parseMessage(resumeParkedStepSchema, msg, 'resumeParkedStep')] });
}

/** The campaign's parked step (the publication), as resumeInspection. */
export async function resumeCampaign(client: Client, campaignId: string, msg: unknown): Promise<ResumeAck> {
  return client.workflow.getHandle(campaignId).executeUpdate(resumeParkedStepUpdate, { args: [parseMessage(resumeParkedStepSchema, msg, 'resumeParkedStep')] });
}

/** One line for a status display: the step, since when, why, and who may resume it. */
export function formatParked(p: ParkedStep | null | undefined): string | null {
  if (!p) return null;
  return `${p.step} since ${p.since} (${p.failureType}): ${p.reason}; resume after the fix, as ${p.operators.join(' or ') || '(no detachment-leader or admin in the roster)'}`;
}

/** What the command prints after a resume. */
export function formatResumed(what: string, ack: ResumeAck): string {
  return `${what}: ${ack.step} (parked since ${ack.parkedSince}) resumed by ${ack.resumedBy}; it runs again now and parks again if the data is still wrong (see the status)`;
}
