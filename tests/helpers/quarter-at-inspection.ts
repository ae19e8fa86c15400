// A rehearsal quarter on a real Temporal server, driven through the same typed client as the CLI
// up to the inspections (change lists in, the witnesses' ceremony held), for the console's tests.
// Call it inside the worker's runUntil; it returns the section-1 unit, ready for its result.
import type { Client } from '@temporalio/client';
import * as api from '../../client/temporal';
import { campaignWorkflowId } from '../../workflows/definitions';
import { drawnUnits, eventually, PEOPLE, type Fixture } from './campaign-fixture';

export async function quarterAtInspection(
  client: Client,
  fx: Fixture,
  opts: { taskQueue: string; entropy: { admin: string; discipline: string } },
): Promise<{ campaignId: string; section: ReturnType<typeof drawnUnits>[number] }> {
  const programmeId = fx.programme.id;
  const campaignId = campaignWorkflowId(programmeId, 2024, 1);
  await api.startCampaign(client, { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-28', secondsPerDay: 1 } }, { taskQueue: opts.taskQueue });
  await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
  await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
  await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
  await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase', 600);
  await api.holdWitnessCeremony(client, campaignId, [
    { role: 'admin', personId: PEOPLE.admin, entropy: opts.entropy.admin },
    { role: 'discipline', personId: PEOPLE.discipline, entropy: opts.entropy.discipline },
  ]);
  await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase', 600);
  const section = drawnUnits(fx.dataDir, campaignId).find((u) => u.department === 'section-1')!;
  await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'inspection', section.unitId);
  return { campaignId, section };
}
