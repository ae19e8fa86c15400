// Upgrading a host that kept its campaigns in <dataDir>/campaign.db (before the shared store): the
// worker copies the file's rows into the shared store once at start, then renames the file, so a
// quarter running across the upgrade keeps its draw, replacements, results and document numbers.
// Idempotent (a second import of the same rows writes nothing). Rows that disagree with what the
// store already holds — a quarter claimed by another campaign, a document number or replacement
// slot taken under another key (two hosts that each numbered on their own) — refuse the whole
// import, naming the file, the row and both sides: they are for a person to settle, never merged.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql';

export const LEGACY_CAMPAIGN_FILE = 'campaign.db';

type Row = Record<string, SqlValue>;

/** Copies the tables' rows as they are (same columns in the file and the store), skipping rows already there. */
const COPIED: { table: string; columns: string[] }[] = [
  { table: 'campaigns', columns: ['campaign_id', 'programme_id', 'year', 'quarter', 'roster_json', 'manifest_dir', 'manifest_digest', 'frozen_as_of', 'record_json', 'seed_commitment', 'stats_json', 'publication_json'] },
  { table: 'change_lists', columns: ['campaign_id', 'brigade', 'submitted_by', 'batch_id', 'on_date'] },
  { table: 'results', columns: ['campaign_id', 'unit_id', 'report_json', 'on_time', 'recorded_at'] },
  { table: 'handlings', columns: ['campaign_id', 'unit_id', 'handling', 'detail_json'] },
  { table: 'events', columns: ['key', 'campaign_id', 'kind', 'unit_id', 'detail_json', 'at'] },
  { table: 'ceremonies', columns: ['campaign_id', 'number', 'outcome', 'ceremony_json'] },
  { table: 'notes', columns: ['key', 'campaign_id', 'unit_id', 'kind', 'reason_code', 'note', 'by_person', 'at'] },
];

export class LegacyImportConflict extends Error {
  override name = 'LegacyImportConflict';
}

export interface LegacyImport {
  file: string;
  /** Rows read per table. */
  rows: Record<string, number>;
  /** Where the file now is. */
  renamedTo: string;
}

/** Imports `<dataDir>/campaign.db` if there is one; null when there is none. */
export async function importLegacyCampaignFile(db: SqlDatabase, dataDir: string, now = new Date()): Promise<LegacyImport | null> {
  const file = path.join(dataDir, LEGACY_CAMPAIGN_FILE);
  if (!fs.existsSync(file)) return null;
  const legacy = new Database(file, { fileMustExist: true });
  let rows: Record<string, number>;
  try {
    legacy.pragma('busy_timeout = 10000');
    const tables = new Set((legacy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const read = (sql: string): Row[] => legacy.prepare(sql).all() as Row[];
    const data: Record<string, Row[]> = {};
    for (const t of [...COPIED.map((c) => c.table), 'replacements', 'documents']) data[t] = tables.has(t) ? read(`SELECT * FROM ${t}`) : [];
    // Files from before quarter claims: each quarter's first campaign (by rowid) holds it.
    data.quarter_campaigns = tables.has('quarter_campaigns')
      ? read('SELECT * FROM quarter_campaigns')
      : read(
          `SELECT programme_id, year, quarter, campaign_id FROM campaigns c
           WHERE rowid = (SELECT MIN(rowid) FROM campaigns WHERE programme_id = c.programme_id AND year = c.year AND quarter = c.quarter)`,
        );
    await db.transaction((tx) => copyInto(tx, file, data, now));
    rows = Object.fromEntries(Object.entries(data).map(([t, r]) => [t, r.length]));
  } finally {
    legacy.close(); // checkpoints the file's WAL, so the renamed file is whole
  }
  const renamedTo = `${file}.imported-${now.toISOString().slice(0, 10)}`;
  try {
    fs.renameSync(file, renamedTo);
    for (const side of ['-wal', '-shm']) fs.rmSync(`${file}${side}`, { force: true });
  } catch (err) {
    // Another worker of this host imported and renamed it first: the rows are in either way.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { file, rows, renamedTo };
}

async function copyInto(tx: SqlExecutor, file: string, data: Record<string, Row[]>, now: Date): Promise<void> {
  const refuse = (what: string) => {
    throw new LegacyImportConflict(`${file}: ${what}; nothing was imported. Settle it by hand, then start the worker again (the file stays where it is until then).`);
  };
  for (const q of data.quarter_campaigns!) {
    const held = await tx.get<Row>('SELECT campaign_id FROM quarter_campaigns WHERE programme_id = ? AND year = ? AND quarter = ?', [q.programme_id!, q.year!, q.quarter!]);
    if (held && held.campaign_id !== q.campaign_id) refuse(`programme ${q.programme_id} ${q.year} Q${q.quarter} is held by ${held.campaign_id} in the store but by ${q.campaign_id} in the file`);
  }
  for (const r of data.replacements!) {
    const held = await tx.get<Row>('SELECT key FROM replacements WHERE campaign_id = ? AND seq = ?', [r.campaign_id!, r.seq!]);
    if (held && held.key !== r.key) refuse(`replacement ${r.seq} of campaign ${r.campaign_id} is ${held.key} in the store but ${r.key} in the file`);
  }
  for (const d of data.documents!) {
    const held = await tx.get<Row>('SELECT key, voided_key FROM documents WHERE (kind = ? AND year = ? AND seq = ?) OR number = ?', [d.kind!, d.year!, d.seq!, d.number!]);
    if (held && held.key !== d.key) refuse(`document number ${d.number} belongs to ${held.key ?? `(voided) ${held.voided_key}`} in the store but to ${d.key} in the file`);
  }
  for (const c of [...COPIED, { table: 'quarter_campaigns', columns: ['programme_id', 'year', 'quarter', 'campaign_id'] }]) {
    const insert = `INSERT INTO ${c.table} (${c.columns.join(', ')}) VALUES (${c.columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;
    for (const r of data[c.table]!) await tx.run(insert, c.columns.map((col) => r[col] ?? null));
  }
  for (const r of data.replacements!) {
    await tx.run('INSERT INTO replacements (campaign_id, seq, key, entry_json) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [r.campaign_id!, r.seq!, r.key!, r.entry_json!]);
  }
  // The file's documents were written with their number in one transaction: all issued.
  for (const d of data.documents!) {
    await tx.run(
      `INSERT INTO documents (kind, year, seq, number, key, status, campaign_id, unit_id, recipient, title, html, text, reserved_at, issued_at)
       VALUES (?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [d.kind!, d.year!, d.seq!, d.number!, d.key!, d.campaign_id ?? null, d.unit_id ?? null, d.recipient!, d.title ?? null, d.html ?? null, d.text ?? '', now.toISOString(), now.toISOString()],
    );
    // The series counts on from the highest number the file used.
    await tx.run(
      `INSERT INTO document_series (kind, year, last_seq) VALUES (?, ?, ?)
       ON CONFLICT (kind, year) DO UPDATE SET last_seq = excluded.last_seq WHERE document_series.last_seq < excluded.last_seq`,
      [d.kind!, d.year!, d.seq!],
    );
  }
}
