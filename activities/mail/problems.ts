// Notices that did not reach everyone they were for: a recipient the SMTP server refused for good,
// a malformed or missing address in the registry, nobody holding a role. Notices are best-effort
// (a quarter never fails for an address), so each such notice is recorded here once, by its key,
// with what went wrong and whether operations were alerted; `ssj quarter status` reads it back.
//
// One SQLite file beside the outbox: <dataDir>/notice-problems.db.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openMailDatabase } from './outbox';

export type DeliveryStatus = 'sent' | 'partly-sent' | 'refused' | 'nobody-reachable';

/** Why a recipient was not reached. */
export type RefusalCode = 'smtp-refused' | 'malformed-address' | 'no-address' | 'not-in-roster' | 'no-holder';

export interface RefusedRecipient {
  /** The address tried, or null when there was none to try. */
  address: string | null;
  person?: { id: string; name: string };
  department?: { id: string; name: string };
  /** A role nobody holds (code `no-holder`). */
  role?: string;
  code: RefusalCode;
  /** The server's reply or the registry's problem, as it stands. */
  reason: string;
}

export interface NoticeProblem {
  /** The notice's key (outbox key). */
  key: string;
  campaignId: string;
  kind: string;
  unitId: string | null;
  status: Exclude<DeliveryStatus, 'sent'>;
  subject: string;
  sentTo: string[];
  refused: RefusedRecipient[];
  /** The notice's programme time (the workflow's `at`). */
  at: string;
  /** The alert to operations: null until it is sent (or found impossible). */
  alert: { key: string; status: DeliveryStatus; sentTo: string[] } | null;
}

export const NOTICE_PROBLEMS_FILE = 'notice-problems.db';

export class NoticeProblemLog {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    this.db = openMailDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS notice_problems (
        key          TEXT PRIMARY KEY,
        campaign_id  TEXT NOT NULL,
        kind         TEXT NOT NULL,
        unit_id      TEXT,
        status       TEXT NOT NULL CHECK (status IN ('partly-sent', 'refused', 'nobody-reachable')),
        subject      TEXT NOT NULL,
        sent_to      TEXT NOT NULL,
        refused      TEXT NOT NULL,
        at           TEXT NOT NULL,
        alert        TEXT
      );
      CREATE INDEX IF NOT EXISTS notice_problems_campaign ON notice_problems (campaign_id, at);
    `);
  }

  /** Records the problem once per key; a retry keeps the first record. True when this call recorded it. */
  record(p: Omit<NoticeProblem, 'alert'>): boolean {
    const r = this.db
      .prepare(
        `INSERT OR IGNORE INTO notice_problems (key, campaign_id, kind, unit_id, status, subject, sent_to, refused, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.key, p.campaignId, p.kind, p.unitId, p.status, p.subject, JSON.stringify(p.sentTo), JSON.stringify(p.refused), p.at);
    return r.changes === 1;
  }

  setAlert(key: string, alert: NonNullable<NoticeProblem['alert']>): void {
    this.db.prepare('UPDATE notice_problems SET alert = ? WHERE key = ?').run(JSON.stringify(alert), key);
  }

  get(key: string): NoticeProblem | null {
    const r = this.db.prepare('SELECT * FROM notice_problems WHERE key = ?').get(key) as DbRow | undefined;
    return r ? toProblem(r) : null;
  }

  list(campaignId: string): NoticeProblem[] {
    return (this.db.prepare('SELECT * FROM notice_problems WHERE campaign_id = ? ORDER BY at, key').all(campaignId) as DbRow[]).map(toProblem);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The campaign's notice problems, oldest first; none when nothing was ever recorded. For the client. */
export function noticeProblems(dataDir: string, campaignId: string): NoticeProblem[] {
  const file = path.join(dataDir, NOTICE_PROBLEMS_FILE);
  if (!fs.existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    return (db.prepare('SELECT * FROM notice_problems WHERE campaign_id = ? ORDER BY at, key').all(campaignId) as DbRow[]).map(toProblem);
  } finally {
    db.close();
  }
}

interface DbRow {
  key: string;
  campaign_id: string;
  kind: string;
  unit_id: string | null;
  status: NoticeProblem['status'];
  subject: string;
  sent_to: string;
  refused: string;
  at: string;
  alert: string | null;
}

function toProblem(r: DbRow): NoticeProblem {
  return {
    key: r.key,
    campaignId: r.campaign_id,
    kind: r.kind,
    unitId: r.unit_id,
    status: r.status,
    subject: r.subject,
    sentTo: JSON.parse(r.sent_to) as string[],
    refused: JSON.parse(r.refused) as RefusedRecipient[],
    at: r.at,
    alert: r.alert ? (JSON.parse(r.alert) as NoticeProblem['alert']) : null,
  };
}
