// The freeze, pure: from the registries as they stood at a date, the programme and a quarter, the
// manifest rows (DRAW-SPEC section 1), the exclusions with reasons, the quota report, and the
// bytes of every file of the freeze folder. files/freeze.ts writes them. New freezes are
// ssj-draw/2 manifests: a conflict's reason stays in the registry, never in the manifest.
import { manifestDigests } from './draw/digest';
import { DRAW_SPEC_V2, type DrawSpec } from './draw/record';
import { serializeManifest, type ManifestData, type ManifestFileName } from './draw/manifest';
import { drawScope, type Exclusion, type FreezeInputs } from './eligibility';
import { campaignCode, type Programme, type Quarter } from './programme';
import { quotaReport, type QuotaReport } from './quotas';
import type { RegistrySnapshot } from './registry';

export type { FreezeInputs, Exclusion };

export interface FrozenQuarter {
  manifest: ManifestData;
  exclusions: Exclusion[];
  quotas: QuotaReport;
}

/** The files of a freeze folder besides the five manifest files. */
export const EXCLUSIONS_FILE = 'exclusions.csv';
export const QUOTAS_FILE = 'quotas.json';
export const DIGEST_FILE = 'DIGEST';

export interface FreezeFiles {
  /** The five DRAW-SPEC files, written by the draw's serializer. */
  manifest: Record<ManifestFileName, string>;
  fileDigests: Record<ManifestFileName, string>;
  manifestDigest: string;
  /** exclusions.csv, quotas.json and DIGEST. */
  extras: Record<typeof EXCLUSIONS_FILE | typeof QUOTAS_FILE | typeof DIGEST_FILE, string>;
}

/**
 * The quarter's manifest rows, exclusions and quotas. `spec` is the manifest version, ssj-draw/2
 * unless a caller needs an ssj-draw/1 manifest (e.g. to redo an old campaign's freeze).
 */
export function freezeQuarter(
  snapshot: RegistrySnapshot,
  programme: Programme,
  quarter: Quarter,
  inputs: FreezeInputs = {},
  spec: DrawSpec = DRAW_SPEC_V2,
): FrozenQuarter {
  const scope = drawScope(snapshot, programme, quarter, inputs);
  const quotas = quotaReport(scope, programme, quarter);
  const manifest: ManifestData = {
    params: { spec, campaign: campaignCode(programme, quarter), exclusive: programme.draw.exclusive, teamSize: programme.draw.teamSize },
    units: scope.units,
    inspectors: scope.inspectors,
    // ssj-draw/2 publishes the pair only: the reason (often private) is dropped here.
    conflicts: spec === DRAW_SPEC_V2 ? scope.conflicts.map((c) => ({ inspectorId: c.inspectorId, unitId: c.unitId })) : scope.conflicts,
    pools: quotas.pools.map((q) => ({
      poolId: q.poolId,
      department: q.department,
      category: q.category,
      jurisdiction: q.jurisdiction,
      tier: q.tier,
      quota: q.quota,
    })),
  };
  return { manifest, exclusions: scope.exclusions, quotas };
}

/** Every file of the freeze folder, as text. Deterministic: the same freeze gives the same bytes. */
export function freezeFiles(frozen: FrozenQuarter): FreezeFiles {
  const manifest = serializeManifest(frozen.manifest);
  const { files: fileDigests, manifestDigest } = manifestDigests(manifest);
  return {
    manifest,
    fileDigests,
    manifestDigest,
    extras: {
      [EXCLUSIONS_FILE]: exclusionsCsv(frozen.exclusions),
      [QUOTAS_FILE]: `${JSON.stringify({ manifest_digest: manifestDigest, ...frozen.quotas }, null, 2)}\n`,
      [DIGEST_FILE]: `${manifestDigest}\n`,
    },
  };
}

/** exclusions.csv: `unit_id,reason,detail`, sorted by unit id; detail quoted (RFC 4180) when needed. */
export function exclusionsCsv(rows: readonly Exclusion[]): string {
  const lines = ['unit_id,reason,detail'];
  for (const r of rows) lines.push(`${r.unitId},${r.reason},${csvField(r.detail)}`);
  return `${lines.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Counts for a one-line summary. */
export function freezeCounts(frozen: FrozenQuarter): Record<'units' | 'inspectors' | 'conflicts' | 'pools' | 'exclusions' | 'quota', number> {
  return {
    units: frozen.manifest.units.length,
    inspectors: frozen.manifest.inspectors.length,
    conflicts: frozen.manifest.conflicts.length,
    pools: frozen.manifest.pools.length,
    exclusions: frozen.exclusions.length,
    quota: frozen.manifest.pools.reduce((a, p) => a + p.quota, 0),
  };
}
