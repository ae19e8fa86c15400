// The synthetic registry: reproducible from its seed, shaped like the 2023 Xinyang programme, and
// importable through the real import path.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEligibleInspector, referralAgencies } from '../domain/registry';
import { BASE_COUNTS, COUNTIES, generateRegistry, INSPECTING_DEPARTMENTS } from '../domain/synthetic';
import { classifyUnitId } from '../domain/uscc';
import { importRegistryFile } from '../files/registry/import-file';
import { openRegistryStore } from '../stores/registry-store';
import type { ImportKind } from '../files/registry/templates';
import { writeSyntheticRegistry } from '../files/registry/write-files';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-synth-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function digestDir(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs.readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]),
  );
}

describe('synthetic registry', () => {
  const data = generateRegistry({ seed: 'xinyang-2023', scale: 1 });
  const count = (pred: (u: (typeof data.units)[number]) => boolean): number => data.units.filter(pred).length;

  it('refers findings to the other agencies, never to the bureau that issues the programme', () => {
    const agencies = referralAgencies(data.departments, '信阳市生态环境局').map((d) => d.name);
    expect(agencies).toEqual(['信阳市市场监督管理局', '信阳市应急管理局', '信阳市自然资源和规划局', '信阳市水利局']);
    expect(data.departments.filter((d) => d.kind === 'agency').map((d) => d.name)).toContain('信阳市生态环境局');
    expect(referralAgencies(data.departments, null).map((d) => d.name)).toContain('信阳市生态环境局');
  });

  it('is shaped like the 2023 programme', () => {
    expect(count((u) => u.category === 'general')).toBe(536);
    expect(count((u) => u.category === 'special')).toBe(17);
    expect(count((u) => u.category === 'special' && u.specialProblem)).toBe(11);
    expect(count((u) => u.category === 'key')).toBe(Object.values(BASE_COUNTS.key).reduce((a, b) => a + b, 0));
    // General and special units are in the central city; key units across the city and counties.
    expect(new Set(data.units.filter((u) => u.category !== 'key').map((u) => u.jurisdiction))).toEqual(new Set(['shihe', 'pingqiao', 'yangshan']));
    expect(new Set(data.units.filter((u) => u.category === 'key').map((u) => u.jurisdiction)).size).toBe(3 + COUNTIES.length);
    // Construction projects, some with local codes; positive-list units are key units.
    const projects = data.units.filter((u) => u.industry === '建设项目');
    expect(projects.length).toBeGreaterThan(40);
    expect(projects.some((u) => u.idKind === 'local') && projects.some((u) => u.idKind === 'uscc')).toBe(true);
    const positive = data.units.filter((u) => u.positiveList);
    expect(positive.length).toBeGreaterThan(3);
    expect(positive.every((u) => u.category === 'key' && u.positiveKind !== null)).toBe(true);
    // Every id is a valid USCC or local code, and unique.
    expect(data.units.every((u) => classifyUnitId(u.id).ok && classifyUnitId(u.id).ok && (classifyUnitId(u.id) as { idKind: string }).idKind === u.idKind)).toBe(true);
    expect(new Set(data.units.map((u) => u.id)).size).toBe(data.units.length);
    expect(new Set(data.units.map((u) => u.name)).size).toBe(data.units.length);
  });

  it('has the departments and people the programme needs', () => {
    const kinds = (k: string): string[] => data.departments.filter((d) => d.kind === k).map((d) => d.name);
    expect(kinds('section')).toHaveLength(3);
    expect(kinds('direct-brigade')).toEqual(['浉河大队', '平桥大队', '羊山大队']);
    expect(kinds('county-brigade')).toHaveLength(8);
    expect(kinds('agency')).toEqual(expect.arrayContaining(['信阳市市场监督管理局', '信阳市应急管理局', '信阳市自然资源和规划局', '信阳市水利局']));
    const eligible = data.people.filter(isEligibleInspector);
    for (const dep of INSPECTING_DEPARTMENTS) expect(eligible.filter((p) => p.department === dep)).toHaveLength(8);
    expect(new Set(data.people.filter((p) => p.inspector).map((p) => p.department))).toEqual(new Set(INSPECTING_DEPARTMENTS));
    const inspectors = data.people.filter((p) => p.roles.includes('inspector'));
    expect(inspectors.filter((p) => !p.inspector!.onPost)).not.toHaveLength(0);
    expect(inspectors.filter((p) => !p.inspector!.onStaff)).not.toHaveLength(0);
    expect(inspectors.filter((p) => !p.active)).not.toHaveLength(0);
    for (const role of ['manager', 'brigade-leader', 'detachment-leader', 'admin', 'discipline'] as const) {
      expect(data.people.some((p) => p.roles.includes(role)), role).toBe(true);
    }
    expect(data.people.every((p) => p.email?.endsWith('@example.org'))).toBe(true);
    expect(data.conflicts.length).toBeGreaterThan(5);
    expect(data.quarter.newUnits.length).toBeGreaterThan(0);
    expect(data.quarter.closures.length).toBeGreaterThan(0);
    expect(data.quarter.personnelChanges.map((c) => c.change)).toEqual(expect.arrayContaining(['move', 'off-post', 'roles']));
  });

  it('scales', () => {
    const small = generateRegistry({ seed: 1, scale: 0.1 });
    const big = generateRegistry({ seed: 1, scale: 10 });
    // Each jurisdiction's count is scaled and rounded on its own: 18.5 + 19.5 + 15.6 -> 19 + 20 + 16.
    expect(small.units.filter((u) => u.category === 'general')).toHaveLength(55);
    expect(big.units.filter((u) => u.category === 'general')).toHaveLength(5360);
    expect(big.units.filter((u) => u.category === 'special')).toHaveLength(170);
    expect(big.people.filter(isEligibleInspector).filter((p) => p.department === 'brigade-shihe')).toHaveLength(80);
    expect(() => generateRegistry({ seed: 1, scale: 0 })).toThrow(/scale/);
  });

  it('writes the same bytes for the same seed (CSV and .xlsx), different bytes for another seed', async () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    const c = path.join(tmp, 'c');
    await writeSyntheticRegistry(generateRegistry({ seed: 42 }), a);
    await writeSyntheticRegistry(generateRegistry({ seed: 42 }), b);
    await writeSyntheticRegistry(generateRegistry({ seed: 43 }), c);
    expect(digestDir(a)).toEqual(digestDir(b));
    const da = digestDir(a);
    const dc = digestDir(c);
    expect(da['02-units.csv']).not.toBe(dc['02-units.csv']);
    expect(da['03-people.csv']).not.toBe(dc['03-people.csv']);
    expect(da['01-departments.csv']).toBe(dc['01-departments.csv']); // the organisation does not depend on the seed
    const xa = path.join(tmp, 'xa');
    const xb = path.join(tmp, 'xb');
    await writeSyntheticRegistry(generateRegistry({ seed: 42, scale: 0.2 }), xa, { xlsx: true });
    await writeSyntheticRegistry(generateRegistry({ seed: 42, scale: 0.2 }), xb, { xlsx: true });
    expect(digestDir(xa)).toEqual(digestDir(xb));
  });

  it('imports through the real import path into the registry it describes', async () => {
    const dir = path.join(tmp, 'import');
    const files = await writeSyntheticRegistry(data, dir);
    const store = await openRegistryStore({ dataDir: path.join(tmp, 'synth'), databaseUrl: null });
    for (const f of files) {
      const r = await importRegistryFile(store, path.join(dir, f.file), { kind: f.kind as ImportKind, source: f.source, ...(f.date ? { date: f.date } : {}), progress: false });
      expect(r.applied, f.file).toBe(true);
    }
    const base = await store.snapshotAt(data.baseDate);
    expect(base.units).toEqual([...data.units].sort((x, y) => (x.id < y.id ? -1 : 1)));
    expect(base.people).toEqual([...data.people].sort((x, y) => (x.id < y.id ? -1 : 1)));
    expect(base.departments).toHaveLength(data.departments.length);
    expect(base.conflicts).toHaveLength(data.conflicts.length);
    const end = await store.snapshotAt('2023-03-31');
    expect(end.units).toHaveLength(data.units.length + data.quarter.newUnits.length);
    expect(end.units.filter((u) => u.status !== 'active')).toHaveLength(data.quarter.closures.length);
    const move = data.quarter.personnelChanges.find((c) => c.change === 'move')!;
    expect(end.people.find((p) => p.id === move.personId)!.department).toBe(move.department);
    await store.close();
  });
});
