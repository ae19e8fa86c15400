// Step 6, publish: the quarter's statistics, and the disclosure package (公示: draw record,
// manifest, replacements, ceremonies, results) once every inspection has ended. Document numbers
// of the campaign still reserved without their document at that point can no longer be issued:
// they are voided with the reason, so the register explains every gap in the series.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CeremonyEntry, CeremonyRecord } from '../../domain/ceremonies';
import type { HandlingKind } from '../../domain/outcomes';
import type { Quarter } from '../../domain/programme';
import { safeWorkflowId } from '../../domain/workflow-id';
import type { CampaignStore } from '../../stores/campaign-store';
import { heartbeat } from './heartbeat';
import { DRAW_NOTICE_FILE, drawNoticeDir, storedDrawNotice } from '../../files/publication/draw-notice';
import { refuse } from './refusals';
import type { PublishArgs, StepContext } from './context';

/** Why a number still reserved at publication is voided (the register's reason, in the bureau's words). */
export const UNISSUED_AT_PUBLICATION = '公示时该文号仍未形成文书（签发中断），作废';

/** The campaign's stored witness ceremonies, as the disclosure package publishes them. */
export async function ceremoniesOf(store: CampaignStore, campaignId: string): Promise<CeremonyEntry[]> {
  return (await store.ceremonies(campaignId)).map((c) => ({ outcome: c.outcome, ceremony: c.ceremony as CeremonyRecord }));
}

export function publishActivities(ctx: StepContext) {
  const { deps } = ctx;

  /** draw-notice.json as published at the draw (the store, else this host's folder), or null for a campaign drawn before notices existed. */
  async function readDrawNotice(campaignId: string): Promise<string | null> {
    const stored = await storedDrawNotice(await ctx.blobs(), campaignId);
    if (stored !== null) return stored;
    try {
      return fs.readFileSync(path.join(drawNoticeDir(deps.dataDir, campaignId), DRAW_NOTICE_FILE), 'utf8');
    } catch {
      return null;
    }
  }

  /** The real 公示 package (files/publication.ts), built from the store and the registry. */
  async function disclosurePackage(args: PublishArgs): Promise<{ location: string }> {
    const { publishDisclosurePackage } = await import('../../files/publication');
    const roster = await ctx.rosterOf(args.campaignId);
    const c = await args.store.requireCampaign(args.campaignId);
    const asOf = c.frozenAsOf ?? args.publishedOn;
    const unitIds = new Set(args.record.assignments.map((a) => a.unit_id));
    for (const r of args.replacements) if (r.kind === 'unit') unitIds.add(r.replacement);
    const replaced = new Set(args.replacements.filter((r) => r.kind === 'unit').map((r) => r.unit_id));
    const states = await ctx.unitsAt(unitIds, asOf);
    const units = [...unitIds].sort().map((id) => {
      const u = states.get(id);
      return { id, name: u?.name ?? id, address: u?.address ?? '' };
    });
    const results = new Map((await args.store.results(args.campaignId)).map((r) => [r.unitId, r]));
    const handlings = new Map((await args.store.handlings(args.campaignId)).map((h) => [h.unitId, h.handling]));
    const docs = new Map((await args.store.documents(args.campaignId)).map((d) => [d.unitId, d]));
    const deptName = (id: string) => roster.departments.find((d) => d.id === id)?.name ?? id;
    const outcomes = [...unitIds]
      .filter((id) => !replaced.has(id))
      .sort()
      .map((id) => {
        const r = results.get(id);
        const d = docs.get(id);
        return {
          unitId: id,
          checkedOn: r?.report.checkedOn ?? null,
          result: r?.report.result ?? null,
          handling: (handlings.get(id) ?? (r ? 'none' : 'not-inspected')) as HandlingKind,
          handledBy: d ? deptName(d.recipient) : null,
          documentNumber: d?.number ?? null,
        };
      });
    const out = await publishDisclosurePackage(
      await ctx.blobs(),
      {
        bureauName: args.programme.issuer,
        publisher: args.programme.detachment.name,
        softwareSource: args.programme.softwareSource ?? null,
        year: args.programme.year,
        quarter: args.quarter,
        publishedOn: args.publishedOn,
        departments: roster.departments.map((d) => ({ id: d.id, name: d.name })),
        units,
        outcomes,
        record: args.record,
        manifest: { dir: args.manifestDir },
        replacements: args.replacements,
        reasons: args.programme.reasons,
        ceremonies: await ceremoniesOf(args.store, args.campaignId),
        drawNotice: await readDrawNotice(args.campaignId),
      },
      { campaignId: args.campaignId, outDir: args.outDir },
    );
    return { location: out.dir };
  }

  return {
    async saveStats(a: { campaignId: string; stats: unknown }): Promise<void> {
      await (await ctx.store()).setStats(a.campaignId, a.stats);
    },

    /** Writes the disclosure package (record, manifest, replacements, results) once the checks end. */
    async publishCampaign(a: { campaignId: string; quarter: Quarter; publishedOn: string }): Promise<{ location: string; publishedOn: string }> {
      const store = await ctx.store();
      const c = await store.requireCampaign(a.campaignId);
      const prior = c.publication as { location: string; publishedOn: string } | null;
      if (prior) return prior;
      const { record, dir } = await ctx.manifestOf(a.campaignId);
      if (!record) throw refuse(`campaign ${a.campaignId} has no draw record to publish`);
      // Every inspection has ended (the campaign waits for them): a number still reserved is a gap.
      await store.voidUnissuedNumbers(a.campaignId, UNISSUED_AT_PUBLICATION, new Date().toISOString());
      const outDir = path.join(deps.publicationDir ?? path.join(deps.dataDir, 'publication'), safeWorkflowId(a.campaignId));
      const publish = deps.publish ?? disclosurePackage;
      heartbeat('publishing');
      const { location } = await publish({
        campaignId: a.campaignId,
        programme: deps.programme,
        quarter: a.quarter,
        store,
        manifestDir: dir,
        record,
        replacements: await store.replacements(a.campaignId),
        outDir,
        publishedOn: a.publishedOn,
      });
      const publication = { location, publishedOn: a.publishedOn };
      await store.setPublication(a.campaignId, publication);
      return publication;
    },
  };
}
