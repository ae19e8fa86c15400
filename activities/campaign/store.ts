// The campaign store: one SQLite file (<dataDir>/campaign.db) holding what the quarter's workflows
// refer to by id: where each manifest is and its digest, the draw records, the append-only
// replacements lists, results, handling, document numbers, events (reminders, overdue marks) and
// statistics. Every write is keyed so an activity retried after a crash writes nothing twice.
import Database from 'better-sqlite3';
import { ApplicationFailure } from '@temporalio/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DrawRecord, Replacement } from '../../domain/draw/record';
import type { ResultReport } from '../../domain/outcomes';
import type { DocumentKind } from '../../domain/documents';

const MIGRATIONS: string[] = [
  `CREATE TABLE campaigns (
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
   CREATE TRIGGER replacements_no_update BEFORE UPDATE ON replacements
     BEGIN SELECT RAISE(ABORT, 'the replacements list is append-only'); END;
   CREATE TRIGGER replacements_no_delete BEFORE DELETE ON replacements
     BEGIN SELECT RAISE(ABORT, 'the replacements list is append-only'); END;
   CREATE TABLE results (
     campaign_id TEXT NOT NULL,
     unit_id TEXT NOT NULL,
     report_json TEXT NOT NULL,
     on_time INTEGER NOT NULL,
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
   CREATE TABLE documents (
     key TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     year INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     number TEXT NOT NULL UNIQUE,
     campaign_id TEXT,
     unit_id TEXT,
     recipient TEXT NOT NULL,
     title TEXT,
     html TEXT,
     text TEXT,
     UNIQUE (kind, year, seq)
   );
   CREATE TABLE events (
     key TEXT PRIMARY KEY,
     campaign_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     unit_id TEXT,
     detail_json TEXT NOT NULL,
     at TEXT NOT NULL
   );
   CREATE INDEX events_by_campaign ON events (campaign_id, kind);`,
  // ssj-draw/2 witness ceremonies: the void ones and the one that drew, published with the campaign.
  `CREATE TABLE ceremonies (
     campaign_id TEXT NOT NULL,
     number INTEGER NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('void', 'drawn')),
     ceremony_json TEXT NOT NULL,
     PRIMARY KEY (campaign_id, number)
   );
   CREATE TRIGGER ceremonies_no_update BEFORE UPDATE ON ceremonies
     BEGIN SELECT RAISE(ABORT, 'a ceremony, once recorded, is not changed'); END;`,
  // Internal notes beside reason codes (recusals, closures, decisions): staff only, never published.
  `CREATE TABLE notes (
     key TEXT PRIMARY KEY,
     campaign_id TEXT NOT NULL,
     unit_id TEXT,
     kind TEXT NOT NULL,
     reason_code TEXT,
     note TEXT NOT NULL,
     by_person TEXT NOT NULL,
     at TEXT NOT NULL
   );
   CREATE INDEX notes_by_campaign ON notes (campaign_id, unit_id);`,
  // One campaign per programme quarter: a quarter started by its Schedule gets a workflow id with
  // the scheduled time appended, so the id alone cannot stop a second start (by hand, or by the
  // Schedule and by hand). The first campaign prepared claims the quarter; the claim never moves.
  // Files from before keep opening: their first campaign of each quarter (by rowid) is its claim.
  `CREATE TABLE quarter_campaigns (
     programme_id TEXT NOT NULL,
     year INTEGER NOT NULL,
     quarter INTEGER NOT NULL,
     campaign_id TEXT NOT NULL UNIQUE,
     PRIMARY KEY (programme_id, year, quarter)
   );
   CREATE TRIGGER quarter_campaigns_no_update BEFORE UPDATE ON quarter_campaigns
     BEGIN SELECT RAISE(ABORT, 'a programme quarter, once claimed by a campaign, keeps it'); END;
   INSERT OR IGNORE INTO quarter_campaigns (programme_id, year, quarter, campaign_id)
     SELECT programme_id, year, quarter, campaign_id FROM campaigns ORDER BY rowid;`,
];

/** A write or read the store refuses for what is (or is not) in it: retrying changes nothing. */
export class StoreRefusal extends Error {
  override name = 'StoreRefusal';
}

/** The failure type of CampaignQuarterTakenError (non-retryable: the workflow stops before any draw). */
export const CAMPAIGN_QUARTER_TAKEN = 'CampaignQuarterTaken';

/**
 * A second campaign for a programme quarter that another campaign already holds. Thrown from the
 * store (inside prepareCampaign, the campaign's first activity), so the second workflow fails
 * before its freeze and draw; `existingCampaignId` is also in the failure's details.
 */
export class CampaignQuarterTakenError extends ApplicationFailure {
  constructor(
    readonly campaignId: string,
    readonly existingCampaignId: string,
    q: { programmeId: string; year: number; quarter: number },
  ) {
    super(
      `campaign ${campaignId}: programme ${q.programmeId} ${q.year} Q${q.quarter} already has its campaign ${existingCampaignId}; ` +
        'a programme quarter is drawn once, so this campaign stops before its freeze and draw',
      CAMPAIGN_QUARTER_TAKEN,
      true,
      [{ existingCampaignId }],
    );
  }
}

export interface RosterPerson {
  id: string;
  name: string;
  department: string;
  roles: string[];
  email: string | null;
  certificateNo: string | null;
}
export interface RosterDepartment {
  id: string;
  kind: 'section' | 'direct-brigade' | 'county-brigade' | 'agency';
  name: string;
  jurisdiction: string | null;
  email: string | null;
}
/** Who is who for one campaign: the people holding each role and the departments, from the registry. */
export interface Roster {
  asOf: string;
  people: RosterPerson[];
  departments: RosterDepartment[];
}

export interface CampaignRow {
  campaignId: string;
  programmeId: string;
  year: number;
  quarter: number;
  roster: Roster | null;
  manifestDir: string | null;
  manifestDigest: string | null;
  frozenAsOf: string | null;
  record: DrawRecord | null;
  seedCommitment: string | null;
  stats: unknown;
  publication: unknown;
}

/** A witness ceremony as stored and published (workflows/definitions.ts Ceremony / VoidCeremony). */
export interface StoredCeremony {
  number: number;
  outcome: 'void' | 'drawn';
  ceremony: { number: number; [k: string]: unknown };
}

export interface StoredDocument {
  key: string;
  kind: DocumentKind;
  year: number;
  seq: number;
  number: string;
  campaignId: string | null;
  unitId: string | null;
  recipient: string;
  title: string | null;
  html: string | null;
  text: string | null;
}

export interface StoredEvent {
  key: string;
  campaignId: string;
  kind: string;
  unitId: string | null;
  detail: unknown;
  at: string;
}

/** An internal note: why someone did something, in their words, beside the published reason code. */
export interface StoredNote {
  key: string;
  campaignId: string;
  unitId: string | null;
  kind: string;
  reasonCode: string | null;
  note: string;
  by: string;
  at: string;
}

export class CampaignStore {
  readonly db: Database.Database;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Creates the campaign row if missing and claims its programme quarter; never changes an existing
   * one's identity. The same campaign again is a no-op; another campaign of a quarter already
   * claimed is refused (CampaignQuarterTakenError) and nothing is written.
   */
  ensureCampaign(c: { campaignId: string; programmeId: string; year: number; quarter: number }): void {
    this.db
      .transaction(() => {
        const holder = this.campaignOfQuarter(c.programmeId, c.year, c.quarter);
        if (holder !== undefined && holder !== c.campaignId) throw new CampaignQuarterTakenError(c.campaignId, holder, c);
        this.db
          .prepare('INSERT OR IGNORE INTO campaigns (campaign_id, programme_id, year, quarter) VALUES (?, ?, ?, ?)')
          .run(c.campaignId, c.programmeId, c.year, c.quarter);
        this.db
          .prepare('INSERT OR IGNORE INTO quarter_campaigns (programme_id, year, quarter, campaign_id) VALUES (?, ?, ?, ?)')
          .run(c.programmeId, c.year, c.quarter, c.campaignId);
      })
      .immediate();
  }

  /** The campaign (workflow id) that holds a programme quarter, if one was prepared. */
  campaignOfQuarter(programmeId: string, year: number, quarter: number): string | undefined {
    const r = this.db.prepare('SELECT campaign_id FROM quarter_campaigns WHERE programme_id = ? AND year = ? AND quarter = ?').get(programmeId, year, quarter) as
      | { campaign_id: string }
      | undefined;
    return r?.campaign_id;
  }

  campaign(campaignId: string): CampaignRow | undefined {
    const r = this.db.prepare('SELECT * FROM campaigns WHERE campaign_id = ?').get(campaignId) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : null);
    return {
      campaignId: r.campaign_id as string,
      programmeId: r.programme_id as string,
      year: r.year as number,
      quarter: r.quarter as number,
      roster: json(r.roster_json),
      manifestDir: (r.manifest_dir as string | null) ?? null,
      manifestDigest: (r.manifest_digest as string | null) ?? null,
      frozenAsOf: (r.frozen_as_of as string | null) ?? null,
      record: json(r.record_json),
      seedCommitment: (r.seed_commitment as string | null) ?? null,
      stats: json(r.stats_json),
      publication: json(r.publication_json),
    };
  }

  requireCampaign(campaignId: string): CampaignRow {
    const c = this.campaign(campaignId);
    if (!c) throw new StoreRefusal(`campaign ${campaignId} is not in the campaign store ${this.file}`);
    return c;
  }

  setRoster(campaignId: string, roster: Roster): void {
    this.db.prepare('UPDATE campaigns SET roster_json = ? WHERE campaign_id = ?').run(JSON.stringify(roster), campaignId);
  }

  /** Records the freeze; a second freeze must be the same manifest. */
  setFrozen(campaignId: string, f: { manifestDir: string; manifestDigest: string; asOf: string; roster: Roster }): void {
    const c = this.requireCampaign(campaignId);
    if (c.manifestDigest && c.manifestDigest !== f.manifestDigest) {
      throw new StoreRefusal(`campaign ${campaignId} was frozen with manifest ${c.manifestDigest}; refusing a different one (${f.manifestDigest})`);
    }
    this.db
      .prepare('UPDATE campaigns SET manifest_dir = ?, manifest_digest = ?, frozen_as_of = ?, roster_json = ? WHERE campaign_id = ?')
      .run(f.manifestDir, f.manifestDigest, f.asOf, JSON.stringify(f.roster), campaignId);
  }

  /** Stores the draw record once; the same record again is a no-op, a different one is refused. */
  setRecord(campaignId: string, record: DrawRecord, seedCommitment: string): void {
    const c = this.requireCampaign(campaignId);
    if (c.record) {
      if (c.record.seed !== record.seed) throw new StoreRefusal(`campaign ${campaignId} already has a draw record with another seed: the list is fixed`);
      return;
    }
    this.db.prepare('UPDATE campaigns SET record_json = ?, seed_commitment = ? WHERE campaign_id = ?').run(JSON.stringify(record), seedCommitment, campaignId);
  }

  setStats(campaignId: string, stats: unknown): void {
    this.db.prepare('UPDATE campaigns SET stats_json = ? WHERE campaign_id = ?').run(JSON.stringify(stats), campaignId);
  }

  setPublication(campaignId: string, publication: unknown): void {
    this.db.prepare('UPDATE campaigns SET publication_json = ? WHERE campaign_id = ?').run(JSON.stringify(publication), campaignId);
  }

  recordChangeList(campaignId: string, s: { brigade: string; by: string; batchId: string | null; on: string }): void {
    this.db
      .prepare('INSERT OR IGNORE INTO change_lists (campaign_id, brigade, submitted_by, batch_id, on_date) VALUES (?, ?, ?, ?, ?)')
      .run(campaignId, s.brigade, s.by, s.batchId, s.on);
  }

  changeLists(campaignId: string): { brigade: string; by: string; batchId: string | null; on: string }[] {
    return (this.db.prepare('SELECT * FROM change_lists WHERE campaign_id = ? ORDER BY brigade').all(campaignId) as Record<string, string | null>[]).map((r) => ({
      brigade: r.brigade as string,
      by: r.submitted_by as string,
      batchId: r.batch_id ?? null,
      on: r.on_date as string,
    }));
  }

  replacements(campaignId: string): Replacement[] {
    return (this.db.prepare('SELECT entry_json FROM replacements WHERE campaign_id = ? ORDER BY seq').all(campaignId) as { entry_json: string }[]).map(
      (r) => JSON.parse(r.entry_json) as Replacement,
    );
  }

  replacementByKey(key: string): Replacement | undefined {
    const r = this.db.prepare('SELECT entry_json FROM replacements WHERE key = ?').get(key) as { entry_json: string } | undefined;
    return r ? (JSON.parse(r.entry_json) as Replacement) : undefined;
  }

  /**
   * Appends the entry `propose` computes from the list as it stands, in one IMMEDIATE transaction
   * (so concurrent workers serialise); the same key again returns the entry already appended.
   */
  appendReplacement(campaignId: string, key: string, propose: (previous: Replacement[]) => Replacement): Replacement {
    return this.db
      .transaction(() => {
        const existing = this.replacementByKey(key);
        if (existing) return existing;
        const previous = this.replacements(campaignId);
        const entry = propose(previous);
        if (entry.seq !== previous.length + 1) throw new Error(`replacement seq ${entry.seq} does not follow ${previous.length}`);
        this.db.prepare('INSERT INTO replacements (campaign_id, seq, key, entry_json) VALUES (?, ?, ?, ?)').run(campaignId, entry.seq, key, JSON.stringify(entry));
        return entry;
      })
      .immediate();
  }

  /** The first result for a unit stands; returns what is stored. */
  recordResult(campaignId: string, unitId: string, report: ResultReport, onTime: boolean, at: string): { report: ResultReport; onTime: boolean } {
    this.db
      .prepare('INSERT OR IGNORE INTO results (campaign_id, unit_id, report_json, on_time, recorded_at) VALUES (?, ?, ?, ?, ?)')
      .run(campaignId, unitId, JSON.stringify(report), onTime ? 1 : 0, at);
    const r = this.db.prepare('SELECT report_json, on_time FROM results WHERE campaign_id = ? AND unit_id = ?').get(campaignId, unitId) as {
      report_json: string;
      on_time: number;
    };
    return { report: JSON.parse(r.report_json) as ResultReport, onTime: r.on_time === 1 };
  }

  results(campaignId: string): { unitId: string; report: ResultReport; onTime: boolean; recordedAt: string }[] {
    return (this.db.prepare('SELECT * FROM results WHERE campaign_id = ? ORDER BY unit_id').all(campaignId) as Record<string, unknown>[]).map((r) => ({
      unitId: r.unit_id as string,
      report: JSON.parse(r.report_json as string) as ResultReport,
      onTime: r.on_time === 1,
      recordedAt: r.recorded_at as string,
    }));
  }

  /** Handling moves forward (e.g. awaiting-approval → transfer-form): the latest state is kept. */
  setHandling(campaignId: string, unitId: string, handling: string, detail: unknown): void {
    this.db
      .prepare(
        'INSERT INTO handlings (campaign_id, unit_id, handling, detail_json) VALUES (?, ?, ?, ?) ON CONFLICT (campaign_id, unit_id) DO UPDATE SET handling = excluded.handling, detail_json = excluded.detail_json',
      )
      .run(campaignId, unitId, handling, JSON.stringify(detail));
  }

  handlings(campaignId: string): { unitId: string; handling: string; detail: unknown }[] {
    return (this.db.prepare('SELECT * FROM handlings WHERE campaign_id = ? ORDER BY unit_id').all(campaignId) as Record<string, string>[]).map((r) => ({
      unitId: r.unit_id as string,
      handling: r.handling as string,
      detail: JSON.parse(r.detail_json as string),
    }));
  }

  /**
   * Allocates the next number of a kind's yearly series for `key`, once: the same key always gets
   * the same number. `render` fills in the document with its number.
   */
  allocateDocument(
    key: string,
    a: { kind: DocumentKind; year: number; campaignId: string | null; unitId: string | null; recipient: string },
    format: (seq: number) => string,
    render: (number: string) => { title: string; html: string; text: string },
  ): StoredDocument {
    return this.db
      .transaction(() => {
        const existing = this.documentByKey(key);
        if (existing) return existing;
        const { next } = this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM documents WHERE kind = ? AND year = ?').get(a.kind, a.year) as {
          next: number;
        };
        const number = format(next);
        const doc = render(number);
        this.db
          .prepare(
            'INSERT INTO documents (key, kind, year, seq, number, campaign_id, unit_id, recipient, title, html, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(key, a.kind, a.year, next, number, a.campaignId, a.unitId, a.recipient, doc.title, doc.html, doc.text);
        return this.documentByKey(key)!;
      })
      .immediate();
  }

  documentByKey(key: string): StoredDocument | undefined {
    const r = this.db.prepare('SELECT * FROM documents WHERE key = ?').get(key) as Record<string, unknown> | undefined;
    return r ? rowToDocument(r) : undefined;
  }

  documents(campaignId: string): StoredDocument[] {
    return (this.db.prepare('SELECT * FROM documents WHERE campaign_id = ? ORDER BY kind, seq').all(campaignId) as Record<string, unknown>[]).map(rowToDocument);
  }

  /** Records a ceremony once (a retried activity writes nothing twice); the first record stands. */
  recordCeremony(campaignId: string, outcome: 'void' | 'drawn', ceremony: { number: number }): void {
    this.db
      .prepare('INSERT OR IGNORE INTO ceremonies (campaign_id, number, outcome, ceremony_json) VALUES (?, ?, ?, ?)')
      .run(campaignId, ceremony.number, outcome, JSON.stringify(ceremony));
  }

  ceremonies(campaignId: string): StoredCeremony[] {
    return (this.db.prepare('SELECT * FROM ceremonies WHERE campaign_id = ? ORDER BY number').all(campaignId) as Record<string, unknown>[]).map((r) => ({
      number: r.number as number,
      outcome: r.outcome as 'void' | 'drawn',
      ceremony: JSON.parse(r.ceremony_json as string) as StoredCeremony['ceremony'],
    }));
  }

  /** Records a note once per key (a retried activity writes nothing twice). */
  recordNote(n: StoredNote): void {
    this.db
      .prepare('INSERT OR IGNORE INTO notes (key, campaign_id, unit_id, kind, reason_code, note, by_person, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(n.key, n.campaignId, n.unitId, n.kind, n.reasonCode, n.note, n.by, n.at);
  }

  notes(campaignId: string, unitId?: string): StoredNote[] {
    const rows = (
      unitId === undefined
        ? this.db.prepare('SELECT * FROM notes WHERE campaign_id = ? ORDER BY at, key').all(campaignId)
        : this.db.prepare('SELECT * FROM notes WHERE campaign_id = ? AND unit_id = ? ORDER BY at, key').all(campaignId, unitId)
    ) as Record<string, string | null>[];
    return rows.map((r) => ({
      key: r.key as string,
      campaignId: r.campaign_id as string,
      unitId: r.unit_id ?? null,
      kind: r.kind as string,
      reasonCode: r.reason_code ?? null,
      note: r.note as string,
      by: r.by_person as string,
      at: r.at as string,
    }));
  }

  /** Records an event once per key (a reminder, an overdue mark, an escalation). Returns false if it was already there. */
  recordEvent(e: StoredEvent): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO events (key, campaign_id, kind, unit_id, detail_json, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.key, e.campaignId, e.kind, e.unitId, JSON.stringify(e.detail), e.at);
    return r.changes === 1;
  }

  events(campaignId: string, kind?: string): StoredEvent[] {
    const rows = (
      kind
        ? this.db.prepare('SELECT * FROM events WHERE campaign_id = ? AND kind = ? ORDER BY at, key').all(campaignId, kind)
        : this.db.prepare('SELECT * FROM events WHERE campaign_id = ? ORDER BY at, key').all(campaignId)
    ) as Record<string, string | null>[];
    return rows.map((r) => ({
      key: r.key as string,
      campaignId: r.campaign_id as string,
      kind: r.kind as string,
      unitId: r.unit_id ?? null,
      detail: JSON.parse(r.detail_json as string),
      at: r.at as string,
    }));
  }
}

function rowToDocument(r: Record<string, unknown>): StoredDocument {
  return {
    key: r.key as string,
    kind: r.kind as DocumentKind,
    year: r.year as number,
    seq: r.seq as number,
    number: r.number as string,
    campaignId: (r.campaign_id as string | null) ?? null,
    unitId: (r.unit_id as string | null) ?? null,
    recipient: r.recipient as string,
    title: (r.title as string | null) ?? null,
    html: (r.html as string | null) ?? null,
    text: (r.text as string | null) ?? null,
  };
}

/** `<dataDir>/campaign.db`. */
export function campaignStorePath(dataDir: string): string {
  return path.join(dataDir, 'campaign.db');
}

export function openCampaignStore(dataDir: string): CampaignStore {
  return new CampaignStore(campaignStorePath(dataDir));
}

/**
 * For the command line: the campaign holding a programme quarter in `<dataDir>/campaign.db`, read
 * without creating or migrating anything. null: the store names none; undefined: there is no store
 * here (the command runs away from the worker's data folder).
 */
export function readCampaignOfQuarter(dataDir: string, q: { programmeId: string; year: number; quarter: number }): string | null | undefined {
  const file = campaignStorePath(dataDir);
  if (!fs.existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    // A file from before quarter claims (not yet opened by a newer worker): its campaigns table.
    const claims = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'quarter_campaigns'").get() !== undefined;
    const r = db
      .prepare(`SELECT campaign_id FROM ${claims ? 'quarter_campaigns' : 'campaigns'} WHERE programme_id = ? AND year = ? AND quarter = ? ORDER BY rowid LIMIT 1`)
      .get(q.programmeId, q.year, q.quarter) as { campaign_id: string } | undefined;
    return r?.campaign_id ?? null;
  } finally {
    db.close();
  }
}
