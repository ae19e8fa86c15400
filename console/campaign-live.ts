// What the console reads live from a quarter's workflow rather than from the projection: its
// status (the ceremony, change-list and publication pages), and the 工作台 tasks that exist only
// in that status (a witness's commit and reveal, a brigade's change list).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { campaignStatus } from '../client/temporal';
import type { CampaignRow, TaskRow } from '../stores/console-store';
import type { CampaignStatus } from '../workflows/definitions';

const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** The campaign's status, or null when the id is malformed or no such workflow exists. */
export async function campaignStatusOrNull(temporal: Client, campaignId: unknown): Promise<CampaignStatus | null> {
  if (typeof campaignId !== 'string' || !CAMPAIGN_ID.test(campaignId)) return null;
  try {
    return await campaignStatus(temporal, campaignId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** An open task for `personId` that the workflow keeps no row for, shown on 工作台 like the projected ones. */
export function liveTask(c: CampaignRow, personId: string, t: Pick<TaskRow, 'key' | 'kind' | 'unitName' | 'department' | 'role' | 'roleDepartment' | 'deadline' | 'detail'>): TaskRow {
  return {
    ...t,
    campaignId: c.campaignId,
    inspectionWorkflowId: null,
    unitId: null,
    assignees: [personId],
    status: 'open',
    decidedBy: null,
    decidedAt: null,
    revision: 0,
    updatedAt: c.updatedAt,
  };
}

/** "张三（P0004）": a person as the pages name them. */
export async function personLabel(personName: (id: string) => Promise<string | null>, id: string): Promise<string> {
  const name = await personName(id);
  return name ? `${name}（${id}）` : id;
}
