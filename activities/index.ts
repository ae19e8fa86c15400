// What the worker registers: every activity of the quarter's workflows, one file per step
// (steps/prepare, freeze, draw, inspection, documents, publish; steps/notices and steps/projection
// beside all of them). Each is idempotent, keyed by workflow id and step: retried after a crash, on
// any host, it returns the same answer and writes no second row, number or notice. Activity names
// are what workflows and saved histories call: never rename one.
import { withTypedRefusals } from './steps/refusals';
import { createStepContext, type CampaignActivityDeps } from './steps/context';
import { documentActivities } from './steps/documents';
import { drawActivities } from './steps/draw';
import { freezeActivities } from './steps/freeze';
import { inspectionActivities } from './steps/inspection';
import { noticeActivities, noticeSender } from './steps/notices';
import { prepareActivities } from './steps/prepare';
import { projectionActivities } from './steps/projection';
import { publishActivities } from './steps/publish';

export type { CampaignActivityDeps, MailSender, NoticeDelivery, PublishArgs, Recipients } from './steps/context';
export type { CampaignSettings } from './steps/prepare';
export type { WitnessRoster } from './steps/freeze';
export type { BatchPlan, DrawWitness, InspectionSeed } from './steps/draw';
export { ceremoniesOf } from './steps/publish';

function buildActivities(ctx: ReturnType<typeof createStepContext>) {
  const { deliver } = noticeSender(ctx);
  return {
    ...prepareActivities(ctx),
    ...freezeActivities(ctx),
    ...drawActivities(ctx),
    ...inspectionActivities(ctx),
    ...documentActivities(ctx, deliver),
    ...publishActivities(ctx),
    ...noticeActivities(ctx, deliver),
    ...projectionActivities(ctx),
  };
}

export type CampaignActivities = ReturnType<typeof buildActivities>;

/**
 * The campaign activities for a worker: `Worker.create({ activities: createActivities(deps) })`.
 * `close()` (not enumerable, so not registered as an activity) closes the store database when the
 * activities opened it themselves (deps.database absent).
 */
export function createActivities(deps: CampaignActivityDeps): CampaignActivities & { readonly close: () => Promise<void> } {
  const ctx = createStepContext(deps);
  const activities = withTypedRefusals(buildActivities(ctx));
  Object.defineProperty(activities, 'close', { value: () => ctx.close(), enumerable: false });
  return activities as CampaignActivities & { readonly close: () => Promise<void> };
}
