// One sending process of tests/store-outbox-processes.test.ts: a worker's mailer on the store named
// by SSJ_DATABASE_URL / SSJ_DATA_DIR, sending notices to an SMTP server on loopback. It prints
// "ready", waits for "go" on stdin (so both processes start together), then sends every key as
// an activity with retries would: a notice another attempt holds (MailBusy) is tried again later.
// Prints what it sent as JSON. startMailRacer() runs it from a test.
import { createMailer, MailBusyError, type Notice } from '../../mail/mailer';
import { openStoreDatabase, storeSettingsFromEnv, type StoreSettings } from '../../stores/open';
import { startRacingProcess, type RacingProcess } from './racing-process';

export interface MailRacerConfig {
  name: string;
  keys: string[];
  smtpPort: number;
  leaseMs: number;
  /** Notices in flight at once. */
  concurrency: number;
}

export interface MailRacerReport {
  name: string;
  /** Keys this process delivered. */
  sent: string[];
  /** Keys it found delivered by the other. */
  alreadySent: string[];
  /** How often it was told another attempt held a key. */
  busy: number;
}

export const RACE_MAIL_FROM = { name: '信阳市生态环境综合行政执法支队', address: 'ssj@bureau.example.cn' };

export function raceNotice(key: string): Notice {
  return { key, to: ['dadui1@bureau.example.cn'], subject: `【抽查任务通知】${key}`, text: `请按期完成现场检查。（${key}）` };
}

/** Starts one sending process (tests/helpers/racing-process.ts's protocol). */
export function startMailRacer(settings: StoreSettings, cfg: MailRacerConfig): RacingProcess<MailRacerReport> {
  return startRacingProcess<MailRacerReport>(__filename, settings, cfg);
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]!) as MailRacerConfig;
  const db = await openStoreDatabase(storeSettingsFromEnv());
  const mailer = createMailer({ smtp: { host: '127.0.0.1', port: cfg.smtpPort, secure: false, user: null, pass: null }, mailFrom: RACE_MAIL_FROM }, db, {
    leaseMs: cfg.leaseMs,
  });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const report: MailRacerReport = { name: cfg.name, sent: [], alreadySent: [], busy: 0 };
  const queue = [...cfg.keys];
  const sender = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      try {
        const r = await mailer.sendNotice(raceNotice(key));
        (r.outcome === 'sent' ? report.sent : report.alreadySent).push(key);
      } catch (e) {
        if (!(e instanceof MailBusyError)) throw e;
        report.busy += 1;
        queue.push(key); // the other holds it: come back to it, as Temporal's retry would
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, sender));
  await mailer.close();
  await db.close();
  process.stdout.write(JSON.stringify(report) + '\n');
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
