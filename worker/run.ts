// Building one worker from the runtime settings: the connection (TLS, API key), the stores and
// mailer the activities need, and the workflow code (a prebuilt bundle in production, bundled at
// start in development). Any number of these processes may poll the same task queue.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { RuntimeSettings } from '../config/runtime';
import { connectTemporalNative, WORKFLOW_ACTIVATION_TIMEOUT } from '../config/temporal';
import { createMailer, type Mailer } from '../mail/mailer';
import { DocumentPdfRenderer, findChromium, pdfRenderingProblem } from '../files/documents/pdf';
import { importLegacyMailFiles } from '../mail/legacy-files';
import { loadProgramme } from '../config/programme';
import { createActivities } from '../activities';
import { openStoreDatabase } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { SqlConsoleStore } from '../stores/sql-console-store';
import { importLegacyCampaignFile } from '../stores/legacy-campaign-file';
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
  let database: SqlDatabase | undefined;
  let pdfRenderer: DocumentPdfRenderer | null = null;
  try {
    fs.mkdirSync(settings.dataDir, { recursive: true });
    // One shared store database (SSJ_DATABASE_URL, or ssj.db in the data folder) for the campaign
    // store, the outbox and the console's projection: the same database every worker host and the console open.
    database = await openStoreDatabase({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl });
    // A host upgraded from the per-host campaign.db: its campaigns move into the shared store once.
    const imported = await importLegacyCampaignFile(database, settings.dataDir);
    if (imported) log.info('campaign.db imported into the shared store', { file: imported.file, renamedTo: imported.renamedTo, rows: imported.rows });
    // Likewise its outbox and notice-problem files: a notice sent before the upgrade is never sent again.
    const mailRows = await importLegacyMailFiles(database, settings.dataDir);
    if (mailRows.notices + mailRows.problems > 0) log.info('outbox.db / notice-problems.db imported into the shared store', { ...mailRows });
    mailer = createMailer(settings, database, { log: (level, msg, fields) => log[level](msg, { component: 'mail', ...fields }) });
    const programme = loadProgramme(settings.programmeFile ?? undefined);
    const consoleStore = new SqlConsoleStore(database, false);
    pdfRenderer = documentPdfRenderer(settings, log);
    const activities = createActivities({
      dataDir: settings.dataDir,
      database,
      programme,
      // SSJ_CALENDAR: read at each campaignCalendar, so a year added there reaches a step parked for it on resume.
      ...(settings.calendarFile ? { calendarFile: settings.calendarFile } : {}),
      mail: mailer,
      keyring,
      // SSJ_ALLOW_REHEARSAL_CLOCK: prepareCampaign refuses a rehearsal clock unless this worker allows it.
      allowRehearsalClock: settings.allowRehearsalClock,
      consoleUrl: settings.consolePublicUrl,
      consoleStore,
      documentPdf: pdfRenderer,
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
      ...WORKFLOW_ACTIVATION_TIMEOUT,
    });
    const m = mailer;
    const db = database;
    const pdf = pdfRenderer;
    return {
      worker,
      identity,
      async close() {
        await pdf?.close();
        await m.close();
        await db.close();
        await connection.close();
      },
    };
  } catch (err) {
    await pdfRenderer?.close();
    await mailer?.close();
    await database?.close().catch(() => undefined);
    await connection.close();
    throw err;
  }
}

/**
 * The worker's one PDF renderer (one browser, started at the first document, closed with the
 * worker), or null when SSJ_DOCUMENT_PDF=false. A host without Chromium still gets one: each
 * document then goes as HTML with the gap recorded, and installing Chromium needs no restart.
 */
function documentPdfRenderer(settings: RuntimeSettings, log: JsonLogger): DocumentPdfRenderer | null {
  if (!settings.documentPdf) return null;
  const problem = pdfRenderingProblem();
  if (problem) log.warn('official documents go as HTML only (each one recorded) until this is fixed, or set SSJ_DOCUMENT_PDF=false', { error: problem });
  else log.info('official documents go as A4 PDF beside the HTML', { chromium: findChromium() });
  return new DocumentPdfRenderer();
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
