// The production topology for `npm run bench:campaign -- --topology production` (issue 11 §8): the
// Temporal server v1.32.1 on PostgreSQL 15 (scripts/temporal-postgres.ts), the project's own
// database on the same server (deploy/postgres/setup-ssj-database.sh), the bench's registry
// written into that shared store, and N worker processes (worker/main.ts, default 2), each with its
// own data folder, running the prebuilt bundle of the real workflows. bench/campaign.ts runs the
// same quarter on it as on the dev server, and the bare-children baseline on the same server with
// an in-process worker of its own task queue (baselineWorker), so each topology has its own ratio.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { WORKFLOW_ACTIVATION_TIMEOUT } from '../config/temporal';
import type { Programme } from '../domain/programme';
import type { RegistryBatch } from '../stores/registry-store';
import { openRegistryStore } from '../stores/registry-store';
import { startTestPostgres, type TestPostgres } from '../scripts/postgres';
import { startTemporalOnPostgres, type TemporalOnPostgres } from '../scripts/temporal-postgres';
import { createProjectDatabase } from '../scripts/production/project-database';
import { startService, type Service } from '../scripts/production/processes';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import { buildBundle } from '../worker/build-bundle';
import { createKeyFile } from '../codec/keyring';
import { bundleOptions, ssjDataConverter } from '../codec/data-converter';
import type { Keyring } from '../codec/keyring';

export interface ProductionTopology {
  address: string;
  namespace: string;
  /** The task queue the worker processes poll (the real workflows and activities). */
  taskQueue: string;
  /** SSJ_DATABASE_URL of the shared store (the campaign store, the registry, the outbox...). */
  databaseUrl: string;
  /** The key file every process uses (the bench's client must encrypt with the same keys). */
  keyFile: string;
  workers: Service[];
  stop(): Promise<void>;
}

export interface ProductionTopologyOptions {
  /** A folder for everything (server config, data folders, logs, caught mail). */
  dir: string;
  programme: Programme;
  /** The bench's registry, applied once to the shared store. */
  registry: RegistryBatch;
  workers?: number;
  log?: (line: string) => void;
}

export async function startProductionTopology(o: ProductionTopologyOptions): Promise<ProductionTopology> {
  const log = o.log ?? (() => undefined);
  let pg: TestPostgres | undefined;
  let temporal: TemporalOnPostgres | undefined;
  let mail: MailCatcher | undefined;
  const workers: Service[] = [];
  const stop = async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await mail?.close().catch(() => undefined);
    await temporal?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
  };
  try {
    pg = await startTestPostgres({ maxConnections: 300 });
    const databaseUrl = createProjectDatabase(pg.adminUrl);
    temporal = await startTemporalOnPostgres({ adminUrl: pg.adminUrl, dir: path.join(o.dir, 'temporal'), log });
    const registry = await openRegistryStore({ dataDir: o.dir, databaseUrl });
    try {
      await registry.applyBatch(o.registry);
    } finally {
      await registry.close();
    }
    const programmeFile = path.join(o.dir, 'programme.json');
    fs.writeFileSync(programmeFile, JSON.stringify(o.programme));
    const keyFile = path.join(o.dir, 'codec-keys.json');
    createKeyFile(keyFile);
    const bundle = (await buildBundle({ out: path.join(o.dir, 'workflow-bundle.js') })).out;
    mail = await startMailCatcher({ dir: path.join(o.dir, 'mail') });
    for (let i = 1; i <= (o.workers ?? 2); i++) {
      const data = path.join(o.dir, `worker-${i}`);
      fs.mkdirSync(data, { recursive: true });
      const w = await startService({
        name: `worker-${i}`,
        script: 'worker/main.ts',
        env: {
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_NAMESPACE: temporal.namespace,
          SSJ_TASK_QUEUE: 'ssj',
          SSJ_DATA_DIR: data,
          SSJ_DATABASE_URL: databaseUrl,
          SSJ_PROGRAMME: programmeFile,
          SSJ_CODEC_KEYS_FILE: keyFile,
          SSJ_WORKFLOW_BUNDLE: bundle,
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: String(mail.port),
          SSJ_ALLOW_REHEARSAL_CLOCK: 'true',
          SSJ_LOG_LEVEL: 'info', // the "worker polling" line (info) says it is ready
        },
        logFile: path.join(o.dir, `worker-${i}.log`),
        ready: /"worker polling"/,
      });
      workers.push(w);
      log(`worker-${i} polling, pid ${w.pid}`);
    }
    return { address: temporal.address, namespace: temporal.namespace, taskQueue: 'ssj', databaseUrl, keyFile, workers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * An in-process worker for the bare-children baseline (bench/campaign-workflows.ts: baselineParent,
 * baselineChild and its no-op activity) on `taskQueue` of the given server: the same baseline
 * as on the dev server, measured against this server.
 */
export async function baselineWorker(address: string, namespace: string, taskQueue: string, keyring: Keyring): Promise<{ worker: Worker; close(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address });
  const quiet = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'campaign-workflows.ts'),
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet },
    ...bundleOptions,
  });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle,
    activities: { noop: async () => undefined },
    dataConverter: ssjDataConverter(keyring),
    maxConcurrentWorkflowTaskExecutions: 100,
    maxCachedWorkflows: 2000,
    ...WORKFLOW_ACTIVATION_TIMEOUT,
  });
  return { worker, close: () => connection.close() };
}
