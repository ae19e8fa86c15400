// Runtime settings: defaults, the optional .env file (the environment wins), every error naming
// the variable and the rule, TLS and API key options, a real connection to the dev server, and
// the rehearsal-clock setting as a real worker applies it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inject } from 'vitest';
import { loadRuntimeSettings, parseMailAddress, SettingsError } from '../config/runtime';
import { connectTemporal, connectTemporalNative, temporalConnectionOptions } from '../config/temporal';
import { useLocalServer, writeLocalServer } from '../client/local-server';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import type { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { createSsjWorker, WORKFLOWS_PATH } from '../worker/run';
import { createJsonLogger } from '../worker/log';
import * as api from '../client/temporal';
import { readCampaignOfQuarter } from '../stores/campaign-store';
import { codecBundleOptions, devServerClient, quiet, testKeyring, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, eventually } from './helpers/campaign-fixture';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-settings-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SettingsError) return err.problems;
    throw err;
  }
  throw new Error('expected a SettingsError');
}

describe('loadRuntimeSettings', () => {
  it('has working defaults for one machine', () => {
    const s = loadRuntimeSettings({ env: {}, cwd: tmp });
    expect(s.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'ssj', tls: null, apiKey: null });
    expect(s.dataDir).toBe(path.join(tmp, '.data'));
    expect(s.smtp).toEqual({ host: '127.0.0.1', port: 1025, secure: false, user: null, pass: null });
    expect(s.workflowBundle).toBeNull();
    expect(s.programmeFile).toBeNull();
    expect(s.logLevel).toBe('info');
    expect(s.shutdownGraceSeconds).toBe(30);
  });

  it('reads a .env file; the environment wins over it', () => {
    const file = path.join(tmp, 'ssj.env');
    fs.writeFileSync(
      file,
      [
        '# production-like',
        'export TEMPORAL_ADDRESS=temporal:7233',
        'TEMPORAL_NAMESPACE=xinyang',
        'SSJ_DATA_DIR=/var/lib/ssj',
        'SMTP_HOST=smtp.example.org',
        'SMTP_PORT=465',
        'SMTP_SECURE=true',
        'SMTP_USER=ssj',
        "SMTP_PASS='p#ss word'",
        'SSJ_MAIL_FROM="信阳市生态环境综合行政执法支队 <ssj@example.org>"',
        '',
      ].join('\n'),
    );
    const s = loadRuntimeSettings({ env: { SSJ_ENV_FILE: file, TEMPORAL_NAMESPACE: 'override' }, cwd: tmp });
    expect(s.temporal.address).toBe('temporal:7233');
    expect(s.temporal.namespace).toBe('override');
    expect(s.dataDir).toBe('/var/lib/ssj');
    expect(s.smtp).toEqual({ host: 'smtp.example.org', port: 465, secure: true, user: 'ssj', pass: 'p#ss word' });
    expect(s.mailFrom).toEqual({ name: '信阳市生态环境综合行政执法支队', address: 'ssj@example.org' });
  });

  it('names the variable and the rule for every problem, all at once', () => {
    const problems = problemsOf(() =>
      loadRuntimeSettings({
        env: {
          TEMPORAL_ADDRESS: 'localhost',
          SSJ_TASK_QUEUE: 'ssj queue',
          SMTP_PORT: '0',
          SMTP_SECURE: 'maybe',
          SSJ_LOG_LEVEL: 'loud',
          SMTP_PASS: 'secret',
        },
        cwd: tmp,
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'TEMPORAL_ADDRESS: must be host:port, e.g. 127.0.0.1:7233 (got "localhost")',
        `SSJ_TASK_QUEUE: must be a task queue name: letters, digits, '.', '_' or '-' (got "ssj queue")`,
        'SMTP_PORT: must be a port number, 1 to 65535 (got "0")',
        'SMTP_SECURE: must be true or false (got "maybe")',
        'SSJ_LOG_LEVEL: must be one of debug, info, warn, error (got "loud")',
      ]),
    );
    // Cross-field rules come once the single fields are right.
    expect(problemsOf(() => loadRuntimeSettings({ env: { SMTP_PASS: 'secret' }, cwd: tmp }))).toEqual([
      'SMTP_USER: must be set when SMTP_PASS is',
    ]);
    expect(problemsOf(() => loadRuntimeSettings({ env: { SSJ_MAIL_FROM: '支队' }, cwd: tmp }))[0]).toMatch(/^SSJ_MAIL_FROM: must be/);
  });

  it('never shows a password in an error', () => {
    const err = (() => {
      try {
        loadRuntimeSettings({ env: { SMTP_PASS: 'sekrit-p4ss' }, cwd: tmp });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a SettingsError');
    })();
    expect(err.message).toContain('SMTP_USER: must be set when SMTP_PASS is');
    expect(err.message).not.toContain('sekrit-p4ss');
  });

  it('reports a .env file line that is not a setting, with file and line', () => {
    const file = path.join(tmp, 'typo.env');
    fs.writeFileSync(file, 'TEMPORAL_ADRESS=x:1\n');
    expect(problemsOf(() => loadRuntimeSettings({ envFile: file, env: {}, cwd: tmp }))[0]).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1: TEMPORAL_ADRESS is not a setting`),
    );
  });

  it('builds TLS from certificate files and turns TLS on for an API key', () => {
    const cert = path.join(tmp, 'client.pem');
    const key = path.join(tmp, 'client.key');
    fs.writeFileSync(cert, 'CERT');
    fs.writeFileSync(key, 'KEY');
    const s = loadRuntimeSettings({ env: { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }, cwd: tmp });
    const o = temporalConnectionOptions(s);
    expect(Buffer.from(o.tls!.clientCertPair!.crt).toString()).toBe('CERT');
    expect(Buffer.from(o.tls!.clientCertPair!.key).toString()).toBe('KEY');
    expect(o.tls!.serverNameOverride).toBe('temporal.internal');

    expect(loadRuntimeSettings({ env: { TEMPORAL_API_KEY: 'k' }, cwd: tmp }).temporal.tls).not.toBeNull();
    expect(loadRuntimeSettings({ env: { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, cwd: tmp }).temporal.tls).toBeNull();

    expect(problemsOf(() => loadRuntimeSettings({ env: { TEMPORAL_TLS_CERT: cert }, cwd: tmp }))).toEqual([
      'TEMPORAL_TLS_KEY: must be set when TEMPORAL_TLS_CERT is (a client certificate needs both)',
    ]);
    expect(problemsOf(() => loadRuntimeSettings({ env: { TEMPORAL_TLS_CA: 'missing-ca.pem' }, cwd: tmp }))).toEqual([
      `TEMPORAL_TLS_CA: the file ${path.join(tmp, 'missing-ca.pem')} cannot be read`,
    ]);
  });

  it('allows rehearsal clocks only when SSJ_ALLOW_REHEARSAL_CLOCK says so (off by default)', () => {
    expect(loadRuntimeSettings({ env: {}, cwd: tmp }).allowRehearsalClock).toBe(false);
    expect(loadRuntimeSettings({ env: { SSJ_ALLOW_REHEARSAL_CLOCK: '' }, cwd: tmp }).allowRehearsalClock).toBe(false);
    for (const on of ['true', '1', 'yes', ' TRUE ']) expect(loadRuntimeSettings({ env: { SSJ_ALLOW_REHEARSAL_CLOCK: on }, cwd: tmp }).allowRehearsalClock, on).toBe(true);
    for (const off of ['false', '0', 'no']) expect(loadRuntimeSettings({ env: { SSJ_ALLOW_REHEARSAL_CLOCK: off }, cwd: tmp }).allowRehearsalClock, off).toBe(false);
    expect(problemsOf(() => loadRuntimeSettings({ env: { SSJ_ALLOW_REHEARSAL_CLOCK: 'sometimes' }, cwd: tmp }))).toEqual([
      'SSJ_ALLOW_REHEARSAL_CLOCK: must be true or false (got "sometimes")',
    ]);
    const file = path.join(tmp, 'rehearsal.env');
    fs.writeFileSync(file, 'SSJ_ALLOW_REHEARSAL_CLOCK=true\n');
    expect(loadRuntimeSettings({ envFile: file, env: {}, cwd: tmp }).allowRehearsalClock).toBe(true);
    expect(loadRuntimeSettings({ envFile: file, env: { SSJ_ALLOW_REHEARSAL_CLOCK: 'false' }, cwd: tmp }).allowRehearsalClock).toBe(false);
    // The shipped example keeps production safe.
    expect(loadRuntimeSettings({ envFile: path.join(__dirname, '..', 'config', 'ssj.example.env'), env: {}, cwd: tmp }).allowRehearsalClock).toBe(false);
  });

  it("a local development server's settings (npm run dev-server, the demo) let its worker run rehearsals", () => {
    const data = path.join(tmp, 'local');
    const remove = writeLocalServer(data, { address: '127.0.0.1:7233', namespace: 'default', keyFile: path.join(data, 'keys.json'), by: 'test' });
    try {
      const env: NodeJS.ProcessEnv = { SSJ_DATA_DIR: data };
      expect(useLocalServer(env)).toBe(path.join(data, 'local-server.env'));
      expect(loadRuntimeSettings({ env, cwd: tmp }).allowRehearsalClock).toBe(true);
      // A configured server (production sets TEMPORAL_ADDRESS) never takes them.
      const prod: NodeJS.ProcessEnv = { SSJ_DATA_DIR: data, TEMPORAL_ADDRESS: 'temporal:7233' };
      expect(useLocalServer(prod)).toBeNull();
      expect(loadRuntimeSettings({ env: prod, cwd: tmp }).allowRehearsalClock).toBe(false);
    } finally {
      remove();
    }
  });

  it('reads sender addresses with Chinese display names', () => {
    expect(parseMailAddress('信阳市生态环境综合行政执法支队 <ssj@example.org>')).toEqual({ name: '信阳市生态环境综合行政执法支队', address: 'ssj@example.org' });
    expect(parseMailAddress('"支队" <a@b.cn>')).toEqual({ name: '支队', address: 'a@b.cn' });
    expect(parseMailAddress('a@b.cn')).toEqual({ name: '', address: 'a@b.cn' });
    expect(parseMailAddress('支队 <not-an-address>')).toBeNull();
  });
});

describe('connectTemporal', () => {
  it('connects client and worker connections to the dev server by settings', async () => {
    const [host, port] = inject('temporalAddress').split(':');
    const s = loadRuntimeSettings({ env: { TEMPORAL_ADDRESS: `${host}:${port}` }, cwd: tmp });
    const conn = await connectTemporal(s);
    const ns = await conn.workflowService.describeNamespace({ namespace: s.temporal.namespace });
    expect(ns.namespaceInfo?.name).toBe('default');
    await conn.close();
    const native = await connectTemporalNative(s);
    await native.close();
  });

  it('says where it tried when Temporal is not there', async () => {
    const s = loadRuntimeSettings({ env: { TEMPORAL_ADDRESS: '127.0.0.1:1' }, cwd: tmp });
    await expect(connectTemporal(s, { connectTimeoutMs: 2_000 })).rejects.toThrow(/cannot reach Temporal at 127\.0\.0\.1:1 \(namespace default\)/);
  });
});

describe('the worker passes SSJ_ALLOW_REHEARSAL_CLOCK to the campaign activities', () => {
  it('off: a rehearsal campaign fails at its first step, naming the setting; on: it runs (and records the calendar SSJ_CALENDAR names)', async () => {
    const fx = await createFixture('wset-2024');
    const programmeFile = path.join(fx.dir, 'programme.json');
    fs.writeFileSync(programmeFile, JSON.stringify(fx.programme));
    const { keyring } = testKeyring();
    const { client, connection } = await devServerClient(keyring);
    // One prebuilt bundle for both workers, as production loads it (SSJ_WORKFLOW_BUNDLE).
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet(), ...codecBundleOptions });
    const bundleFile = path.join(fx.dir, 'workflow-bundle.js');
    fs.writeFileSync(bundleFile, bundle.code);
    const logs: string[] = [];
    // Each worker its own data folder, holding the fixture's store (the registry) as a host's would.
    const copyOfData = (name: string) => {
      const dir = path.join(fx.dir, name);
      fs.cpSync(fx.dataDir, dir, { recursive: true });
      return dir;
    };
    const workerOf = (allow: string, calendar?: string) =>
      createSsjWorker(
        loadRuntimeSettings({
          env: {
            TEMPORAL_ADDRESS: inject('temporalAddress'),
            SSJ_DATA_DIR: copyOfData(`data-${allow}${calendar ? '-calendar' : ''}`),
            SSJ_PROGRAMME: programmeFile,
            SSJ_TASK_QUEUE: uniqueTaskQueue(`rehearsal-${allow}`),
            SSJ_WORKFLOW_BUNDLE: bundleFile,
            SSJ_ALLOW_REHEARSAL_CLOCK: allow,
            ...(calendar ? { SSJ_CALENDAR: calendar } : {}),
          },
          cwd: fx.dir,
        }),
        createJsonLogger('info', (l) => logs.push(l)),
        keyring,
      );
    const start = (quarter: 1 | 2 | 3, taskQueue: string) =>
      api.startCampaign(client, { programmeId: fx.programme.id, year: 2024, quarter, clock: { mode: 'rehearsal', programmeStart: '2023-12-17', secondsPerDay: 3600 } }, { taskQueue });
    try {
      const off = await workerOf('false');
      try {
        const failure = await off.worker.runUntil(start(1, off.worker.options.taskQueue).then((h) => h.result().then(() => null, (e: unknown) => e)));
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const refusal = ((failure as WorkflowFailedError).cause as ActivityFailure).cause as ApplicationFailure;
        expect(refusal.type).toBe('RehearsalClockRefused');
        expect(refusal.message).toContain('SSJ_ALLOW_REHEARSAL_CLOCK=true');
      } finally {
        await off.close();
      }
      expect(logs.some((l) => l.includes('rehearsal clocks allowed'))).toBe(false);

      const on = await workerOf('true');
      try {
        await on.worker.runUntil(async () => {
          const h = await start(2, on.worker.options.taskQueue);
          // prepareCampaign ran: the quarter is claimed in this worker's campaign store.
          await eventually(async () => (await readCampaignOfQuarter(path.join(fx.dir, 'data-true'), { programmeId: fx.programme.id, year: 2024, quarter: 2 })) === h.workflowId, 'the rehearsal campaign prepared', 600);
          expect(await api.campaignStatus(client, h.workflowId)).toMatchObject({ phase: 'update-window', today: '2023-12-17' });
          await h.terminate('test over');
        });
      } finally {
        await on.close();
      }
      expect(logs.some((l) => JSON.parse(l).level === 'warn' && l.includes('rehearsal clocks allowed (SSJ_ALLOW_REHEARSAL_CLOCK)'))).toBe(true);

      // SSJ_CALENDAR is the calendar the campaign records: a file that is not a calendar refuses it, named.
      const calendarFile = path.join(fx.dir, 'calendar.json');
      fs.writeFileSync(calendarFile, '{ not a calendar');
      const withCalendar = await workerOf('true', calendarFile);
      try {
        const failure = await withCalendar.worker.runUntil(start(3, withCalendar.worker.options.taskQueue).then((h) => h.result().then(() => null, (e: unknown) => e)));
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const refusal = ((failure as WorkflowFailedError).cause as ActivityFailure).cause as ApplicationFailure;
        expect(refusal.type).toBe('CalendarRefused');
        expect(refusal.message).toContain(`calendar file ${calendarFile}: not JSON`);
      } finally {
        await withCalendar.close();
      }
    } finally {
      await connection.close();
      fs.rmSync(fx.dir, { recursive: true, force: true });
    }
  }, 240_000);
});
