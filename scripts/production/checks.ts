// What the production check asserts after the quarter, each read the way an outsider can: the
// workflows from Temporal's visibility, the notices from the SMTP server that received them, the
// official document numbers from the inspections' status.
import type { Client } from '@temporalio/client';
import type { CaughtMessage } from '../../mail/catcher';
import { inspectionStatus } from '../../client/temporal';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Every workflow of the namespace: how many, and those not COMPLETED (running, failed, terminated...). */
export async function workflowsCompleted(client: Client): Promise<Check & { total: number }> {
  let total = 0;
  const others: string[] = [];
  for await (const w of client.workflow.list()) {
    total++;
    if (w.status.name !== 'COMPLETED') others.push(`${w.workflowId} ${w.status.name}`);
  }
  return {
    name: 'every workflow completed',
    ok: total > 0 && others.length === 0,
    total,
    detail: others.length ? `${others.length} of ${total} not completed: ${others.slice(0, 8).join('; ')}` : `${total} workflows, all COMPLETED`,
  };
}

/** Each notice reached the SMTP server once: one message per notice key (its Message-ID otherwise). */
export function noticesOnce(messages: CaughtMessage[]): Check & { total: number; distinct: number } {
  const seen = new Map<string, number>();
  for (const m of messages) {
    const key = m.noticeKey ?? m.messageId ?? `(no key) ${m.subject}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, n]) => n > 1);
  return {
    name: 'each notice sent once',
    ok: messages.length > 0 && twice.length === 0,
    total: messages.length,
    distinct: seen.size,
    detail: twice.length
      ? `${twice.length} notice${twice.length === 1 ? '' : 's'} arrived more than once: ${twice.slice(0, 6).map(([k, n]) => `${k} x${n}`).join('; ')}`
      : `${messages.length} messages, ${seen.size} distinct notices`,
  };
}

/** The official documents of every inspection (drawn and replacement units), numbers never repeated. */
export async function documentNumbersUnique(client: Client, campaignId: string, unitIds: string[]): Promise<Check & { documents: number }> {
  const byNumber = new Map<string, string[]>();
  const unreadable: string[] = [];
  for (const unitId of unitIds) {
    try {
      for (const d of (await inspectionStatus(client, campaignId, unitId)).documents) byNumber.set(d.number, [...(byNumber.get(d.number) ?? []), `${unitId} ${d.kind}`]);
    } catch (err) {
      unreadable.push(`${unitId}: ${(err as Error).message}`);
    }
  }
  const repeated = [...byNumber].filter(([, who]) => who.length > 1);
  const documents = [...byNumber.values()].reduce((n, who) => n + who.length, 0);
  const problems = [...repeated.map(([n, who]) => `${n} given to ${who.join(' and ')}`), ...unreadable.slice(0, 3)];
  return {
    name: 'document numbers unique',
    ok: problems.length === 0,
    documents,
    detail: problems.length ? problems.slice(0, 6).join('; ') : `${documents} documents, ${byNumber.size} distinct numbers (${[...byNumber.keys()].slice(0, 3).join(', ')}${byNumber.size > 3 ? ', ...' : ''})`,
  };
}
