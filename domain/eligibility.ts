// What a quarter's draw works on: from the registries as they stood at the freeze date, the units
// that may be drawn (and why each other unit may not), the inspectors of the drawing departments,
// and the recusals that concern them. Shared by quotas (counted on these pools) and freeze (written
// as the manifest), so both always see the same candidates.
import type { ManifestConflict, ManifestInspector } from './draw/manifest';
import { definePools, compareBytes, unitMatchesPool, PROBLEM_TIER, type ManifestUnit, type PoolDefinition } from './pools';
import type { Programme, Quarter } from './programme';
import { isEligibleInspector, type RegistrySnapshot, type Unit } from './registry';

/** A unit already inspected this quarter by another office (national practice: not twice a quarter). */
export interface InspectedElsewhere {
  unitId: string;
  office: string;
}

/** An earlier inspection, for the programme's optional "not inspected in the last N quarters" rule. */
export interface PastInspection {
  unitId: string;
  date: string; // YYYY-MM-DD
}

export interface FreezeInputs {
  inspectedElsewhere?: readonly InspectedElsewhere[];
  pastInspections?: readonly PastInspection[];
}

export const exclusionReasons = [
  'closed', // 关停: status closed at the freeze date
  'banned', // 取缔
  'exempt', // positive-list unit of a kind the programme fully exempts
  'inspected-by-other-office', // already inspected this quarter by another office
  'recently-inspected', // inspected within the programme's last N quarters
  'no-pool', // no drawing department covers it (e.g. a county's general units, special units without problems)
] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];

export interface Exclusion {
  unitId: string;
  reason: ExclusionReason;
  detail: string;
}

export interface DrawScope {
  asOf: string;
  pools: PoolDefinition[];
  /** Units that may be drawn, sorted by id. */
  units: ManifestUnit[];
  /** Eligible inspectors of the drawing departments, sorted by id. */
  inspectors: ManifestInspector[];
  /** Recusals between those units and inspectors, sorted by inspector then unit. */
  conflicts: ManifestConflict[];
  /** Every registry unit left out, with the reason, sorted by unit id. */
  exclusions: Exclusion[];
  warnings: string[];
}

/** A unit's tier in the manifest: `problem` for special units with problems, else its credit rating or `-`. */
export function unitTier(u: Unit): string {
  if (u.category === 'special' && u.specialProblem) return PROBLEM_TIER;
  return u.creditRating ?? '-';
}

export function drawScope(snapshot: RegistrySnapshot, programme: Programme, quarter: Quarter, inputs: FreezeInputs = {}): DrawScope {
  const defined = definePools(snapshot.departments);
  const warnings = defined.warnings;
  // Inspectors of the departments that draw. A department without any cannot draw (the manifest
  // format requires every pool's department to have inspectors): its pools are left out, loudly.
  const drawing = new Set(defined.pools.map((p) => p.department));
  const inspectors = snapshot.people
    .filter((p) => isEligibleInspector(p) && drawing.has(p.department))
    .map((p) => ({ inspectorId: p.id, department: p.department }))
    .sort((a, b) => compareBytes(a.inspectorId, b.inspectorId));
  const staffed = new Set(inspectors.map((i) => i.department));
  const pools = defined.pools.filter((p) => staffed.has(p.department));
  for (const d of [...new Set(defined.pools.filter((p) => !staffed.has(p.department)).map((p) => p.department))]) {
    const ids = defined.pools.filter((p) => p.department === d).map((p) => p.poolId);
    warnings.push(`${d}: no eligible inspector (certified, on staff, on post, active): its pools ${ids.join(', ')} are left out of this draw`);
  }
  const known = new Set<string>();
  for (const u of snapshot.units) {
    if (known.has(u.id)) throw new Error(`registry snapshot ${snapshot.asOf}: unit ${u.id} appears twice`);
    known.add(u.id);
  }

  const elsewhere = new Map<string, string[]>();
  for (const e of inputs.inspectedElsewhere ?? []) {
    if (!known.has(e.unitId)) warnings.push(`inspected-elsewhere list: unit ${e.unitId} (${e.office}) is not in the registry; ignored`);
    const offices = elsewhere.get(e.unitId) ?? [];
    if (!offices.includes(e.office)) offices.push(e.office);
    elsewhere.set(e.unitId, offices);
  }

  const recentQuarters = programme.exclusions.recentlyInspectedQuarters;
  const current = quarterIndex(programme.year, quarter);
  const recent = new Map<string, string[]>();
  for (const p of inputs.pastInspections ?? []) {
    if (!known.has(p.unitId)) warnings.push(`past-inspections list: unit ${p.unitId} (${p.date}) is not in the registry; ignored`);
    if (recentQuarters === 0) continue;
    const idx = quarterIndexOfDate(p.date);
    if (idx >= current - recentQuarters && idx < current) {
      const dates = recent.get(p.unitId) ?? [];
      if (!dates.includes(p.date)) dates.push(p.date);
      recent.set(p.unitId, dates.sort());
    }
  }

  const exempt = new Set(programme.exclusions.fullyExemptPositiveKinds);
  const units: ManifestUnit[] = [];
  const exclusions: Exclusion[] = [];
  for (const u of snapshot.units) {
    const out = (reason: ExclusionReason, detail: string): void => void exclusions.push({ unitId: u.id, reason, detail });
    if (u.status !== 'active') {
      out(u.status, `status ${u.status} since ${u.statusDate}`);
      continue;
    }
    if (u.positiveList && u.positiveKind !== null && exempt.has(u.positiveKind)) {
      out('exempt', `positive list (${u.positiveKind}): fully exempt by exclusions.fullyExemptPositiveKinds`);
      continue;
    }
    const offices = elsewhere.get(u.id);
    if (offices) {
      out('inspected-by-other-office', `inspected this quarter by ${offices.join('; ')}`);
      continue;
    }
    const dates = recent.get(u.id);
    if (dates) {
      out('recently-inspected', `inspected ${dates.join('; ')} (within the last ${recentQuarters} quarter(s))`);
      continue;
    }
    const row: ManifestUnit = { unitId: u.id, category: u.category, jurisdiction: u.jurisdiction, tier: unitTier(u), positive: u.positiveList };
    if (!pools.some((p) => unitMatchesPool(row, p))) {
      out('no-pool', noPoolDetail(row));
      continue;
    }
    units.push(row);
  }
  units.sort((a, b) => compareBytes(a.unitId, b.unitId));
  exclusions.sort((a, b) => compareBytes(a.unitId, b.unitId));

  const unitIds = new Set(units.map((u) => u.unitId));
  const inspectorIds = new Set(inspectors.map((i) => i.inspectorId));
  const conflicts = snapshot.conflicts
    .filter((c) => unitIds.has(c.unitId) && inspectorIds.has(c.inspectorId))
    .map((c) => ({ inspectorId: c.inspectorId, unitId: c.unitId, reason: c.reason }))
    .sort((a, b) => compareBytes(a.inspectorId, b.inspectorId) || compareBytes(a.unitId, b.unitId));

  return { asOf: snapshot.asOf, pools, units, inspectors, conflicts, exclusions, warnings };
}

function noPoolDetail(u: ManifestUnit): string {
  if (u.category === 'special') return `special unit without recorded problems (tier ${u.tier}): outside the special-units pool`;
  return `${u.category} unit in ${u.jurisdiction}: no department draws ${u.category} units there this quarter`;
}

function quarterIndex(year: number, quarter: number): number {
  return year * 4 + (quarter - 1);
}

function quarterIndexOfDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-\d{2}$/.exec(date);
  if (!m) throw new Error(`past inspection date "${date}" must be YYYY-MM-DD`);
  return quarterIndex(Number(m[1]), Math.floor((Number(m[2]) - 1) / 3) + 1);
}
