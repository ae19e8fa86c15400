// Step 2, freeze: the registries as of the freeze date become the campaign's manifest package in
// the shared blob store (../freeze.ts freezeToStore), so any host can draw from it, and the campaign
// store records its digests and frozen roster.
import { DRAW_SPEC_V1, type DrawSpec } from '../../domain/draw/record';
import type { Quarter } from '../../domain/programme';
import { freezeToStore } from '../../files/freeze';
import { firstScheduledIso, heartbeat } from './heartbeat';
import { MANIFEST_PACKAGE_PREFIX, rosterFrom, type StepContext } from './context';

export interface WitnessRoster {
  admin: string[];
  discipline: string[];
  manager: string[];
}

export function freezeActivities(ctx: StepContext) {
  const { deps } = ctx;
  return {
    /** Freezes the registries as of `asOf` into the blob store (package campaigns/<id>/manifest). */
    async freezeCampaign(a: { campaignId: string; quarter: Quarter; asOf: string; spec?: DrawSpec }): Promise<{
      manifestDigest: string;
      counts: { units: number; inspectors: number; pools: number; quota: number };
      witnesses: WitnessRoster;
      warnings: string[];
    }> {
      // The registry as known when the freeze was first scheduled: a retry (the worker died after
      // writing the manifest) must rebuild the same manifest, even if a change dated inside the
      // closed quarter was recorded meanwhile; else the stored package refuses it (FreezeRefused).
      const knownAt = firstScheduledIso();
      const snapshot = await (await ctx.registry()).snapshotAt(a.asOf, knownAt ? { knownAt } : {});
      heartbeat('registry read');
      // Campaigns started before ssj-draw/2 pass no spec: their witnesses give entropy, so a v1 manifest.
      const spec = a.spec ?? DRAW_SPEC_V1;
      const frozen = await freezeToStore({ snapshot, programme: deps.programme, quarter: a.quarter, spec, store: await ctx.blobs(), campaignId: a.campaignId });
      heartbeat('manifest written');
      // The same snapshot the manifest froze: one registry read, and roster and manifest agree.
      const roster = rosterFrom(snapshot);
      const manifestDir = `${MANIFEST_PACKAGE_PREFIX}${frozen.packageDigest}`;
      await (await ctx.store()).setFrozen(a.campaignId, { manifestDir, manifestDigest: frozen.manifestDigest, asOf: a.asOf, roster });
      const holding = (role: string) => roster.people.filter((p) => p.roles.includes(role)).map((p) => p.id);
      return {
        manifestDigest: frozen.manifestDigest,
        counts: { units: frozen.counts.units, inspectors: frozen.counts.inspectors, pools: frozen.counts.pools, quota: frozen.counts.quota },
        witnesses: { admin: holding('admin'), discipline: holding('discipline'), manager: holding('manager') },
        warnings: frozen.warnings,
      };
    },
  };
}
