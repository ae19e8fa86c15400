// The draw pools a programme implies for the registry's departments (DRAW-SPEC pools.csv rows,
// before quotas): each section draws key units city-wide; each direct brigade draws the key,
// general and special-with-problems units of its jurisdiction. County brigades and agencies
// do not draw in this programme (they receive cases).
import type { Department, UnitCategory } from './registry';

/** A pool's filter, in the manifest's words. `*` matches anything. */
export interface PoolDefinition {
  poolId: string;
  department: string;
  departmentName: string;
  departmentKind: 'section' | 'direct-brigade';
  category: UnitCategory;
  jurisdiction: string; // an area code, or '*'
  tier: string; // 'problem' for special pools, else '*'
}

/** The manifest's view of a unit: what the draw filters on. */
export interface ManifestUnit {
  unitId: string;
  category: UnitCategory;
  jurisdiction: string;
  tier: string; // 'problem' | 'a'..'d' | '-'
  positive: boolean;
}

/** The tier special pools draw from: special units with violations or management problems. */
export const PROBLEM_TIER = 'problem';

export function definePools(departments: readonly Department[]): { pools: PoolDefinition[]; warnings: string[] } {
  const pools: PoolDefinition[] = [];
  const warnings: string[] = [];
  for (const d of departments) {
    const base = { department: d.id, departmentName: d.name };
    if (d.kind === 'section') {
      pools.push({ ...base, departmentKind: 'section', poolId: `key.${d.id}`, category: 'key', jurisdiction: '*', tier: '*' });
    } else if (d.kind === 'direct-brigade') {
      if (d.jurisdiction === null) {
        warnings.push(`department ${d.id} (${d.name}) is a direct brigade without a jurisdiction: it draws no pool until the registry gives it one`);
        continue;
      }
      const b = { ...base, departmentKind: 'direct-brigade' as const, jurisdiction: d.jurisdiction };
      pools.push({ ...b, poolId: `key.${d.id}`, category: 'key', tier: '*' });
      pools.push({ ...b, poolId: `general.${d.id}`, category: 'general', tier: '*' });
      pools.push({ ...b, poolId: `special.${d.id}`, category: 'special', tier: PROBLEM_TIER });
    }
  }
  pools.sort((a, b) => compareBytes(a.poolId, b.poolId));
  return { pools, warnings };
}

export function unitMatchesPool(u: ManifestUnit, p: PoolDefinition): boolean {
  return (
    u.category === p.category &&
    (p.jurisdiction === '*' || p.jurisdiction === u.jurisdiction) &&
    (p.tier === '*' || p.tier === u.tier)
  );
}

/**
 * Sort order of DRAW-SPEC: UTF-8 bytes ascending. Codes and ids are ASCII by their schemas, and for
 * ASCII, UTF-16 code-unit order is byte order.
 */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
