// The quarter commands as a clerk runs them: `npx tsx client/ssj.ts ...` as a child process,
// against the dev server of this test run and a registry SQLite file of known people.
// First the refusals (nothing sent, the right exit code and a message that says what to do),
// then a quarter started, witnessed (ssj-draw/2: commit, then reveal, each witness's secret in a
// file of their own) and reported on through the command line alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client, Connection } from '@temporalio/client';
import { freePort } from '../scripts/dev-server';
import { codecBundleOptions, devServerClient, testKeyring, testWorkerCodec, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { campaignWorkflowId } from '../workflows/definitions';
import { EncryptionCodec } from '../codec/encryption-codec';
import { witnessCommitment } from '../domain/draw/commitment';
import type { Keyring } from '../codec/keyring';
import { cliEnv, ROOT, runSsj, type SsjRun } from './helpers/ssj-cli';

let fx: Fixture;
let env: NodeJS.ProcessEnv;
let taskQueue: string;
let keyring: Keyring;

/** Runs the real command line with this file's settings. */
function ssj(args: string[], extraEnv: NodeJS.ProcessEnv = {}, stdin?: string): Promise<SsjRun> {
  return runSsj(args, { ...env, ...extraEnv }, stdin);
}

beforeAll(async () => {
  fx = await createFixture('cli-2024');
  // Child processes start in seconds: give the witnesses 60 programme days (5 minutes) to reveal.
  fx.programme = { ...fx.programme, deadlines: { ...fx.programme.deadlines, witnessRevealHours: 24 * 60 } };
  taskQueue = uniqueTaskQueue('cli');
  const keys = testKeyring();
  keyring = keys.keyring;
  env = cliEnv(fx, { keysEnv: keys.env, temporalAddress: inject('temporalAddress'), taskQueue });
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

const entropy = '31415926535897932384';
const entropy2 = 'DiceRolls662514332166';

describe('ssj quarter commands refuse bad input before sending anything', () => {
  it('missing flags: exit 2 and the flag named', async () => {
    const r = await ssj(['witness', 'commit', '--role', 'admin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--as <person>' not specified");
    const role = await ssj(['witness', 'reveal', '--as', PEOPLE.admin, '--role', 'judge']);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("option '--role <role>' argument 'judge' is invalid. Allowed choices are admin, discipline.");
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
    const e = await ssj(['witness', 'entropy', '--year', '2024', '--quarter', '1', '--as', PEOPLE.admin, '--role', 'admin', '--entropy', 'too-short!']);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('--entropy: entropy must be 16 to 128 letters or digits');
    expect(e.stderr).not.toContain('too-short!'); // the entropy is never echoed
  });

  it('an unknown person: exit 2 with how to find the right id', async () => {
    const r = await ssj(['witness', 'commit', '--year', '2024', '--quarter', '1', '--as', 'NOBODY', '--role', 'admin', '--entropy-file', '-'], {}, `${entropy}\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--as NOBODY: no such person in the registry ${path.join(fx.dataDir, 'ssj.db')}`);
    expect(r.stderr).toContain('ssj registry show --kind people');
  });

  it('the wrong role: exit 3, naming the roles held and the role needed', async () => {
    const w = await ssj(['witness', 'commit', '--year', '2024', '--quarter', '1', '--as', 'S1', '--role', 'admin', '--entropy-file', '-'], {}, `${entropy}\n`);
    expect(w.code).toBe(3);
    expect(w.stderr).toMatch(/--as S1 .* holds the role\(s\) inspector; to witness the draw as the admin witness one needs: admin/);
    const h = await ssj(['handover', 'approve', 'K01', '--year', '2024', '--quarter', '1', '--as', 'S1']);
    expect(h.code).toBe(3);
    expect(h.stderr).toContain('one needs: manager');
    const s = await ssj(['quarter', 'start', '--year', '2024', '--quarter', '1', '--as', 'S1']);
    expect(s.code).toBe(3);
    expect(s.stderr).toContain('one needs: admin or detachment-leader or manager');
  });

  it('a quarter or unit that does not exist: exit 3', async () => {
    const w = await ssj(['witness', 'commit', '--year', '2024', '--quarter', '4', '--as', PEOPLE.admin, '--role', 'admin', '--entropy-file', '-'], {}, `${entropy}\n`);
    expect(w.code).toBe(3);
    // Neither started by hand nor by its schedule (whose workflow ids carry the scheduled time).
    const none = `no campaign of programme ${fx.programme.id} 2024 Q4 has started: no workflow ${campaignWorkflowId(fx.programme.id, 2024, 4)}, nor one started by its schedule`;
    expect(w.stderr).toContain(none);
    expect(w.stderr).toContain('start it with: ssj quarter start --year 2024 --quarter 4');
    const st = await ssj(['inspection', 'status', 'K01', '--year', '2024', '--quarter', '4']);
    expect(st.code).toBe(3);
    expect(st.stderr).toContain(none);
    const byId = await ssj(['inspection', 'status', 'K01', '--campaign', campaignWorkflowId(fx.programme.id, 2024, 4)]);
    expect(byId.code).toBe(3);
    expect(byId.stderr).toContain('unit K01 has no inspection in');
  });

  it('Temporal unreachable: exit 4 and how to start it', async () => {
    const port = await freePort();
    const r = await ssj(['quarter', 'status', '--year', '2024', '--quarter', '1'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`cannot reach Temporal at 127.0.0.1:${port}`);
    expect(r.stderr).toContain('npm run dev-server');
  });
});

describe('a quarter through the command line', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;

  beforeAll(async () => {
    bundle = await bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
      ...codecBundleOptions,
    });
    ({ client, connection } = await devServerClient(keyring));
    native = await NativeConnection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await native?.close();
    await connection?.close();
  });

  it('starts, takes both witnesses (commit, then reveal), and records a result; a second start and a duplicate witness are refused', async () => {
    const mail = recordingMail(fx.mailDb);
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, keyring, allowRehearsalClock: true });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities, ...testWorkerCodec(keyring) });
    const campaignId = campaignWorkflowId(fx.programme.id, 2024, 1);
    const q = ['--year', '2024', '--quarter', '1'];
    try {
      await worker.runUntil(async () => {
        // 5 s a programme day: the inspection is due about 7.5 minutes on, so a report on a busy machine is still on time.
        const start = await ssj(['quarter', 'start', ...q, '--as', PEOPLE.admin, '--rehearsal', '5', '--from', '2023-12-30']);
        expect(start.stderr).toBe('');
        expect(start.code).toBe(0);
        expect(start.stdout).toContain(`started ${campaignId}`);
        const again = await ssj(['quarter', 'start', ...q, '--as', PEOPLE.admin]);
        expect(again.code).toBe(3);
        expect(again.stderr).toContain('was already started');

        const drawSt = await eventually(async () => {
          const s = await api.campaignStatus(client, campaignId);
          return s.phase === 'draw' && s.manifest ? s : null;
        }, 'draw phase', 900);
        const digest = drawSt.manifest!.digest;
        const secretDir = path.join(fx.dir, 'home', '.ssj', 'witness');
        const secretOf = (role: string, person: string) => path.join(secretDir, `${campaignId}.c1.${role}.${person}.json`);

        // A reveal before committing: there is no secret file to reveal from.
        const early = await ssj(['witness', 'reveal', ...q, '--as', PEOPLE.admin, '--role', 'admin']);
        expect(early.code).toBe(2);
        expect(early.stderr).toContain(`${secretOf('admin', PEOPLE.admin)}: no such secret file (it is written by ssj witness commit`);

        // Commit: the digest is shown, the salt made here, only the commitment sent, the secret kept 0600.
        const adm = await ssj(['witness', 'commit', ...q, '--as', PEOPLE.admin, '--role', 'admin', '--entropy-file', '-'], {}, `${entropy}\n`);
        expect(adm.stderr).toBe('');
        expect(adm.code).toBe(0);
        expect(adm.stdout).toContain(`manifest digest: ${digest}`);
        expect(adm.stdout).toContain(`salt and entropy kept in ${secretOf('admin', PEOPLE.admin)} (mode 600; needed for the reveal, not sent)`);
        expect(adm.stdout).toContain('still awaited: the commitment of discipline');
        expect(adm.stdout).not.toContain(entropy);
        const admFile = secretOf('admin', PEOPLE.admin);
        expect(fs.statSync(admFile).mode & 0o777).toBe(0o600);
        expect(fs.statSync(secretDir).mode & 0o777).toBe(0o700);
        const admSecret = JSON.parse(fs.readFileSync(admFile, 'utf8')) as { salt: string; entropy: string; commitment: string };
        expect(admSecret.entropy).toBe(entropy);
        expect(admSecret.salt).toMatch(/^[0-9a-f]{32}$/);
        expect(adm.stdout).not.toContain(admSecret.salt);
        expect(adm.stdout).toContain(`recorded in ceremony 1:\n  ${admSecret.commitment}\n`);
        expect(admSecret.commitment).toBe(witnessCommitment(digest, 'admin', PEOPLE.admin, admSecret.salt, entropy));

        // What Temporal holds so far (every payload decoded with the keyring): the commitment, never the salt or entropy.
        const held = await decodedHistory(campaignId);
        expect(held).toContain(admSecret.commitment);
        expect(held).not.toContain(admSecret.salt);
        expect(held).not.toContain(entropy);

        // The workflow refuses a reveal before every commitment, and a second admin witness.
        const tooSoon = await ssj(['witness', 'reveal', ...q, '--as', PEOPLE.admin, '--role', 'admin']);
        expect(tooSoon.code).toBe(3);
        expect(tooSoon.stderr).toContain('refused: witness reveal: reveals are taken only once every witness has committed; ceremony 1 still awaits the commitment of: discipline');
        const dup = await ssj(['witness', 'commit', ...q, '--as', PEOPLE.admin2, '--role', 'admin', '--entropy-file', '-'], {}, `${entropy2}\n`);
        expect(dup.code).toBe(3);
        expect(dup.stderr).toContain(`refused: witness commit: the admin witness has already committed in ceremony 1 (${PEOPLE.admin})`);
        expect(fs.existsSync(secretOf('admin', PEOPLE.admin2))).toBe(false); // nothing recorded, no secret kept

        // Bad entropy from a file: exit 2, never echoed; then the discipline officer commits.
        const badFile = path.join(fx.dir, 'bad-entropy.txt');
        fs.writeFileSync(badFile, 'too-short!\n');
        const bad = await ssj(['witness', 'commit', ...q, '--as', PEOPLE.discipline, '--role', 'discipline', '--entropy-file', badFile]);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('witness commit: --entropy-file: entropy must be 16 to 128 letters or digits');
        expect(bad.stderr + bad.stdout).not.toContain('too-short!');
        const goodFile = path.join(fx.dir, 'entropy.txt');
        fs.writeFileSync(goodFile, `${entropy2}\n`);
        const dis = await ssj(['witness', 'commit', ...q, '--as', PEOPLE.discipline, '--role', 'discipline', '--entropy-file', goodFile]);
        expect(dis.code).toBe(0);
        expect(dis.stdout).toMatch(/every witness has committed: reveal by 2024-\d\d-\d\dT[\d:]+\+08:00 with: ssj witness reveal/);

        // A secret file others can read is refused until it is 0600 again.
        fs.chmodSync(admFile, 0o644);
        const open = await ssj(['witness', 'reveal', ...q, '--as', PEOPLE.admin, '--role', 'admin']);
        expect(open.code).toBe(2);
        expect(open.stderr).toContain(`${admFile} can be read by others (mode 644); a witness secret must be mode 600`);
        fs.chmodSync(admFile, 0o600);
        const r1 = await ssj(['witness', 'reveal', ...q, '--as', PEOPLE.admin, '--role', 'admin']);
        expect(r1.stderr).toBe('');
        expect(r1.code).toBe(0);
        expect(r1.stdout).toContain(`accepted in ceremony 1: it reproduces the commitment ${admSecret.commitment}`);
        expect(r1.stdout).toContain('still awaited: the reveal of discipline');
        expect(r1.stdout).not.toContain(entropy);
        const r2 = await ssj(['witness', 'reveal', ...q, '--as', PEOPLE.discipline, '--role', 'discipline']);
        expect(r2.code).toBe(0);
        expect(r2.stdout).toContain('every witness has revealed: the draw runs now');

        await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase', 300);
        const status = await ssj(['quarter', 'status', ...q]);
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(/phase +inspection/);
        expect(status.stdout).toMatch(/witnesses +admin ADM1, discipline DIS1/);
        expect(status.stdout).toMatch(/draw spec +ssj-draw\/2/);
        expect(status.stdout).toContain(admSecret.commitment);
        expect(status.stdout).not.toContain(admSecret.salt);

        const unit = drawnUnits(fx.dataDir, campaignId).find((u) => u.department === 'brigade-shihe')!;
        await eventually(async () => (await api.inspectionStatus(client, campaignId, unit.unitId)).phase === 'inspection', 'inspection started', 300);
        const [lead, second] = unit.team as [string, string];
        const outsider = PEOPLE.brigadeInspectors.concat(PEOPLE.brigadeClerk).find((p) => !unit.team.includes(p))!;
        const wrongTeam = await ssj(['report', unit.unitId, ...q, '--as', outsider, '--present', `${outsider},${lead}`, '--checked-on', '2024-01-20', '--result', 'no-problem']);
        expect(wrongTeam.code).toBe(3);
        expect(wrongTeam.stderr).toContain(`refused: report: ${outsider} is not on the team of unit ${unit.unitId}`);

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
  }, 480_000);
});

/** Every payload of a workflow's history, decrypted with the test's keyring, as one text to search. */
async function decodedHistory(workflowId: string): Promise<string> {
  const { client, connection } = await devServerClient();
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const payloads: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }[] = [];
    const walk = (v: unknown): void => {
      if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
      if ('metadata' in v && 'data' in v && (v as { data: unknown }).data instanceof Uint8Array) payloads.push(v as (typeof payloads)[number]);
      else for (const x of Object.values(v)) walk(x);
    };
    walk(history);
    const decoded = await new EncryptionCodec(keyring).decode(payloads as never);
    return decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
  } finally {
    await connection.close();
  }
}
