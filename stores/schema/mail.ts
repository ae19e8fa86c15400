// The mail tables (stores/outbox.ts, stores/notice-problems.ts): the outbox, one row per notice
// key, and the log of notices that did not reach everyone. Portable SQL but for the triggers that
// keep a sent notice final and every outbox row forever, which have no common form.
import type { Dialect } from '../sql';

const TABLES = `
  CREATE TABLE mail_outbox (
    notice_key TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    recipients_json TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    uncertain_resends INTEGER NOT NULL DEFAULT 0,
    -- 1 when the attempt now holding the lease found an earlier one dead mid-send.
    claim_uncertain INTEGER NOT NULL DEFAULT 0 CHECK (claim_uncertain IN (0, 1)),
    lease_holder TEXT,
    lease_expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    smtp_response TEXT,
    accepted_json TEXT NOT NULL DEFAULT '[]',
    rejected_json TEXT NOT NULL DEFAULT '[]',
    refused_json TEXT NOT NULL DEFAULT '[]',
    last_error TEXT
  );
  CREATE INDEX mail_outbox_status ON mail_outbox (status, created_at);

  CREATE TABLE notice_problems (
    notice_key TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('partly-sent', 'refused', 'nobody-reachable')),
    subject TEXT NOT NULL,
    sent_to_json TEXT NOT NULL,
    refused_json TEXT NOT NULL,
    at TEXT NOT NULL,
    alert_json TEXT
  );
  CREATE INDEX notice_problems_campaign ON notice_problems (campaign_id, at);
`;

/** Migration text per dialect: the tables, and triggers refusing to reopen a sent notice or delete one. */
export const MAIL_SCHEMA: Record<Dialect, string> = {
  sqlite:
    TABLES +
    `
  CREATE TRIGGER mail_outbox_sent_is_final BEFORE UPDATE ON mail_outbox WHEN OLD.status = 'sent'
    BEGIN SELECT RAISE(ABORT, 'mail_outbox: a sent notice is final'); END;
  CREATE TRIGGER mail_outbox_no_delete BEFORE DELETE ON mail_outbox
    BEGIN SELECT RAISE(ABORT, 'mail_outbox: notices are never deleted'); END;`,
  // EXECUTE PROCEDURE (not FUNCTION), as in migration 1, for openGauss.
  postgres:
    TABLES +
    `
  CREATE FUNCTION ssj_outbox_sent_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'mail_outbox: a sent notice is final' USING ERRCODE = 'restrict_violation'; END
  $$;
  CREATE TRIGGER mail_outbox_sent_is_final BEFORE UPDATE ON mail_outbox
    FOR EACH ROW WHEN (OLD.status = 'sent') EXECUTE PROCEDURE ssj_outbox_sent_is_final();
  CREATE TRIGGER mail_outbox_no_delete BEFORE DELETE ON mail_outbox
    FOR EACH ROW EXECUTE PROCEDURE ssj_refuse_change();
  CREATE TRIGGER mail_outbox_no_truncate BEFORE TRUNCATE ON mail_outbox
    FOR EACH STATEMENT EXECUTE PROCEDURE ssj_refuse_change();`,
};
