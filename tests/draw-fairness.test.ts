// Fairness of the draw over many seeds (fixed, so the test is deterministic and cannot flake):
// selection frequencies pass a chi-square test, a deliberately biased draw fails it, conflicts are
// never violated, teams are full, and without conflicts loads differ by at most one.
import { describe, expect, it } from 'vitest';
import { Witness, runDraw, ticket, validateWitnesses, computeSeed } from '../domain/draw/draw';
import { Manifest, ManifestData, parseManifest, serializeManifest } from '../domain/draw/manifest';
import { chiSquarePValue } from './fixtures/draw/chi-square';
import { syntheticManifest } from './fixtures/draw/synthetic';

const ALPHA = 0.01;

/** Witnesses for draw number `k`: entropy derived from a counter. */
function witnessesFor(k: number): Witness[] {
  return [
    { role: 'admin', person_id: 'ADM001', entropy: `fairness${String(k).padStart(10, '0')}` },
    { role: 'discipline', person_id: 'DIS007', entropy: `counter${String(k).padStart(10, '0')}x` },
  ];
}

function onePoolManifest(n: number, quota: number, inspectors: number, conflicts: ManifestData['conflicts'] = []): Manifest {
  const data: ManifestData = {
    params: { spec: 'ssj-draw/1', campaign: 'fairness', exclusive: true, teamSize: 2 },
    units: Array.from({ length: n }, (_, i) => ({ unitId: `U${String(i).padStart(3, '0')}`, category: 'general', jurisdiction: 'shihe', tier: '-', positive: false })),
    inspectors: Array.from({ length: inspectors }, (_, i) => ({ inspectorId: `I${String(i).padStart(2, '0')}`, department: 'brigade-shihe' })),
    conflicts,
    pools: [{ poolId: 'general.brigade-shihe', department: 'brigade-shihe', category: 'general', jurisdiction: 'shihe', tier: '*', quota }],
  };
  return parseManifest(serializeManifest(data));
}

/**
 * Chi-square statistic for how often each of n units was selected in `draws` draws of k.
 * Indicators of sampling without replacement have variance p(1-p) and covariance -p(1-p)/(n-1),
 * so sum((O-E)^2) * (n-1) / (draws * p(1-p) * n) is chi-square with n-1 degrees of freedom.
 */
function selectionPValue(counts: number[], draws: number, k: number): number {
  const n = counts.length;
  const p = k / n;
  const e = draws * p;
  const ss = counts.reduce((s, o) => s + (o - e) ** 2, 0);
  return chiSquarePValue((ss * (n - 1)) / (draws * p * (1 - p) * n), n - 1);
}

describe('chi-square p-values', () => {
  it('match table critical values', () => {
    // Upper 1% points: df 1 -> 6.635, df 19 -> 36.191, df 100 -> 135.807; 5%: df 10 -> 18.307.
    expect(chiSquarePValue(6.635, 1)).toBeCloseTo(0.01, 4);
    expect(chiSquarePValue(36.191, 19)).toBeCloseTo(0.01, 4);
    expect(chiSquarePValue(135.807, 100)).toBeCloseTo(0.01, 4);
    expect(chiSquarePValue(18.307, 10)).toBeCloseTo(0.05, 4);
    expect(chiSquarePValue(2, 10)).toBeGreaterThan(0.99);
  });
});

describe('fairness over many seeds', () => {
  const N_UNITS = 20;
  const QUOTA = 5;
  const DRAWS = 3000;
  const manifest = onePoolManifest(N_UNITS, QUOTA, 7);
  const index = new Map(manifest.units.map((u, i) => [u.unitId, i]));

  it('selects each unit with frequency quota/candidates (chi-square, alpha 0.01); loads differ by at most one', () => {
    const counts = new Array<number>(N_UNITS).fill(0);
    const leads = new Map<string, number>();
    for (let k = 0; k < DRAWS; k++) {
      const r = runDraw(manifest, witnessesFor(k));
      expect(r.pools[0]!.selected).toHaveLength(QUOTA);
      for (const u of r.pools[0]!.selected) counts[index.get(u)!]!++;
      const loads = new Map<string, number>(manifest.inspectors.map((i) => [i.inspectorId, 0]));
      for (const a of r.assignments) {
        expect(new Set(a.inspectors).size).toBe(2);
        for (const i of a.inspectors) loads.set(i, loads.get(i)! + 1);
        leads.set(a.inspectors[0]!, (leads.get(a.inspectors[0]!) ?? 0) + 1);
      }
      const values = [...loads.values()];
      expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(DRAWS * QUOTA);
    expect(selectionPValue(counts, DRAWS, QUOTA)).toBeGreaterThanOrEqual(ALPHA);
    // Every inspector leads teams sometimes.
    expect(leads.size).toBe(7);
  });

  it('has power: a draw that favours two units a little fails the same test', () => {
    // The biased draw gives units U000 and U001 the better of two tickets.
    const counts = new Array<number>(N_UNITS).fill(0);
    for (let k = 0; k < DRAWS; k++) {
      const seed = computeSeed(manifest.manifestDigest, validateWitnesses(witnessesFor(k)));
      const keyed = manifest.units.map((u, i) => {
        const label = `select|general.brigade-shihe|${u.unitId}`;
        let t = ticket(seed, label);
        if (i < 2) {
          const again = ticket(seed, `${label}|again`);
          if (again < t) t = again;
        }
        return { i, t };
      });
      keyed.sort((a, b) => (a.t < b.t ? -1 : 1));
      for (const { i } of keyed.slice(0, QUOTA)) counts[i]!++;
    }
    expect(selectionPValue(counts, DRAWS, QUOTA)).toBeLessThan(ALPHA);
  });

  it('never violates a conflict and always fills teams, on city-shaped manifests with many conflicts', () => {
    let constrained = 0; // drawn units where a conflict actually removed someone from the choice
    for (let s = 1; s <= 20; s++) {
      const data = syntheticManifest({ units: 600, brigadeInspectors: 5, sectionInspectors: 4, conflictsPerThousand: 150, seed: s });
      const m = parseManifest(serializeManifest(data));
      const conflicts = new Set(m.conflicts.map((c) => `${c.inspectorId}|${c.unitId}`));
      const departmentOf = new Map(m.inspectors.map((i) => [i.inspectorId, i.department]));
      const poolDepartment = new Map(m.pools.map((p) => [p.poolId, p.department]));
      const r = runDraw(m, witnessesFor(s));
      expect(r.assignments.length).toBe(r.pools.reduce((n, p) => n + p.selected.length, 0));
      const conflictedUnits = new Set(m.conflicts.map((c) => c.unitId));
      for (const a of r.assignments) {
        if (conflictedUnits.has(a.unit_id)) constrained++;
        expect(a.inspectors).toHaveLength(m.params.teamSize);
        expect(new Set(a.inspectors).size).toBe(m.params.teamSize);
        for (const i of a.inspectors) {
          expect(conflicts.has(`${i}|${a.unit_id}`)).toBe(false);
          expect(departmentOf.get(i)).toBe(poolDepartment.get(a.pool_id));
        }
      }
      // Exclusive: no unit drawn twice.
      const all = r.pools.flatMap((p) => p.selected);
      expect(new Set(all).size).toBe(all.length);
    }
    expect(constrained).toBeGreaterThan(50);
  });
});
