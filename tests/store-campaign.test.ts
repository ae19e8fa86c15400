// The campaign store's contract (stores/campaign-store.ts), on a real SQLite file and on a real
// PostgreSQL 15: one campaign per programme quarter, keyed writes a retry cannot double, the
// append-only replacements list (refused by the database itself), and official document numbers —
// the same key gets the same number, a number whose document was never written is voided with its
// reason, and two processes taking numbers in parallel duplicate none and lose none. A host's
// campaign.db from before the shared store is imported once, or refused whole when it disagrees.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { formatDocumentNumber } from '../domain/documents';
import type { DrawRecord, Replacement } from '../domain/draw/record';
import type { ResultReport } from '../domain/outcomes';
import { CAMPAIGN_QUARTER_TAKEN, CampaignQuarterTakenError, SqlCampaignStore, StoreRefusal } from '../stores/campaign-store';
import { openStoreDatabase } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { storeBackends } from './setup/store-backends';
import { RACE_KIND, type NumbersConfig, type NumbersReport } from './setup/campaign-numbers-child';
import { startRacingProcess } from './helpers/racing-process';
import { importLegacyCampaignFile, LegacyImportConflict } from '../stores/legacy-campaign-file';

const backends = storeBackends('campaign');
const Q1 = { programmeId: 'p', year: 2024, quarter: 1 };
const AT = '2024-02-01T08:00:00.000Z';

const entry = (seq: number, unit: string): Replacement =>
  ({ seq, kind: 'unit', pool_id: 'P1', unit_id: unit, replacement: `${unit}-r`, reason: 'closed', approved_by: 'MGR1', at: AT }) as unknown as Replacement;
const record = (seed: string) => ({ seed, assignments: [], pools: [], manifest_digest: 'd1' }) as unknown as DrawRecord;
const report = (checkedOn: string) => ({ by: 'I1', present: ['I1', 'I2'], checkedOn, result: { outcome: 'no-problem' }, evidence: [] }) as unknown as ResultReport;
const roster = { asOf: '2023-12-31', people: [], departments: [] };

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe.each(backends)('the campaign store on $name', (backend) => {
  let db: SqlDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  async function open(): Promise<SqlCampaignStore> {
    db = await openStoreDatabase(await backend.fresh());
    return new SqlCampaignStore(db);
  }

  it('claims each programme quarter once: the same campaign again is a no-op, another is refused, typed, and writes nothing', async () => {
    const store = await open();
    await store.ensureCampaign({ campaignId: 'campaign-p-2024q1', ...Q1 });
    await store.ensureCampaign({ campaignId: 'campaign-p-2024q1', ...Q1 });
    expect(await store.campaignOfQuarter(Q1)).toBe('campaign-p-2024q1');

    const second = 'campaign-p-2024q1-2024-03-17T00:00:00Z';
    const err = await rejection(store.ensureCampaign({ campaignId: second, ...Q1 }));
    expect(err).toBeInstanceOf(CampaignQuarterTakenError);
    expect(err).toBeInstanceOf(ApplicationFailure);
    const f = err as CampaignQuarterTakenError;
    expect([f.type, f.nonRetryable, f.existingCampaignId]).toEqual([CAMPAIGN_QUARTER_TAKEN, true, 'campaign-p-2024q1']);
    expect(f.details).toEqual([{ existingCampaignId: 'campaign-p-2024q1' }]);
    expect(f.message).toBe(
      `campaign ${second}: programme p 2024 Q1 already has its campaign campaign-p-2024q1; ` +
        'a programme quarter is drawn once, so this campaign stops before its freeze and draw',
    );
    expect(await store.campaign(second)).toBeUndefined();

    // Other quarters, years and programmes are their own.
    await store.ensureCampaign({ campaignId: 'campaign-p-2024q2', ...Q1, quarter: 2 });
    await store.ensureCampaign({ campaignId: 'campaign-p-2025q1', ...Q1, year: 2025 });
    await store.ensureCampaign({ campaignId: 'campaign-other-2024q1', ...Q1, programmeId: 'other' });
    expect(await store.campaignOfQuarter({ ...Q1, quarter: 2 })).toBe('campaign-p-2024q2');
    expect(await store.campaignOfQuarter({ ...Q1, quarter: 3 })).toBeUndefined();
    // A claim never moves, and is never dropped: the database refuses.
    await expect(db!.run("UPDATE quarter_campaigns SET campaign_id = 'x' WHERE quarter = 1 AND programme_id = 'p'")).rejects.toThrow(/quarter_campaigns is append-only: UPDATE refused/);
    await expect(db!.run("DELETE FROM quarter_campaigns WHERE programme_id = 'p'")).rejects.toThrow(/quarter_campaigns is append-only: DELETE refused/);
  });

  it('two campaigns of one quarter prepared at the same moment: exactly one holds it', async () => {
    const store = await open();
    const ids = ['campaign-p-2024q3', 'campaign-p-2024q3-2024-06-17T00:00:00Z', 'campaign-p-2024q3-2024-06-18T00:00:00Z'];
    const outcomes = await Promise.allSettled(ids.map((campaignId) => store.ensureCampaign({ campaignId, ...Q1, quarter: 3 })));
    const won = ids.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(await store.campaignOfQuarter({ ...Q1, quarter: 3 })).toBe(won[0]);
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'rejected') {
        expect(o.reason).toBeInstanceOf(CampaignQuarterTakenError);
        expect(await store.campaign(ids[i]!)).toBeUndefined();
      }
    }
  });

  it('keyed writes: a retry writes nothing twice; a freeze or draw that differs is refused', async () => {
    const store = await open();
    const c = 'campaign-p-2024q1';
    await expect(store.requireCampaign(c)).rejects.toBeInstanceOf(StoreRefusal);
    await expect(store.campaignHead(c)).rejects.toBeInstanceOf(StoreRefusal);
    await expect(store.campaignRecord(c)).rejects.toBeInstanceOf(StoreRefusal);
    await store.ensureCampaign({ campaignId: c, ...Q1 });
    expect(await store.campaignRecord(c)).toBeNull();

    await store.setFrozen(c, { manifestDir: '/m', manifestDigest: 'd1', asOf: '2023-12-31', roster });
    await store.setFrozen(c, { manifestDir: '/m', manifestDigest: 'd1', asOf: '2023-12-31', roster });
    await expect(store.setFrozen(c, { manifestDir: '/m2', manifestDigest: 'd2', asOf: '2023-12-31', roster })).rejects.toThrow(
      /frozen with manifest d1; refusing a different one \(d2\)/,
    );
    await store.setRecord(c, record('seed-1'), 'commit-1');
    await store.setRecord(c, record('seed-1'), 'commit-1');
    await expect(store.setRecord(c, record('seed-2'), 'commit-2')).rejects.toThrow(/already has a draw record with another seed/);
    expect(await store.requireCampaign(c)).toMatchObject({ manifestDigest: 'd1', manifestDir: '/m', frozenAsOf: '2023-12-31', record: { seed: 'seed-1' }, seedCommitment: 'commit-1', roster });
    // The narrow reads: the head without the record, the record alone.
    expect(await store.campaignHead(c)).toEqual({ campaignId: c, programmeId: Q1.programmeId, year: Q1.year, quarter: Q1.quarter, roster, manifestDigest: 'd1', frozenAsOf: '2023-12-31' });
    expect(await store.campaignRecord(c)).toEqual(record('seed-1'));

    expect(await store.recordResult(c, 'U1', report('2024-01-10'), true, AT)).toEqual({ report: report('2024-01-10'), onTime: true });
    expect(await store.recordResult(c, 'U1', report('2024-01-11'), false, AT)).toEqual({ report: report('2024-01-10'), onTime: true }); // the first stands
    expect(await store.results(c)).toEqual([{ unitId: 'U1', report: report('2024-01-10'), onTime: true, recordedAt: AT }]);

    await store.setHandling(c, 'U1', 'awaiting-approval', { n: 1 });
    await store.setHandling(c, 'U1', 'transfer-form', { n: 2 }); // handling moves forward
    expect(await store.handlings(c)).toEqual([{ unitId: 'U1', handling: 'transfer-form', detail: { n: 2 } }]);

    await store.recordChangeList(c, { brigade: 'B1', by: 'BL1', batchId: null, on: '2024-01-02' });
    await store.recordChangeList(c, { brigade: 'B1', by: 'BL2', batchId: 'x', on: '2024-01-03' });
    expect(await store.changeLists(c)).toEqual([{ brigade: 'B1', by: 'BL1', batchId: null, on: '2024-01-02' }]);

    const ev = { key: `${c}/reminder/U1`, campaignId: c, kind: 'reminder', unitId: 'U1', detail: { to: ['a@b.cn'] }, at: AT };
    expect(await store.recordEvent(ev)).toBe(true);
    expect(await store.recordEvent({ ...ev, detail: { to: [] } })).toBe(false);
    expect(await store.events(c, 'reminder')).toEqual([ev]);

    const note = { key: `${c}/note/1`, campaignId: c, unitId: 'U1', kind: 'recusal-declared', reasonCode: 'kinship', note: '亲属关系', by: 'I1', at: AT };
    await store.recordNote(note);
    await store.recordNote({ ...note, note: '改过的' });
    expect(await store.notes(c, 'U1')).toEqual([note]);

    await store.recordCeremony(c, 'void', { number: 1, why: 'a' } as { number: number });
    await store.recordCeremony(c, 'drawn', { number: 1, why: 'b' } as { number: number }); // the first record stands
    await store.recordCeremony(c, 'drawn', { number: 2 });
    expect(await store.ceremonies(c)).toEqual([
      { number: 1, outcome: 'void', ceremony: { number: 1, why: 'a' } },
      { number: 2, outcome: 'drawn', ceremony: { number: 2 } },
    ]);
    await expect(db!.run("UPDATE ceremonies SET outcome = 'drawn' WHERE number = 1")).rejects.toThrow(/ceremonies is append-only: UPDATE refused/);

    await store.setStats(c, { drawn: 3 });
    await store.setPublication(c, { location: '/pub', publishedOn: '2024-03-20' });
    expect(await store.requireCampaign(c)).toMatchObject({ stats: { drawn: 3 }, publication: { location: '/pub', publishedOn: '2024-03-20' } });
  });

  it('the replacements list: appended once per key, in order even when appended concurrently, never changed', async () => {
    const store = await open();
    const c = 'campaign-p-2024q1';
    await expect(store.appendReplacement(c, 'k0', () => entry(1, 'U0'))).rejects.toBeInstanceOf(StoreRefusal);
    await store.ensureCampaign({ campaignId: c, ...Q1 });
    const first = await store.appendReplacement(c, 'k1', (prev) => entry(prev.length + 1, 'U1'));
    expect(await store.appendReplacement(c, 'k1', () => entry(9, 'other'))).toEqual(first); // a retry: the entry already there
    await expect(store.appendReplacement(c, 'k2', () => entry(5, 'U2'))).rejects.toThrow(/replacement seq 5 does not follow 1/);

    // Six appends at once (PostgreSQL: six connections): each sees the others' entries.
    await Promise.all([2, 3, 4, 5, 6, 7].map((i) => store.appendReplacement(c, `k${i}`, (prev) => entry(prev.length + 1, `U${i}`))));
    const list = await store.replacements(c);
    expect(list.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(list.map((r) => r.unit_id)).size).toBe(7);
    expect(await store.replacementByKey('k1')).toEqual(first);

    await expect(db!.run("UPDATE replacements SET entry_json = '{}' WHERE seq = 1")).rejects.toThrow(/replacements is append-only: UPDATE refused/);
    await expect(db!.run('DELETE FROM replacements')).rejects.toThrow(/replacements is append-only: DELETE refused/);
    expect(await store.replacements(c)).toEqual(list);
  });

  it('document numbers: one per key, counted per kind and year; a number never issued is voided with its reason, the key then takes a new one', async () => {
    const store = await open();
    const fmt = (kind: 'supervision-notice' | 'referral', year: number) => (seq: number) => formatDocumentNumber(kind, year, seq);
    const addr = (unitId: string, kind: 'supervision-notice' | 'referral' = 'supervision-notice', year = 2024) => ({ kind, year, campaignId: 'c1', unitId, recipient: 'county-xixian' });
    const render = (number: string) => ({ title: '监察通知', html: `<p>${number}</p>`, text: number });

    const d1 = await store.allocateDocument('doc/U1', addr('U1'), fmt('supervision-notice', 2024), render, AT);
    expect(d1).toMatchObject({ key: 'doc/U1', seq: 1, number: '信环执监〔2024〕第001号', text: '信环执监〔2024〕第001号', unitId: 'U1' });
    // A retry gets the same document, rendered once.
    expect(await store.allocateDocument('doc/U1', addr('U1'), fmt('supervision-notice', 2024), () => render('wrong'), AT)).toEqual(d1);
    // Another kind and another year count on their own.
    expect((await store.allocateDocument('ref/U1', addr('U1', 'referral'), fmt('referral', 2024), render, AT)).seq).toBe(1);
    expect((await store.allocateDocument('doc/U9', addr('U9', 'supervision-notice', 2025), fmt('supervision-notice', 2025), render, AT)).seq).toBe(1);

    // A gap: U2's number is taken, then its worker dies before writing the document; U3 goes on.
    const reserved = await store.reserveDocumentNumber('doc/U2', addr('U2'), fmt('supervision-notice', 2024), AT);
    expect(reserved).toMatchObject({ seq: 2, status: 'reserved', key: 'doc/U2' });
    expect(await store.reserveDocumentNumber('doc/U2', addr('U2'), fmt('supervision-notice', 2024), AT)).toEqual(reserved); // the retry's number
    const d3 = await store.allocateDocument('doc/U3', addr('U3'), fmt('supervision-notice', 2024), render, AT);
    expect(d3.seq).toBe(3);
    expect((await store.documents('c1')).map((d) => d.number)).toEqual([
      '信环执移〔2024〕第001号', // referral
      '信环执监〔2024〕第001号', // supervision-notice, 2024
      '信环执监〔2024〕第003号',
      '信环执监〔2025〕第001号',
    ]);
    // One issued document by its number; a reserved-only number, or another campaign's, is none.
    expect(await store.issuedDocument('c1', d3.number)).toEqual((await store.documents('c1')).find((d) => d.number === d3.number));
    expect(await store.issuedDocument('c1', reserved.number)).toBeNull();
    expect(await store.issuedDocument('c2', d3.number)).toBeNull();

    // An issued number is never voided; the unissued one is, with its reason, and nothing else is.
    await expect(store.voidDocumentNumber('doc/U1', 'x', AT)).rejects.toThrow(/was issued: an issued number is not voided/);
    const voided = await store.voidUnissuedNumbers('c1', '公示时该文号仍未形成文书，作废', '2024-03-20T00:00:00.000Z');
    expect(voided).toEqual([
      expect.objectContaining({ seq: 2, number: '信环执监〔2024〕第002号', status: 'voided', key: null, voidedKey: 'doc/U2', voidReason: '公示时该文号仍未形成文书，作废', voidedAt: '2024-03-20T00:00:00.000Z' }),
    ]);
    expect(await store.voidUnissuedNumbers('c1', 'again', AT)).toEqual([]);
    await expect(store.issueDocument('doc/U2', render('信环执监〔2024〕第002号'), AT)).rejects.toBeInstanceOf(StoreRefusal);
    // The register explains the whole series: 1 and 3 issued, 2 voided; the key, asked again, gets 4.
    const again = await store.allocateDocument('doc/U2', addr('U2'), fmt('supervision-notice', 2024), render, AT);
    expect(again.seq).toBe(4);
    expect((await store.documentNumbers('supervision-notice', 2024)).map((n) => [n.seq, n.status, n.key ?? n.voidedKey])).toEqual([
      [1, 'issued', 'doc/U1'],
      [2, 'voided', 'doc/U2'],
      [3, 'issued', 'doc/U3'],
      [4, 'issued', 'doc/U2'],
    ]);
    expect(await store.voidDocumentNumber('doc/none', 'x', AT)).toBeNull();
    // The database itself refuses an issued number without its document, or a voided one without a reason.
    await expect(db!.run("UPDATE documents SET text = NULL WHERE seq = 1 AND kind = 'supervision-notice'")).rejects.toThrow();
    await expect(db!.run("UPDATE documents SET void_reason = NULL WHERE seq = 2 AND kind = 'supervision-notice'")).rejects.toThrow();
  });
});

describe.each(backends)('document numbers from two processes on $name', (backend) => {
  it('taken in parallel, some abandoned before their document: no number twice, none lost, every gap voided with its reason', async () => {
    const settings = await backend.fresh();
    const db = await openStoreDatabase(settings); // migrated once, before the racers start
    const store = new SqlCampaignStore(db);
    try {
      const child = path.join(__dirname, 'setup', 'campaign-numbers-child.ts');
      const common = { own: 30, shared: 10, abandonEvery: 6, year: 2024 };
      const racers = ['a', 'b'].map((name) => startRacingProcess<NumbersReport>(child, settings, { name, ...common } satisfies NumbersConfig));
      await Promise.all(racers.map((r) => r.ready));
      for (const r of racers) r.go();
      const [ra, rb] = await Promise.all(racers.map((r) => r.done));

      // A shared key got one number, whichever process asked.
      for (let i = 0; i < common.shared; i++) expect(ra!.numbers[`shared-${i}`], `shared-${i}`).toBe(rb!.numbers[`shared-${i}`]);
      const keys = new Set([...Object.keys(ra!.numbers), ...Object.keys(rb!.numbers)]);
      expect(keys.size).toBe(2 * common.own + common.shared);

      // The series is 1..N without a hole or a repeat, one line per key.
      const before = await store.documentNumbers(RACE_KIND, 2024);
      expect(before.map((n) => n.seq)).toEqual(Array.from({ length: keys.size }, (_, i) => i + 1));
      expect(new Set(before.map((n) => n.number)).size).toBe(keys.size);
      for (const n of before) expect(n.number, n.key!).toBe((ra!.numbers[n.key!] ?? rb!.numbers[n.key!])!);
      const abandoned = [...ra!.abandoned, ...rb!.abandoned].sort();
      expect(abandoned).toHaveLength(2 * Math.floor(common.own / common.abandonEvery));
      expect(before.filter((n) => n.status === 'reserved').map((n) => n.key).sort()).toEqual(abandoned);

      // The campaign's end voids exactly the abandoned numbers, each with its reason.
      const voided = await store.voidUnissuedNumbers('c-race', '签发中断，作废', AT);
      expect(voided.map((n) => n.voidedKey).sort()).toEqual(abandoned);
      const after = await store.documentNumbers(RACE_KIND, 2024);
      expect(after.filter((n) => n.status === 'voided').every((n) => n.voidReason === '签发中断，作废')).toBe(true);
      expect(after.filter((n) => n.status === 'issued')).toHaveLength(keys.size - abandoned.length);
      expect(after.filter((n) => n.status === 'reserved')).toEqual([]);
    } finally {
      await db.close();
    }
  }, 240_000); // two tsx processes start on a busy 2-core machine
});

/** A campaign.db as the per-host store wrote it (its first schema: no quarter claims yet), with a quarter drawn twice. */
function legacyFile(dataDir: string, documents: [key: string, seq: number][]): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'campaign.db');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE campaigns (campaign_id TEXT PRIMARY KEY, programme_id TEXT NOT NULL, year INTEGER NOT NULL, quarter INTEGER NOT NULL,
      roster_json TEXT, manifest_dir TEXT, manifest_digest TEXT, frozen_as_of TEXT, record_json TEXT, seed_commitment TEXT, stats_json TEXT, publication_json TEXT);
    CREATE TABLE replacements (campaign_id TEXT NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL UNIQUE, entry_json TEXT NOT NULL, PRIMARY KEY (campaign_id, seq));
    CREATE TABLE results (campaign_id TEXT NOT NULL, unit_id TEXT NOT NULL, report_json TEXT NOT NULL, on_time INTEGER NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (campaign_id, unit_id));
    CREATE TABLE documents (key TEXT PRIMARY KEY, kind TEXT NOT NULL, year INTEGER NOT NULL, seq INTEGER NOT NULL, number TEXT NOT NULL UNIQUE, campaign_id TEXT, unit_id TEXT,
      recipient TEXT NOT NULL, title TEXT, html TEXT, text TEXT, UNIQUE (kind, year, seq));
    PRAGMA journal_mode = WAL;`);
  const c = db.prepare('INSERT INTO campaigns (campaign_id, programme_id, year, quarter, manifest_digest, record_json) VALUES (?, ?, ?, ?, ?, ?)');
  c.run('campaign-p-2024q1-2024-03-17T00:00:00Z', 'p', 2024, 1, 'd1', JSON.stringify({ seed: 's1' }));
  c.run('campaign-p-2024q1', 'p', 2024, 1, null, null);
  db.prepare('INSERT INTO replacements VALUES (?, ?, ?, ?)').run('campaign-p-2024q1-2024-03-17T00:00:00Z', 1, 'rk1', JSON.stringify(entry(1, 'U1')));
  db.prepare('INSERT INTO results VALUES (?, ?, ?, ?, ?)').run('campaign-p-2024q1-2024-03-17T00:00:00Z', 'U2', JSON.stringify(report('2024-01-10')), 1, AT);
  const d = db.prepare('INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const [key, seq] of documents) {
    const number = formatDocumentNumber('supervision-notice', 2024, seq);
    d.run(key, 'supervision-notice', 2024, seq, number, 'campaign-p-2024q1-2024-03-17T00:00:00Z', 'U2', 'county-xixian', '监察通知', `<p>${number}</p>`, number);
  }
  db.close();
  return file;
}

describe.each(backends)('a campaign.db from before the shared store, on $name', (backend) => {
  it('is imported once at start: claims, replacements, results, documents; the series counts on; the file is renamed', async () => {
    const settings = await backend.fresh();
    const db = await openStoreDatabase(settings);
    try {
      const file = legacyFile(settings.dataDir, [
        ['doc/U2', 1],
        ['doc/U3', 2],
      ]);
      const done = await importLegacyCampaignFile(db, settings.dataDir, new Date('2024-04-01T00:00:00Z'));
      expect(done).toMatchObject({ file, renamedTo: `${file}.imported-2024-04-01`, rows: { campaigns: 2, quarter_campaigns: 1, replacements: 1, results: 1, documents: 2 } });
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.existsSync(done!.renamedTo)).toBe(true);
      expect(await importLegacyCampaignFile(db, settings.dataDir)).toBeNull(); // nothing left to import

      const store = new SqlCampaignStore(db);
      const c = 'campaign-p-2024q1-2024-03-17T00:00:00Z';
      expect(await store.campaignOfQuarter(Q1)).toBe(c); // the first campaign of the quarter, by rowid
      expect(await store.requireCampaign(c)).toMatchObject({ manifestDigest: 'd1', record: { seed: 's1' } });
      expect(await store.replacementByKey('rk1')).toEqual(entry(1, 'U1'));
      expect((await store.results(c)).map((r) => r.unitId)).toEqual(['U2']);
      expect((await store.documents(c)).map((d) => [d.key, d.number])).toEqual([
        ['doc/U2', '信环执监〔2024〕第001号'],
        ['doc/U3', '信环执监〔2024〕第002号'],
      ]);
      const next = await store.reserveDocumentNumber('doc/U4', { kind: 'supervision-notice', year: 2024, campaignId: c, unitId: 'U4', recipient: 'county-xixian' }, (n) => formatDocumentNumber('supervision-notice', 2024, n), AT);
      expect(next.number).toBe('信环执监〔2024〕第003号');
    } finally {
      await db.close();
    }
  });

  it('is refused whole, naming both keys, when a number it used is another document in the store (a second host that numbered on its own)', async () => {
    const settings = await backend.fresh();
    const db = await openStoreDatabase(settings);
    try {
      const store = new SqlCampaignStore(db);
      const render = (number: string) => ({ title: '监察通知', html: number, text: number });
      await store.allocateDocument('doc/elsewhere', { kind: 'supervision-notice', year: 2024, campaignId: 'c0', unitId: 'U9', recipient: 'x' }, (n) => formatDocumentNumber('supervision-notice', 2024, n), render, AT);
      const file = legacyFile(settings.dataDir, [['doc/U2', 1]]);
      const err = await rejection(importLegacyCampaignFile(db, settings.dataDir));
      expect(err).toBeInstanceOf(LegacyImportConflict);
      expect((err as Error).message).toBe(
        `${file}: document number 信环执监〔2024〕第001号 belongs to doc/elsewhere in the store but to doc/U2 in the file; nothing was imported. ` +
          'Settle it by hand, then start the worker again (the file stays where it is until then).',
      );
      expect(fs.existsSync(file)).toBe(true);
      expect(await store.campaign('campaign-p-2024q1')).toBeUndefined();
      expect(await store.replacementByKey('rk1')).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
