// The shared vectors: every correct implementation reproduces record.json and replacements.json.
import { describe, expect, it } from 'vitest';
import { DrawError, runDraw, seedCommitment } from '../domain/draw/draw';
import { parseManifest } from '../domain/draw/manifest';
import { formatDrawRecord, formatReplacements, parseDrawRecord, parseReplacements, Replacement } from '../domain/draw/record';
import {
  ReplacementError,
  applyReplacements,
  computeInspectorReplacement,
  computeUnitReplacement,
  proposeReplacement,
} from '../domain/draw/replacements';
import { verifyDraw } from '../domain/draw/verify';
import { vectorFiles, vectorJson, vectorWitnesses } from './fixtures/draw/vectors';

describe.each(['small', 'city'] as const)('vector %s', (name) => {
  const manifest = parseManifest(vectorFiles(name));
  const expected = JSON.parse(vectorJson(name, 'record.json'));

  it('reproduces record.json exactly', () => {
    const record = runDraw(manifest, vectorWitnesses(name));
    expect(record).toStrictEqual(expected);
    // The canonical writer gives the vector's bytes too (same key order and layout).
    expect(formatDrawRecord(record)).toBe(vectorJson(name, 'record.json'));
  });

  it('gives the same record whatever order the witnesses come in', () => {
    expect(runDraw(manifest, [...vectorWitnesses(name)].reverse())).toStrictEqual(expected);
  });

  it('verifies its own record', () => {
    expect(verifyDraw(manifest, parseDrawRecord(vectorJson(name, 'record.json')), [])).toEqual({ ok: true });
  });
});

describe('city replacements', () => {
  const manifest = parseManifest(vectorFiles('city'));
  const record = parseDrawRecord(vectorJson('city', 'record.json'));
  const published = parseReplacements(vectorJson('city', 'replacements.json'));

  it('reproduces every replacement of replacements.json, in seq order', () => {
    const made: Replacement[] = [];
    for (const e of published) {
      const { replacement: _r, seq: _s, ...request } = e;
      made.push(proposeReplacement(manifest, record, made, request));
    }
    expect(made).toStrictEqual(published);
    // The vector file lacks a final LF; our writer always ends with one.
    expect(formatReplacements(made)).toBe(`${vectorJson('city', 'replacements.json').trimEnd()}\n`);
  });

  it('computes each replacement with the single-purpose functions', () => {
    const [unit, first, second] = published as [Replacement, Replacement, Replacement];
    expect(computeUnitReplacement(manifest, record, [], { pool_id: unit.pool_id, unit_id: unit.unit_id })).toBe(unit.replacement);
    if (first.kind !== 'inspector' || second.kind !== 'inspector') throw new Error('vector changed');
    expect(computeInspectorReplacement(manifest, record, [unit], first)).toBe(first.replacement);
    expect(computeInspectorReplacement(manifest, record, [unit, first], second)).toBe(second.replacement);
  });

  it('verifies with the replacements and applies them to the list', () => {
    expect(verifyDraw(manifest, record, published)).toEqual({ ok: true });
    const after = applyReplacements(manifest, record, published);
    const [unit] = published as [Replacement];
    expect(after.assignments.map((a) => a.unit_id)).toContain(unit.replacement);
    expect(after.assignments.map((a) => a.unit_id)).not.toContain(unit.unit_id);
    expect(after.assignments).toHaveLength(record.assignments.length);
    // Loads still add up to team_size per unit.
    expect(Object.values(after.loads).reduce((a, b) => a + b, 0)).toBe(record.assignments.length * record.team_size);
  });

  it('brings in a different unit for each further replacement in the same pool', () => {
    const pool = record.pools.find((p) => p.pool_id === 'general.brigade-pingqiao')!;
    const made: Replacement[] = [];
    for (const unitId of pool.selected.slice(0, 5)) {
      made.push(proposeReplacement(manifest, record, made, { kind: 'unit', pool_id: pool.pool_id, unit_id: unitId, reason: 'closed', approved_by: 'MGR001', at: '2023-01-12T09:00:00+08:00' }));
    }
    const brought = made.map((e) => e.replacement);
    expect(new Set(brought).size).toBe(5);
    for (const u of brought) for (const p of record.pools) expect(p.selected).not.toContain(u);
    expect(verifyDraw(manifest, record, made)).toEqual({ ok: true });
  });

  it('refuses requests the rules cannot serve, with a clear error', () => {
    const a = record.assignments[0]!;
    expect(() => computeUnitReplacement(manifest, record, [], { pool_id: a.pool_id, unit_id: 'NOT-ON-LIST' })).toThrow(/not on pool .* list/);
    expect(() => computeInspectorReplacement(manifest, record, [], { pool_id: a.pool_id, unit_id: a.unit_id, inspector_id: 'S-1-000' })).toThrow(
      /not on the team/,
    );
  });

  it('says when no unit is left in the pool', () => {
    // special.brigade-shihe: 4 candidates, 2 selected -> two replacements possible, the third fails.
    const pool = record.pools.find((p) => p.pool_id === 'special.brigade-shihe')!;
    expect(pool.candidates).toBe(4);
    const made: Replacement[] = [];
    const base = { kind: 'unit' as const, pool_id: pool.pool_id, reason: 'closed', approved_by: 'MGR001', at: '2023-01-12T09:00:00+08:00' };
    made.push(proposeReplacement(manifest, record, made, { ...base, unit_id: pool.selected[0]! }));
    made.push(proposeReplacement(manifest, record, made, { ...base, unit_id: made[0]!.replacement }));
    expect(() => proposeReplacement(manifest, record, made, { ...base, unit_id: pool.selected[1]! })).toThrow(/no unit left .* special\.brigade-shihe/);
  });

  it('says when no inspector is left, never reusing one already replaced on the unit', () => {
    const a = record.assignments.find((x) => x.pool_id === 'key.section-1')!;
    const department = manifest.inspectors.filter((i) => i.department === 'section-1').length;
    const made: Replacement[] = [];
    const base = { kind: 'inspector' as const, pool_id: a.pool_id, unit_id: a.unit_id, reason: 'absence', approved_by: 'MGR001', at: '2023-01-14T10:00:00+08:00' };
    const leaving: string[] = [];
    let lead = a.inspectors[0]!;
    let error: unknown = null;
    for (let k = 0; k < department; k++) {
      try {
        const e = proposeReplacement(manifest, record, made, { ...base, inspector_id: lead });
        expect(leaving).not.toContain(e.replacement);
        leaving.push(lead);
        made.push(e);
        lead = e.replacement;
      } catch (err) {
        error = err;
        break;
      }
    }
    expect(error).toBeInstanceOf(ReplacementError);
    expect(String((error as Error).message)).toMatch(/no inspector left to replace/);
    expect(verifyDraw(manifest, record, made)).toEqual({ ok: true });
  });
});

describe('draw errors', () => {
  it('fails with no record when a unit has too few eligible inspectors, naming pool and unit', () => {
    // All brigade-pingqiao inspectors but one declare a conflict with every general unit of
    // pingqiao: the first unit the first pool draws cannot get a team of two.
    const files = vectorFiles('small');
    const inspectors = files['inspectors.csv'].split('\n').filter((l) => l.endsWith(',brigade-pingqiao')).map((l) => l.split(',')[0]!);
    const units = files['units.csv'].split('\n').filter((l) => /,general,pingqiao,/.test(l)).map((l) => l.split(',')[0]!);
    const rows = new Map<string, string>();
    for (const l of files['conflicts.csv'].split('\n').slice(1)) if (l !== '') rows.set(l.split(',').slice(0, 2).join(','), l);
    for (const i of inspectors.slice(1)) for (const u of units) if (!rows.has(`${i},${u}`)) rows.set(`${i},${u}`, `${i},${u},declared`);
    const sorted = [...rows.keys()].sort().map((k) => rows.get(k)!);
    const manifest = parseManifest({ ...files, 'conflicts.csv': `inspector_id,unit_id,reason\n${sorted.join('\n')}\n` });
    let error: unknown;
    let record: unknown;
    try {
      record = runDraw(manifest, vectorWitnesses('small'));
    } catch (err) {
      error = err;
    }
    expect(record).toBeUndefined();
    expect(error).toBeInstanceOf(DrawError);
    const e = error as DrawError;
    expect(e.poolId).toBe('general.brigade-pingqiao');
    expect(units).toContain(e.unitId);
    expect(e.message).toContain(`pool general.brigade-pingqiao, unit ${e.unitId}: only 1 eligible inspector(s) in department brigade-pingqiao`);
  });

  it('refuses bad witnesses', () => {
    const manifest = parseManifest(vectorFiles('small'));
    const [a, b] = vectorWitnesses('small') as [any, any];
    expect(() => runDraw(manifest, [a])).toThrow(/at least two witnesses/);
    expect(() => runDraw(manifest, [a, { ...b, role: a.role }])).toThrow(/roles must be distinct/);
    expect(() => runDraw(manifest, [a, { ...b, person_id: a.person_id }])).toThrow(/distinct persons/);
    expect(() => runDraw(manifest, [a, { ...b, entropy: 'short' }])).toThrow(/entropy/);
    expect(() => runDraw(manifest, [a, { ...b, entropy: 'has space in it 1234' }])).toThrow(/entropy/);
  });

  it('publishes a commitment that is not the seed', () => {
    const record = runDraw(parseManifest(vectorFiles('small')), vectorWitnesses('small'));
    expect(seedCommitment(record.seed)).toMatch(/^[0-9a-f]{64}$/);
    expect(seedCommitment(record.seed)).not.toBe(record.seed);
  });
});

describe('non-exclusive draws (exclusive=0)', () => {
  it('lets a pool draw from units an earlier pool took, and verifies', () => {
    const files = vectorFiles('small');
    const manifest = parseManifest({ ...files, 'params.txt': files['params.txt'].replace('exclusive=1', 'exclusive=0') });
    const record = runDraw(manifest, vectorWitnesses('small'));
    expect(record.exclusive).toBe(false);
    const keyUnits = manifest.units.filter((u) => u.category === 'key').length;
    // Sections draw key units city-wide: every key unit is a candidate, taken or not.
    expect(record.pools.find((p) => p.pool_id === 'key.section-1')!.candidates).toBe(keyUnits);
    const exclusive = runDraw(parseManifest(files), vectorWitnesses('small'));
    expect(exclusive.pools.find((p) => p.pool_id === 'key.section-1')!.candidates).toBeLessThan(keyUnits);
    expect(verifyDraw(manifest, record, [])).toEqual({ ok: true });
  });
});
