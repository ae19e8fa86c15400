// verifyDraw catches every kind of tampering and names the first difference.
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../domain/draw/manifest';
import { DrawRecord, Replacement, parseDrawRecord, parseReplacements } from '../domain/draw/record';
import { verifyDraw } from '../domain/draw/verify';
import { vectorFiles, vectorJson } from './fixtures/draw/vectors';

const manifest = parseManifest(vectorFiles('city'));
const record = (): DrawRecord => parseDrawRecord(vectorJson('city', 'record.json'));
const replacements = (): Replacement[] => parseReplacements(vectorJson('city', 'replacements.json'));

function difference(m = manifest, r = record(), reps: Replacement[] = replacements()): string {
  const result = verifyDraw(m, r, reps);
  if (result.ok) throw new Error('expected a difference, got verified');
  return result.difference;
}

describe('verifyDraw', () => {
  it('verifies the untouched vector', () => {
    expect(verifyDraw(manifest, record(), replacements())).toEqual({ ok: true });
  });

  it('names a changed selected unit', () => {
    const r = record();
    const original = r.pools[3]!.selected[2]!;
    r.pools[3]!.selected[2] = '91411500009LFPW7LL';
    expect(difference(manifest, r)).toBe(`pools[3].selected[2]: record has 91411500009LFPW7LL, recomputed ${original}`);
  });

  it('names a swapped inspector', () => {
    const r = record();
    const team = r.assignments[5]!.inspectors;
    [team[0], team[1]] = [team[1]!, team[0]!];
    expect(difference(manifest, r)).toMatch(/^assignments\[5\]\.inspectors\[0\]: record has \S+, recomputed \S+$/);
  });

  it('names a changed unit in an assignment and a dropped assignment', () => {
    const r = record();
    r.assignments[7]!.unit_id = 'XXXX';
    expect(difference(manifest, r)).toMatch(/^assignments\[7\]\.unit_id: record has XXXX, recomputed /);
    const r2 = record();
    r2.assignments.pop();
    expect(difference(manifest, r2)).toBe(`assignments: record has ${r2.assignments.length} entries, recomputed ${r2.assignments.length + 1}`);
  });

  it('names a changed seed', () => {
    const r = record();
    const seed = r.seed;
    r.seed = 'f'.repeat(64);
    expect(difference(manifest, r)).toBe(`seed: record has ${'f'.repeat(64)}, recomputed ${seed}`);
  });

  it('catches a changed entropy (the seed no longer follows)', () => {
    const r = record();
    r.witnesses[1]!.entropy = 'ZyXw9876543210QR';
    expect(difference(manifest, r)).toMatch(/^seed: record has [0-9a-f]{64}, recomputed [0-9a-f]{64}$/);
  });

  it('catches witnesses out of role order', () => {
    const r = record();
    r.witnesses.reverse();
    expect(difference(manifest, r)).toMatch(/^witnesses\[0\]\.role: record has discipline, recomputed admin$/);
  });

  it('catches a changed count or quota', () => {
    const r = record();
    r.pools[0]!.candidates += 1;
    expect(difference(manifest, r)).toBe(`pools[0].candidates: record has ${r.pools[0]!.candidates}, recomputed ${r.pools[0]!.candidates - 1}`);
  });

  it('catches a tampered manifest file (first by its digest)', () => {
    const files = vectorFiles('city');
    // Drop one unit: a valid manifest, but not the one the record was drawn from.
    const lines = files['units.csv'].split('\n');
    lines.splice(5, 1);
    const tampered = parseManifest({ ...files, 'units.csv': lines.join('\n') });
    expect(difference(tampered)).toMatch(/^manifest\["units\.csv"\]: record has [0-9a-f]{64}, the manifest file's SHA-256 is [0-9a-f]{64}$/);
  });

  it('catches a record whose digests were updated to match a tampered manifest', () => {
    const files = vectorFiles('city');
    const tampered = parseManifest({ ...files, 'params.txt': files['params.txt'].replace('exclusive=1', 'exclusive=0') });
    const r = record();
    r.manifest['params.txt'] = tampered.fileDigests['params.txt'];
    r.manifest_digest = tampered.manifestDigest;
    // The seed binds the manifest digest: it is the first recomputed value to differ.
    expect(difference(tampered, r)).toMatch(/^seed: /);
  });

  it('catches a tampered replacement, naming its seq', () => {
    const reps = replacements();
    reps[1]!.replacement = 'B-PINGQIAO-001';
    expect(difference(manifest, record(), reps)).toBe('replacements seq 2: replacement: entry has B-PINGQIAO-001, the rules give B-PINGQIAO-000');
  });

  it('catches a replaced unit swapped for another', () => {
    const reps = replacements();
    reps[0]!.replacement = '91411500009LFPW7LL';
    expect(difference(manifest, record(), reps)).toMatch(/^replacements seq 1: replacement: entry has 91411500009LFPW7LL, the rules give 91411500UMMT9LXY8C$/);
  });

  it('catches replacements out of order, removed or about units not on the list', () => {
    const reps = replacements();
    expect(difference(manifest, record(), [reps[0]!, reps[2]!])).toMatch(/^replacements seq 3: expected seq 2/);
    const moved = replacements();
    moved[1]!.unit_id = 'NOPE';
    expect(difference(manifest, record(), moved)).toMatch(/^replacements seq 2: unit NOPE is not on pool general\.brigade-pingqiao's list/);
  });
});
