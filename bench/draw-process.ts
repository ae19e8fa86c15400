// The draw as a whole process, the way people run it: `npm run --silent ssj -- draw ...` (npm,
// Node's start, loading the command, reading and checking the manifest, the draw, writing the
// record) against the same draw in standard-library Python (bench/draw_py.py, on verify.py's
// implementation of the spec), side by side: interleaved runs, median of each, and the ratio.
// Both records must be byte-identical, so both programs did the whole work. Where the machine sets
// NODE_EXTRA_CA_CERTS, ssj is also timed without it (see below).
//   npx tsx bench/draw-process.ts [--process-units 200000] [--process-runs 3] [--inspectors 40]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serializeManifest } from '../domain/draw/manifest';
import { syntheticManifest } from '../tests/fixtures/draw/synthetic';

const ROOT = path.join(__dirname, '..');
const WITNESSES = ['admin:ADM001:31415926535897932384', 'discipline:DIS007:27182818284590452353'];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const TIME = '/usr/bin/time';
const haveTime = fs.existsSync(TIME);

/**
 * Runs a command to completion: its wall time in ms and, where /usr/bin/time exists, its CPU time
 * (user + system of the process and the children it waited for: npm, sh, node), which a busy
 * machine disturbs less than the wall time.
 */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; cpuMs: number } {
  const t = process.hrtime.bigint();
  const options = { cwd: ROOT, encoding: 'utf8' as const, maxBuffer: 64 * 2 ** 20, env };
  const r = haveTime ? spawnSync(TIME, ['-f', 'ssj-bench-cpu %U %S', cmd, ...args], options) : spawnSync(cmd, args, options);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  const cpu = /ssj-bench-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}

export function processBench(units: number, runs: number, inspectors: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-bench-draw-'));
  try {
    const manifestDir = path.join(dir, 'manifest');
    fs.mkdirSync(manifestDir);
    process.stderr.write(`whole process: writing a ${units}-unit manifest (${inspectors} inspectors a department)...\n`);
    const files = serializeManifest(syntheticManifest({ units, brigadeInspectors: inspectors, sectionInspectors: inspectors }));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(manifestDir, name), text);
    const ssjOut = path.join(dir, 'ssj-record.json');
    const pyOut = path.join(dir, 'py-record.json');
    const ssj = ['run', '--silent', 'ssj', '--', 'draw', '--manifest', manifestDir, ...WITNESSES.flatMap((w) => ['--witness', w]), '--out', ssjOut, '--force'];
    const py = [path.join(ROOT, 'bench', 'draw_py.py'), manifestDir, pyOut, ...WITNESSES];
    // NODE_EXTRA_CA_CERTS (set machine-wide on some machines, e.g. behind a company's proxy) makes
    // every Node process read and parse that certificate bundle as it starts, before any code of
    // ours runs: npm's and ssj's both, Python's not. Where it is set, the same runs are also made
    // without it, interleaved, so the figures show what it costs.
    // The environment of a shell: `npm run bench:draw` gives this process npm's own settings
    // (npm_config_*, npm_lifecycle_*, ...), which a person typing the command does not have.
    const shell = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
    const extraCa = shell.NODE_EXTRA_CA_CERTS;
    const withoutCa = { ...shell };
    delete withoutCa.NODE_EXTRA_CA_CERTS;
    // One untimed run each: dist/ compiled if stale, ssj's compile cache written (client/compile-cache),
    // files in the page cache, Python's bytecode cached.
    timed('npm', ssj, shell);
    timed('python3', py, shell);
    if (fs.readFileSync(ssjOut, 'utf8') !== fs.readFileSync(pyOut, 'utf8')) throw new Error('ssj and Python made different records');
    type Run = { ms: number; cpuMs: number };
    const ssjRuns: Run[] = [];
    const ssjRunsWithoutCa: Run[] = [];
    const pyRuns: Run[] = [];
    const nodeStart: Run[] = [];
    const nodeStartWithoutCa: Run[] = [];
    for (let r = 0; r < runs; r++) {
      process.stderr.write(`whole process: run ${r + 1}/${runs}\n`);
      ssjRuns.push(timed('npm', ssj, shell));
      if (extraCa) ssjRunsWithoutCa.push(timed('npm', ssj, withoutCa));
      pyRuns.push(timed('python3', py, shell));
      if (extraCa) {
        nodeStart.push(timed(process.execPath, ['-e', '0'], shell));
        nodeStartWithoutCa.push(timed(process.execPath, ['-e', '0'], withoutCa));
      }
    }
    const wall = (xs: Run[]) => median(xs.map((x) => x.ms));
    const row = (name: string, xs: Run[]) =>
      `  ${name.padEnd(44)} ${wall(xs).toFixed(0).padStart(6)}   ${median(xs.map((x) => x.cpuMs)).toFixed(0).padStart(6)}   (wall: ${xs.map((x) => x.ms.toFixed(0)).join(', ')})`;
    const ratio = (xs: Run[], f: (x: Run) => number) => (median(xs.map(f)) / median(pyRuns.map(f))).toFixed(2);
    console.log(`\nwhole process, ${units} units, ${inspectors} inspectors a department; medians of ${runs} interleaved runs; the records are byte-identical`);
    console.log(`  ${''.padEnd(44)} ${'wall ms'.padStart(6)}   ${'CPU ms'.padStart(6)}`);
    console.log(row('npm run --silent ssj -- draw ...', ssjRuns));
    if (extraCa) console.log(row('  the same without NODE_EXTRA_CA_CERTS', ssjRunsWithoutCa));
    console.log(row('python3 bench/draw_py.py ...', pyRuns));
    console.log(`  ssj / Python: ${ratio(ssjRuns, (x) => x.ms)}x wall, ${ratio(ssjRuns, (x) => x.cpuMs)}x CPU   (${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}; node ${process.version})`);
    if (extraCa) {
      console.log(`  without NODE_EXTRA_CA_CERTS: ${ratio(ssjRunsWithoutCa, (x) => x.ms)}x wall, ${ratio(ssjRunsWithoutCa, (x) => x.cpuMs)}x CPU`);
      console.log(
        `  NODE_EXTRA_CA_CERTS=${extraCa} is set here: each Node process parses it as it starts (\`node -e 0\`: ${wall(nodeStart).toFixed(0)} ms with it, ` +
          `${wall(nodeStartWithoutCa).toFixed(0)} ms without), and npm run starts two (npm, then ssj)`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) processBench(arg('--process-units', 200_000), arg('--process-runs', 3), arg('--inspectors', 40));
