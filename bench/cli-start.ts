// How fast `ssj` starts: `ssj --help`, median of 5 interleaved runs each (wall ms), compiled
// (dist/, lazily loaded commands) and through npm, against the TypeScript entry run by tsx
// (what `npm run ssj` ran before the compiled build).
//   npx tsx bench/cli-start.ts [--runs 5]
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './draw-process';

const ROOT = path.join(__dirname, '..');
const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 5;

const variants: [string, string, string[]][] = [
  ['node dist/client/ssj.js --help', process.execPath, ['dist/client/ssj.js', '--help']],
  ['npm run --silent ssj -- --help', 'npm', ['run', '--silent', 'ssj', '--', '--help']],
  ['node --require tsx/cjs client/ssj.ts --help', process.execPath, ['--require', 'tsx/cjs', 'client/ssj.ts', '--help']],
];
const times = variants.map((): number[] => []);
spawnSync('npm', ['run', '--silent', 'ssj', '--', '--help'], { cwd: ROOT }); // dist/ up to date first
for (let r = 0; r < runs; r++) {
  variants.forEach(([, cmd, args], v) => {
    const t = process.hrtime.bigint();
    const res = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${res.stderr}`);
    times[v]!.push(Number(process.hrtime.bigint() - t) / 1e6);
  });
}
console.log(`ssj start-up, median of ${runs} (wall ms; ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)})`);
variants.forEach(([name], v) => console.log(`  ${name.padEnd(46)} ${median(times[v]!).toFixed(0).padStart(6)}   (${times[v]!.map((x) => x.toFixed(0)).join(', ')})`));
