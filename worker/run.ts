// Building one worker from the runtime settings: the connection (TLS, API key), the stores and
// mailer the activities need, and the workflow code (a prebuilt bundle in production, bundled at
// start in development). Any number of these processes may poll the same task queue.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { RuntimeSettings } from '../config/runtime';
import { connectTemporalNative } from '../config/temporal';
import { createMailer, type Mailer } from '../activities/mail/mailer';
import { loadProgramme } from '../activities/programme';
import { createActivities } from '../activities/campaign/activities';
import type { ConsoleStore } from '../stores/console-store';
import { openConsoleStore, storeSettingsFromEnv } from '../stores/open';
import type { JsonLogger } from './log';
import { ssjDataConverter } from '../codec/data-converter';
import type { Keyring } from '../codec/keyring';

/** The workflows registered in development: every workflow type the programme runs. */
// The TypeScript source under tsx; compiled (dist/worker/run.js) it is index.js beside it.
export const WORKFLOWS_PATH = [path.join(__dirname, '..', 'workflows', 'index.ts'), path.join(__dirname, '..', 'workflows', 'index.js')].find((f) => fs.existsSync(f)) ?? path.join(__dirname, '..', 'workflows', 'index.ts');

export interface RunningWorker {
  worker: Worker;
  identity: string;
  /** Closes what the worker opened (connection, mailer, stores). Call after worker.run() ends. */
  close(): Promise<void>;
}

/** `keyring` encrypts every payload (codec/) and names inspections; main.ts refuses to start without one. */
export async function createSsjWorker(settings: RuntimeSettings, log: JsonLogger, keyring: Keyring): Promise<RunningWorker> {
  const identity = `ssj-worker@${os.hostname()}:${process.pid}`;
  const workflowSource = workflowSourceOf(settings);
  log.info('worker starting', {
    identity,
    address: settings.temporal.address,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueue,
    tls: settings.temporal.tls !== null,
    clientCertificate: settings.temporal.tls?.certPath ?? null,
    apiKey: settings.temporal.apiKey !== null, // never the key itself
    dataDir: settings.dataDir,
    allowRehearsalClock: settings.allowRehearsalClock,
    payloadKeys: { current: keyring.currentKeyId, held: keyring.keyIds.length }, // ids only, never a key
    workflows: 'codePath' in workflowSource ? { bundle: workflowSource.codePath } : { path: workflowSource.workflowsPath },
  });

  if (settings.allowRehearsalClock) {
    log.warn('rehearsal clocks allowed (SSJ_ALLOW_REHEARSAL_CLOCK): campaigns may run on compressed programme days; never set this in production');
  }
  const connection = await connectWithRetry(settings, log);
  let mailer: Mailer | undefined;
  let consoleStore: ConsoleStore | undefined;
  try {
    fs.mkdirSync(settings.dataDir, { recursive: true });
    mailer = createMailer(settings, settings.dataDir, { log: (level, msg, fields) => log[level](msg, { component: 'mail', ...fields }) });
    const programme = loadProgramme(settings.programmeFile ?? undefined);
    // The console's projection (task lists) lives in the shared store, on the same database the console opens.
    consoleStore = await openConsoleStore({ dataDir: settings.dataDir, databaseUrl: storeSettingsFromEnv().databaseUrl });
    const activities = createActivities({
      dataDir: settings.dataDir,
      registryDb: settings.registryDb,
      programme,
      mail: mailer,
      keyring,
      // SSJ_ALLOW_REHEARSAL_CLOCK: prepareCampaign refuses a rehearsal clock unless this worker allows it.
      allowRehearsalClock: settings.allowRehearsalClock,
      consoleStore,
    });
    const worker = await Worker.create({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      identity,
      activities,
      // A prebuilt bundle carries the failure converter itself (build-bundle.ts); bundling here takes it from this.
      dataConverter: ssjDataConverter(keyring),
      ...('codePath' in workflowSource ? { workflowBundle: workflowSource } : { workflowsPath: workflowSource.workflowsPath }),
      shutdownGraceTime: `${settings.shutdownGraceSeconds}s`,
    });
    const m = mailer;
    const cs = consoleStore;
    return {
      worker,
      identity,
      async close() {
        m.close();
        // The campaign activities open their store lazily; close it if they offer a way.
        const closable = activities as unknown as { close?: () => unknown };
        if (typeof closable.close === 'function') await closable.close();
        await cs.close();
        await connection.close();
      },
    };
  } catch (err) {
    mailer?.close();
    await consoleStore?.close().catch(() => undefined);
    await connection.close();
    throw err;
  }
}

function workflowSourceOf(settings: RuntimeSettings): { codePath: string } | { workflowsPath: string } {
  if (settings.workflowBundle) return { codePath: settings.workflowBundle };
  if (!fs.existsSync(WORKFLOWS_PATH)) {
    throw new Error(`no workflow code: ${WORKFLOWS_PATH} does not exist and SSJ_WORKFLOW_BUNDLE is not set`);
  }
  return { workflowsPath: WORKFLOWS_PATH };
}

/** Temporal may still be starting (compose, systemd): keep trying for a while, saying so. */
async function connectWithRetry(settings: RuntimeSettings, log: JsonLogger, deadlineMs = 120_000): Promise<NativeConnection> {
  const until = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectTemporalNative(settings);
    } catch (err) {
      if (Date.now() > until) throw err;
      const waitMs = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
      log.warn('Temporal not reachable yet; retrying', { attempt, waitMs, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
