// A small city for workflow tests: a registry (in the shared store of the fixture's data folder) with one section, one direct brigade,
// one county brigade and an agency; witnesses, managers, leaders; a programme whose quotas give a
// handful of inspections; and a recording mail dependency that writes every notice to SQLite.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadProgramme } from '../../config/programme';
import type { Programme } from '../../domain/programme';
import type { Department, Person, Unit } from '../../domain/registry';
import type { MailSender } from '../../activities';
import type { Notice } from '../../mail/mailer';
import { openCampaignStore, type CampaignStore } from '../../stores/campaign-store';
import { SQLITE_STORE_FILE } from '../../stores/open';
import { openRegistryStore, type RegistryChange, type RegistryStore } from '../../stores/registry-store';

export interface Fixture {
  dir: string;
  /** Its ssj.db holds the registry (and, once activities ran, the campaigns). */
  dataDir: string;
  programme: Programme;
  mailDb: string;
}

const dept = (id: string, kind: Department['kind'], name: string, jurisdiction: string | null): Department => ({
  id,
  kind,
  name,
  jurisdiction,
  email: `${id}@bureau.example.cn`,
});

function person(id: string, department: string, roles: Person['roles']): Person {
  const inspector = roles.includes('inspector') ? { certificateNo: `CERT-${id}`, onStaff: true, onPost: true, specialties: [] } : null;
  return { id, name: `人员${id}`, department, roles, email: `${id.toLowerCase()}@bureau.example.cn`, inspector, active: true };
}

function unit(id: string, category: Unit['category'], jurisdiction: string, specialProblem = false): Unit {
  return {
    id,
    idKind: 'local',
    name: `单位${id}`,
    category,
    jurisdiction,
    industry: '化工',
    address: `${jurisdiction}路1号`,
    creditRating: null,
    positiveList: false,
    positiveKind: null,
    specialReason: category === 'special' ? 'penalised' : null,
    specialProblem,
    status: 'active',
    statusDate: '2022-01-01',
  };
}

export const PEOPLE = {
  admin: 'ADM1',
  admin2: 'ADM2',
  discipline: 'DIS1',
  managers: ['MGR1', 'MGR2'],
  detachmentLeader: 'DL1',
  sectionInspectors: ['S1', 'S2', 'S3'],
  brigadeInspectors: ['B1', 'B2', 'B3'],
  brigadeLeader: 'BL1',
  brigadeClerk: 'BC1',
  countyClerk: 'CC1',
  superior: 'SUP1',
};

/** `programmeId` differs per test file: campaign ids are unique on the shared dev server. */
export async function createFixture(programmeId = 'testcity-2024'): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-campaign-'));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const departments = [
    dept('section-1', 'section', '执法一科', null),
    dept('brigade-shihe', 'direct-brigade', '浉河大队', 'shihe'),
    dept('county-xixian', 'county-brigade', '息县大队', 'xixian'),
    dept('agency-market', 'agency', '市场监督管理局', null),
  ];
  const people: Person[] = [
    person(PEOPLE.admin, 'section-1', ['admin']),
    person(PEOPLE.admin2, 'section-1', ['admin', 'discipline']),
    person(PEOPLE.discipline, 'section-1', ['discipline']),
    ...PEOPLE.managers.map((m) => person(m, 'section-1', ['manager'])),
    person(PEOPLE.detachmentLeader, 'section-1', ['detachment-leader']),
    ...PEOPLE.sectionInspectors.map((s) => person(s, 'section-1', ['inspector'])),
    ...PEOPLE.brigadeInspectors.map((s) => person(s, 'brigade-shihe', ['inspector'])),
    person(PEOPLE.brigadeLeader, 'brigade-shihe', ['brigade-leader']),
    person(PEOPLE.brigadeClerk, 'brigade-shihe', ['inspector']),
    person(PEOPLE.countyClerk, 'county-xixian', ['brigade-leader']),
    person(PEOPLE.superior, 'agency-market', ['superior-contact']),
  ];
  // brigadeClerk is an inspector too: the brigade has four, so a recusal has someone to take over.
  const units: Unit[] = [
    ...['K01', 'K02', 'K03', 'K04'].map((u) => unit(u, 'key', 'shihe')),
    ...['K05', 'K06', 'K07', 'K08'].map((u) => unit(u, 'key', 'xixian')),
    ...['G01', 'G02', 'G03', 'G04', 'G05', 'G06'].map((u) => unit(u, 'general', 'shihe')),
    unit('P01', 'special', 'shihe', true),
    unit('P02', 'special', 'shihe', true),
  ];
  const changes: RegistryChange[] = [
    ...departments.map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })),
    ...people.map((p) => ({ entityKind: 'person' as const, entityId: p.id, state: p })),
    ...units.map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: u })),
  ];
  await withRegistry(dataDir, (store) => store.applyBatch({ key: 'test:initial', kind: 'test', source: 'test', reason: 'initial registry', effectiveDate: '2023-01-01', changes }));

  // The 2024 calendar, quotas small enough for quick tests: 1 general unit per inspector.
  const base = loadProgramme();
  const programme: Programme = {
    ...base,
    id: programmeId,
    year: 2024,
    ratios: { ...base.ratios, general: { ...base.ratios.general, quarterly: [1, 1, 1, 1] } },
  };
  return { dir, dataDir, programme, mailDb: path.join(dir, 'mail.db') };
}

/** The registry in the shared store of the fixture's data folder, for one use (e.g. a change mid-test). */
export async function withRegistry<T>(dataDir: string, use: (store: RegistryStore) => Promise<T>): Promise<T> {
  const store = await openRegistryStore({ dataDir, databaseUrl: null });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export interface RecordedNotice {
  key: string;
  to: string[];
  subject: string;
  attachments: number;
  calls: number;
}

/** A `mail` dependency that records notices by key (idempotent, like the outbox) and counts calls. */
export function recordingMail(file: string): MailSender & { close(): void } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.exec('CREATE TABLE IF NOT EXISTS notices (key TEXT PRIMARY KEY, to_json TEXT, subject TEXT, attachments INTEGER, calls INTEGER NOT NULL DEFAULT 1)');
  return {
    async sendNotice(n: Notice) {
      db.prepare(
        'INSERT INTO notices (key, to_json, subject, attachments) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET calls = calls + 1',
      ).run(n.key, JSON.stringify(n.to), n.subject, n.attachments?.length ?? 0);
      return { key: n.key };
    },
    close: () => db.close(),
  };
}

export function readNotices(file: string): RecordedNotice[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT * FROM notices ORDER BY key').all() as Record<string, unknown>[]).map((r) => ({
      key: r.key as string,
      to: JSON.parse(r.to_json as string) as string[],
      subject: r.subject as string,
      attachments: r.attachments as number,
      calls: r.calls as number,
    }));
  } finally {
    db.close();
  }
}

/** A valid result report. */
export function report(by: string, present: string[], result: Record<string, unknown> = { outcome: 'no-problem' }, checkedOn = '2024-02-01') {
  return { by, present, checkedOn, result, evidence: ['现场笔录-001'] };
}

/** The campaign store the test's activities wrote (the data folder's ssj.db), for one use. */
export async function withCampaignStore<T>(dataDir: string, use: (store: CampaignStore) => Promise<T>): Promise<T> {
  const { store, close } = await openCampaignStore({ dataDir, databaseUrl: null });
  try {
    return await use(store);
  } finally {
    await close();
  }
}

/** The draw record's assignments with each unit's department, read (synchronously) from the data folder's store file. */
export function drawnUnits(dataDir: string, campaignId: string): { unitId: string; poolId: string; department: string; team: string[] }[] {
  const db = new Database(path.join(dataDir, SQLITE_STORE_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT record_json FROM campaigns WHERE campaign_id = ?').get(campaignId) as { record_json: string | null } | undefined;
    if (!row?.record_json) return [];
    const rec = JSON.parse(row.record_json) as { pools: { pool_id: string; department: string }[]; assignments: { pool_id: string; unit_id: string; inspectors: string[] }[] };
    const dep = new Map(rec.pools.map((p) => [p.pool_id, p.department]));
    return rec.assignments.map((a) => ({ unitId: a.unit_id, poolId: a.pool_id, department: dep.get(a.pool_id)!, team: a.inspectors }));
  } finally {
    db.close();
  }
}

/** Waits (test side) until `fn` returns a value; for states reached while activities run, when time cannot skip. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, tries = 200, everyMs = 100): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * Saves a workflow's history to tests/histories/<name>.json (for the replay tests): protobuf's
 * own object form (longs and bytes as strings), read back with loadHistory.
 * Only when SSJ_RECORD_HISTORIES=1: the committed histories stand for quarters already running
 * in production, so an ordinary test run must replay them, never overwrite them with histories
 * of the current code (which would always replay). Record anew only on purpose, and keep the old
 * files of any workflow version that may still be running.
 */
export async function saveHistory(handle: { workflowId: string; fetchHistory(): Promise<unknown> }, name: string): Promise<void> {
  if (process.env.SSJ_RECORD_HISTORIES !== '1') return;
  const { temporal } = await import('@temporalio/proto');
  const History = temporal.api.history.v1.History;
  const history = History.create((await handle.fetchHistory()) as object);
  const json = History.toObject(history, { longs: String, enums: String, bytes: String, defaults: false });
  fs.writeFileSync(path.join(__dirname, '..', 'histories', `${name}.json`), `${JSON.stringify({ workflowId: handle.workflowId, history: json })}\n`);
}

export async function loadHistory(file: string): Promise<{ workflowId: string; history: unknown }> {
  const { temporal } = await import('@temporalio/proto');
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { workflowId: string; history: Record<string, unknown> };
  return { workflowId: saved.workflowId, history: temporal.api.history.v1.History.fromObject(saved.history) };
}

/** The rejection message of an Update (the validator's ApplicationFailure). */
export async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { cause?: { message?: string }; message: string };
    return e.cause?.message ?? e.message;
  }
  throw new Error('expected the message to be rejected, but it was accepted');
}
