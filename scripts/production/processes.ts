// The processes of the production topology, each with its own log file: started with an explicit
// environment (nothing inherited but PATH and HOME), ready when a line of their output matches,
// stopped by SIGTERM (or killed by SIGKILL, as a host that dies would be).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
/** tsx as a loader in the one process (its CLI would fork a child, and a SIGKILL would miss the worker). */
const TSX = ['--import', 'tsx'];

export interface Service {
  name: string;
  pid: number;
  logFile: string;
  /** The output so far (log file). */
  output(): string;
  exited: Promise<number | string>;
  alive(): boolean;
  /** SIGKILL, as when the host dies: no drain, no clean-up. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** A TypeScript entry point of this checkout, run with tsx, and its arguments. */
  script: string;
  args?: string[];
  env: Record<string, string>;
  logFile: string;
  /** Ready when the output matches (omit: ready once started). */
  ready?: RegExp;
  readyTimeoutMs?: number;
}

const started = new Set<ChildProcess>();
// Whatever happens to the check (an error, Ctrl-C), none of its processes outlives it.
process.once('exit', () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) signalGroup(c, 'SIGKILL');
});
// A signal ends the process (the 'exit' hook above then kills the services), unless the program
// has a handler of its own (bench/campaign.ts stops its servers first): then that one decides.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (process.listenerCount(signal) === 0) process.exit(130);
  });
}

export async function startService(o: StartOptions): Promise<Service> {
  fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
  const out = fs.openSync(o.logFile, 'a');
  const child = spawn(process.execPath, [...TSX, path.join(ROOT, o.script), ...(o.args ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...o.env },
    stdio: ['ignore', out, out],
    // Its own process group: stopping it stops what it started too (the reference demo's dev server).
    detached: true,
  });
  fs.closeSync(out);
  started.add(child);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const output = () => (fs.existsSync(o.logFile) ? fs.readFileSync(o.logFile, 'utf8') : '');
  const service: Service = {
    name: o.name,
    pid: child.pid ?? -1,
    logFile: o.logFile,
    output,
    exited,
    alive,
    async kill() {
      if (alive()) signalGroup(child, 'SIGKILL');
      await exited;
    },
    async stop(graceMs = 20_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL'); // whatever it left behind
    },
  };
  if (o.ready) {
    const deadline = Date.now() + (o.readyTimeoutMs ?? 180_000);
    while (!o.ready.test(output())) {
      if (!alive()) throw new Error(`${o.name} exited (${await exited}) before it was ready; its log ${o.logFile} ends:\n${tail(output())}`);
      if (Date.now() > deadline) {
        await service.kill();
        throw new Error(`${o.name} was not ready in ${Math.round((o.readyTimeoutMs ?? 180_000) / 1000)} s; its log ${o.logFile} ends:\n${tail(output())}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return service;
}

/** The signal to the process and everything it started (its process group). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal); // the group is gone already
  }
}

/** Runs a TypeScript entry point to its end; resolves with its exit code and output. */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX, path.join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).map((l) => `  | ${l}`).join('\n');
}

/** The distinct warnings and errors of a JSON-lines log (worker/log.ts), most frequent first. */
export function logProblems(text: string, limit = 4): string[] {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string; error?: unknown; failure?: unknown; activityType?: string };
      if (e.level !== 'warn' && e.level !== 'error') continue;
      if (e.msg?.startsWith('rehearsal clocks allowed')) continue;
      const why = JSON.stringify(e.error ?? e.failure ?? '').slice(0, 200);
      const key = `${e.level} ${e.msg}${e.activityType ? ` (${e.activityType})` : ''}${why !== '""' ? `: ${why}` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch {
      // not one of ours
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, n]) => `${n}x ${k}`);
}
