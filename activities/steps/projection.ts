// The console's projection, beside every step: the workflows' projector writes each inspection's
// and campaign's row and open tasks to the console store (../campaign/projection.ts), by revision.
import { projectCampaign as writeCampaignProjection, projectInspection as writeInspectionProjection, type CampaignProjection, type InspectionProjection } from './projection-rows';
import { reasonLabel } from '../../domain/programme';
import type { StepContext } from './context';

export function projectionActivities(ctx: StepContext) {
  const { deps } = ctx;
  return {
    /** The console's rows for one inspection; names as the notices have them. */
    async projectInspection(p: InspectionProjection): Promise<{ written: number }> {
      if (!deps.consoleStore) return { written: 0 };
      const names = await ctx.noticeContext(p.campaignId, [p.unitId]);
      return { written: await writeInspectionProjection(deps.consoleStore, { unitName: (id) => names.unit(id).name, departmentName: names.department, reasonLabel: (kind, code) => reasonLabel(deps.programme.reasons, kind === 'recusal' ? 'recusal' : 'unitClosed', code) }, p) };
    },
    /** The console's row for one campaign. */
    async projectCampaign(p: CampaignProjection): Promise<{ written: boolean }> {
      return { written: deps.consoleStore ? await writeCampaignProjection(deps.consoleStore, p) : false };
    },
  };
}
