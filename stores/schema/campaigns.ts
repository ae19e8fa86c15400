// The campaign store's tables (stores/campaign-store.ts): what the quarter's workflows refer to by
// id. Portable SQL; only the append-only triggers differ per dialect (appendOnly in migrations.ts).
import type { Dialect } from '../sql';

const TABLES = `
  CREATE TABLE campaigns (
    campaign_id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    roster_json TEXT,
    manifest_dir TEXT,
    manifest_digest TEXT,
    frozen_as_of TEXT,
    record_json TEXT,
    seed_commitment TEXT,
    stats_json TEXT,
    publication_json TEXT
  );
  -- One campaign per programme quarter: the first campaign prepared claims it; the claim never moves.
  CREATE TABLE quarter_campaigns (
    programme_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    campaign_id TEXT NOT NULL UNIQUE,
    PRIMARY KEY (programme_id, year, quarter)
  );
  CREATE TABLE change_lists (
    campaign_id TEXT NOT NULL,
    brigade TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    batch_id TEXT,
    on_date TEXT NOT NULL,
    PRIMARY KEY (campaign_id, brigade)
  );
  CREATE TABLE replacements (
    campaign_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    key TEXT NOT NULL UNIQUE,
    entry_json TEXT NOT NULL,
    PRIMARY KEY (campaign_id, seq)
  );
  CREATE TABLE results (
    campaign_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    report_json TEXT NOT NULL,
    on_time INTEGER NOT NULL CHECK (on_time IN (0, 1)),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
  );
  CREATE TABLE handlings (
    campaign_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    handling TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
  );
  -- Official document numbers (发文登记): each kind's yearly series counts up in one row, so a
  -- number is taken by one statement that two hosts cannot both win.
  CREATE TABLE document_series (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
  );
  -- Every number taken: reserved for a key, then issued with its document, or voided with the
  -- reason (a gap in the series is always explained). A voided number lets go of its key
  -- (kept in voided_key), so the same key may take a new number later.
  CREATE TABLE documents (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    number TEXT NOT NULL UNIQUE,
    key TEXT UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('reserved', 'issued', 'voided')),
    campaign_id TEXT,
    unit_id TEXT,
    recipient TEXT NOT NULL,
    title TEXT,
    html TEXT,
    text TEXT,
    reserved_at TEXT NOT NULL,
    issued_at TEXT,
    voided_key TEXT,
    void_reason TEXT,
    voided_at TEXT,
    PRIMARY KEY (kind, year, seq),
    CHECK (status <> 'issued' OR (key IS NOT NULL AND text IS NOT NULL)),
    CHECK (status <> 'voided' OR (key IS NULL AND voided_key IS NOT NULL AND void_reason IS NOT NULL))
  );
  CREATE INDEX documents_by_campaign ON documents (campaign_id, status);
  CREATE TABLE events (
    key TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id TEXT,
    detail_json TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX events_by_campaign ON events (campaign_id, kind);
  -- ssj-draw/2 witness ceremonies: the void ones and the one that drew, published with the campaign.
  CREATE TABLE ceremonies (
    campaign_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('void', 'drawn')),
    ceremony_json TEXT NOT NULL,
    PRIMARY KEY (campaign_id, number)
  );
  -- Internal notes beside reason codes (recusals, closures, decisions): staff only, never published.
  CREATE TABLE notes (
    key TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    unit_id TEXT,
    kind TEXT NOT NULL,
    reason_code TEXT,
    note TEXT NOT NULL,
    by_person TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX notes_by_campaign ON notes (campaign_id, unit_id);
`;

/** The append-only tables: the replacements list, quarter claims and recorded ceremonies. */
const APPEND_ONLY = ['replacements', 'quarter_campaigns', 'ceremonies'];

/** The migration's text per dialect; `appendOnly` is migrations.ts's trigger builder (passed in to avoid an import cycle). */
export function campaignTables(appendOnly: (table: string) => Record<Dialect, string>): Record<Dialect, string> {
  const triggers = (d: Dialect) => APPEND_ONLY.map((t) => appendOnly(t)[d]).join('\n');
  return { sqlite: TABLES + triggers('sqlite'), postgres: TABLES + triggers('postgres') };
}
