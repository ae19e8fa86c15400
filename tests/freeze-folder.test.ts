// The freeze: manifest rows and exclusions from a hand-built snapshot, files the draw parser
// accepts and the draw runs on, an idempotent re-freeze, and a refusal to overwrite.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freezeToFolder, FreezeRefusedError } from '../files/freeze';
import { loadProgramme } from '../config/programme';
import { manifestDigests, MANIFEST_FILES } from '../domain/draw/digest';
import { bindWitnesses, parseWitness, runDraw } from '../domain/draw/draw';
import { parseManifest } from '../domain/draw/manifest';
import { readManifest } from '../domain/draw/read-manifest';
import { exclusionsCsv, freezeFiles, freezeQuarter } from '../domain/freeze';
import type { Programme } from '../domain/programme';
import type { RegistrySnapshot } from '../domain/registry';
import { inspector, inspectors, snapshot, unit, units } from './helpers/registry-snapshot';

const programme = loadProgramme();

function city(): RegistrySnapshot {
  return snapshot({
    units: [
      ...units('KS', 12, { category: 'key', jurisdiction: 'shihe', creditRating: 'b' }),
      ...units('KP', 8, { category: 'key', jurisdiction: 'pingqiao' }),
      ...units('KY', 8, { category: 'key', jurisdiction: 'yangshan', creditRating: 'a' }),
      ...units('GS', 30, { jurisdiction: 'shihe' }),
      ...units('GP', 30, { jurisdiction: 'pingqiao', creditRating: 'c' }),
      ...units('GY', 30, { jurisdiction: 'yangshan' }),
      ...units('SS', 5, { category: 'special', jurisdiction: 'shihe', specialProblem: true, creditRating: 'd', specialReason: 'penalised' }),
      unit('POS1', { category: 'key', jurisdiction: 'shihe', positiveList: true, positiveKind: 'livelihood' }),
      unit('POS2', { category: 'key', jurisdiction: 'pingqiao', positiveList: true, positiveKind: 'epidemic-supplies' }),
      unit('CLOSED1', { category: 'key', jurisdiction: 'shihe', status: 'closed', statusDate: '2022-11-30' }),
      unit('BANNED1', { jurisdiction: 'shihe', status: 'banned', statusDate: '2022-10-08' }),
      unit('SPNO1', { category: 'special', jurisdiction: 'shihe', specialProblem: false, creditRating: 'c' }),
      unit('COUNTY1', { jurisdiction: 'xixian' }),
      unit('COUNTYK1', { category: 'key', jurisdiction: 'xixian' }),
    ],
    people: [
      ...inspectors('BS', 'brigade-shihe', 4),
      ...inspectors('BP', 'brigade-pingqiao', 3),
      ...inspectors('BY', 'brigade-yangshan', 3),
      ...inspectors('SA', 'section-1', 3),
      ...inspectors('SB', 'section-2', 2),
      inspector('OFFPOST', 'brigade-shihe', {}, { onPost: false }),
      inspector('CTY001', 'county-xixian'),
    ],
    conflicts: [
      { inspectorId: 'BS001', unitId: 'KS0001', reason: 'relative' },
      { inspectorId: 'SA002', unitId: 'COUNTYK1', reason: 'former-employer' },
      { inspectorId: 'BS002', unitId: 'CLOSED1', reason: 'declared' }, // unit not in the manifest
      { inspectorId: 'OFFPOST', unitId: 'KS0002', reason: 'declared' }, // inspector not in the manifest
      { inspectorId: 'CTY001', unitId: 'COUNTY1', reason: 'relative' }, // neither
    ],
  });
}

const inputs = {
  inspectedElsewhere: [
    { unitId: 'GS0001', office: '省生态环境厅' },
    { unitId: 'GS0001', office: '市场监管局, 执法科' },
  ],
  pastInspections: [
    { unitId: 'GP0001', date: '2022-11-15' }, // 2022 Q4: the last quarter before 2023 Q1
    { unitId: 'GP0002', date: '2022-05-03' }, // 2022 Q2: three quarters back
  ],
};

describe('freezeQuarter (pure)', () => {
  it('keeps active units with tiers and positive flags; excludes the rest with reasons', () => {
    const withRecent: Programme = { ...programme, exclusions: { recentlyInspectedQuarters: 2, fullyExemptPositiveKinds: ['epidemic-supplies'] } };
    const f = freezeQuarter(city(), withRecent, 1, inputs);
    const unitsById = Object.fromEntries(f.manifest.units.map((u) => [u.unitId, u]));
    expect(unitsById.POS1).toEqual({ unitId: 'POS1', category: 'key', jurisdiction: 'shihe', tier: '-', positive: true });
    expect(unitsById.SS0001!.tier).toBe('problem');
    expect(unitsById.KS0001!.tier).toBe('b');
    expect(unitsById.KP0001!.tier).toBe('-');
    expect(unitsById.COUNTYK1).toBeDefined(); // the sections draw key units city-wide, counties included
    expect(unitsById.GP0002).toBeDefined(); // inspected three quarters back: outside the last 2
    expect(f.exclusions).toEqual([
      { unitId: 'BANNED1', reason: 'banned', detail: 'status banned since 2022-10-08' },
      { unitId: 'CLOSED1', reason: 'closed', detail: 'status closed since 2022-11-30' },
      { unitId: 'COUNTY1', reason: 'no-pool', detail: 'general unit in xixian: no department draws general units there this quarter' },
      { unitId: 'GP0001', reason: 'recently-inspected', detail: 'inspected 2022-11-15 (within the last 2 quarter(s))' },
      { unitId: 'GS0001', reason: 'inspected-by-other-office', detail: 'inspected this quarter by 省生态环境厅; 市场监管局, 执法科' },
      { unitId: 'POS2', reason: 'exempt', detail: 'positive list (epidemic-supplies): fully exempt by exclusions.fullyExemptPositiveKinds' },
      {
        unitId: 'SPNO1',
        reason: 'no-pool',
        detail: 'special unit without recorded problems (tier c): outside the special-units pool',
      },
    ]);
    expect(f.manifest.units).toHaveLength(28 + 90 + 5 + 2 + 1 - 2 - 1);
    // Default programme: recent inspections are not an exclusion.
    const plain = freezeQuarter(city(), programme, 1, inputs);
    expect(plain.exclusions.map((e) => e.unitId)).not.toContain('GP0001');
    expect(plain.manifest.units.find((u) => u.unitId === 'POS2')?.positive).toBe(true);
  });

  it('takes eligible inspectors of drawing departments and only the conflicts between manifest rows', () => {
    const f = freezeQuarter(city(), programme, 1);
    const ids = f.manifest.inspectors.map((i) => i.inspectorId);
    expect(ids).toHaveLength(15);
    expect(ids).not.toContain('OFFPOST');
    expect(ids).not.toContain('CTY001');
    // ssj-draw/2: the pairs only; the reasons stay in the registry.
    expect(f.manifest.conflicts).toEqual([
      { inspectorId: 'BS001', unitId: 'KS0001' },
      { inspectorId: 'SA002', unitId: 'COUNTYK1' },
    ]);
    expect(f.manifest.params).toEqual({ spec: 'ssj-draw/2', campaign: 'xinyang-2023q1', exclusive: true, teamSize: 2 });
    // An ssj-draw/1 freeze (e.g. to redo an old campaign's) still carries them.
    expect(freezeQuarter(city(), programme, 1, {}, 'ssj-draw/1').manifest.conflicts).toEqual([
      { inspectorId: 'BS001', unitId: 'KS0001', reason: 'relative' },
      { inspectorId: 'SA002', unitId: 'COUNTYK1', reason: 'former-employer' },
    ]);
    expect(f.manifest.pools.find((p) => p.poolId === 'special.brigade-shihe')).toEqual({
      poolId: 'special.brigade-shihe',
      department: 'brigade-shihe',
      category: 'special',
      jurisdiction: 'shihe',
      tier: 'problem',
      quota: 2,
    });
  });

  it('gives files the draw parser accepts, a matching digest, and a manifest the draw runs on', () => {
    const files = freezeFiles(freezeQuarter(city(), programme, 2, inputs));
    const parsed = parseManifest(files.manifest);
    expect(parsed.manifestDigest).toBe(files.manifestDigest);
    expect(files.extras.DIGEST).toBe(`${files.manifestDigest}\n`);
    expect(files.manifest['params.txt']).toBe('campaign=xinyang-2023q2\nexclusive=1\nspec=ssj-draw/2\nteam_size=2\n');
    expect(files.manifest['conflicts.csv']).toBe('inspector_id,unit_id\nBS001,KS0001\nSA002,COUNTYK1\n');
    expect(files.manifest['pools.csv'].split('\n')[0]).toBe('pool_id,department,category,jurisdiction,tier,quota');
    const quotas = JSON.parse(files.extras['quotas.json']);
    expect(quotas.manifest_digest).toBe(files.manifestDigest);
    expect(quotas.pools).toHaveLength(11);
    const witnesses = ['admin:ADM001:0f1e2d3c4b5a69788796a5b4c3d2e1f0:31415926535897932384', 'discipline:DIS007:a5a5a5a5c3c3c3c30123456789abcdef:27182818284590452353'];
    const record = runDraw(parsed, bindWitnesses(witnesses.map(parseWitness), parsed));
    expect(record.spec).toBe('ssj-draw/2');
    expect(record.campaign).toBe('xinyang-2023q2');
    const gs = record.pools.find((p) => p.pool_id === 'general.brigade-shihe')!;
    expect(gs.quota).toBe(12); // 4 inspectors x 3 in Q2
    expect(gs.selected).toHaveLength(12);
    expect(gs.selected).not.toContain('GS0001'); // inspected elsewhere this quarter
    // Positive-list units are drawn like the others and checked off-site.
    const positive = new Set(parsed.units.filter((u) => u.positive).map((u) => u.unitId));
    expect(positive).toEqual(new Set(['POS1', 'POS2']));
    for (const a of record.assignments) expect(a.method).toBe(positive.has(a.unit_id) ? 'offsite' : 'onsite');
  });

  it('is deterministic: the same inputs give the same bytes', () => {
    const a = freezeFiles(freezeQuarter(city(), programme, 1, inputs));
    const b = freezeFiles(freezeQuarter({ ...city(), units: [...city().units].reverse() }, programme, 1, inputs));
    expect(b.manifest).toEqual(a.manifest);
    expect(b.extras).toEqual(a.extras);
  });

  it('quotes exclusion details that hold commas or quotes', () => {
    expect(exclusionsCsv([{ unitId: 'U1', reason: 'inspected-by-other-office', detail: 'by "A", B' }])).toBe(
      'unit_id,reason,detail\nU1,inspected-by-other-office,"by ""A"", B"\n',
    );
  });
});

describe('freezeToFolder', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-freeze-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the five files, exclusions.csv, quotas.json and DIGEST, and nothing else', () => {
    const out = path.join(dir, 'q1');
    const r = freezeToFolder({ snapshot: city(), programme, quarter: 1, dir: out, inputs });
    expect(r.written).toBe(true);
    expect(fs.readdirSync(out).sort()).toEqual(['DIGEST', 'conflicts.csv', 'exclusions.csv', 'inspectors.csv', 'params.txt', 'pools.csv', 'quotas.json', 'units.csv']);
    expect(fs.readdirSync(dir)).toEqual(['q1']); // no temporary folder left behind
    const m = readManifest(out);
    expect(m.manifestDigest).toBe(r.manifestDigest);
    expect(fs.readFileSync(path.join(out, 'DIGEST'), 'utf8')).toBe(`${r.manifestDigest}\n`);
    const bytes = Object.fromEntries(MANIFEST_FILES.map((f) => [f, fs.readFileSync(path.join(out, f))])) as Record<(typeof MANIFEST_FILES)[number], Buffer>;
    expect(manifestDigests(bytes).manifestDigest).toBe(r.manifestDigest);
    expect(fs.readFileSync(path.join(out, 'exclusions.csv'), 'utf8').split('\n')[0]).toBe('unit_id,reason,detail');
    expect(r.counts).toMatchObject({ units: m.units.length, inspectors: 15, conflicts: 2, pools: 11 });
  });

  it('is idempotent: the same freeze again writes nothing', () => {
    const out = path.join(dir, 'q1');
    const first = freezeToFolder({ snapshot: city(), programme, quarter: 1, dir: out });
    const before = fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8'), fs.statSync(path.join(out, f)).mtimeMs]);
    const again = freezeToFolder({ snapshot: city(), programme, quarter: 1, dir: out });
    expect(again.written).toBe(false);
    expect(again.manifestDigest).toBe(first.manifestDigest);
    const after = fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8'), fs.statSync(path.join(out, f)).mtimeMs]);
    expect(after).toEqual(before);
  });

  it('refuses to overwrite a different manifest, and changes nothing', () => {
    const out = path.join(dir, 'q1');
    const first = freezeToFolder({ snapshot: city(), programme, quarter: 1, dir: out });
    const before = fs.readFileSync(path.join(out, 'units.csv'), 'utf8');
    const changed = city();
    changed.units = changed.units.filter((u) => u.id !== 'KS0003');
    expect(() => freezeToFolder({ snapshot: changed, programme, quarter: 1, dir: out })).toThrow(FreezeRefusedError);
    expect(() => freezeToFolder({ snapshot: changed, programme, quarter: 1, dir: out })).toThrow(
      new RegExp(`already holds a different manifest \\(digest ${first.manifestDigest}\\)`),
    );
    expect(fs.readFileSync(path.join(out, 'units.csv'), 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['q1']);
  });

  it('writes into an empty existing folder, refuses a folder holding other things', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(freezeToFolder({ snapshot: city(), programme, quarter: 1, dir: empty }).written).toBe(true);
    expect(fs.existsSync(path.join(empty, 'units.csv'))).toBe(true);

    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    expect(() => freezeToFolder({ snapshot: city(), programme, quarter: 1, dir: other })).toThrow(/is not empty and holds no complete manifest/);
    expect(fs.readdirSync(other)).toEqual(['notes.txt']);
  });

  it('refuses a manifest the draw could not use, writing nothing', () => {
    const bad = city();
    bad.units = [...bad.units, unit('KS 0099', { category: 'key', jurisdiction: 'shihe' })];
    const out = path.join(dir, 'bad');
    expect(() => freezeToFolder({ snapshot: bad, programme, quarter: 1, dir: out })).toThrow(/units\.csv:\d+: field unit_id "KS 0099" must be an id/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('never writes a conflict\'s reason, however private or malformed, into the folder', () => {
    const privateReason = '我的妹夫在该单位任职, "family" =HYPERLINK("x")';
    const snap = city();
    snap.conflicts = [...snap.conflicts, { inspectorId: 'BS003', unitId: 'KS0005', reason: privateReason }];
    const out = path.join(dir, 'q1');
    const r = freezeToFolder({ snapshot: snap, programme, quarter: 1, dir: out });
    expect(r.counts.conflicts).toBe(3);
    expect(fs.readFileSync(path.join(out, 'conflicts.csv'), 'utf8')).toBe('inspector_id,unit_id\nBS001,KS0001\nBS003,KS0005\nSA002,COUNTYK1\n');
    for (const f of fs.readdirSync(out)) {
      const text = fs.readFileSync(path.join(out, f), 'utf8');
      for (const secret of [privateReason, '妹夫', 'relative', 'former-employer']) expect(text, `${f} holds ${secret}`).not.toContain(secret);
    }
  });
});
