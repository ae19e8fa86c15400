// Quotas on hand-built snapshots: rounding up without floating point, boundaries, empty pools,
// the quarterly general ratios, and the warnings a bureau must see. The city draw vector's pools
// are recomputed from its units and inspectors as a cross-check against DRAW-SPEC's worked example.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgramme } from '../config/programme';
import { parseProgramme, type Programme } from '../domain/programme';
import { ceilPercent, computeQuotas, type PoolQuota } from '../domain/quotas';
import type { Unit } from '../domain/registry';
import { department, inspector, inspectors, snapshot, unit, units } from './helpers/registry-snapshot';

const programme = loadProgramme();
const byId = (pools: PoolQuota[]): Record<string, PoolQuota> => Object.fromEntries(pools.map((p) => [p.poolId, p]));

describe('ceilPercent', () => {
  it('rounds up in integers, exact on boundaries', () => {
    expect(ceilPercent(0, 5)).toBe(0);
    expect(ceilPercent(1, 5)).toBe(1);
    expect(ceilPercent(20, 5)).toBe(1);
    expect(ceilPercent(21, 5)).toBe(2);
    expect(ceilPercent(100, 5)).toBe(5);
    expect(ceilPercent(101, 5)).toBe(6);
    expect(ceilPercent(8, 25)).toBe(2);
    expect(ceilPercent(9, 25)).toBe(3);
    expect(ceilPercent(10, 30)).toBe(3);
    expect(ceilPercent(11, 30)).toBe(4);
    expect(ceilPercent(1, 100)).toBe(1);
  });

  it('has none of the floating-point surprises of Math.ceil(n * p / 100)', () => {
    // 100 * 0.07 = 7.000000000000001 in floating point: a naive ceil gives 8.
    expect(Math.ceil(100 * 0.07)).toBe(8);
    expect(ceilPercent(100, 7)).toBe(7);
    expect(ceilPercent(300, 7)).toBe(21);
  });

  it('refuses what is not a non-negative integer', () => {
    expect(() => ceilPercent(-1, 5)).toThrow(RangeError);
    expect(() => ceilPercent(1.5, 5)).toThrow(RangeError);
  });
});

/** A small city: key units in two districts and a county, general and special units, inspectors. */
function smallCity(extraUnits: Unit[] = []) {
  return snapshot({
    units: [
      ...units('KS', 20, { category: 'key', jurisdiction: 'shihe' }), // 25% of 20 = 5 exactly
      ...units('KP', 21, { category: 'key', jurisdiction: 'pingqiao' }), // 25% of 21 = 5.25 -> 6
      ...units('KX', 19, { category: 'key', jurisdiction: 'xixian' }), // county: only the sections draw it
      ...units('GS', 120, { category: 'general', jurisdiction: 'shihe' }),
      ...units('GP', 5, { category: 'general', jurisdiction: 'pingqiao' }),
      ...units('SS', 10, { category: 'special', jurisdiction: 'shihe', specialProblem: true }), // 30% of 10 = 3 exactly
      ...units('SN', 4, { category: 'special', jurisdiction: 'shihe', specialProblem: false }), // not in the 30% pool
      ...units('SP', 1, { category: 'special', jurisdiction: 'pingqiao', specialProblem: true }), // 0.3 -> 1
      ...extraUnits,
    ],
    people: [
      ...inspectors('IS', 'brigade-shihe', 4),
      ...inspectors('IP', 'brigade-pingqiao', 2),
      ...inspectors('IY', 'brigade-yangshan', 2),
      ...inspectors('IA', 'section-1', 3),
      ...inspectors('IB', 'section-2', 3),
      // Not counted: off post, not on staff, inactive, no inspector role, a county brigade's inspector.
      inspector('XS1', 'brigade-shihe', {}, { onPost: false }),
      inspector('XS2', 'brigade-shihe', {}, { onStaff: false }),
      inspector('XS3', 'brigade-shihe', { active: false }),
      inspector('XS4', 'brigade-shihe', { roles: ['manager'], inspector: null }),
      inspector('XC1', 'county-xixian'),
    ],
  });
}

describe('computeQuotas', () => {
  it('applies each rule to its pool and reports where the number comes from', () => {
    const r = computeQuotas(smallCity(), programme, 1);
    const q = byId(r.pools);
    expect(r.pools.map((p) => p.poolId)).toEqual([
      'general.brigade-pingqiao',
      'general.brigade-shihe',
      'general.brigade-yangshan',
      'key.brigade-pingqiao',
      'key.brigade-shihe',
      'key.brigade-yangshan',
      'key.section-1',
      'key.section-2',
      'special.brigade-pingqiao',
      'special.brigade-shihe',
      'special.brigade-yangshan',
    ]);
    // Sections: 5% of the city's 60 key units (both districts and the county) = 3, exactly.
    expect(q['key.section-1']).toMatchObject({ department: 'section-1', jurisdiction: '*', tier: '*', candidates: 60, rule: 'percent', percent: 5, quota: 3 });
    expect(q['key.section-2']!.quota).toBe(3);
    expect(q['key.brigade-shihe']).toMatchObject({ jurisdiction: 'shihe', candidates: 20, percent: 25, quota: 5 });
    expect(q['key.brigade-pingqiao']).toMatchObject({ candidates: 21, quota: 6 });
    expect(q['key.brigade-yangshan']).toMatchObject({ candidates: 0, quota: 0 });
    // General: eligible inspectors x the quarter's ratio (Q1 1:2); ineligible people not counted.
    expect(q['general.brigade-shihe']).toMatchObject({ rule: 'per-inspector', ratio: 2, inspectors: 4, candidates: 120, quota: 8, percent: null });
    expect(q['general.brigade-pingqiao']).toMatchObject({ inspectors: 2, candidates: 5, quota: 4 });
    expect(q['special.brigade-shihe']).toMatchObject({ tier: 'problem', candidates: 10, percent: 30, quota: 3 });
    expect(q['special.brigade-pingqiao']).toMatchObject({ candidates: 1, quota: 1 });
    expect(q['key.brigade-pingqiao']!.explanation.zh).toBe('平桥大队每季度至少抽查辖区pingqiao重点排污单位的25%：21家 × 25% 向上取整 = 6家');
    expect(q['key.brigade-pingqiao']!.explanation.en).toBe('brigade-pingqiao: at least 25% of key units in pingqiao each quarter: 21 x 25% rounded up = 6');
    expect(q['general.brigade-shihe']!.explanation.zh).toContain('在编在岗执法人员4人 × 2 = 8家');
    expect(r).toMatchObject({ programme: 'xinyang-2023', campaign: 'xinyang-2023q1', year: 2023, quarter: 1, asOf: '2022-12-31', teamSize: 2 });
  });

  it('follows the quarterly general ratios 1:2, 1:3, 1:2, 1:3 and leaves percentages alone', () => {
    const s = smallCity();
    const general = [1, 2, 3, 4].map((quarter) => byId(computeQuotas(s, programme, quarter as 1 | 2 | 3 | 4).pools)['general.brigade-shihe']!);
    expect(general.map((g) => g.ratio)).toEqual([2, 3, 2, 3]);
    expect(general.map((g) => g.quota)).toEqual([8, 12, 8, 12]);
    const key = [1, 2].map((quarter) => byId(computeQuotas(s, programme, quarter as 1 | 2).pools)['key.brigade-pingqiao']!.quota);
    expect(key).toEqual([6, 6]);
  });

  it('counts candidates after exclusions: closed units and units inspected elsewhere are not in the pools', () => {
    const s = smallCity([
      unit('KSC1', { category: 'key', jurisdiction: 'shihe', status: 'closed', statusDate: '2022-11-01' }),
      unit('KSB1', { category: 'key', jurisdiction: 'shihe', status: 'banned', statusDate: '2022-10-01' }),
    ]);
    const before = byId(computeQuotas(s, programme, 1).pools);
    expect(before['key.brigade-shihe']).toMatchObject({ candidates: 20, quota: 5 });
    const after = byId(
      computeQuotas(s, programme, 1, { inspectedElsewhere: [{ unitId: 'KS0001', office: '省生态环境厅' }] }).pools,
    );
    // 19 x 25% = 4.75 -> 5; the city's key units 59 x 5% = 2.95 -> 3.
    expect(after['key.brigade-shihe']).toMatchObject({ candidates: 19, quota: 5 });
    expect(after['key.section-1']).toMatchObject({ candidates: 59, quota: 3 });
  });

  it('positive-list units stay in the pools (checked off-site) unless their kind is fully exempt', () => {
    const extra = units('KPL', 4, { category: 'key', jurisdiction: 'shihe', positiveList: true, positiveKind: 'livelihood' });
    const kept = byId(computeQuotas(smallCity(extra), programme, 1).pools);
    expect(kept['key.brigade-shihe']).toMatchObject({ candidates: 24, quota: 6 });
    const exempting: Programme = { ...programme, exclusions: { ...programme.exclusions, fullyExemptPositiveKinds: ['livelihood'] } };
    const exempt = byId(computeQuotas(smallCity(extra), exempting, 1).pools);
    expect(exempt['key.brigade-shihe']).toMatchObject({ candidates: 20, quota: 5 });
  });

  it('warns about short pools, thin departments and the annual 1:10', () => {
    const r = computeQuotas(smallCity(), programme, 2);
    // pingqiao: 2 inspectors x 3 = 6 > 5 general units; and 5 < 2 x 10 for the year.
    expect(r.warnings).toContain(
      "general.brigade-pingqiao: quota 6 but only 5 candidate unit(s): every candidate will be drawn and the plan's minimum is not met",
    );
    expect(r.warnings).toContain('general.brigade-pingqiao: 5 general unit(s) for 2 inspector(s): fewer than the 20 the annual minimum 1:10 needs');
    // shihe: 120 general units >= 4 x 10: no annual warning.
    expect(r.warnings.some((w) => w.startsWith('general.brigade-shihe'))).toBe(false);
    // yangshan: 2 inspectors but no general units at all.
    expect(r.warnings).toContain(
      "general.brigade-yangshan: quota 6 but only 0 candidate unit(s): every candidate will be drawn and the plan's minimum is not met",
    );
    expect(r.warnings).toContain('general.brigade-yangshan: 0 general unit(s) for 2 inspector(s): fewer than the 20 the annual minimum 1:10 needs');
    expect(r.warnings).toHaveLength(4);

    const thin = snapshot({
      departments: [department('brigade-shihe', 'direct-brigade', 'shihe', '浉河大队'), department('section-9', 'section', null, '九科')],
      units: units('K', 3, { category: 'key' }),
      people: [inspector('ONE', 'brigade-shihe')],
    });
    const t = computeQuotas(thin, programme, 1);
    expect(t.warnings).toContain('brigade-shihe: 1 eligible inspector(s), fewer than the team size 2: the draw cannot form teams for its pools');
    expect(t.warnings).toContain(
      'section-9: no eligible inspector (certified, on staff, on post, active): its pools key.section-9 are left out of this draw',
    );
    expect(t.pools.map((p) => p.poolId)).toEqual(['general.brigade-shihe', 'key.brigade-shihe', 'special.brigade-shihe']);

    const lowYear = parseProgramme({ ...programme, ratios: { ...programme.ratios, general: { quarterly: [2, 2, 2, 2], annualUnitsPerInspector: 10 } } });
    expect(computeQuotas(smallCity(), lowYear, 1).warnings).toContain(
      'ratios.general.quarterly: the quarterly ratios add up to 8 units per inspector a year, below the annual minimum 1:10',
    );
  });

  it('gives empty pools a quota of 0 and no shortfall warning', () => {
    const r = computeQuotas(snapshot({ people: [...inspectors('IS', 'brigade-shihe', 2)], departments: [department('brigade-shihe', 'direct-brigade', 'shihe')] }), programme, 1);
    const q = byId(r.pools);
    expect(q['key.brigade-shihe']).toMatchObject({ candidates: 0, quota: 0 });
    expect(q['special.brigade-shihe']).toMatchObject({ candidates: 0, quota: 0 });
    expect(r.warnings.filter((w) => w.includes('key.brigade-shihe') || w.includes('special.brigade-shihe'))).toEqual([]);
  });
});

describe('the city draw vector', () => {
  it("recomputes the vector's pools.csv quotas from its units and inspectors (Q1)", () => {
    const dir = path.join(__dirname, 'fixtures', 'draw-vectors', 'city', 'manifest');
    const rows = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const vectorUnits = rows('units.csv').map(([id, category, jurisdiction, tier, positive]) =>
      unit(id!, {
        category: category as Unit['category'],
        jurisdiction,
        creditRating: ['a', 'b', 'c', 'd'].includes(tier!) ? (tier as 'a') : null,
        specialProblem: tier === 'problem',
        positiveList: positive === '1',
      }),
    );
    const people = rows('inspectors.csv').map(([id, dept]) => inspector(id!, dept!));
    const s = snapshot({
      departments: [
        department('section-1', 'section', null),
        department('section-2', 'section', null),
        department('brigade-pingqiao', 'direct-brigade', 'pingqiao'),
        department('brigade-shihe', 'direct-brigade', 'shihe'),
        department('brigade-yangshan', 'direct-brigade', 'yangshan'),
      ],
      units: vectorUnits,
      people,
    });
    const expected = rows('pools.csv').map(([poolId, dept, category, jurisdiction, tier, quota]) => ({ poolId, department: dept, category, jurisdiction, tier, quota: Number(quota) }));
    const got = computeQuotas(s, programme, 1).pools.map(({ poolId, department: d, category, jurisdiction, tier, quota }) => ({ poolId, department: d, category, jurisdiction, tier, quota }));
    expect(got).toEqual(expected);
  });
});
