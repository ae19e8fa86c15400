// The outbox: one row per notice key, recording the intent to send before the SMTP conversation
// and the server's answer after it. It is what makes sendNotice idempotent across activity
// retries and worker restarts: a key marked `sent` is never sent again.
//
// States: sending (an attempt holds a lease) → sent | failed (definitely refused or not reached;
// the next attempt sends). A `sending` row whose lease has run out means an attempt died between
// claiming and recording: whether the server accepted the message is unknown. The next attempt
// sends again (a notice is better twice than never), with the same Message-ID so the duplicate is
// recognisable, and the row counts it in `uncertain_resends`.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type OutboxStatus = 'sending' | 'sent' | 'failed';

export interface OutboxRow {
  key: string;
  messageId: string;
  contentDigest: string;
  recipients: string[];
  subject: string;
  status: OutboxStatus;
  attempts: number;
  uncertainResends: number;
  leaseUntil: number | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  smtpResponse: string | null;
  accepted: string[];
  rejected: string[];
  /** The server's answer for each rejected recipient (a partly delivered notice). */
  refused: RefusedAddress[];
  lastError: string | null;
}

export interface RefusedAddress {
  address: string;
  /** The server's reply, e.g. `550 5.1.1 No such user`. */
  reason: string;
}

export type Claim =
  | { kind: 'send'; row: OutboxRow; uncertain: boolean }
  | { kind: 'already-sent'; row: OutboxRow }
  | { kind: 'busy'; row: OutboxRow };

export interface NewNotice {
  key: string;
  messageId: string;
  contentDigest: string;
  recipients: string[];
  subject: string;
}

interface DbRow {
  key: string;
  message_id: string;
  content_digest: string;
  recipients: string;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  uncertain_resends: number;
  lease_until: number | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  smtp_response: string | null;
  accepted: string;
  rejected: string;
  refused: string | null;
  last_error: string | null;
}

/** A mail SQLite file (outbox, notice problems): WAL, and a wait on the lock, as several worker processes on one host may share it. */
export function openMailDatabase(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  return db;
}

export class Outbox {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    this.db = openMailDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS notices (
        key               TEXT PRIMARY KEY,
        message_id        TEXT NOT NULL,
        content_digest    TEXT NOT NULL,
        recipients        TEXT NOT NULL,
        subject           TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        attempts          INTEGER NOT NULL DEFAULT 0,
        uncertain_resends INTEGER NOT NULL DEFAULT 0,
        lease_until       INTEGER,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        sent_at           TEXT,
        smtp_response     TEXT,
        accepted          TEXT NOT NULL DEFAULT '[]',
        rejected          TEXT NOT NULL DEFAULT '[]',
        last_error        TEXT
      );
      -- A sent notice stays sent: nothing may move it back or delete it.
      CREATE TRIGGER IF NOT EXISTS notices_sent_is_final BEFORE UPDATE ON notices
        WHEN OLD.status = 'sent' BEGIN SELECT RAISE(ABORT, 'outbox: a sent notice is final'); END;
      CREATE TRIGGER IF NOT EXISTS notices_no_delete BEFORE DELETE ON notices
        BEGIN SELECT RAISE(ABORT, 'outbox: notices are never deleted'); END;
    `);
    // Outbox files from before per-recipient refusals were kept gain the column.
    const columns = this.db.prepare('PRAGMA table_info(notices)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'refused')) this.db.exec('ALTER TABLE notices ADD COLUMN refused TEXT');
  }

  /** Atomically decides what this attempt may do, and takes the lease when it may send. */
  claim(notice: NewNotice, now: number, leaseMs: number): Claim {
    const tx = this.db.transaction((): Claim => {
      const existing = this.getRaw(notice.key);
      const iso = new Date(now).toISOString();
      if (!existing) {
        this.db
          .prepare(
            `INSERT INTO notices (key, message_id, content_digest, recipients, subject, status, attempts, lease_until, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'sending', 1, ?, ?, ?)`,
          )
          .run(notice.key, notice.messageId, notice.contentDigest, JSON.stringify(notice.recipients), notice.subject, now + leaseMs, iso, iso);
        return { kind: 'send', row: this.mustGet(notice.key), uncertain: false };
      }
      if (existing.status === 'sent') return { kind: 'already-sent', row: toRow(existing) };
      if (existing.status === 'sending' && (existing.lease_until ?? 0) > now) return { kind: 'busy', row: toRow(existing) };
      const uncertain = existing.status === 'sending';
      this.db
        .prepare(
          `UPDATE notices SET status = 'sending', attempts = attempts + 1, uncertain_resends = uncertain_resends + ?,
             lease_until = ?, updated_at = ?, content_digest = ?, recipients = ?, subject = ? WHERE key = ?`,
        )
        .run(uncertain ? 1 : 0, now + leaseMs, iso, notice.contentDigest, JSON.stringify(notice.recipients), notice.subject, notice.key);
      return { kind: 'send', row: this.mustGet(notice.key), uncertain };
    });
    return tx.immediate();
  }

  markSent(key: string, now: number, result: { response: string; accepted: string[]; rejected: string[]; refused?: RefusedAddress[] }): OutboxRow {
    const iso = new Date(now).toISOString();
    this.db
      .prepare(
        `UPDATE notices SET status = 'sent', lease_until = NULL, sent_at = ?, updated_at = ?, smtp_response = ?,
           accepted = ?, rejected = ?, refused = ?, last_error = NULL WHERE key = ? AND status = 'sending'`,
      )
      .run(iso, iso, result.response, JSON.stringify(result.accepted), JSON.stringify(result.rejected), JSON.stringify(result.refused ?? []), key);
    return this.mustGet(key);
  }

  markFailed(key: string, now: number, error: string): void {
    this.db
      .prepare(`UPDATE notices SET status = 'failed', lease_until = NULL, updated_at = ?, last_error = ? WHERE key = ? AND status = 'sending'`)
      .run(new Date(now).toISOString(), error, key);
  }

  get(key: string): OutboxRow | null {
    const r = this.getRaw(key);
    return r ? toRow(r) : null;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private getRaw(key: string): DbRow | undefined {
    return this.db.prepare('SELECT * FROM notices WHERE key = ?').get(key) as DbRow | undefined;
  }

  private mustGet(key: string): OutboxRow {
    const r = this.getRaw(key);
    if (!r) throw new Error(`outbox: no row for ${key}`);
    return toRow(r);
  }
}

function toRow(r: DbRow): OutboxRow {
  return {
    key: r.key,
    messageId: r.message_id,
    contentDigest: r.content_digest,
    recipients: JSON.parse(r.recipients) as string[],
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    uncertainResends: r.uncertain_resends,
    leaseUntil: r.lease_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
    smtpResponse: r.smtp_response,
    accepted: JSON.parse(r.accepted) as string[],
    rejected: JSON.parse(r.rejected) as string[],
    refused: r.refused ? (JSON.parse(r.refused) as RefusedAddress[]) : [],
    lastError: r.last_error,
  };
}
