// The command line's V8 code cache (client/compile-cache.ts), in fresh Node processes as a user
// runs them: modules compiled from their entries on the next run, never from an entry made from
// another source (V8 itself only compares lengths), nor from a broken one; a folder that cannot
// be written changes nothing; and `ssj draw` through it writes the same record.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..');
const CACHE_MODULE = path.join(ROOT, 'dist', 'client', 'compile-cache.js');
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-compile-cache-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Loads `main` (under tmp/src) in a fresh process with the cache in `cacheDir`: what main.js gives, and the cache's counts. */
function run(cacheDir: string): { value: unknown; hits: number; misses: number } {
  const script = `
    const cc = require(${JSON.stringify(CACHE_MODULE)});
    cc.enableCompileCache(${JSON.stringify(cacheDir)}, (f) => f.startsWith(${JSON.stringify(path.join(tmp, 'src') + path.sep)}));
    const value = require(${JSON.stringify(path.join(tmp, 'src', 'main.js'))})();
    process.stdout.write(JSON.stringify({ value, ...cc.compileCacheStats() }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { value: unknown; hits: number; misses: number };
}

function writeModules(answer: string): void {
  fs.mkdirSync(path.join(tmp, 'src', 'lib'), { recursive: true });
  // A shebang line, a relative require, require.resolve, __dirname, module.exports replaced, and
  // a function only compiled when it first runs.
  fs.writeFileSync(
    path.join(tmp, 'src', 'main.js'),
    `#!/usr/bin/env node\nconst { answer } = require('./lib/answer');\nmodule.exports = function main() {\n  const later = () => answer() + ':' + require('node:path').basename(__dirname) + ':' + require.resolve('./lib/answer').endsWith('answer.js');\n  return later();\n};\n`,
  );
  fs.writeFileSync(path.join(tmp, 'src', 'lib', 'answer.js'), `exports.answer = () => '${answer}';\n`);
}

describe('the compile cache', () => {
  it('compiles a module from its entry on the next run, and never from an entry made from another source, even of the same length', () => {
    const cache = path.join(tmp, 'cache');
    writeModules('one');
    expect(run(cache)).toEqual({ value: 'one:src:true', hits: 0, misses: 2, written: 0 });
    expect(fs.readdirSync(cache)).toHaveLength(2); // written as the first process exited
    expect(run(cache)).toEqual({ value: 'one:src:true', hits: 2, misses: 0, written: 0 });

    // The same length, another answer: V8 would take the old code; the cache must not give it.
    writeModules('two');
    expect(run(cache)).toEqual({ value: 'two:src:true', hits: 1, misses: 1, written: 0 });
    expect(run(cache)).toEqual({ value: 'two:src:true', hits: 2, misses: 0, written: 0 });
  });

  it('compiles as usual from a broken entry and writes it again; a folder that cannot be written changes nothing', () => {
    const cache = path.join(tmp, 'cache');
    writeModules('one');
    run(cache);
    for (const entry of fs.readdirSync(cache)) {
      const file = path.join(cache, entry);
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, bytes.length - 64), Buffer.alloc(64, 0xa5)])); // the compiled code damaged
    }
    const damaged = run(cache);
    expect(damaged.value).toBe('one:src:true');
    expect(damaged.misses).toBe(2);
    expect(run(cache)).toMatchObject({ value: 'one:src:true', hits: 2, misses: 0 });

    const blocked = path.join(tmp, 'not-a-folder');
    fs.writeFileSync(blocked, 'a file where the cache folder would go');
    expect(run(path.join(blocked, 'cache'))).toEqual({ value: 'one:src:true', hits: 0, misses: 2, written: 0 });
    expect(run(path.join(blocked, 'cache'))).toMatchObject({ value: 'one:src:true', misses: 2 });
  });

  it('gives `ssj draw` the same record with it as without it, and keeps the draw command its own entries', () => {
    const vector = path.join(ROOT, 'tests', 'fixtures', 'draw-vectors', 'small');
    const witnesses = fs.readFileSync(path.join(vector, 'witnesses.txt'), 'utf8').trim().split('\n').flatMap((w) => ['--witness', w]);
    const draw = (setting: string, out: string) => {
      const r = spawnSync(process.execPath, ['dist/client/ssj.js', 'draw', '--manifest', path.join(vector, 'manifest'), ...witnesses, '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, SSJ_COMPILE_CACHE: setting },
      });
      expect(r.status, r.stderr).toBe(0);
      return fs.readFileSync(out, 'utf8');
    };
    const cache = path.join(tmp, 'cli-cache');
    const without = draw('0', path.join(tmp, 'without.json'));
    expect(without).toBe(fs.readFileSync(path.join(vector, 'record.json'), 'utf8'));
    expect(fs.existsSync(cache)).toBe(false);
    expect(draw(cache, path.join(tmp, 'first.json'))).toBe(without);
    const entries = fs.readdirSync(path.join(cache, 'draw'));
    expect(entries.some((e) => e.endsWith('domain_draw_draw.js.bin'))).toBe(true);
    expect(entries.some((e) => e.includes('commander'))).toBe(true);
    const written = new Map(entries.map((e) => [e, fs.statSync(path.join(cache, 'draw', e)).mtimeMs]));
    expect(draw(cache, path.join(tmp, 'second.json'))).toBe(without);
    // Taken, not written again: every entry as the first run left it.
    for (const [e, mtime] of written) expect(fs.statSync(path.join(cache, 'draw', e)).mtimeMs, e).toBe(mtime);
  });
});
