// A worker process for the crash tests: `node --import tsx tests/helpers/campaign-worker.ts CONFIG.json`.
// CONFIG (WorkerConfig below): with `smtp` it sends notices as production does, through the real
// outbox (<dataDir>/outbox.db) to that SMTP server; without it, to a recording SQLite file
// (`mailDb`). With codecKeys (key-file JSON, as testKeyring().env.SSJ_CODEC_KEYS) it encrypts
// payloads and names inspections opaquely. `pauseAfterSend` and `pauseWhenWriting` are crash
// points (./crash-points.ts); `shortTimeouts` compresses activity timeouts. Prints "ssj-test-worker ready" once it polls, then runs until killed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type MailSender } from '../../activities';
import { createMailer } from '../../mail/mailer';
import { parseProgramme } from '../../domain/programme';
import { recordingMail } from './campaign-fixture';
import { bundleOptions, ssjDataConverter } from '../../codec/data-converter';
import { Keyring, parseKeyFile } from '../../codec/keyring';
import { pauseAfterSend, pauseWhenWriting } from './crash-points';

export interface WorkerConfig {
  address: string;
  taskQueue: string;
  dataDir: string;
  programmeFile: string;
  mailDb?: string;
  smtp?: { host: string; port: number };
  /** The outbox lease (mailer leaseMs): how long a dead attempt holds a notice. */
  leaseMs?: number;
  codecKeys?: string;
  /** RegExp source: pause after the first notice with a matching key went out. */
  pauseAfterSend?: string;
  pauseWhenWriting?: { under: string; nth: number };
  /** Compressed activity timeouts (./short-activity-timeouts.ts): a dead attempt is retried in seconds. */
  shortTimeouts?: boolean;
}

/** The From address of test notices (Message-IDs are derived from the key and this domain). */
export const TEST_MAIL_FROM = { name: '测试支队', address: 'ssj@bureau.example.cn' };

function mailOf(cfg: WorkerConfig): MailSender {
  if (!cfg.smtp) return recordingMail(cfg.mailDb ?? path.join(cfg.dataDir, 'mail.db'));
  const settings = { smtp: { ...cfg.smtp, secure: false, user: null, pass: null }, mailFrom: TEST_MAIL_FROM };
  return createMailer(settings, cfg.dataDir, { leaseMs: cfg.leaseMs });
}

async function main(): Promise<void> {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as WorkerConfig;
  const programme = parseProgramme(fs.readFileSync(cfg.programmeFile, 'utf8'), cfg.programmeFile);
  const keyring = cfg.codecKeys ? new Keyring(parseKeyFile(cfg.codecKeys, 'codecKeys')) : undefined;
  // The tests run quarters on a rehearsal clock: a worker must be allowed to (spread, so this
  // compiles whether or not the deps declare the setting yet).
  const rehearsal = { allowRehearsalClock: true };
  let activities = createActivities({ dataDir: cfg.dataDir, programme, mail: mailOf(cfg), keyring, ...rehearsal });
  if (cfg.pauseAfterSend) activities = pauseAfterSend(activities, new RegExp(cfg.pauseAfterSend));
  if (cfg.pauseWhenWriting) pauseWhenWriting(cfg.pauseWhenWriting.under, cfg.pauseWhenWriting.nth);
  const noop = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'workflows', 'index.ts'),
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop },
    ...bundleOptions,
    ...(cfg.shortTimeouts ? { workflowInterceptorModules: [path.join(__dirname, 'short-activity-timeouts.ts')] } : {}),
  });
  const connection = await NativeConnection.connect({ address: cfg.address });
  const worker = await Worker.create({
    connection,
    taskQueue: cfg.taskQueue,
    workflowBundle,
    activities,
    stickyQueueScheduleToStartTimeout: '2s',
    ...(keyring ? { dataConverter: ssjDataConverter(keyring) } : {}),
  });
  const running = worker.run();
  console.log('ssj-test-worker ready');
  await running;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
