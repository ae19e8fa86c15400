// A child process racing another on one store database: it is started with the store's settings
// in SSJ_DATA_DIR / SSJ_DATABASE_URL and its config as JSON in argv, prints "ready" once its store
// is open, starts on "go" (stdin) so both children begin together, and prints its report as the
// last line of JSON. (The same protocol as tests/setup/store-race-child.ts and helpers/mail-racer.ts.)
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { StoreSettings } from '../../stores/open';

export interface RacingProcess<R> {
  /** Resolves once the child's store is open; rejects when it died before. */
  ready: Promise<void>;
  go(): void;
  done: Promise<R>;
  /** SIGKILLs the child (a host dying mid-work) and waits until it is gone. */
  kill(): Promise<void>;
}

export function startRacingProcess<R>(script: string, settings: StoreSettings, cfg: { name: string }): RacingProcess<R> {
  const root = path.resolve(__dirname, '..', '..');
  const env = { ...process.env, SSJ_DATA_DIR: settings.dataDir, SSJ_DATABASE_URL: settings.databaseUrl ?? '' };
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', script, JSON.stringify(cfg)], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const done = exited.then((code) => {
    if (code !== 0) throw new Error(`racing process ${cfg.name} exited ${code}:\n${err}`);
    const lines = out.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as R;
  });
  done.catch(() => undefined); // a killed child's end is awaited through kill()
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => child.stdin.end('go\n'), done, kill };
}
