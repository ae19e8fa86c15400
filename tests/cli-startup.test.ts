// `ssj` starts fast because it loads only the module of the command it runs: `ssj --help` lists
// the commands from client/ssj.ts's COMMAND_MODULES table without loading any. These tests hold
// that table to what the modules register, and check which modules a run really loads, in fresh
// processes of the compiled command line (dist/, brought up to date first as `npm run ssj` does;
// the command modules load with require, which the TypeScript test runner does not provide).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** Runs `body` in a fresh Node process with `ssj` = dist/client/ssj.js; returns what it writes as JSON. */
function inCompiled<T>(body: string): T {
  const script = `const ssj = require('./dist/client/ssj.js'); const out = (() => { ${body} })(); process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as T;
}

beforeAll(() => {
  const r = spawnSync(process.execPath, ['-e', "const c = require('./scripts/compiled.cjs'); c.refresh(c.staleFiles())"], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
}, 150_000);

describe('the command table of client/ssj.ts', () => {
  it('gives, for every module, exactly the commands, terms and summaries the module registers', () => {
    const { table, registered } = inCompiled<{ table: string[][]; registered: string[][] }>(`
      const { Command } = require('commander');
      const line = (help, c) => help.subcommandTerm(c) + ' | ' + (c.summary() || c.description());
      const registered = ssj.COMMAND_MODULES.map((m) => { const p = new Command('ssj'); m.load()(p); const h = p.createHelp(); return p.commands.map((c) => line(h, c)); });
      const table = ssj.COMMAND_MODULES.map((m) => m.commands.map(([term, summary]) => term + ' | ' + summary));
      return { table, registered };`);
    expect(table.length).toBeGreaterThanOrEqual(7);
    expect(table).toEqual(registered);
  });

  it('lists the same help without loading a module as with all of them loaded', () => {
    const { lazy, eager } = inCompiled<{ lazy: string; eager: string }>(`
      return { lazy: ssj.buildProgram(['--help'], 'used').helpInformation(), eager: ssj.buildProgram([], 'all').helpInformation() };`);
    expect(lazy).toBe(eager);
    expect(lazy).toContain('draw [options]');
    expect(lazy).toContain('recusal [options] <decision> <unit>');
  });
});

describe('what a run loads', () => {
  /** The command modules and heavy packages in require.cache after building the program for `argv` as main() does. */
  function loaded(argv: string[]): { mods: string[]; heavy: string[] } {
    return inCompiled(`
      ssj.buildProgram(${JSON.stringify(argv)}, 'used');
      const files = Object.keys(require.cache);
      const mods = files.filter((f) => f.includes('/dist/client/commands/')).map((f) => require('path').basename(f)).sort();
      const heavy = ['zod', '@temporalio', 'better-sqlite3', 'exceljs'].filter((p) => files.some((f) => f.includes('/node_modules/' + p + '/')));
      return { mods, heavy };`);
  }

  it('`ssj --help` loads no command module, nor zod, Temporal, SQLite or Excel', () => {
    expect(loaded(['--help'])).toEqual({ mods: [], heavy: [] });
  });

  it('`ssj draw ...` loads the draw module only; `ssj help quarter` the quarter module, not the others', () => {
    const draw = loaded(['draw', '--manifest', 'm', '--out', 'x']);
    expect(draw.mods).toEqual(['draw.js']);
    for (const p of ['@temporalio', 'better-sqlite3', 'exceljs']) expect(draw.heavy).not.toContain(p);
    const quarter = loaded(['--debug', 'help', 'quarter']).mods;
    expect(quarter).toContain('quarter.js');
    expect(quarter).toContain('witness.js');
    for (const other of ['draw.js', 'registry.js', 'programme.js', 'inspection.js', 'plan.js', 'keys.js']) expect(quarter).not.toContain(other);
  });

  it('runs a lazily loaded command end to end, and suggests the right one for a typo', () => {
    const help = spawnSync(process.execPath, ['dist/client/ssj.js', 'draw', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--witness <role:person[:salt]:entropy>');
    const typo = spawnSync(process.execPath, ['dist/client/ssj.js', 'drwa'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('(Did you mean draw?)');
  });

  it('runs the TypeScript entry under tsx too (the tests and the demo start it so)', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'client/ssj.ts', 'draw-digest', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Usage: ssj draw-digest');
  });
});

describe('the launcher (npm run ssj = scripts/ssj.cjs)', () => {
  const launch = () => spawnSync(process.execPath, ['scripts/ssj.cjs', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const mtime = (file: string): number => fs.statSync(path.join(ROOT, file)).mtimeMs;

  it('skips the long check when nothing changed, yet recompiles an edited file and copies a new one', () => {
    expect(launch().status).toBe(0);
    expect(fs.existsSync(path.join(ROOT, 'dist', '.launcher-fresh.json'))).toBe(true); // the dates it compares next time
    // An edit: a new date on a source file (its content unchanged, so other runs see no difference).
    const edited = 'domain/draw/commitment.ts';
    // Just after its compiled copy (in the past, so the recompiled copy is newer again).
    const later = new Date(mtime(`dist/${edited.replace(/\.ts$/, '.js')}`) + 1);
    fs.utimesSync(path.join(ROOT, edited), later, later);
    expect(mtime(edited)).toBeGreaterThan(mtime(`dist/${edited.replace(/\.ts$/, '.js')}`)); // stale now
    expect(launch().status).toBe(0);
    expect(mtime(`dist/${edited.replace(/\.ts$/, '.js')}`)).toBeGreaterThanOrEqual(mtime(edited));
    // A new file in a folder that has files: the folder's date changes, the launcher walks again.
    const probe = `domain/draw/.launcher-probe-${process.pid}.json`;
    try {
      fs.writeFileSync(path.join(ROOT, probe), '{"probe":true}\n');
      expect(launch().status).toBe(0);
      expect(fs.readFileSync(path.join(ROOT, 'dist', probe), 'utf8')).toBe('{"probe":true}\n');
    } finally {
      fs.rmSync(path.join(ROOT, probe), { force: true });
      fs.rmSync(path.join(ROOT, 'dist', probe), { force: true });
    }
  });
});
