// How many units each pool must draw this quarter (the plan's minimums, "at least"):
//   section:          ratios.key.sectionPercent of the city's key units
//   direct brigade:   ratios.key.brigadePercent of its jurisdiction's key units
//                     ratios.general.quarterly[q] x its eligible inspectors, general units
//                     ratios.special.problemPercent of its special units with problems
// Percentages round UP, in integer arithmetic. Candidates are counted on the frozen pools: the
// units left after the freeze's exclusions (closed, exempt, inspected elsewhere, ...).
import { drawScope, type DrawScope, type FreezeInputs } from './eligibility';
import { unitMatchesPool, type PoolDefinition } from './pools';
import { campaignCode, generalRatio, programmeWarnings, type Programme, type Quarter } from './programme';
import type { RegistrySnapshot } from './registry';

export interface PoolQuota {
  poolId: string;
  department: string;
  departmentName: string;
  category: PoolDefinition['category'];
  jurisdiction: string;
  tier: string;
  /** Units in the frozen manifest that match the pool's filter (before the exclusive draw's taking). */
  candidates: number;
  rule: 'percent' | 'per-inspector';
  /** For `percent`: the percentage applied to `candidates`. */
  percent: number | null;
  /** For `per-inspector`: units to draw per inspector this quarter, and the inspectors counted. */
  ratio: number | null;
  inspectors: number | null;
  quota: number;
  explanation: { zh: string; en: string };
}

export interface QuotaResult {
  pools: PoolQuota[];
  warnings: string[];
}

/** The quota report freeze writes as quotas.json and `ssj quotas` prints. */
export interface QuotaReport extends QuotaResult {
  programme: string;
  campaign: string;
  year: number;
  quarter: Quarter;
  asOf: string;
  teamSize: number;
  exclusive: boolean;
}

/** ceil(n x percent / 100) without floating point. */
export function ceilPercent(n: number, percent: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(percent) || percent < 0) {
    throw new RangeError(`ceilPercent needs non-negative integers, got ${n} and ${percent}`);
  }
  return Math.floor((n * percent + 99) / 100);
}

/** Quotas for a quarter from the registries as they stood (see drawScope for the exclusions). */
export function computeQuotas(snapshot: RegistrySnapshot, programme: Programme, quarter: Quarter, inputs: FreezeInputs = {}): QuotaReport {
  return quotaReport(drawScope(snapshot, programme, quarter, inputs), programme, quarter);
}

export function quotaReport(scope: DrawScope, programme: Programme, quarter: Quarter): QuotaReport {
  const { pools, warnings } = quotasForScope(scope, programme, quarter);
  return {
    programme: programme.id,
    campaign: campaignCode(programme, quarter),
    year: programme.year,
    quarter,
    asOf: scope.asOf,
    teamSize: programme.draw.teamSize,
    exclusive: programme.draw.exclusive,
    pools,
    warnings,
  };
}

export function quotasForScope(scope: DrawScope, programme: Programme, quarter: Quarter): QuotaResult {
  const warnings = [...scope.warnings, ...programmeWarnings(programme)];
  const inspectorsOf = new Map<string, number>();
  for (const i of scope.inspectors) inspectorsOf.set(i.department, (inspectorsOf.get(i.department) ?? 0) + 1);
  const r = programme.ratios;

  const pools = scope.pools.map((p): PoolQuota => {
    const candidates = scope.units.filter((u) => unitMatchesPool(u, p)).length;
    const inspectors = inspectorsOf.get(p.department) ?? 0;
    const base = {
      poolId: p.poolId,
      department: p.department,
      departmentName: p.departmentName,
      category: p.category,
      jurisdiction: p.jurisdiction,
      tier: p.tier,
      candidates,
    };
    if (p.category === 'general') {
      const ratio = generalRatio(programme, quarter);
      const quota = inspectors * ratio;
      return {
        ...base,
        rule: 'per-inspector',
        percent: null,
        ratio,
        inspectors,
        quota,
        explanation: {
          zh: `${p.departmentName}一般排污单位按1：${ratio}的比例：在编在岗执法人员${inspectors}人 × ${ratio} = ${quota}家（辖区${p.jurisdiction}候选${candidates}家）`,
          en: `${p.department}: general units at 1:${ratio} this quarter: ${inspectors} on-staff inspectors x ${ratio} = ${quota} (of ${candidates} candidates in ${p.jurisdiction})`,
        },
      };
    }
    const percent =
      p.category === 'special' ? r.special.problemPercent : p.departmentKind === 'section' ? r.key.sectionPercent : r.key.brigadePercent;
    const quota = ceilPercent(candidates, percent);
    const scopeZh =
      p.category === 'special'
        ? `辖区${p.jurisdiction}存在环境违法问题和环境管理问题的特殊监管单位`
        : p.jurisdiction === '*'
          ? '全市重点排污单位'
          : `辖区${p.jurisdiction}重点排污单位`;
    const scopeEn =
      p.category === 'special'
        ? `special units with problems in ${p.jurisdiction}`
        : p.jurisdiction === '*'
          ? "the city's key units"
          : `key units in ${p.jurisdiction}`;
    return {
      ...base,
      rule: 'percent',
      percent,
      ratio: null,
      inspectors: null,
      quota,
      explanation: {
        zh: `${p.departmentName}每季度至少抽查${scopeZh}的${percent}%：${candidates}家 × ${percent}% 向上取整 = ${quota}家`,
        en: `${p.department}: at least ${percent}% of ${scopeEn} each quarter: ${candidates} x ${percent}% rounded up = ${quota}`,
      },
    };
  });

  for (const q of pools) {
    if (q.quota > q.candidates) {
      warnings.push(
        `${q.poolId}: quota ${q.quota} but only ${q.candidates} candidate unit(s): every candidate will be drawn and the plan's minimum is not met`,
      );
    }
  }
  const teamSize = programme.draw.teamSize;
  const departments = [...new Set(pools.filter((q) => q.quota > 0).map((q) => q.department))];
  for (const d of departments) {
    const n = inspectorsOf.get(d) ?? 0;
    if (n < teamSize) {
      warnings.push(`${d}: ${n} eligible inspector(s), fewer than the team size ${teamSize}: the draw cannot form teams for its pools`);
    }
  }
  // The year's ratio itself (sum of quarterly ratios vs the 1:10 minimum) is a programme warning;
  // here: a brigade whose general units cannot even supply the year's minimum.
  const annual = r.general.annualUnitsPerInspector;
  for (const q of pools) {
    if (q.rule !== 'per-inspector' || q.inspectors === null || q.inspectors === 0) continue;
    const needed = q.inspectors * annual;
    if (q.candidates < needed) {
      warnings.push(
        `${q.poolId}: ${q.candidates} general unit(s) for ${q.inspectors} inspector(s): fewer than the ${needed} the annual minimum 1:${annual} needs`,
      );
    }
  }
  return { pools, warnings };
}
