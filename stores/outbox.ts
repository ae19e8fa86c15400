// The mail outbox on the shared store: one row per notice key, recording the intent to send before
// the SMTP conversation and the server's answer after it. It is what makes sendNotice idempotent
// across activity retries, worker restarts and hosts: a key marked `sent` is never sent again.
//
// States: sending (an attempt holds the lease) → sent | failed (refused or not reached; the next
// attempt sends). A `sending` row whose lease ran out means an attempt died between claiming and
// recording: whether the server accepted the message is unknown. The next attempt sends again (a
// notice is better twice than never), with the same Message-ID so the duplicate is recognisable,
// and the row counts it in `uncertain_resends`. So does an attempt that handed the whole message
// over and then lost the connection before the server's reply (markUncertain): its row stays
// `sending` with the lease given back.
//
// The claim is one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE the lease is free), so of
// any number of attempts on any number of hosts exactly one holds a notice at a time: PostgreSQL
// locks the conflicting row and re-checks the WHERE on its latest version; SQLite runs the
// statement under its write lock.
import type { SqlDatabase } from './sql';

export type OutboxStatus = 'sending' | 'sent' | 'failed';

export interface RefusedAddress {
  address: string;
  /** The server's reply, e.g. `550 5.1.1 No such user`. */
  reason: string;
}

export interface OutboxRow {
  key: string;
  messageId: string;
  contentDigest: string;
  recipients: string[];
  subject: string;
  status: OutboxStatus;
  attempts: number;
  uncertainResends: number;
  /** Who holds the notice while it is `sending` (one attempt on one host). */
  leaseHolder: string | null;
  /** ISO-8601 UTC; null once sent or failed. */
  leaseExpiresAt: string | null;
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

export interface NewNotice {
  key: string;
  messageId: string;
  contentDigest: string;
  recipients: string[];
  subject: string;
}

export type Claim =
  /** Send now; `uncertain`: an earlier attempt died mid-send, this may be a second copy. */
  | { kind: 'send'; row: OutboxRow; uncertain: boolean }
  | { kind: 'already-sent'; row: OutboxRow }
  /** Another attempt holds the lease (or just finished with it): try again later. */
  | { kind: 'busy'; row: OutboxRow };

export interface SmtpAnswer {
  response: string;
  accepted: string[];
  rejected: string[];
  refused?: RefusedAddress[];
}

interface DbRow {
  notice_key: string;
  message_id: string;
  content_digest: string;
  recipients_json: string;
  subject: string;
  status: OutboxStatus;
  attempts: number | string;
  uncertain_resends: number | string;
  claim_uncertain: number | string;
  lease_holder: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  smtp_response: string | null;
  accepted_json: string;
  rejected_json: string;
  refused_json: string;
  last_error: string | null;
}

export class MailOutbox {
  constructor(private readonly db: SqlDatabase) {}

  /** Decides what this attempt may do in one statement, taking the lease for `holder` when it may send. */
  async claim(notice: NewNotice, holder: string, now: Date, leaseMs: number): Promise<Claim> {
    const iso = now.toISOString();
    const [taken] = await this.db.all<DbRow>(
      `INSERT INTO mail_outbox (notice_key, message_id, content_digest, recipients_json, subject, status, attempts,
         uncertain_resends, claim_uncertain, lease_holder, lease_expires_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'sending', 1, 0, 0, ?, ?, ?, ?)
       ON CONFLICT (notice_key) DO UPDATE SET
         status = 'sending',
         attempts = mail_outbox.attempts + 1,
         claim_uncertain = CASE WHEN mail_outbox.status = 'sending' THEN 1 ELSE 0 END,
         uncertain_resends = mail_outbox.uncertain_resends + CASE WHEN mail_outbox.status = 'sending' THEN 1 ELSE 0 END,
         lease_holder = excluded.lease_holder,
         lease_expires_at = excluded.lease_expires_at,
         updated_at = excluded.updated_at,
         content_digest = excluded.content_digest,
         recipients_json = excluded.recipients_json,
         subject = excluded.subject
       WHERE mail_outbox.status = 'failed' OR (mail_outbox.status = 'sending' AND mail_outbox.lease_expires_at <= ?)
       RETURNING *`,
      [notice.key, notice.messageId, notice.contentDigest, JSON.stringify(notice.recipients), notice.subject, holder, new Date(now.getTime() + leaseMs).toISOString(), iso, iso, iso],
    );
    if (taken) return { kind: 'send', row: toRow(taken), uncertain: Number(taken.claim_uncertain) === 1 };
    const row = await this.mustGet(notice.key);
    return row.status === 'sent' ? { kind: 'already-sent', row } : { kind: 'busy', row };
  }

  /**
   * Records the server's answer. Also when `holder` lost its lease meanwhile (its attempt outlived
   * the lease and another took over): the message did go out, and that is what counts. `duplicate`
   * when another attempt had already recorded it as sent, so this one delivered a second copy
   * (already counted in uncertainResends when that attempt claimed).
   */
  async markSent(key: string, now: Date, answer: SmtpAnswer): Promise<{ row: OutboxRow; duplicate: boolean }> {
    const iso = now.toISOString();
    const [updated] = await this.db.all<DbRow>(
      `UPDATE mail_outbox SET status = 'sent', lease_holder = NULL, lease_expires_at = NULL, claim_uncertain = 0, sent_at = ?, updated_at = ?,
         smtp_response = ?, accepted_json = ?, rejected_json = ?, refused_json = ?, last_error = NULL
       WHERE notice_key = ? AND status <> 'sent'
       RETURNING *`,
      [iso, iso, answer.response, JSON.stringify(answer.accepted), JSON.stringify(answer.rejected), JSON.stringify(answer.refused ?? []), key],
    );
    return updated ? { row: toRow(updated), duplicate: false } : { row: await this.mustGet(key), duplicate: true };
  }

  /** The attempt did not deliver; only while `holder` still holds the notice (never undoes another attempt's claim). */
  async markFailed(key: string, holder: string, now: Date, error: string): Promise<void> {
    await this.db.run(
      `UPDATE mail_outbox SET status = 'failed', lease_holder = NULL, lease_expires_at = NULL, claim_uncertain = 0, updated_at = ?, last_error = ?
       WHERE notice_key = ? AND status = 'sending' AND lease_holder = ?`,
      [now.toISOString(), error, key, holder],
    );
  }

  /**
   * The attempt sent the whole message but got no reply (the connection was lost or timed out after
   * the end of data): the server may have accepted it. The row stays `sending`, its lease given
   * back at once, so the next attempt sends again as uncertain (counted), as after a crash, never
   * as a clean failure that would hide a possible second copy.
   */
  async markUncertain(key: string, holder: string, now: Date, error: string): Promise<void> {
    const iso = now.toISOString();
    await this.db.run(
      `UPDATE mail_outbox SET lease_expires_at = ?, updated_at = ?, last_error = ?
       WHERE notice_key = ? AND status = 'sending' AND lease_holder = ?`,
      [iso, iso, error, key, holder],
    );
  }

  async get(key: string): Promise<OutboxRow | null> {
    const r = await this.db.get<DbRow>('SELECT * FROM mail_outbox WHERE notice_key = ?', [key]);
    return r ? toRow(r) : null;
  }

  /** Every row, oldest first (optionally only those with one status): for status pages and audits. */
  async list(filter: { status?: OutboxStatus } = {}): Promise<OutboxRow[]> {
    const rows = filter.status
      ? await this.db.all<DbRow>('SELECT * FROM mail_outbox WHERE status = ? ORDER BY created_at, notice_key', [filter.status])
      : await this.db.all<DbRow>('SELECT * FROM mail_outbox ORDER BY created_at, notice_key');
    return rows.map(toRow);
  }

  private async mustGet(key: string): Promise<OutboxRow> {
    const r = await this.get(key);
    if (!r) throw new Error(`mail_outbox: no row for notice ${key}`);
    return r;
  }
}

function toRow(r: DbRow): OutboxRow {
  return {
    key: r.notice_key,
    messageId: r.message_id,
    contentDigest: r.content_digest,
    recipients: JSON.parse(r.recipients_json) as string[],
    subject: r.subject,
    status: r.status,
    attempts: Number(r.attempts),
    uncertainResends: Number(r.uncertain_resends),
    leaseHolder: r.lease_holder,
    leaseExpiresAt: r.lease_expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
    smtpResponse: r.smtp_response,
    accepted: JSON.parse(r.accepted_json) as string[],
    rejected: JSON.parse(r.rejected_json) as string[],
    refused: JSON.parse(r.refused_json) as RefusedAddress[],
    lastError: r.last_error,
  };
}
