// Seeded, bounded fuzzing of the registry import (issue 13): random mutations of valid files —
// bytes flipped, inserted or cut, cells swapped, quotes and control characters sprinkled, rows
// duplicated — always end in a correct import or a clear refusal (ImportRefused, every problem
// naming its file), never another error or a hang, and a refusal leaves the database unchanged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departmentsRegistry, type DepartmentsRegistry } from './helpers/departments-registry';
import { sqliteDigest } from './helpers/sqlite-digest';
import { ImportRefused, importRegistryFile } from '../files/registry/import-file';
import type { RegistryStore } from '../stores/registry-store';
import type { ImportKind } from '../files/registry/templates';

const EX = path.resolve(__dirname, '..', 'examples', 'registry');
const CASES_PER_FILE = 200;
let reg: DepartmentsRegistry;
let tmp: string;
let store: RegistryStore;
let dbFile: string;

beforeAll(async () => {
  reg = await departmentsRegistry('ssj-fuzz-');
  ({ tmp, store, dbFile } = reg);
});
afterAll(() => reg?.close());

const digest = (): string => sqliteDigest(dbFile);

const SPRINKLES = ['"', ',', '\n', '\r', '\u0000', '\u001b', '\u202e', '\u200b', '=1+1', '９', '\ufeff', '中', '\\', ' '];

function mutate(bytes: Buffer, rng: seedrandom.PRNG): Buffer {
  let out = Buffer.from(bytes);
  const steps = 1 + Math.floor(rng() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(rng() * out.length);
    switch (Math.floor(rng() * 6)) {
      case 0: // flip a byte
        out[at] = Math.floor(rng() * 256);
        break;
      case 1: // insert a sprinkle
        out = Buffer.concat([out.subarray(0, at), Buffer.from(SPRINKLES[Math.floor(rng() * SPRINKLES.length)]!), out.subarray(at)]);
        break;
      case 2: // cut a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + Math.floor(rng() * 40)))]);
        break;
      case 3: {
        // duplicate a line
        const lines = out.toString('utf8').split('\n');
        const i = Math.floor(rng() * lines.length);
        lines.splice(i, 0, lines[i] ?? '');
        out = Buffer.from(lines.join('\n'));
        break;
      }
      case 4: {
        // swap two cells of a line
        const lines = out.toString('utf8').split('\n');
        const i = Math.floor(rng() * lines.length);
        const cells = (lines[i] ?? '').split(',');
        const a = Math.floor(rng() * cells.length);
        const b = Math.floor(rng() * cells.length);
        [cells[a], cells[b]] = [cells[b]!, cells[a]!];
        lines[i] = cells.join(',');
        out = Buffer.from(lines.join('\n'));
        break;
      }
      default: // truncate
        out = out.subarray(0, at);
    }
  }
  return out;
}

const FILES: [string, ImportKind][] = [
  ['units.csv', 'units'],
  ['people.csv', 'people'],
];

describe('import fuzzing (seeded, bounded)', () => {
  for (const [name, kind] of FILES) {
    it(`${CASES_PER_FILE} mutations of ${name}: an import or a clear refusal, never a crash`, async () => {
      const rng = seedrandom(`ssj-import-fuzz-${name}`);
      const original = fs.readFileSync(path.join(EX, name));
      let refusedCount = 0;
      let imported = 0;
      for (let n = 0; n < CASES_PER_FILE; n++) {
        const f = path.join(tmp, `fuzz-${n}-${name}`);
        fs.writeFileSync(f, mutate(original, rng));
        const before = digest();
        try {
          // dry runs keep every case against the same registry; the refusal path is the same
          await importRegistryFile(store, f, { kind, date: '2022-12-31', progress: false, dryRun: true });
          imported++;
        } catch (err) {
          if (!(err instanceof ImportRefused)) throw new Error(`case ${n} of ${name}: ${String(err)}`, { cause: err });
          refusedCount++;
          expect(err.problems.length).toBeGreaterThan(0);
          for (const p of err.problems) {
            expect(p.file).toBe(path.basename(f));
            expect(p.rule.length).toBeGreaterThan(0);
          }
        }
        expect(digest()).toBe(before);
      }
      expect(refusedCount + imported).toBe(CASES_PER_FILE);
      expect(refusedCount).toBeGreaterThan(0);
    });
  }

  it('a real (not dry-run) refused import of a mutated file changes nothing', async () => {
    const rng = seedrandom('ssj-import-fuzz-real');
    const original = fs.readFileSync(path.join(EX, 'units.csv'));
    let checked = 0;
    for (let n = 0; n < 30 && checked < 10; n++) {
      const f = path.join(tmp, `real-${n}.csv`);
      fs.writeFileSync(f, mutate(original, rng));
      const before = digest();
      try {
        await importRegistryFile(store, f, { kind: 'units', date: '2022-12-31', progress: false, dryRun: true });
        continue; // would import: not a refusal case
      } catch (err) {
        if (!(err instanceof ImportRefused)) throw err;
      }
      await expect(importRegistryFile(store, f, { kind: 'units', date: '2022-12-31', progress: false })).rejects.toBeInstanceOf(ImportRefused);
      expect(digest()).toBe(before);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
