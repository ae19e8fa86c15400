// The real command line as a clerk runs it: `tsx client/ssj.ts ...` in a child process. Async, so
// a worker in the test process keeps working while the command waits on it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface SsjRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ssj args...` with exactly `env` (plus nothing of the test's own environment) and `stdin`. */
export function runSsj(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<SsjRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, path.join(ROOT, 'client', 'ssj.ts'), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/**
 * The settings of a clerk's terminal for a test fixture: the dev server of this run, the fixture's
 * data folder, registry and programme (written beside it), the test's payload keys and task queue.
 */
export function cliEnv(
  fx: { dir: string; dataDir: string; programme: unknown },
  a: { keysEnv: { SSJ_CODEC_KEYS: string }; temporalAddress: string; taskQueue: string },
): NodeJS.ProcessEnv {
  const programmeFile = path.join(fx.dir, 'programme.json');
  fs.writeFileSync(programmeFile, JSON.stringify(fx.programme, null, 2));
  return {
    ...a.keysEnv,
    PATH: process.env.PATH,
    // Witnesses' secret files go under this home (~/.ssj/witness).
    HOME: path.join(fx.dir, 'home'),
    TEMPORAL_ADDRESS: a.temporalAddress,
    SSJ_DATA_DIR: fx.dataDir,
    SSJ_TASK_QUEUE: a.taskQueue,
    SSJ_PROGRAMME: programmeFile,
  };
}
