// Careless and hostile draw inputs (issue 13): a --out folder that does not exist, a team_size no
// pool can staff (refused at draw-digest, before the witnesses are called), and a seeded, bounded
// fuzz of the manifest parser: every mutation parses or is refused with a ManifestError naming
// file and line; nothing else is thrown and nothing hangs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILES, type ManifestFileName } from '../domain/draw/digest';
import { ManifestError, parseManifest } from '../domain/draw/manifest';
import { drawPrecheck } from '../domain/draw/draw';
import { vectorDir, vectorFiles, vectorWitnessLines } from './fixtures/draw/vectors';

const ROOT = path.resolve(__dirname, '..');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-draw-hostile-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ssj(...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'client/ssj.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('draw command line', () => {
  it('--out into a folder that does not exist says so, and writes nothing', () => {
    const out = path.join(tmp, 'no-such-folder', 'record.json');
    const r = ssj('draw', '--manifest', path.join(vectorDir('small-v2'), 'manifest'), ...vectorWitnessLines('small-v2').flatMap((w) => ['--witness', w]), '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the folder .*no-such-folder does not exist; nothing written/);
    expect(r.stderr).toMatch(/mkdir -p/);
    expect(r.stderr).not.toMatch(/ENOENT/);
  });

  it('draw-digest refuses a team_size that no pool can staff, naming the pool', () => {
    const dir = path.join(tmp, 'big-team');
    fs.cpSync(path.join(vectorDir('small-v2'), 'manifest'), dir, { recursive: true });
    const params = fs.readFileSync(path.join(dir, 'params.txt'), 'utf8').replace(/team_size=\d+/, 'team_size=40');
    fs.writeFileSync(path.join(dir, 'params.txt'), params);
    const r = ssj('draw-digest', '--manifest', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no draw can be made from this manifest:\n {2}pool [a-z0-9.-]+: department [a-z0-9-]+ has \d+ inspector\(s\), fewer than team_size 40/);
    const ok = ssj('draw-digest', '--manifest', path.join(vectorDir('small-v2'), 'manifest'));
    expect(ok.code).toBe(0);
  });
});

describe('manifest parser fuzzing (seeded, bounded)', () => {
  const SPRINKLES = [',', '\n', '\r\n', '\ufeff', '=', 'spec=ssj-draw/3', ' ', '\u0000', '\u202e', '-', '*', '99999999999', 'é'];

  function mutate(text: string, rng: seedrandom.PRNG): string {
    let out = text;
    for (let s = 1 + Math.floor(rng() * 3); s > 0; s--) {
      const at = Math.floor(rng() * (out.length + 1));
      const pick = Math.floor(rng() * 4);
      if (pick === 0) out = out.slice(0, at) + SPRINKLES[Math.floor(rng() * SPRINKLES.length)]! + out.slice(at);
      else if (pick === 1) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rng() * 20));
      else if (pick === 2) {
        const lines = out.split('\n');
        const i = Math.floor(rng() * lines.length);
        lines.splice(i, 0, lines[i] ?? '');
        out = lines.join('\n');
      } else out = out.slice(0, at);
    }
    return out;
  }

  for (const vector of ['small', 'small-v2', 'city'] as const) {
    it(`300 mutations of the ${vector} manifest: parsed, or refused naming file and line`, () => {
      const rng = seedrandom(`ssj-manifest-fuzz-${vector}`);
      const original = vectorFiles(vector);
      let refused = 0;
      for (let n = 0; n < 300; n++) {
        const files = { ...original } as Record<ManifestFileName, string>;
        const name = MANIFEST_FILES[Math.floor(rng() * MANIFEST_FILES.length)]!;
        files[name] = mutate(files[name], rng);
        try {
          const m = parseManifest(files);
          expect(drawPrecheck(m)).toBeInstanceOf(Array);
        } catch (err) {
          if (!(err instanceof ManifestError)) throw new Error(`case ${n} (${name}): ${String(err)}`, { cause: err });
          refused++;
          expect(err.problems.length).toBeGreaterThan(0);
          for (const p of err.problems) expect(MANIFEST_FILES).toContain(p.file);
        }
      }
      expect(refused).toBeGreaterThan(100);
    });
  }
});
