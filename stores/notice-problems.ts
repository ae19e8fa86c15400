// Notices that did not reach everyone they were for: a recipient the SMTP server refused for good,
// a malformed or missing address in the registry, nobody holding a role. Notices are best-effort
// (a quarter never fails for an address), so each such notice is recorded here once, by its key,
// with what went wrong and whether operations were alerted; `ssj quarter status` reads it back.
// On the shared store, so every worker host records into, and the command line reads, one log.
import type { SqlDatabase } from './sql';

export type DeliveryStatus = 'sent' | 'partly-sent' | 'refused' | 'nobody-reachable';

/** Why a recipient was not reached (pdf-missing: reached, but an official document went without its PDF). */
export type RefusalCode = 'smtp-refused' | 'malformed-address' | 'no-address' | 'not-in-roster' | 'no-holder' | 'pdf-missing';

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

export interface NoticeAlert {
  key: string;
  status: DeliveryStatus;
  sentTo: string[];
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
  alert: NoticeAlert | null;
}

/** A notice_problems row as the database returns it. */
export interface NoticeProblemRow {
  notice_key: string;
  campaign_id: string;
  kind: string;
  unit_id: string | null;
  status: NoticeProblem['status'];
  subject: string;
  sent_to_json: string;
  refused_json: string;
  at: string;
  alert_json: string | null;
}

export class NoticeProblemLog {
  constructor(private readonly db: SqlDatabase) {}

  /** Records the problem once per key; a retry keeps the first record. True when this call recorded it. */
  async record(p: Omit<NoticeProblem, 'alert'>): Promise<boolean> {
    const r = await this.db.run(
      `INSERT INTO notice_problems (notice_key, campaign_id, kind, unit_id, status, subject, sent_to_json, refused_json, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (notice_key) DO NOTHING`,
      [p.key, p.campaignId, p.kind, p.unitId, p.status, p.subject, JSON.stringify(p.sentTo), JSON.stringify(p.refused), p.at],
    );
    return r.changes === 1;
  }

  /** Notes the alert sent to operations about the problem `key` (a retry writes the same again). */
  async setAlert(key: string, alert: NoticeAlert): Promise<void> {
    await this.db.run('UPDATE notice_problems SET alert_json = ? WHERE notice_key = ?', [JSON.stringify(alert), key]);
  }

  async get(key: string): Promise<NoticeProblem | null> {
    const r = await this.db.get<NoticeProblemRow>('SELECT * FROM notice_problems WHERE notice_key = ?', [key]);
    return r ? toProblem(r) : null;
  }

  /** The campaign's problems, oldest first. */
  async list(campaignId: string): Promise<NoticeProblem[]> {
    return (await this.db.all<NoticeProblemRow>('SELECT * FROM notice_problems WHERE campaign_id = ? ORDER BY at, notice_key', [campaignId])).map(toProblem);
  }
}

export function toProblem(r: NoticeProblemRow): NoticeProblem {
  return {
    key: r.notice_key,
    campaignId: r.campaign_id,
    kind: r.kind,
    unitId: r.unit_id,
    status: r.status,
    subject: r.subject,
    sentTo: JSON.parse(r.sent_to_json) as string[],
    refused: JSON.parse(r.refused_json) as RefusedRecipient[],
    at: r.at,
    alert: r.alert_json ? (JSON.parse(r.alert_json) as NoticeAlert) : null,
  };
}
