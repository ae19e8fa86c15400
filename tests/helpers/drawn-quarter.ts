// A quarter frozen and drawn by the campaign's activities themselves (no campaign workflow), and
// the inputs its inspections start with: for tests that start inspection workflows directly.
import type { CampaignActivities } from '../../activities';
import { witnessCommitment } from '../../domain/draw/commitment';
import type { ResolvedClock } from '../../domain/programme-clock';
import type { InspectionInput } from '../../workflows/definitions';
import { PEOPLE } from './campaign-fixture';

/** An ssj-draw/2 witness with the commitment its salt and entropy give for `manifestDigest`. */
export function revealedWitness(manifestDigest: string, role: 'admin' | 'discipline', personId: string, salt: string, entropy: string) {
  return { role, personId, salt, entropy, commitment: witnessCommitment(manifestDigest, role, personId, salt, entropy) };
}

/** Prepares, freezes (as of 2023-12-31, ssj-draw/2) and draws quarter 1 of 2024 with two witnesses. */
export async function freezeAndDraw(acts: CampaignActivities, campaignId: string, programmeId: string, entropy: { admin: string; discipline: string }): Promise<void> {
  await acts.prepareCampaign({ campaignId, programmeId, year: 2024, quarter: 1, rosterAsOf: '2023-12-31' });
  const frozen = await acts.freezeCampaign({ campaignId, quarter: 1, asOf: '2023-12-31', spec: 'ssj-draw/2' });
  await acts.drawCampaign({
    campaignId,
    batchSize: 50,
    witnesses: [
      revealedWitness(frozen.manifestDigest, 'admin', PEOPLE.admin, '0'.repeat(32), entropy.admin),
      revealedWitness(frozen.manifestDigest, 'discipline', PEOPLE.discipline, 'a'.repeat(32), entropy.discipline),
    ],
  });
}

/** The inspections of one department as its batch would start them (due 2024-03-31). */
export async function inspectionInputs(acts: CampaignActivities, campaignId: string, department: string, clock: ResolvedClock): Promise<InspectionInput[]> {
  const ctx = await acts.inspectionContext({ campaignId, department });
  return (await acts.loadBatch({ campaignId, department, chunk: 0, batchSize: 50 })).map((s) => ({
    campaignId,
    year: 2024,
    quarter: 1,
    unitId: s.unitId,
    poolId: s.poolId,
    department: s.department,
    team: s.team,
    method: s.method,
    clock,
    dates: { due: '2024-03-31', escalateAfter: '2024-04-03' },
    authority: { managers: ctx.managers, departmentKind: ctx.departmentKind, departmentName: ctx.departmentName, agencies: ctx.agencies, reasons: ctx.reasons },
    settings: { reminderDaysBeforeDue: [14, 7, 3, 1], approvalWorkingDays: 5 },
    searchAttributes: false,
  }));
}
