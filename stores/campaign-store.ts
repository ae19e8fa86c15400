// The campaign store: what the quarter's workflows refer to by id — where each manifest is and its
// digest, the draw record, the append-only replacements list, results, handling, official document
// numbers, events (reminders, overdue marks), ceremonies, notes and statistics. One implementation
// in portable SQL on the shared database (stores/open.ts: SQLite ssj.db, or PostgreSQL), so every
// worker host sees the same campaign. Every write is keyed: an activity retried after a crash, on
// this host or another, writes nothing twice.
import { ApplicationFailure } from '@temporalio/common';
import type { DrawRecord, Replacement } from '../domain/draw/record';
import type { ResultReport } from '../domain/outcomes';
import type { DocumentKind } from '../domain/documents';
import type { SqlDatabase, SqlExecutor } from './sql';
import { openStoreDatabase, SQLITE_STORE_FILE, storeSettingsFromEnv, type StoreSettings } from './open';
import * as fs from 'node:fs';
import * as path from 'node:path';

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

export interface QuarterRef {
  programmeId: string;
  year: number;
  quarter: number;
}

export interface CampaignRow extends QuarterRef {
  campaignId: string;
  roster: Roster | null;
  manifestDir: string | null;
  manifestDigest: string | null;
  frozenAsOf: string | null;
  record: DrawRecord | null;
  seedCommitment: string | null;
  stats: unknown;
  publication: unknown;
}

export type CampaignHead = Pick<CampaignRow, 'campaignId' | 'programmeId' | 'year' | 'quarter' | 'roster' | 'manifestDigest' | 'frozenAsOf'>;

/** A witness ceremony as stored and published (workflows/definitions.ts Ceremony / VoidCeremony). */
export interface StoredCeremony {
  number: number;
  outcome: 'void' | 'drawn';
  ceremony: { number: number; [k: string]: unknown };
}

/** Who a document number is for. */
export interface DocumentAddress {
  kind: DocumentKind;
  year: number;
  campaignId: string | null;
  unitId: string | null;
  recipient: string;
}

/** One line of the register of numbers (发文登记): reserved for a key, issued, or voided with its reason. */
export interface DocumentNumber extends DocumentAddress {
  seq: number;
  number: string;
  status: 'reserved' | 'issued' | 'voided';
  /** The key that holds it; a voided number keeps the key it had in voidedKey. */
  key: string | null;
  reservedAt: string;
  issuedAt: string | null;
  voidedKey: string | null;
  voidReason: string | null;
  voidedAt: string | null;
}

/** An issued document. */
export interface StoredDocument extends DocumentAddress {
  key: string;
  seq: number;
  number: string;
  title: string | null;
  html: string | null;
  text: string | null;
}

export interface DocumentContent {
  title: string;
  html: string;
  text: string;
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

export interface ChangeList {
  brigade: string;
  by: string;
  batchId: string | null;
  on: string;
}

export interface StoredResult {
  unitId: string;
  report: ResultReport;
  onTime: boolean;
  recordedAt: string;
}

export interface CampaignStore {
  /**
   * Creates the campaign row if missing and claims its programme quarter; never changes an existing
   * one's identity. The same campaign again is a no-op; another campaign of a quarter already
   * claimed is refused (CampaignQuarterTakenError) and nothing is written.
   */
  ensureCampaign(c: QuarterRef & { campaignId: string }): Promise<void>;
  /** The campaign (workflow id) that holds a programme quarter, if one was prepared. */
  campaignOfQuarter(q: QuarterRef): Promise<string | undefined>;
  campaign(campaignId: string): Promise<CampaignRow | undefined>;
  /** The campaign, or StoreRefusal when it is not in the store. */
  requireCampaign(campaignId: string): Promise<CampaignRow>;
  /** The campaign without its draw record, statistics and publication (a notice needs only this; the record of a large quarter is a megabyte). */
  campaignHead(campaignId: string): Promise<CampaignHead>;
  /** The campaign's draw record alone (null before the draw). */
  campaignRecord(campaignId: string): Promise<DrawRecord | null>;
  setRoster(campaignId: string, roster: Roster): Promise<void>;
  /** Records the freeze; a second freeze must be the same manifest. */
  setFrozen(campaignId: string, f: { manifestDir: string; manifestDigest: string; asOf: string; roster: Roster }): Promise<void>;
  /** Stores the draw record once; the same record again is a no-op, one with another seed is refused. */
  setRecord(campaignId: string, record: DrawRecord, seedCommitment: string): Promise<void>;
  setStats(campaignId: string, stats: unknown): Promise<void>;
  setPublication(campaignId: string, publication: unknown): Promise<void>;

  /** A brigade's change list, once: the first submission stands. */
  recordChangeList(campaignId: string, s: ChangeList): Promise<void>;
  changeLists(campaignId: string): Promise<ChangeList[]>;

  replacements(campaignId: string): Promise<Replacement[]>;
  replacementByKey(key: string): Promise<Replacement | undefined>;
  /**
   * Appends the entry `propose` computes from the list as it stands, with the campaign locked (so
   * concurrent workers on any host serialise); the same key again returns the entry already appended.
   */
  appendReplacement(campaignId: string, key: string, propose: (previous: Replacement[]) => Replacement): Promise<Replacement>;

  /** The first result for a unit stands; returns what is stored. */
  recordResult(campaignId: string, unitId: string, report: ResultReport, onTime: boolean, at: string): Promise<{ report: ResultReport; onTime: boolean }>;
  results(campaignId: string): Promise<StoredResult[]>;
  /** Handling moves forward (e.g. awaiting-approval → transfer-form): the latest state is kept. */
  setHandling(campaignId: string, unitId: string, handling: string, detail: unknown): Promise<void>;
  handlings(campaignId: string): Promise<{ unitId: string; handling: string; detail: unknown }[]>;

  /**
   * Takes the next number of a kind's yearly series for `key`, once: the same key gets the same
   * number until it is issued or voided. Committed on its own, so rendering the document (which
   * needs the number) holds no lock on the series.
   */
  reserveDocumentNumber(key: string, a: DocumentAddress, format: (seq: number) => string, at: string): Promise<DocumentNumber>;
  /** Writes the document of the number `key` holds; once (the first content stands). StoreRefusal when the key holds no number. */
  issueDocument(key: string, content: DocumentContent, at: string): Promise<StoredDocument>;
  /** Reserve, render, issue: the document of `key`, with the same number on every retry. */
  allocateDocument(key: string, a: DocumentAddress, format: (seq: number) => string, render: (number: string) => DocumentContent, at: string): Promise<StoredDocument>;
  /** Voids the number `key` holds but never issued, with the reason; null when it holds none. Issued numbers are refused. */
  voidDocumentNumber(key: string, reason: string, at: string): Promise<DocumentNumber | null>;
  /** Voids every number of the campaign still reserved without its document (the gaps), with the reason. */
  voidUnissuedNumbers(campaignId: string, reason: string, at: string): Promise<DocumentNumber[]>;
  /** The issued document of `key`. */
  documentByKey(key: string): Promise<StoredDocument | undefined>;
  /** The campaign's issued documents, by kind, year and number. */
  documents(campaignId: string): Promise<StoredDocument[]>;
  /** One issued document of the campaign by its number (unique), or null. */
  issuedDocument(campaignId: string, number: string): Promise<StoredDocument | null>;
  /** The register of a series: every number taken, issued, reserved or voided, in order. */
  documentNumbers(kind: DocumentKind, year: number): Promise<DocumentNumber[]>;

  /** Records a ceremony once (a retried activity writes nothing twice); the first record stands. */
  recordCeremony(campaignId: string, outcome: 'void' | 'drawn', ceremony: { number: number }): Promise<void>;
  ceremonies(campaignId: string): Promise<StoredCeremony[]>;
  /** Records a note once per key. */
  recordNote(n: StoredNote): Promise<void>;
  notes(campaignId: string, unitId?: string): Promise<StoredNote[]>;
  /** Records an event once per key (a reminder, an overdue mark, an escalation). False if it was already there. */
  recordEvent(e: StoredEvent): Promise<boolean>;
  events(campaignId: string, kind?: string): Promise<StoredEvent[]>;
}

type Row = Record<string, unknown>;

/** Rolls a reservation back when a concurrent one committed the same key first. */
class KeyTakenMeanwhile extends Error {}
const json = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : null); // eslint-disable-line @typescript-eslint/no-explicit-any
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function headOf(r: Row): CampaignHead {
  return {
    campaignId: String(r.campaign_id),
    programmeId: String(r.programme_id),
    year: Number(r.year),
    quarter: Number(r.quarter),
    roster: json(r.roster_json),
    manifestDigest: text(r.manifest_digest),
    frozenAsOf: text(r.frozen_as_of),
  };
}

export class SqlCampaignStore implements CampaignStore {
  constructor(readonly db: SqlDatabase) {}

  async ensureCampaign(c: QuarterRef & { campaignId: string }): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Claim first, then read who holds it: of two campaigns racing on two hosts, one claim wins.
      await tx.run('INSERT INTO quarter_campaigns (programme_id, year, quarter, campaign_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        c.programmeId,
        c.year,
        c.quarter,
        c.campaignId,
      ]);
      const holder = await quarterHolder(tx, c);
      if (holder !== undefined && holder !== c.campaignId) throw new CampaignQuarterTakenError(c.campaignId, holder, c);
      await tx.run('INSERT INTO campaigns (campaign_id, programme_id, year, quarter) VALUES (?, ?, ?, ?) ON CONFLICT (campaign_id) DO NOTHING', [
        c.campaignId,
        c.programmeId,
        c.year,
        c.quarter,
      ]);
    });
  }

  campaignOfQuarter(q: QuarterRef): Promise<string | undefined> {
    return quarterHolder(this.db, q);
  }

  async campaign(campaignId: string): Promise<CampaignRow | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM campaigns WHERE campaign_id = ?', [campaignId]);
    if (!r) return undefined;
    return {
      ...headOf(r),
      manifestDir: text(r.manifest_dir),
      record: json(r.record_json),
      seedCommitment: text(r.seed_commitment),
      stats: json(r.stats_json),
      publication: json(r.publication_json),
    };
  }

  async requireCampaign(campaignId: string): Promise<CampaignRow> {
    const c = await this.campaign(campaignId);
    if (!c) throw new StoreRefusal(`campaign ${campaignId} is not in the campaign store (${this.db.description})`);
    return c;
  }

  async campaignHead(campaignId: string): Promise<CampaignHead> {
    const r = await this.db.get<Row>(
      'SELECT campaign_id, programme_id, year, quarter, roster_json, manifest_digest, frozen_as_of FROM campaigns WHERE campaign_id = ?',
      [campaignId],
    );
    if (!r) throw new StoreRefusal(`campaign ${campaignId} is not in the campaign store (${this.db.description})`);
    return headOf(r);
  }

  async campaignRecord(campaignId: string): Promise<DrawRecord | null> {
    const r = await this.db.get<Row>('SELECT record_json FROM campaigns WHERE campaign_id = ?', [campaignId]);
    if (!r) throw new StoreRefusal(`campaign ${campaignId} is not in the campaign store (${this.db.description})`);
    return json(r.record_json);
  }

  async setRoster(campaignId: string, roster: Roster): Promise<void> {
    await this.db.run('UPDATE campaigns SET roster_json = ? WHERE campaign_id = ?', [JSON.stringify(roster), campaignId]);
  }

  async setFrozen(campaignId: string, f: { manifestDir: string; manifestDigest: string; asOf: string; roster: Roster }): Promise<void> {
    const { changes } = await this.db.run(
      'UPDATE campaigns SET manifest_dir = ?, manifest_digest = ?, frozen_as_of = ?, roster_json = ? WHERE campaign_id = ? AND (manifest_digest IS NULL OR manifest_digest = ?)',
      [f.manifestDir, f.manifestDigest, f.asOf, JSON.stringify(f.roster), campaignId, f.manifestDigest],
    );
    if (changes > 0) return;
    const c = await this.requireCampaign(campaignId);
    throw new StoreRefusal(`campaign ${campaignId} was frozen with manifest ${c.manifestDigest}; refusing a different one (${f.manifestDigest})`);
  }

  async setRecord(campaignId: string, record: DrawRecord, seedCommitment: string): Promise<void> {
    await this.db.run('UPDATE campaigns SET record_json = ?, seed_commitment = ? WHERE campaign_id = ? AND record_json IS NULL', [
      JSON.stringify(record),
      seedCommitment,
      campaignId,
    ]);
    const c = await this.requireCampaign(campaignId);
    if (c.record?.seed !== record.seed) throw new StoreRefusal(`campaign ${campaignId} already has a draw record with another seed: the list is fixed`);
  }

  async setStats(campaignId: string, stats: unknown): Promise<void> {
    await this.db.run('UPDATE campaigns SET stats_json = ? WHERE campaign_id = ?', [JSON.stringify(stats), campaignId]);
  }

  async setPublication(campaignId: string, publication: unknown): Promise<void> {
    await this.db.run('UPDATE campaigns SET publication_json = ? WHERE campaign_id = ?', [JSON.stringify(publication), campaignId]);
  }

  async recordChangeList(campaignId: string, s: ChangeList): Promise<void> {
    await this.db.run('INSERT INTO change_lists (campaign_id, brigade, submitted_by, batch_id, on_date) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      campaignId,
      s.brigade,
      s.by,
      s.batchId,
      s.on,
    ]);
  }

  async changeLists(campaignId: string): Promise<ChangeList[]> {
    const rows = await this.db.all<Row>('SELECT * FROM change_lists WHERE campaign_id = ? ORDER BY brigade', [campaignId]);
    return rows.map((r) => ({ brigade: String(r.brigade), by: String(r.submitted_by), batchId: text(r.batch_id), on: String(r.on_date) }));
  }

  replacements(campaignId: string): Promise<Replacement[]> {
    return replacementsOf(this.db, campaignId);
  }

  replacementByKey(key: string): Promise<Replacement | undefined> {
    return replacementOfKey(this.db, key);
  }

  appendReplacement(campaignId: string, key: string, propose: (previous: Replacement[]) => Replacement): Promise<Replacement> {
    return this.db.transaction(async (tx) => {
      // Lock the campaign's row (a no-op UPDATE: portable, unlike SELECT ... FOR UPDATE) so two
      // hosts appending to one list wait for each other and each sees the other's entry.
      const { changes } = await tx.run('UPDATE campaigns SET campaign_id = campaign_id WHERE campaign_id = ?', [campaignId]);
      if (changes === 0) throw new StoreRefusal(`campaign ${campaignId} is not in the campaign store (${this.db.description})`);
      const existing = await replacementOfKey(tx, key);
      if (existing) return existing;
      const previous = await replacementsOf(tx, campaignId);
      const entry = propose(previous);
      if (entry.seq !== previous.length + 1) throw new Error(`replacement seq ${entry.seq} does not follow ${previous.length}`);
      await tx.run('INSERT INTO replacements (campaign_id, seq, key, entry_json) VALUES (?, ?, ?, ?)', [campaignId, entry.seq, key, JSON.stringify(entry)]);
      return entry;
    });
  }

  async recordResult(campaignId: string, unitId: string, report: ResultReport, onTime: boolean, at: string): Promise<{ report: ResultReport; onTime: boolean }> {
    await this.db.run('INSERT INTO results (campaign_id, unit_id, report_json, on_time, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      campaignId,
      unitId,
      JSON.stringify(report),
      onTime ? 1 : 0,
      at,
    ]);
    return (await this.result(campaignId, unitId))!;
  }

  /** One unit's stored result, undefined when none was recorded. */
  async result(campaignId: string, unitId: string): Promise<{ report: ResultReport; onTime: boolean } | undefined> {
    const r = await this.db.get<Row>('SELECT report_json, on_time FROM results WHERE campaign_id = ? AND unit_id = ?', [campaignId, unitId]);
    return r ? { report: json(r.report_json) as ResultReport, onTime: Number(r.on_time) === 1 } : undefined;
  }

  async results(campaignId: string): Promise<StoredResult[]> {
    const rows = await this.db.all<Row>('SELECT * FROM results WHERE campaign_id = ? ORDER BY unit_id', [campaignId]);
    return rows.map((r) => ({ unitId: String(r.unit_id), report: json(r.report_json) as ResultReport, onTime: Number(r.on_time) === 1, recordedAt: String(r.recorded_at) }));
  }

  async setHandling(campaignId: string, unitId: string, handling: string, detail: unknown): Promise<void> {
    await this.db.run(
      `INSERT INTO handlings (campaign_id, unit_id, handling, detail_json) VALUES (?, ?, ?, ?)
       ON CONFLICT (campaign_id, unit_id) DO UPDATE SET handling = excluded.handling, detail_json = excluded.detail_json`,
      [campaignId, unitId, handling, JSON.stringify(detail)],
    );
  }

  async handlings(campaignId: string): Promise<{ unitId: string; handling: string; detail: unknown }[]> {
    const rows = await this.db.all<Row>('SELECT * FROM handlings WHERE campaign_id = ? ORDER BY unit_id', [campaignId]);
    return rows.map((r) => ({ unitId: String(r.unit_id), handling: String(r.handling), detail: json(r.detail_json) }));
  }

  async reserveDocumentNumber(key: string, a: DocumentAddress, format: (seq: number) => string, at: string): Promise<DocumentNumber> {
    try {
      return await this.db.transaction(async (tx) => {
        const held = await numberOfKey(tx, key);
        if (held) return held;
        // One statement takes the number: PostgreSQL makes a second host wait on the series row and
        // then count on from the first one's number; SQLite's transaction holds the write lock.
        const next = await tx.get<{ last_seq: number | string }>(
          `INSERT INTO document_series (kind, year, last_seq) VALUES (?, ?, 1)
           ON CONFLICT (kind, year) DO UPDATE SET last_seq = document_series.last_seq + 1
           RETURNING last_seq`,
          [a.kind, a.year],
        );
        const seq = Number(next!.last_seq);
        const { changes } = await tx.run(
          `INSERT INTO documents (kind, year, seq, number, key, status, campaign_id, unit_id, recipient, reserved_at)
           VALUES (?, ?, ?, ?, ?, 'reserved', ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
          [a.kind, a.year, seq, format(seq), key, a.campaignId, a.unitId, a.recipient, at],
        );
        // Another host reserved this key meanwhile: give the number back (roll back), take theirs.
        if (changes === 0) throw new KeyTakenMeanwhile();
        return (await numberOfKey(tx, key))!;
      });
    } catch (err) {
      if (!(err instanceof KeyTakenMeanwhile)) throw err;
      return (await numberOfKey(this.db, key))!;
    }
  }

  async issueDocument(key: string, content: DocumentContent, at: string): Promise<StoredDocument> {
    await this.db.run("UPDATE documents SET status = 'issued', title = ?, html = ?, text = ?, issued_at = ? WHERE key = ? AND status = 'reserved'", [
      content.title,
      content.html,
      content.text,
      at,
      key,
    ]);
    const doc = await this.documentByKey(key);
    if (!doc) throw new StoreRefusal(`document ${key}: no number is reserved for it (never reserved, or voided since); reserve a number first`);
    return doc;
  }

  async allocateDocument(key: string, a: DocumentAddress, format: (seq: number) => string, render: (number: string) => DocumentContent, at: string): Promise<StoredDocument> {
    const n = await this.reserveDocumentNumber(key, a, format, at);
    if (n.status === 'issued') return (await this.documentByKey(key))!;
    return this.issueDocument(key, render(n.number), at);
  }

  async voidDocumentNumber(key: string, reason: string, at: string): Promise<DocumentNumber | null> {
    return this.db.transaction(async (tx) => {
      const n = await numberOfKey(tx, key);
      if (!n) return null;
      if (n.status === 'issued') throw new StoreRefusal(`document ${n.number} (${key}) was issued: an issued number is not voided`);
      await voidNumber(tx, n, reason, at);
      return { ...(await numberAt(tx, n.kind, n.year, n.seq))! };
    });
  }

  voidUnissuedNumbers(campaignId: string, reason: string, at: string): Promise<DocumentNumber[]> {
    return this.db.transaction(async (tx) => {
      const open = (await tx.all<Row>("SELECT * FROM documents WHERE campaign_id = ? AND status = 'reserved' ORDER BY kind, year, seq", [campaignId])).map(toNumber);
      const out: DocumentNumber[] = [];
      for (const n of open) {
        await voidNumber(tx, n, reason, at);
        out.push((await numberAt(tx, n.kind, n.year, n.seq))!);
      }
      return out;
    });
  }

  async documentByKey(key: string): Promise<StoredDocument | undefined> {
    const r = await this.db.get<Row>("SELECT * FROM documents WHERE key = ? AND status = 'issued'", [key]);
    return r ? toDocument(r) : undefined;
  }

  async documents(campaignId: string): Promise<StoredDocument[]> {
    return (await this.db.all<Row>("SELECT * FROM documents WHERE campaign_id = ? AND status = 'issued' ORDER BY kind, year, seq", [campaignId])).map(toDocument);
  }

  async issuedDocument(campaignId: string, number: string): Promise<StoredDocument | null> {
    const row = await this.db.get<Row>("SELECT * FROM documents WHERE number = ? AND campaign_id = ? AND status = 'issued'", [number, campaignId]);
    return row ? toDocument(row) : null;
  }

  async documentNumbers(kind: DocumentKind, year: number): Promise<DocumentNumber[]> {
    return (await this.db.all<Row>('SELECT * FROM documents WHERE kind = ? AND year = ? ORDER BY seq', [kind, year])).map(toNumber);
  }

  async recordCeremony(campaignId: string, outcome: 'void' | 'drawn', ceremony: { number: number }): Promise<void> {
    await this.db.run('INSERT INTO ceremonies (campaign_id, number, outcome, ceremony_json) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      campaignId,
      ceremony.number,
      outcome,
      JSON.stringify(ceremony),
    ]);
  }

  async ceremonies(campaignId: string): Promise<StoredCeremony[]> {
    const rows = await this.db.all<Row>('SELECT * FROM ceremonies WHERE campaign_id = ? ORDER BY number', [campaignId]);
    return rows.map((r) => ({ number: Number(r.number), outcome: r.outcome as 'void' | 'drawn', ceremony: json(r.ceremony_json) as StoredCeremony['ceremony'] }));
  }

  async recordNote(n: StoredNote): Promise<void> {
    await this.db.run(
      'INSERT INTO notes (key, campaign_id, unit_id, kind, reason_code, note, by_person, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [n.key, n.campaignId, n.unitId, n.kind, n.reasonCode, n.note, n.by, n.at],
    );
  }

  async notes(campaignId: string, unitId?: string): Promise<StoredNote[]> {
    const rows =
      unitId === undefined
        ? await this.db.all<Row>('SELECT * FROM notes WHERE campaign_id = ? ORDER BY at, key', [campaignId])
        : await this.db.all<Row>('SELECT * FROM notes WHERE campaign_id = ? AND unit_id = ? ORDER BY at, key', [campaignId, unitId]);
    return rows.map((r) => ({
      key: String(r.key),
      campaignId: String(r.campaign_id),
      unitId: text(r.unit_id),
      kind: String(r.kind),
      reasonCode: text(r.reason_code),
      note: String(r.note),
      by: String(r.by_person),
      at: String(r.at),
    }));
  }

  async recordEvent(e: StoredEvent): Promise<boolean> {
    const r = await this.db.run('INSERT INTO events (key, campaign_id, kind, unit_id, detail_json, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      e.key,
      e.campaignId,
      e.kind,
      e.unitId,
      JSON.stringify(e.detail),
      e.at,
    ]);
    return r.changes === 1;
  }

  async events(campaignId: string, kind?: string): Promise<StoredEvent[]> {
    const rows = kind
      ? await this.db.all<Row>('SELECT * FROM events WHERE campaign_id = ? AND kind = ? ORDER BY at, key', [campaignId, kind])
      : await this.db.all<Row>('SELECT * FROM events WHERE campaign_id = ? ORDER BY at, key', [campaignId]);
    return rows.map((r) => ({ key: String(r.key), campaignId: String(r.campaign_id), kind: String(r.kind), unitId: text(r.unit_id), detail: json(r.detail_json), at: String(r.at) }));
  }
}

async function quarterHolder(db: SqlExecutor, q: QuarterRef): Promise<string | undefined> {
  const r = await db.get<Row>('SELECT campaign_id FROM quarter_campaigns WHERE programme_id = ? AND year = ? AND quarter = ?', [q.programmeId, q.year, q.quarter]);
  return r ? String(r.campaign_id) : undefined;
}

async function replacementsOf(db: SqlExecutor, campaignId: string): Promise<Replacement[]> {
  return (await db.all<Row>('SELECT entry_json FROM replacements WHERE campaign_id = ? ORDER BY seq', [campaignId])).map((r) => json(r.entry_json) as Replacement);
}

async function replacementOfKey(db: SqlExecutor, key: string): Promise<Replacement | undefined> {
  const r = await db.get<Row>('SELECT entry_json FROM replacements WHERE key = ?', [key]);
  return r ? (json(r.entry_json) as Replacement) : undefined;
}

async function numberOfKey(db: SqlExecutor, key: string): Promise<DocumentNumber | undefined> {
  const r = await db.get<Row>('SELECT * FROM documents WHERE key = ?', [key]);
  return r ? toNumber(r) : undefined;
}

async function numberAt(db: SqlExecutor, kind: string, year: number, seq: number): Promise<DocumentNumber | undefined> {
  const r = await db.get<Row>('SELECT * FROM documents WHERE kind = ? AND year = ? AND seq = ?', [kind, year, seq]);
  return r ? toNumber(r) : undefined;
}

/** The number lets go of its key (kept as voided_key) so the key may take a new number. */
async function voidNumber(db: SqlExecutor, n: DocumentNumber, reason: string, at: string): Promise<void> {
  await db.run("UPDATE documents SET status = 'voided', voided_key = key, key = NULL, void_reason = ?, voided_at = ? WHERE kind = ? AND year = ? AND seq = ? AND status = 'reserved'", [
    reason,
    at,
    n.kind,
    n.year,
    n.seq,
  ]);
}

function address(r: Row): DocumentAddress {
  return { kind: r.kind as DocumentKind, year: Number(r.year), campaignId: text(r.campaign_id), unitId: text(r.unit_id), recipient: String(r.recipient) };
}

function toNumber(r: Row): DocumentNumber {
  return {
    ...address(r),
    seq: Number(r.seq),
    number: String(r.number),
    status: r.status as DocumentNumber['status'],
    key: text(r.key),
    reservedAt: String(r.reserved_at),
    issuedAt: text(r.issued_at),
    voidedKey: text(r.voided_key),
    voidReason: text(r.void_reason),
    voidedAt: text(r.voided_at),
  };
}

function toDocument(r: Row): StoredDocument {
  return { ...address(r), key: String(r.key), seq: Number(r.seq), number: String(r.number), title: text(r.title), html: text(r.html), text: text(r.text) };
}

export async function openCampaignStore(settings: StoreSettings): Promise<{ store: SqlCampaignStore; close(): Promise<void> }> {
  const db = await openStoreDatabase(settings);
  return { store: new SqlCampaignStore(db), close: () => db.close() };
}

/**
 * For the command line: the campaign holding a programme quarter in the shared store. null: the
 * store names none; undefined: there is no store here (SQLite, and the command runs away from the
 * worker's data folder; nothing is created).
 */
export async function readCampaignOfQuarter(dataDir: string, q: QuarterRef, databaseUrl = storeSettingsFromEnv().databaseUrl): Promise<string | null | undefined> {
  if (databaseUrl === null && !fs.existsSync(path.join(dataDir, SQLITE_STORE_FILE))) return undefined;
  const { store, close } = await openCampaignStore({ dataDir, databaseUrl });
  try {
    return (await store.campaignOfQuarter(q)) ?? null;
  } finally {
    await close();
  }
}
