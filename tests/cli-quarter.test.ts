// The quarter commands as a clerk runs them: `npx tsx client/ssj.ts ...` as a child process,
// against the dev server of this test run and a registry SQLite file of known people.
// First the refusals (nothing sent, the right exit code and a message that says what to do),
// then a quarter started, witnessed and reported on through the command line alone.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client, Connection } from '@temporalio/client';
import { freePort } from '../scripts/dev-server';
import { devServerClient, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { createActivities } from '../activities/campaign/activities';
import * as api from '../client/temporal';
import { campaignWorkflowId } from '../workflows/definitions';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let fx: Fixture;
let env: NodeJS.ProcessEnv;
let taskQueue: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real command line; async, so a worker in this process keeps working meanwhile. */
function ssj(args: string[], extraEnv: NodeJS.ProcessEnv = {}, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, path.join(ROOT, 'client', 'ssj.ts'), ...args], { cwd: ROOT, env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

beforeAll(() => {
  fx = createFixture('cli-2024');
  taskQueue = uniqueTaskQueue('cli');
  const programmeFile = path.join(fx.dir, 'programme.json');
  fs.writeFileSync(programmeFile, JSON.stringify(fx.programme, null, 2));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    SSJ_DATA_DIR: fx.dataDir,
    SSJ_DB: fx.registryDb,
    SSJ_TASK_QUEUE: taskQueue,
    SSJ_PROGRAMME: programmeFile,
  };
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

const entropy = '31415926535897932384';

describe('ssj quarter commands refuse bad input before sending anything', () => {
  it('missing flags: exit 2 and the flag named', async () => {
    const r = await ssj(['witness', '--role', 'admin', '--entropy', entropy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--as <person>' not specified");
    const q = await ssj(['quarter', 'start', '--year', '2024', '--as', PEOPLE.admin]);
    expect(q.code).toBe(2);
    expect(q.stderr).toContain('--quarter');
  });

  it('bad dates and bad values: exit 2, naming the flag and the rule', async () => {
    const r = await ssj(['report', 'K01', '--year', '2024', '--quarter', '1', '--as', 'S1', '--present', 'S1,S2', '--checked-on', '2024-02-30', '--result', 'no-problem']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--checked-on must be a calendar date YYYY-MM-DD, got "2024-02-30"');
    const one = await ssj(['report', 'K01', '--year', '2024', '--quarter', '1', '--as', 'S1', '--present', 'S1', '--checked-on', '2024-02-01', '--result', 'no-problem']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--present: at least two inspectors must be named as present');
    const q = await ssj(['quarter', 'status', '--year', '2024', '--quarter', '5']);
    expect(q.code).toBe(2);
    expect(q.stderr).toContain('--quarter must be 1, 2, 3 or 4, got "5"');
    const e = await ssj(['witness', '--year', '2024', '--quarter', '1', '--as', PEOPLE.admin, '--role', 'admin', '--entropy', 'too-short!']);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('--entropy: entropy must be 16 to 128 letters or digits');
    expect(e.stderr).not.toContain('too-short!'); // the entropy is never echoed
  });

  it('an unknown person: exit 2 with how to find the right id', async () => {
    const r = await ssj(['witness', '--year', '2024', '--quarter', '1', '--as', 'NOBODY', '--role', 'admin', '--entropy', entropy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--as NOBODY: no such person in the registry ${fx.registryDb}`);
    expect(r.stderr).toContain('ssj registry show --kind people');
  });

  it('the wrong role: exit 3, naming the roles held and the role needed', async () => {
    const w = await ssj(['witness', '--year', '2024', '--quarter', '1', '--as', 'S1', '--role', 'admin', '--entropy', entropy]);
    expect(w.code).toBe(3);
    expect(w.stderr).toMatch(/--as S1 .* holds the role\(s\) inspector; to give entropy as the admin witness one needs: admin/);
    const h = await ssj(['handover', 'approve', 'K01', '--year', '2024', '--quarter', '1', '--as', 'S1']);
    expect(h.code).toBe(3);
    expect(h.stderr).toContain('one needs: manager');
    const s = await ssj(['quarter', 'start', '--year', '2024', '--quarter', '1', '--as', 'S1']);
    expect(s.code).toBe(3);
    expect(s.stderr).toContain('one needs: admin or detachment-leader or manager');
  });

  it('a quarter or unit that does not exist: exit 3', async () => {
    const w = await ssj(['witness', '--year', '2024', '--quarter', '4', '--as', PEOPLE.admin, '--role', 'admin', '--entropy', entropy]);
    expect(w.code).toBe(3);
    expect(w.stderr).toContain(`no such workflow: ${campaignWorkflowId(fx.programme.id, 2024, 4)}`);
    const st = await ssj(['inspection', 'status', 'K01', '--year', '2024', '--quarter', '4']);
    expect(st.code).toBe(3);
    expect(st.stderr).toContain('unit K01 has no inspection in');
  });

  it('Temporal unreachable: exit 4 and how to start it', async () => {
    const port = await freePort();
    const r = await ssj(['quarter', 'status', '--year', '2024', '--quarter', '1'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`cannot reach Temporal at 127.0.0.1:${port}`);
    expect(r.stderr).toContain('start Temporal first');
  });
});

describe('a quarter through the command line', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;

  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows', 'index.ts'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
    ({ client, connection } = await devServerClient());
    native = await NativeConnection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await native?.close();
    await connection?.close();
  });

  it('starts, takes both witnesses, and records a result; a second start and a duplicate witness are refused', async () => {
    const mail = recordingMail(fx.mailDb);
    const activities = createActivities({ dataDir: fx.dataDir, registryDb: fx.registryDb, programme: fx.programme, mail });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    const campaignId = campaignWorkflowId(fx.programme.id, 2024, 1);
    const q = ['--year', '2024', '--quarter', '1'];
    try {
      await worker.runUntil(async () => {
        const start = await ssj(['quarter', 'start', ...q, '--as', PEOPLE.admin, '--rehearsal', '1', '--from', '2023-12-30']);
        expect(start.stderr).toBe('');
        expect(start.code).toBe(0);
        expect(start.stdout).toContain(`started ${campaignId}`);
        const again = await ssj(['quarter', 'start', ...q, '--as', PEOPLE.admin]);
        expect(again.code).toBe(3);
        expect(again.stderr).toContain('was already started');

        await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase', 300);
        const adm = await ssj(['witness', ...q, '--as', PEOPLE.admin, '--role', 'admin', '--entropy', entropy]);
        expect(adm.code).toBe(0);
        expect(adm.stdout).toContain('still awaited: discipline');
        expect(adm.stdout).not.toContain(entropy);
        // The workflow is the second line of defence: its refusal is shown as is.
        const dup = await ssj(['witness', ...q, '--as', PEOPLE.admin2, '--role', 'admin', '--entropy', entropy]);
        expect(dup.code).toBe(3);
        expect(dup.stderr).toContain(`refused: giveEntropy: the admin witness has already given entropy (${PEOPLE.admin})`);
        const dis = await ssj(['witness', ...q, '--as', PEOPLE.discipline, '--role', 'discipline', '--entropy', '-'], {}, 'DiceRolls662514332166\n');
        expect(dis.code).toBe(0);
        expect(dis.stdout).toContain('both witnesses have given entropy');

        await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase', 300);
        const status = await ssj(['quarter', 'status', ...q]);
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(/phase +inspection/);
        expect(status.stdout).toMatch(/witnesses +admin ADM1, discipline DIS1|witnesses +discipline DIS1, admin ADM1/);

        const unit = drawnUnits(fx.dataDir, campaignId).find((u) => u.department === 'brigade-shihe')!;
        await eventually(async () => (await api.inspectionStatus(client, campaignId, unit.unitId)).phase === 'inspection', 'inspection started', 300);
        const [lead, second] = unit.team as [string, string];
        const outsider = PEOPLE.brigadeInspectors.concat(PEOPLE.brigadeClerk).find((p) => !unit.team.includes(p))!;
        const wrongTeam = await ssj(['report', unit.unitId, ...q, '--as', outsider, '--present', `${outsider},${lead}`, '--checked-on', '2024-01-20', '--result', 'no-problem']);
        expect(wrongTeam.code).toBe(3);
        expect(wrongTeam.stderr).toContain(`submitResult: ${outsider} is not on the team of unit ${unit.unitId}`);

        const ok = await ssj(['report', unit.unitId, ...q, '--as', lead, '--present', `${lead},${second}`, '--checked-on', '2024-01-20', '--result', 'no-problem', '--evidence', '笔录-01']);
        expect(ok.stderr).toBe('');
        expect(ok.code).toBe(0);
        expect(ok.stdout).toContain(`result recorded for ${unit.unitId}: no-problem; on time: yes`);

        const st = await ssj(['inspection', 'status', unit.unitId, ...q]);
        expect(st.code).toBe(0);
        expect(st.stdout).toMatch(new RegExp(`result +no-problem by ${lead}, checked on 2024-01-20, on time: yes`));

        const list = await ssj(['quarter', 'list', '--year', '2024']);
        expect(list.code).toBe(0);
        expect(list.stdout).toContain(campaignId);
      });
    } finally {
      await client.workflow.getHandle(campaignId).terminate('test over').catch(() => undefined);
      mail.close();
    }
  }, 240_000);
});
