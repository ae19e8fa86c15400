// The worker as operators run it: a child process configured by environment variables, against
// the test run's dev server. Two processes share one task queue, run a workflow, log JSON lines,
// and stop cleanly (exit 0) on SIGTERM. Bad settings stop it at once with exit code 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBundle } from '../worker/build-bundle';
import { devServerClient, testKeyring, uniqueTaskQueue } from './helpers/temporal';
import { greet, waitsForAGreeting } from './workflows/smoke';

const ROOT = path.join(__dirname, '..');
let tmp: string;
let bundle: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-worker-'));
  // The worker loads a prebuilt bundle (SSJ_WORKFLOW_BUNDLE), as in production; the smoke
  // workflows keep this test independent of the programme's own workflows.
  bundle = (await buildBundle({ out: path.join(tmp, 'bundle.js'), workflowsPath: path.join(__dirname, 'workflows', 'smoke.ts') })).out;
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Proc {
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
}

function startWorker(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'worker', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmp, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l !== ''));
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (buffered !== '') lines.push(buffered);
      if (stderr.trim() !== '') lines.push(`(stderr) ${stderr.trim()}`);
      resolve(code);
    }),
  );
  return { child, lines, exit };
}

/** Waits for a condition, failing with what was seen if it does not hold in time (a hang guard, not a timing claim). */
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, seen: () => unknown, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}; seen: ${JSON.stringify(seen(), null, 1)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function parsed(lines: string[]): Record<string, unknown>[] {
  return lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON log line: ${l}`);
    }
  });
}

describe('worker process', () => {
  it('polls with two processes on one task queue, runs a workflow, and exits 0 on SIGTERM', async () => {
    const keys = testKeyring();
    const { client, connection, address } = await devServerClient(keys.keyring);
    const taskQueue = uniqueTaskQueue('worker-proc');
    const env = {
      ...keys.env,
      TEMPORAL_ADDRESS: address,
      SSJ_TASK_QUEUE: taskQueue,
      SSJ_DATA_DIR: path.join(tmp, 'data'),
      SSJ_WORKFLOW_BUNDLE: bundle,
      SSJ_SHUTDOWN_GRACE_SECONDS: '5',
    };
    const workers = [startWorker(env), startWorker(env)];
    try {
      for (const w of workers) {
        await waitFor('"worker polling"', () => w.lines.some((l) => l.includes('"worker polling"')), () => w.lines);
      }
      const identities = workers.map((w) => parsed(w.lines).find((l) => l.msg === 'worker polling')!.identity as string);
      expect(new Set(identities).size).toBe(2);

      // Both processes show up as pollers of the one task queue.
      const pollers = async () =>
        (
          await connection.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: taskQueue }, // unspecified type: the workflow task pollers
          })
        ).pollers.map((p) => p.identity ?? '');
      let seen: string[] = [];
      await waitFor('both workers polling', async () => {
        seen = await pollers();
        return identities.every((id) => seen.includes(id));
      }, () => seen);

      const handle = await client.workflow.start(waitsForAGreeting, { taskQueue, workflowId: `greet-${taskQueue}` });
      await handle.signal(greet, '运维');
      expect(await handle.result()).toBe('你好, 运维');
      // Read without the codec, the history holds only encrypted payloads.
      const raw = JSON.stringify(await handle.fetchHistory());
      expect(raw).not.toContain(Buffer.from('运维').toString('base64'));
      expect(raw).toContain(Buffer.from('binary/encrypted').toString('base64'));

      for (const w of workers) w.child.kill('SIGTERM');
      let codes: (number | null)[] = [];
      await waitFor('both workers to exit', async () => {
        codes = await Promise.race([Promise.all(workers.map((w) => w.exit)), new Promise<(number | null)[]>((r) => setTimeout(() => r([]), 100))]);
        return codes.length === 2;
      }, () => workers.map((w) => w.lines), 60_000);
      expect(codes).toEqual([0, 0]);

      for (const w of workers) {
        const logs = parsed(w.lines);
        for (const l of logs) {
          expect(typeof l.time === 'string' && !Number.isNaN(Date.parse(l.time))).toBe(true);
          expect(['debug', 'info', 'warn', 'error']).toContain(l.level);
          expect(typeof l.msg).toBe('string');
        }
        const msgs = logs.map((l) => l.msg);
        expect(msgs).toContain('worker starting');
        expect(msgs).toContain('shutdown requested: no new tasks; waiting for running ones');
        expect(msgs[msgs.length - 1]).toBe('worker stopped');
        expect(logs.find((l) => l.msg === 'worker starting')).toMatchObject({ taskQueue, address, tls: false, apiKey: false, payloadKeys: { current: 'k1', held: 1 } });
        expect(w.lines.join('\n')).not.toContain(JSON.parse(keys.env.SSJ_CODEC_KEYS).keys.k1);
      }
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await connection.close();
    }
  }, 240_000); // two worker processes (tsx) start on a busy 2-core machine; the waits inside allow 90 s each

  it('refuses to start without payload keys (exit 2), saying how to make them', async () => {
    const w = startWorker({ TEMPORAL_ADDRESS: '127.0.0.1:1', SSJ_DATA_DIR: path.join(tmp, 'nokeys') });
    expect(await w.exit).toBe(2);
    const err = parsed(w.lines).find((l) => l.level === 'error');
    expect(err).toMatchObject({ msg: 'payload encryption keys are missing or not valid', error: 'no payload encryption keys: neither SSJ_CODEC_KEYS_FILE nor SSJ_CODEC_KEYS is set' });
    expect(String(err?.hint)).toContain('ssj -- keys init --file');
  });

  it('refuses bad settings with exit code 2, naming the variable and the rule', async () => {
    const w = startWorker({ TEMPORAL_ADDRESS: 'temporal', SMTP_PORT: '99999', SSJ_DATA_DIR: path.join(tmp, 'bad') });
    const code = await w.exit;
    expect(code).toBe(2);
    const err = parsed(w.lines).find((l) => l.level === 'error');
    expect(err?.msg).toBe('settings are not valid');
    expect(err?.problems).toEqual(
      expect.arrayContaining([
        'TEMPORAL_ADDRESS: must be host:port, e.g. 127.0.0.1:7233 (got "temporal")',
        'SMTP_PORT: must be a port number, 1 to 65535 (got "99999")',
      ]),
    );
  });
});
