// Upgrading a host that kept its mail state in its own files: <dataDir>/outbox.db and
// <dataDir>/notice-problems.db (before the shared store). Their rows are copied into the store
// once, at worker start, so a notice sent before the upgrade is not sent again by an activity
// retried after it, and `ssj quarter status` keeps showing earlier problems. The files are then
// renamed *.imported (kept, not deleted). Idempotent: rows already in the store win, and a start
// that dies midway copies again next time.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDatabase, SqlExecutor } from '../stores/sql';

export const LEGACY_OUTBOX_FILE = 'outbox.db';
export const LEGACY_NOTICE_PROBLEMS_FILE = 'notice-problems.db';
/** The lease holder named on a notice an old outbox left `sending`. */
export const LEGACY_HOLDER = 'legacy outbox.db';

export interface LegacyImport {
  notices: number;
  problems: number;
}

/** Copies the data folder's old mail files into the store and renames them; counts the rows copied. */
export async function importLegacyMailFiles(db: SqlDatabase, dataDir: string): Promise<LegacyImport> {
  const notices = await importFile(db, path.join(dataDir, LEGACY_OUTBOX_FILE), 'notices', copyNotice);
  const problems = await importFile(db, path.join(dataDir, LEGACY_NOTICE_PROBLEMS_FILE), 'notice_problems', copyProblem);
  return { notices, problems };
}

/** The old files' rows, as better-sqlite3 reads them. */
interface LegacyNotice {
  key: string;
  message_id: string;
  content_digest: string;
  recipients: string;
  subject: string;
  status: string;
  attempts: number;
  uncertain_resends: number;
  lease_until: number | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  smtp_response: string | null;
  accepted: string;
  rejected: string;
  /** Absent in files from before per-recipient refusals were kept. */
  refused?: string | null;
  last_error: string | null;
}

interface LegacyProblem {
  key: string;
  campaign_id: string;
  kind: string;
  unit_id: string | null;
  status: string;
  subject: string;
  sent_to: string;
  refused: string;
  at: string;
  alert: string | null;
}

async function importFile<Row>(db: SqlDatabase, file: string, table: string, copy: (tx: SqlExecutor, r: Row) => Promise<number>): Promise<number> {
  if (!fs.existsSync(file)) return 0;
  let rows: Row[];
  const old = new Database(file, { fileMustExist: true });
  try {
    old.pragma('busy_timeout = 10000');
    const exists = old.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    rows = exists ? (old.prepare(`SELECT * FROM ${table}`).all() as Row[]) : [];
  } finally {
    old.close();
  }
  let copied = 0;
  await db.transaction(async (tx) => {
    for (const r of rows) copied += await copy(tx, r);
  });
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.renameSync(file + suffix, `${file}.imported${suffix}`);
    } catch (err) {
      // Another worker on this host imported it at the same moment, or there was no such file.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return copied;
}

async function copyNotice(tx: SqlExecutor, r: LegacyNotice): Promise<number> {
  const sending = r.status === 'sending';
  const { changes } = await tx.run(
    `INSERT INTO mail_outbox (notice_key, message_id, content_digest, recipients_json, subject, status, attempts, uncertain_resends,
       lease_holder, lease_expires_at, created_at, updated_at, sent_at, smtp_response, accepted_json, rejected_json, refused_json, last_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (notice_key) DO NOTHING`,
    [
      r.key,
      r.message_id,
      r.content_digest,
      r.recipients,
      r.subject,
      r.status,
      r.attempts,
      r.uncertain_resends,
      sending ? LEGACY_HOLDER : null,
      sending ? new Date(Number(r.lease_until ?? 0)).toISOString() : null,
      r.created_at,
      r.updated_at,
      r.sent_at,
      r.smtp_response,
      r.accepted,
      r.rejected,
      r.refused ?? '[]',
      r.last_error,
    ],
  );
  return changes;
}

async function copyProblem(tx: SqlExecutor, r: LegacyProblem): Promise<number> {
  const { changes } = await tx.run(
    `INSERT INTO notice_problems (notice_key, campaign_id, kind, unit_id, status, subject, sent_to_json, refused_json, at, alert_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (notice_key) DO NOTHING`,
    [r.key, r.campaign_id, r.kind, r.unit_id, r.status, r.subject, r.sent_to, r.refused, r.at, r.alert],
  );
  return changes;
}
