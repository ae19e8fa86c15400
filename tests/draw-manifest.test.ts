// Every rule of DRAW-SPEC section 1: a manifest that breaks one is rejected naming file, line and rule.
import { describe, expect, it } from 'vitest';
import { ManifestError, ManifestFiles, ManifestProblem, compareUtf8, parseManifest, serializeManifest } from '../domain/draw/manifest';
import { vectorFiles } from './fixtures/draw/vectors';

const good = (): Record<keyof ManifestFiles, string> => vectorFiles('small');

function problems(files: ManifestFiles): ManifestProblem[] {
  try {
    parseManifest(files);
  } catch (err) {
    if (err instanceof ManifestError) return err.problems;
    throw err;
  }
  throw new Error('expected a ManifestError, the manifest was accepted');
}

/** Replaces line `n` (1-based) of a file. */
function setLine(text: string, n: number, line: string): string {
  const lines = text.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}
function getLine(text: string, n: number): string {
  return text.split('\n')[n - 1]!;
}

describe('parseManifest', () => {
  it('accepts the vectors', () => {
    const m = parseManifest(good());
    expect(m.units).toHaveLength(120);
    expect(m.params).toEqual({ spec: 'ssj-draw/1', campaign: 'test-20231', exclusive: true, teamSize: 2 });
    expect(m.manifestDigest).toBe('ceace8563a00a9caf946291a91704710f7509828bd11f5cca60dc5ecd4de840c');
    expect(parseManifest(vectorFiles('city')).pools).toHaveLength(11);
  });

  it('accepts Buffers and strings alike, with the same digests', () => {
    const files = good();
    const asBuffers = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)])) as unknown as ManifestFiles;
    expect(parseManifest(asBuffers).manifestDigest).toBe(parseManifest(files).manifestDigest);
  });

  const cases: [string, (f: Record<keyof ManifestFiles, string>) => void, string, number, RegExp][] = [
    ['CR line endings', (f) => void (f['units.csv'] = f['units.csv'].replace(/\n/g, '\r\n')), 'units.csv', 1, /contains CR/],
    ['one CR line', (f) => void (f['pools.csv'] = setLine(f['pools.csv'], 4, `${getLine(f['pools.csv'], 4)}\r`)), 'pools.csv', 4, /contains CR/],
    ['missing final LF', (f) => void (f['inspectors.csv'] = f['inspectors.csv'].replace(/\n$/, '')), 'inspectors.csv', 16, /does not end with LF/],
    ['BOM', (f) => void (f['units.csv'] = `\uFEFF${f['units.csv']}`), 'units.csv', 1, /byte order mark/],
    ['wrong header', (f) => void (f['units.csv'] = setLine(f['units.csv'], 1, 'unit_id,category,jurisdiction,tier')), 'units.csv', 1, /header must be exactly/],
    ['header with spaces', (f) => void (f['pools.csv'] = setLine(f['pools.csv'], 1, 'pool_id, department,category,jurisdiction,tier,quota')), 'pools.csv', 1, /header/],
    [
      'unsorted rows',
      (f) => {
        const l2 = getLine(f['units.csv'], 2);
        f['units.csv'] = setLine(setLine(f['units.csv'], 2, getLine(f['units.csv'], 3)), 3, l2);
      },
      'units.csv',
      3,
      /not sorted by unit_id/,
    ],
    ['duplicate rows', (f) => void (f['inspectors.csv'] = setLine(f['inspectors.csv'], 3, getLine(f['inspectors.csv'], 2))), 'inspectors.csv', 3, /duplicate inspector_id .*line 2/],
    ['bad id', (f) => void (f['units.csv'] = setLine(f['units.csv'], 2, getLine(f['units.csv'], 2).replace(/^9/, '_'))), 'units.csv', 2, /field unit_id "_.*must be an id/],
    ['id too long', (f) => void (f['inspectors.csv'] = setLine(f['inspectors.csv'], 2, `${'A'.repeat(65)},brigade-pingqiao`)), 'inspectors.csv', 2, /must be an id/],
    ['bad code (upper case)', (f) => void (f['units.csv'] = setLine(f['units.csv'], 2, getLine(f['units.csv'], 2).replace(',key,', ',Key,'))), 'units.csv', 2, /field category "Key" must be a code/],
    ['bad code (space)', (f) => void (f['units.csv'] = setLine(f['units.csv'], 2, getLine(f['units.csv'], 2).replace(',key,', ', key,'))), 'units.csv', 2, /field category " key" must be a code/],
    ['tier * in units', (f) => void (f['units.csv'] = setLine(f['units.csv'], 2, getLine(f['units.csv'], 2).replace(',-,', ',*,'))), 'units.csv', 2, /field tier "\*"/],
    ['jurisdiction * in units', (f) => void (f['units.csv'] = setLine(f['units.csv'], 2, getLine(f['units.csv'], 2).replace(',shihe,', ',*,'))), 'units.csv', 2, /field jurisdiction "\*"/],
    ['positive not 0/1', (f) => void (f['units.csv'] = setLine(f['units.csv'], 2, getLine(f['units.csv'], 2).replace(/,1$/, ',yes'))), 'units.csv', 2, /field positive "yes" must be 0 or 1/],
    ['too few fields', (f) => void (f['units.csv'] = setLine(f['units.csv'], 4, getLine(f['units.csv'], 4).replace(/,0$/, ''))), 'units.csv', 4, /expected 5 fields .* found 4/],
    ['quoted field', (f) => void (f['conflicts.csv'] = setLine(f['conflicts.csv'], 2, getLine(f['conflicts.csv'], 2).replace('former-employer', '"former-employer"'))), 'conflicts.csv', 2, /field reason/],
    ['blank line', (f) => void (f['pools.csv'] = `${f['pools.csv']}\n`), 'pools.csv', 13, /expected 6 fields/],
    ['negative quota', (f) => void (f['pools.csv'] = setLine(f['pools.csv'], 2, getLine(f['pools.csv'], 2).replace(/,6$/, ',-1'))), 'pools.csv', 2, /quota "-1" must be a non-negative integer/],
    ['quota with leading zero', (f) => void (f['pools.csv'] = setLine(f['pools.csv'], 2, getLine(f['pools.csv'], 2).replace(/,6$/, ',06'))), 'pools.csv', 2, /quota "06"/],
    ['quota not an integer', (f) => void (f['pools.csv'] = setLine(f['pools.csv'], 2, getLine(f['pools.csv'], 2).replace(/,6$/, ',6.5'))), 'pools.csv', 2, /quota "6.5"/],
    ['unknown department', (f) => void (f['pools.csv'] = setLine(f['pools.csv'], 2, getLine(f['pools.csv'], 2).replace(',brigade-pingqiao,', ',brigade-nowhere,'))), 'pools.csv', 2, /unknown department "brigade-nowhere"/],
    ['conflict with an unknown unit', (f) => void (f['conflicts.csv'] = setLine(f['conflicts.csv'], 2, getLine(f['conflicts.csv'], 2).replace(/,9\w+,/, ',0NOSUCHUNIT,'))), 'conflicts.csv', 2, /unknown unit_id "0NOSUCHUNIT"/],
    ['conflict with an unknown inspector', (f) => void (f['conflicts.csv'] = setLine(f['conflicts.csv'], 2, getLine(f['conflicts.csv'], 2).replace(/^[^,]+,/, 'A-NOBODY,'))), 'conflicts.csv', 2, /unknown inspector_id "A-NOBODY"/],
    ['conflicts unsorted by unit within an inspector', (f) => void (f['conflicts.csv'] = 'inspector_id,unit_id,reason\nB-SHIHE-002,9141150035Q85RHWCN,declared\nB-SHIHE-002,9141150000MH64PQ06,declared\n'), 'conflicts.csv', 3, /not sorted by inspector_id, unit_id/],
    ['params: unsorted keys', (f) => void (f['params.txt'] = 'exclusive=1\ncampaign=test-20231\nteam_size=2\n'), 'params.txt', 2, /keys not sorted/],
    ['params: duplicate key', (f) => void (f['params.txt'] = 'campaign=test-20231\ncampaign=test-20231\nexclusive=1\nteam_size=2\n'), 'params.txt', 2, /duplicate key "campaign"/],
    ['params: unknown key', (f) => void (f['params.txt'] = 'campaign=test-20231\nexclusive=1\nseed=1\nteam_size=2\n'), 'params.txt', 3, /unknown key "seed"/],
    ['params: missing key', (f) => void (f['params.txt'] = 'campaign=test-20231\nexclusive=1\n'), 'params.txt', 0, /missing key team_size/],
    ['params: team_size 1', (f) => void (f['params.txt'] = f['params.txt'].replace('team_size=2', 'team_size=1')), 'params.txt', 3, /team_size "1" must be an integer >= 2/],
    ['params: exclusive 2', (f) => void (f['params.txt'] = f['params.txt'].replace('exclusive=1', 'exclusive=2')), 'params.txt', 2, /exclusive "2" must be 0 or 1/],
    ['params: bad campaign', (f) => void (f['params.txt'] = f['params.txt'].replace('campaign=test-20231', 'campaign=Test 2023')), 'params.txt', 1, /campaign "Test 2023" must be a code/],
    ['params: no =', (f) => void (f['params.txt'] = f['params.txt'].replace('exclusive=1', 'exclusive')), 'params.txt', 2, /expected key=value/],
    ['empty file', (f) => void (f['conflicts.csv'] = ''), 'conflicts.csv', 1, /file is empty/],
  ];

  it.each(cases)('rejects %s, naming file and line', (_name, breakIt, file, line, rule) => {
    const files = good();
    breakIt(files);
    const found = problems(files);
    expect(found.some((p) => p.file === file && p.line === line && rule.test(p.rule)), JSON.stringify(found, null, 1)).toBe(true);
  });

  it('rejects invalid UTF-8, naming the line', () => {
    const files: ManifestFiles = good();
    const bytes = Buffer.from(files['units.csv'] as string);
    const lineStart = bytes.indexOf('\n', bytes.indexOf('\n') + 1) + 1; // line 3
    bytes[lineStart] = 0xff;
    const found = problems({ ...files, 'units.csv': bytes });
    expect(found).toEqual([{ file: 'units.csv', line: 3, rule: 'file is not valid UTF-8' }]);
  });

  it('collects the problems of several files and lines at once, and formats them file:line: rule', () => {
    const files = good();
    files['units.csv'] = setLine(setLine(files['units.csv'], 2, getLine(files['units.csv'], 2).replace(',key,', ',KEY,')), 5, getLine(files['units.csv'], 5).replace(/,0$/, ',2'));
    files['params.txt'] = files['params.txt'].replace('team_size=2', 'team_size=0');
    let error: ManifestError | undefined;
    try {
      parseManifest(files);
    } catch (err) {
      error = err as ManifestError;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect(error!.problems.map((p) => `${p.file}:${p.line}`)).toEqual(['params.txt:3', 'units.csv:2', 'units.csv:5']);
    expect(error!.message).toContain('units.csv:2: field category "KEY" must be a code');
    expect(error!.message).toContain('params.txt:3: team_size "0"');
  });

  it('caps the list of problems', () => {
    const files = good();
    files['units.csv'] = files['units.csv'].replace(/,key,/g, ',KEY,');
    let error: ManifestError | undefined;
    try {
      parseManifest(files, { maxProblems: 5 });
    } catch (err) {
      error = err as ManifestError;
    }
    expect(error!.problems).toHaveLength(5);
    expect(error!.omitted).toBeGreaterThan(0);
    expect(error!.message).toMatch(/and \d+ more problem/);
  });
});

describe('serializeManifest', () => {
  it('writes back the exact bytes of a parsed manifest, whatever the row order given', () => {
    for (const name of ['small', 'city'] as const) {
      const files = vectorFiles(name);
      const m = parseManifest(files);
      const shuffled = { ...m, units: [...m.units].reverse(), conflicts: [...m.conflicts].reverse(), pools: [...m.pools].reverse() };
      expect(serializeManifest(shuffled)).toEqual(files);
    }
  });

  it('refuses rows that break a rule', () => {
    const m = parseManifest(good());
    expect(() => serializeManifest({ ...m, units: [...m.units, m.units[0]!] })).toThrow(/duplicate unit_id/);
    expect(() => serializeManifest({ ...m, params: { ...m.params, teamSize: 1 } })).toThrow(/team_size/);
    expect(() => serializeManifest({ ...m, conflicts: [{ inspectorId: 'X1', unitId: m.units[0]!.unitId, reason: 'relative' }] })).toThrow(/unknown inspector_id "X1"/);
  });
});

describe('compareUtf8', () => {
  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF21 (3 bytes, EF BC A1) sorts before U+1F600 (4 bytes, F0 9F 98 80); UTF-16 says the opposite.
    expect(compareUtf8('\uFF21', '\u{1F600}')).toBeLessThan(0);
    expect('\uFF21' < '\u{1F600}').toBe(false);
    expect(Buffer.compare(Buffer.from('\uFF21'), Buffer.from('\u{1F600}'))).toBeLessThan(0);
    expect(compareUtf8('a', 'ab')).toBeLessThan(0);
    expect(compareUtf8('B-1', 'B-1.x')).toBeLessThan(0);
    expect(compareUtf8('Z', 'a')).toBeLessThan(0);
    expect(compareUtf8('x', 'x')).toBe(0);
  });
});
