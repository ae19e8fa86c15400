// ssj-draw/2 (docs/draw-spec.md): the manifest says its spec, conflicts carry no reason, witnesses
// commit then reveal, the seed's prefix changes, replacements publish reason codes only — and every
// ssj-draw/1 input still works as before.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { witnessCommitment } from '../domain/draw/commitment';
import { CommitmentMismatchError, DrawError, bindWitnesses, computeSeed, parseWitness, runDraw, validateWitnesses } from '../domain/draw/draw';
import { ManifestError, ManifestProblem, parseManifest, serializeManifest } from '../domain/draw/manifest';
import {
  DrawRecordV2,
  RecordFormatError,
  WitnessV2,
  formatDrawRecord,
  parseDrawRecord,
  parseReplacements,
} from '../domain/draw/record';
import { ReplacementError, proposeReplacement } from '../domain/draw/replacements';
import { verifyDraw } from '../domain/draw/verify';
import { vectorFiles, vectorJson, vectorWitnessArgs, vectorWitnesses } from './fixtures/draw/vectors';

const v2Files = () => vectorFiles('small-v2');
const v2Manifest = parseManifest(v2Files());
const v2Record = (): DrawRecordV2 => parseDrawRecord(vectorJson('small-v2', 'record.json')) as DrawRecordV2;
const v2Witnesses = (): WitnessV2[] => vectorWitnesses('small-v2') as WitnessV2[];
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

function problems(files: Parameters<typeof parseManifest>[0]): ManifestProblem[] {
  try {
    parseManifest(files);
  } catch (err) {
    if (err instanceof ManifestError) return err.problems;
    throw err;
  }
  throw new Error('expected a ManifestError, the manifest was accepted');
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('vector small-v2', () => {
  it('reproduces record.json exactly, bytes included', () => {
    const record = runDraw(v2Manifest, v2Witnesses());
    expect(record).toStrictEqual(JSON.parse(vectorJson('small-v2', 'record.json')));
    expect(formatDrawRecord(record)).toBe(vectorJson('small-v2', 'record.json'));
    expect(runDraw(v2Manifest, [...v2Witnesses()].reverse())).toStrictEqual(record);
  });

  it('computes commitments and the seed by the published formulas (checked with node:crypto)', () => {
    const record = v2Record();
    for (const w of record.witnesses) {
      expect(w.commitment).toBe(sha256(`ssj-draw/2 commit|${record.manifest_digest}|${w.role}:${w.person_id}:${w.salt}:${w.entropy}`));
    }
    const joined = record.witnesses.map((w) => `${w.role}:${w.person_id}:${w.entropy}`).join('|');
    expect(record.seed).toBe(sha256(`ssj-draw/2|${record.manifest_digest}|${joined}`));
    expect(computeSeed(record.manifest_digest, record.witnesses, 'ssj-draw/2')).toBe(record.seed);
    // The same entropy under the v1 prefix gives another seed: the spec is bound into the draw.
    expect(computeSeed(record.manifest_digest, record.witnesses)).not.toBe(record.seed);
  });

  it('verifies its own record; a v1 verifier path still verifies the v1 vectors', () => {
    expect(verifyDraw(v2Manifest, v2Record())).toEqual({ ok: true });
    for (const name of ['small', 'city'] as const) {
      expect(verifyDraw(parseManifest(vectorFiles(name)), parseDrawRecord(vectorJson(name, 'record.json')))).toEqual({ ok: true });
    }
  });
});

describe('v2 manifests', () => {
  it('carry their spec; absent means ssj-draw/1; conflicts have no reason', () => {
    expect(v2Manifest.params.spec).toBe('ssj-draw/2');
    expect(v2Manifest.conflicts[0]).toEqual({ inspectorId: 'B-SHIHE-002', unitId: '9141150035Q85RHWCN' });
    expect(parseManifest(vectorFiles('small')).params.spec).toBe('ssj-draw/1');
  });

  it.each([
    ['ssj-draw/3', /spec "ssj-draw\/3" is not allowed: the only value is ssj-draw\/2/],
    ['ssj-draw/1', /an ssj-draw\/1 manifest has no spec key/],
    ['', /spec "" is not allowed/],
  ])('rejects spec=%s, naming file, line and rule', (value, rule) => {
    const files = v2Files();
    files['params.txt'] = files['params.txt'].replace('spec=ssj-draw/2', `spec=${value}`);
    const found = problems(files);
    expect(found.some((p) => p.file === 'params.txt' && p.line === 3 && rule.test(p.rule)), JSON.stringify(found)).toBe(true);
  });

  it('rejects a spec key out of sort order', () => {
    const files = v2Files();
    files['params.txt'] = 'campaign=test-20231\nexclusive=1\nteam_size=2\nspec=ssj-draw/2\n';
    expect(problems(files)).toContainEqual({ file: 'params.txt', line: 4, rule: 'keys not sorted: "spec" comes after "team_size"' });
  });

  it('rejects a reason column in a v2 manifest, and a missing one in a v1 manifest', () => {
    const withReason = { ...vectorFiles('small'), 'params.txt': v2Files()['params.txt'] };
    const found = problems(withReason);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'conflicts.csv', line: 1 });
    expect(found[0]!.rule).toBe(
      'header must be exactly "inspector_id,unit_id" (ssj-draw/2: no reason column; reasons stay in the registry), found "inspector_id,unit_id,reason"',
    );
    const noReason = { ...v2Files(), 'params.txt': vectorFiles('small')['params.txt'] };
    expect(problems(noReason)[0]).toMatchObject({ file: 'conflicts.csv', line: 1, rule: expect.stringMatching(/"inspector_id,unit_id,reason" \(ssj-draw\/1\)/) });
  });

  it('are written back byte for byte, and a v2 writer drops any reason it is given', () => {
    const m = parseManifest(v2Files());
    const withReasons = { ...m, conflicts: m.conflicts.map((c) => ({ ...c, reason: 'my brother-in-law works there' })) };
    expect(serializeManifest(withReasons)).toEqual(v2Files());
    // The same rows as ssj-draw/1 give the v1 vector's files (it is the same draw input).
    const v1 = parseManifest(vectorFiles('small'));
    expect(serializeManifest({ ...m, params: { ...m.params, spec: 'ssj-draw/1' }, conflicts: v1.conflicts })).toEqual(vectorFiles('small'));
  });
});

describe('v2 witnesses', () => {
  it('parses both command-line forms and binds them to the manifest', () => {
    expect(parseWitness('admin:ADM001:31415926535897932384')).toEqual({ role: 'admin', person_id: 'ADM001', entropy: '31415926535897932384' });
    const [reveal] = vectorWitnessArgs('small-v2');
    expect(reveal).toEqual({ role: 'admin', person_id: 'ADM001', salt: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', entropy: '31415926535897932384' });
    const [bound] = bindWitnesses([reveal!], v2Manifest) as [WitnessV2];
    expect(bound.commitment).toBe(v2Record().witnesses[0]!.commitment);
  });

  it('refuses a form that does not fit the manifest, naming the witness and never echoing secrets', () => {
    const v1Form = bindError(['admin:ADM001:31415926535897932384'], v2Manifest);
    expect(v1Form).toBe('witness admin:ADM001: the manifest is ssj-draw/2 (commit, then reveal): give role:person_id:salt:entropy');
    const v2Form = bindError(['admin:ADM001:0f1e2d3c4b5a69788796a5b4c3d2e1f0:31415926535897932384'], parseManifest(vectorFiles('small')));
    expect(v2Form).toMatch(/^witness admin:ADM001: the manifest is ssj-draw\/1 .*give role:person_id:entropy, without a salt$/);
    for (const [text, rule] of [
      ['admin:ADM001:0F1E2D3C4B5A69788796A5B4C3D2E1F0:31415926535897932384', /^witness admin:ADM001: salt must be exactly 32 lowercase hex/],
      ['admin:ADM001:0f1e:31415926535897932384', /^witness admin:ADM001: salt must be exactly 32 lowercase hex/],
      ['admin:ADM001:0f1e2d3c4b5a69788796a5b4c3d2e1f0:short', /^witness admin:ADM001: entropy must be 16 to 128/],
      ['admin:ADM001:a:b:31415926535897932384', /^witness admin:ADM001: expected role:person_id:entropy \(ssj-draw\/1\) or role:person_id:salt:entropy \(ssj-draw\/2\), found 5 part/],
    ] as const) {
      const e = thrown(() => parseWitness(text));
      expect(e).toBeInstanceOf(DrawError);
      expect(e.message).toMatch(rule);
      expect(e.message).not.toContain('31415926535897932384');
    }
  });

  it.each([
    ['salt', (w: WitnessV2) => void (w.salt = 'ffffffffffffffffffffffffffffffff')],
    ['entropy', (w: WitnessV2) => void (w.entropy = 'TamperedEntropy12345')],
    ['commitment', (w: WitnessV2) => void (w.commitment = 'f'.repeat(64))],
  ])('refuses the draw when a witness tampers with their %s (no record)', (_field, tamper) => {
    const witnesses = v2Witnesses();
    tamper(witnesses[1]!);
    const e = thrown(() => runDraw(v2Manifest, witnesses));
    expect(e).toBeInstanceOf(CommitmentMismatchError);
    expect(e).toMatchObject({ role: 'discipline', personId: 'DIS007' });
    expect(e.message).toBe('witness discipline:DIS007: the revealed salt and entropy do not reproduce the commitment (ssj-draw/2 commit, then reveal)');
  });

  it('binds a commitment to the manifest: the same reveal on another manifest does not match', () => {
    const other = witnessCommitment('0'.repeat(64), 'admin', 'ADM001', '0f1e2d3c4b5a69788796a5b4c3d2e1f0', '31415926535897932384');
    expect(other).not.toBe(v2Record().witnesses[0]!.commitment);
  });

  it('refuses witnesses of the wrong spec for the manifest', () => {
    const v1 = vectorWitnesses('small');
    expect(thrown(() => runDraw(v2Manifest, v1)).message).toMatch(/witness admin:ADM001: the manifest is ssj-draw\/2: each witness needs a commitment, salt and entropy/);
    expect(thrown(() => runDraw(parseManifest(vectorFiles('small')), v2Witnesses())).message).toMatch(
      /witness admin:ADM001: the manifest is ssj-draw\/1: a witness gives role, person_id and entropy only/,
    );
    expect(() => validateWitnesses(v2Witnesses().slice(0, 1), { spec: 'ssj-draw/2', manifestDigest: v2Manifest.manifestDigest })).toThrow(/at least two witnesses/);
  });
});

describe('verifying v2 records', () => {
  const difference = (record: DrawRecordV2, m = v2Manifest, reps: Parameters<typeof verifyDraw>[2] = []): string => {
    const r = verifyDraw(m, record, reps);
    if (r.ok) throw new Error('expected a difference, got verified');
    return r.difference;
  };

  it('names the witness whose salt, entropy or commitment was changed', () => {
    const salt = v2Record();
    salt.witnesses[0]!.salt = '00000000000000000000000000000000';
    expect(difference(salt)).toMatch(/^witnesses\[0\]\.commitment: record has 3b5979ce\w{56}, recomputed from the witness's role, person_id, salt and entropy [0-9a-f]{64}$/);
    const entropy = v2Record();
    entropy.witnesses[1]!.entropy = 'ZyXw9876543210QR';
    expect(difference(entropy)).toMatch(/^witnesses\[1\]\.commitment: record has 501ddacf\w{56}, recomputed /);
    const commitment = v2Record();
    commitment.witnesses[1]!.commitment = 'a'.repeat(64);
    expect(difference(commitment)).toMatch(/^witnesses\[1\]\.commitment: record has a{64}, recomputed from .* 501ddacf\w{56}$/);
  });

  it('catches new entropy with a matching new commitment by the seed', () => {
    const r = v2Record();
    const w = r.witnesses[1]!;
    w.entropy = 'ZyXw9876543210QR';
    w.commitment = witnessCommitment(r.manifest_digest, w.role, w.person_id, w.salt, w.entropy);
    expect(difference(r)).toMatch(/^seed: record has [0-9a-f]{64}, recomputed [0-9a-f]{64}$/);
  });

  it('catches a record whose spec does not match the manifest', () => {
    const asV1 = JSON.parse(vectorJson('small', 'record.json'));
    expect(verifyDraw(v2Manifest, asV1)).toEqual({ ok: false, difference: 'spec: record has ssj-draw/1, the manifest (params.txt) is ssj-draw/2' });
  });

  it('reads only the published specs, naming the field', () => {
    const unknown = vectorJson('small-v2', 'record.json').replace('"spec": "ssj-draw/2"', '"spec": "ssj-draw/3"');
    const e = thrown(() => parseDrawRecord(unknown, 'draw-record.json'));
    expect(e).toBeInstanceOf(RecordFormatError);
    expect(e.message).toBe('draw-record.json: spec: must be one of ssj-draw/1, ssj-draw/2 (the record\'s spec)');
    const noSalt = JSON.parse(vectorJson('small-v2', 'record.json'));
    delete noSalt.witnesses[1].salt;
    expect(thrown(() => parseDrawRecord(JSON.stringify(noSalt), 'r.json')).message).toMatch(/^r\.json: witnesses\[1\]\.salt: /);
  });
});

describe('v2 replacements publish reason codes only', () => {
  const record = v2Record();
  const unit = record.assignments[0]!;
  const request = { kind: 'unit' as const, pool_id: unit.pool_id, unit_id: unit.unit_id, approved_by: 'MGR001', at: '2023-01-12T09:00:00+08:00' };

  it('makes and verifies an entry with a code', () => {
    const e = proposeReplacement(v2Manifest, record, [], { ...request, reason: 'closed' });
    expect(e).toMatchObject({ seq: 1, kind: 'unit', reason: 'closed' });
    expect(verifyDraw(v2Manifest, record, [e])).toEqual({ ok: true });
  });

  it('refuses free text when proposing, when verifying and when reading the file', () => {
    const text = '单位已关闭 (my brother-in-law works there)';
    const e = thrown(() => proposeReplacement(v2Manifest, record, [], { ...request, reason: text }));
    expect(e).toBeInstanceOf(ReplacementError);
    expect(e.message).toMatch(/^reason ".*" must be a reason code: \[a-z0-9\]\[a-z0-9._-\]\{0,63\} \(ssj-draw\/2 publishes no free text\)$/);

    const entry = { ...proposeReplacement(v2Manifest, record, [], { ...request, reason: 'closed' }), reason: text };
    const verified = verifyDraw(v2Manifest, record, [entry]);
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.difference).toMatch(/^replacements seq 1: reason ".*" must be a reason code/);

    const file = JSON.stringify([entry]);
    expect(thrown(() => parseReplacements(file, 'replacements.json', 'ssj-draw/2')).message).toMatch(/^replacements\.json: \[0\]\.reason: must be a reason code/);
    // ssj-draw/1 keeps its looser rule: published v1 lists stay readable.
    expect(parseReplacements(file, 'replacements.json', 'ssj-draw/1')[0]!.reason).toBe(text);
    expect(parseReplacements(file)[0]!.reason).toBe(text);
  });
});

function bindError(lines: string[], manifest: ReturnType<typeof parseManifest>): string {
  return thrown(() => bindWitnesses(lines.map(parseWitness), manifest)).message;
}
