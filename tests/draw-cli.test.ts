// `ssj draw`, `ssj draw-digest` and `ssj verify` end to end, as a clerk would run them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vectorDir, vectorJson, vectorWitnessLines, vectorWitnesses } from './fixtures/draw/vectors';

const ROOT = path.resolve(__dirname, '..');
let tmp: string;

function ssj(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['tsx', 'client/ssj.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const witnessArgs = (): string[] => vectorWitnesses('city').flatMap((w) => ['--witness', `${w.role}:${w.person_id}:${w.entropy}`]);

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-draw-cli-'));
  fs.cpSync(vectorDir('city'), path.join(tmp, 'city'), { recursive: true });
  fs.cpSync(vectorDir('small-v2'), path.join(tmp, 'small-v2'), { recursive: true });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ssj draw', () => {
  it('writes the record, prints digest and seed commitment, and refuses to overwrite', () => {
    const out = path.join(tmp, 'record.json');
    const r = ssj('draw', '--manifest', path.join(tmp, 'city/manifest'), ...witnessArgs(), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(vectorJson('city', 'record.json'));
    const record = JSON.parse(vectorJson('city', 'record.json'));
    expect(r.stdout).toContain(`manifest digest:  ${record.manifest_digest}`);
    expect(r.stdout).toMatch(/seed commitment: +[0-9a-f]{64}/);
    expect(r.stdout).not.toContain(record.seed); // the seed stays sealed
    expect(r.stdout).toMatch(/general\.brigade-pingqiao +16 of +195 candidates/);

    fs.writeFileSync(out, 'keep me');
    const again = ssj('draw', '--manifest', path.join(tmp, 'city/manifest'), ...witnessArgs(), '--out', out);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already exists; nothing written/);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me');

    const forced = ssj('draw', '--manifest', path.join(tmp, 'city/manifest'), ...witnessArgs(), '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(vectorJson('city', 'record.json'));
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes nothing on a malformed manifest and names file and line (exit 2)', () => {
    const bad = path.join(tmp, 'bad-manifest');
    fs.cpSync(path.join(tmp, 'city/manifest'), bad, { recursive: true });
    const units = fs.readFileSync(path.join(bad, 'units.csv'), 'utf8');
    fs.writeFileSync(path.join(bad, 'units.csv'), units.replace(/\n/g, '\r\n'));
    const out = path.join(tmp, 'never.json');
    const r = ssj('draw', '--manifest', bad, ...witnessArgs(), '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('units.csv:1: line contains CR');
    expect(fs.existsSync(out)).toBe(false);

    const one = ssj('draw', '--manifest', path.join(tmp, 'city/manifest'), witnessArgs()[0]!, witnessArgs()[1]!, '--out', out);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/at least two witnesses/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('prints the manifest digest before the draw (draw-digest)', () => {
    const r = ssj('draw-digest', '--manifest', path.join(tmp, 'city/manifest'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`manifest digest: ${JSON.parse(vectorJson('city', 'record.json')).manifest_digest}`);
  });
});

describe('ssj verify', () => {
  it('prints verified for the published files (exit 0)', () => {
    const r = ssj('verify', '--manifest', path.join(tmp, 'city/manifest'), '--record', path.join(tmp, 'city/record.json'), '--replacements', path.join(tmp, 'city/replacements.json'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('verified\n');
    expect(r.code).toBe(0);
  });

  it('names the first difference of a tampered record (exit 1)', () => {
    const record = JSON.parse(vectorJson('city', 'record.json'));
    const [a, b] = record.assignments[2].inspectors;
    record.assignments[2].inspectors = [b, a];
    const file = path.join(tmp, 'tampered.json');
    fs.writeFileSync(file, JSON.stringify(record));
    const r = ssj('verify', '--manifest', path.join(tmp, 'city/manifest'), '--record', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`NOT verified: assignments[2].inspectors[0]: record has ${b}, recomputed ${a}`);
    expect(r.stdout).toBe('');
  });

  it('rejects malformed inputs with file:line (exit 2)', () => {
    const file = path.join(tmp, 'broken.json');
    fs.writeFileSync(file, '{\n  "spec": "ssj-draw/1",\n  oops\n}\n');
    const r = ssj('verify', '--manifest', path.join(tmp, 'city/manifest'), '--record', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3:3: not valid JSON`);

    const schema = path.join(tmp, 'schema.json');
    const record = JSON.parse(vectorJson('city', 'record.json'));
    record.pools[1].selected[0] = 'bad id!';
    fs.writeFileSync(schema, JSON.stringify(record));
    const s = ssj('verify', '--manifest', path.join(tmp, 'city/manifest'), '--record', schema);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`${schema}: pools[1].selected[0]: must be an id`);
  });
});

describe('ssj draw and ssj verify on an ssj-draw/2 manifest', () => {
  const v2Args = (): string[] => vectorWitnessLines('small-v2').flatMap((w) => ['--witness', w]);
  const manifest = (): string => path.join(tmp, 'small-v2/manifest');

  it('draws from role:person:salt:entropy, prints the commitments, and the record verifies', () => {
    const out = path.join(tmp, 'v2-record.json');
    const r = ssj('draw', '--manifest', manifest(), ...v2Args(), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(vectorJson('small-v2', 'record.json'));
    const record = JSON.parse(vectorJson('small-v2', 'record.json'));
    expect(r.stdout).toContain('draw ssj-draw/2, campaign test-20231');
    for (const w of record.witnesses) expect(r.stdout).toMatch(new RegExp(`${w.role}:${w.person_id} +${w.commitment}`));
    expect(r.stdout).not.toContain(record.seed);

    const v = ssj('verify', '--manifest', manifest(), '--record', out);
    expect(v.stderr).toBe('');
    expect([v.code, v.stdout]).toEqual([0, 'verified\n']);
  });

  it('refuses a witness form that does not fit the manifest (exit 2, nothing written)', () => {
    const out = path.join(tmp, 'v2-never.json');
    const v1Form = vectorWitnesses('small').flatMap((w) => ['--witness', `${w.role}:${w.person_id}:${w.entropy}`]);
    const r = ssj('draw', '--manifest', manifest(), ...v1Form, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('witness admin:ADM001: the manifest is ssj-draw/2 (commit, then reveal): give role:person_id:salt:entropy');
    const onV1 = ssj('draw', '--manifest', path.join(tmp, 'city/manifest'), ...v2Args(), '--out', out);
    expect(onV1.code).toBe(2);
    expect(onV1.stderr).toContain('witness admin:ADM001: the manifest is ssj-draw/1');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('names a tampered salt (exit 1) and refuses a free-text reason in the replacements (exit 2)', () => {
    const record = JSON.parse(vectorJson('small-v2', 'record.json'));
    record.witnesses[1].salt = '0'.repeat(32);
    const tampered = path.join(tmp, 'v2-tampered.json');
    fs.writeFileSync(tampered, JSON.stringify(record));
    const r = ssj('verify', '--manifest', manifest(), '--record', tampered);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOT verified: witnesses\[1\]\.commitment: record has 501ddacf[0-9a-f]{56}, recomputed from /);

    const a = JSON.parse(vectorJson('small-v2', 'record.json')).assignments[0];
    const reps = path.join(tmp, 'v2-replacements.json');
    const entry = { seq: 1, kind: 'unit', pool_id: a.pool_id, unit_id: a.unit_id, replacement: a.unit_id, reason: '老板是我表哥', approved_by: 'MGR001', at: '2023-01-12T09:00:00+08:00' };
    fs.writeFileSync(reps, JSON.stringify([entry]));
    const v = ssj('verify', '--manifest', manifest(), '--record', path.join(tmp, 'small-v2/record.json'), '--replacements', reps);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain(`${reps}: [0].reason: must be a reason code`);
  });
});
