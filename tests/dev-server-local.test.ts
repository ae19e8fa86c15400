// One way to a development server (issue 13): `npm run dev-server` starts Temporal with what ssj
// needs and leaves its settings in <data>/local-server.env, so `ssj` in another terminal needs
// none; a wrong namespace and an unreachable server are one clear line each, never a stack trace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/dev-server';

const ROOT = path.resolve(__dirname, '..');
let tmp: string;
let dev: ChildProcess | undefined;
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** The environment without any Temporal or ssj settings, as a fresh terminal has it. */
function bareEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(TEMPORAL_|SSJ_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function ssj(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [TSX, 'client/ssj.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-dev-local-'));
});
afterAll(() => {
  dev?.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm run dev-server', () => {
  it('leaves its settings for ssj, which then needs none; removes them when stopped', async () => {
    const data = path.join(tmp, 'data');
    const env = bareEnv({ SSJ_DATA_DIR: data, SSJ_DEV_PORT: String(await freePort()), SSJ_DEV_UI_PORT: String(await freePort()) });
    dev = spawn(process.execPath, [TSX, 'scripts/dev-server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dev.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    dev.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const file = path.join(data, 'local-server.env');
    for (let i = 0; i < 240 && !/Ctrl-C stops the server/.test(out); i++) await new Promise((r) => setTimeout(r, 500));
    expect(out).toMatch(/Temporal dev server at 127\.0\.0\.1:\d+ \(namespace default, search attributes SsjYear, SsjQuarter, SsjDepartment, SsjPhase\)/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^TEMPORAL_ADDRESS=127\.0\.0\.1:\d+$/m);
    expect(fs.existsSync(path.join(data, 'codec-keys.json'))).toBe(true);

    const list = ssj({ ...bareEnv({ SSJ_DATA_DIR: data }) }, 'quarter', 'list');
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);

    const wrongNs = ssj(bareEnv({ SSJ_DATA_DIR: data, TEMPORAL_NAMESPACE: 'no-such-namespace' }), 'quarter', 'list');
    expect(wrongNs.code).toBe(2);
    expect(wrongNs.stderr).toMatch(/^ssj: the namespace "no-such-namespace" does not exist on the Temporal server at 127\.0\.0\.1:\d+\nssj: check TEMPORAL_NAMESPACE/);
    expect(wrongNs.stderr).not.toMatch(/\n\s+at /);

    dev.kill('SIGINT');
    await new Promise((r) => dev!.once('exit', r));
    dev = undefined;
    expect(fs.existsSync(file)).toBe(false);
  }, 180_000);

  it('with no server, ssj exits 4 and points at npm run dev-server', async () => {
    const port = await freePort();
    const r = ssj(bareEnv({ SSJ_DATA_DIR: path.join(tmp, 'none'), TEMPORAL_ADDRESS: `127.0.0.1:${port}`, SSJ_CODEC_KEYS_FILE: path.join(tmp, 'data', 'codec-keys.json') }), 'quarter', 'list');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/npm run dev-server/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a server not made for ssj', () => {
  it('missing search attributes: exit 4, saying how to register them (the error as the client raises it)', async () => {
    const { ServiceError } = await import('@temporalio/client');
    const { explainTemporalError } = await import('../client/session');
    const { UserError } = await import('../client/errors');
    const grpc = Object.assign(new Error('3 INVALID_ARGUMENT: Namespace default has no mapping defined for search attribute SsjYear'), { code: 3 });
    const err = explainTemporalError(new ServiceError('Failed to start Workflow', { cause: grpc }));
    expect(err).toBeInstanceOf(UserError);
    expect((err as InstanceType<typeof UserError>).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/lacks ssj's search attributes \(3 INVALID_ARGUMENT: .*SsjYear\)/);
    expect((err as InstanceType<typeof UserError>).hint).toMatch(/npm run dev-server.*temporal operator search-attribute create --name SsjYear --type Int/);
  });

  it('refusals name the command typed, not the workflow Update', async () => {
    const { inCommandWords } = await import('../client/session');
    expect(inCommandWords('commitWitness: the admin witness has already committed')).toBe('witness commit: the admin witness has already committed');
    expect(inCommandWords('giveEntropy: no')).toBe('witness entropy: no');
    expect(inCommandWords('something else: kept')).toBe('something else: kept');
  });
});
