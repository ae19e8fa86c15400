// What the crash tests share: worker processes (tests/helpers/campaign-worker.ts) that can be
// killed at a crash point, a compressed quarter driven from the test side (the fixture's
// rehearsal clock: a programme day lasts 2 s), and the audit of the notices that reached the SMTP
// server against what the outbox and the campaign store recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import * as api from '../../client/temporal';
import { noticeMessageId } from '../../mail/mailer';
import Database from 'better-sqlite3';
import { campaignWorkflowId } from '../../workflows/definitions';
import { seedCommitment } from '../../domain/draw/draw';
import { createFixture, drawnUnits, eventually, PEOPLE, report, type Fixture, withCampaignStore } from './campaign-fixture';
import { devServerClient } from './temporal';
import { TEST_MAIL_FROM, type WorkerConfig } from './campaign-worker';
import { PAUSED } from './crash-points';
import type { ArrivedMessage, SmtpRecorder } from './smtp-recorder';

/** Long waits: an activity whose worker died is retried only when its timeout runs out. */
export const PATIENT = { tries: 1_800, everyMs: 100 };

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the worker's first "paused" line (a crash point reached): which point, and on what. */
  paused: Promise<{ what: string; detail: string }>;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
}

const running: ChildProcess[] = [];

/** Starts a worker process on `cfg` and waits until it polls. */
export function spawnWorker(dir: string, cfg: WorkerConfig): Promise<WorkerProcess> {
  const configFile = path.join(dir, `worker-${running.length + 1}.json`);
  fs.writeFileSync(configFile, JSON.stringify(cfg));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'campaign-worker.ts'), configFile], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let err = '';
  let out = '';
  const log = fs.createWriteStream(configFile.replace(/\.json$/, '.log'));
  child.stderr!.on('data', (d) => {
    err += String(d);
    log.write(d);
  });
  let onPaused: (p: { what: string; detail: string }) => void = () => undefined;
  const paused = new Promise<{ what: string; detail: string }>((r) => (onPaused = r));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      log.write(d);
      const p = out.split('\n').find((l) => l.startsWith(PAUSED));
      const [, what, detail] = p?.match(/^\S+ \S+ (\S+) (.*)$/) ?? [];
      if (what) onPaused({ what, detail: detail ?? '' });
      if (out.includes('ssj-test-worker ready')) {
        resolve({
          child,
          paused,
          async kill() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    // The worker's stack trace is kept as text (vitest would try to read source maps for its lines).
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${err.slice(-2000).replace(/^\s+at /gm, '  | ')}`)));
  });
}

/** Kills every worker process still alive (afterAll). */
export function killWorkers(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export interface CrashTest {
  fx: Fixture;
  /** A client of the suite's dev server (unless the file runs its own). */
  client: Client;
  address: string;
  /** Runs after the test, before the fixture folder goes (SMTP servers, a dev server of its own). */
  onCleanup(fn: () => Promise<unknown>): void;
}

/**
 * beforeAll/afterAll of a crash test file: the fixture (programme `programmeId`), a client of the
 * suite's dev server unless `ownServer`, and the clean-up: workers killed, the fixture removed
 * (SSJ_KEEP_CRASH_DIR=1 keeps it: worker logs worker-N.log, outbox, store, to look into).
 */
export function crashTest(programmeId: string, opts: { ownServer?: boolean } = {}): CrashTest {
  const cleanups: (() => Promise<unknown>)[] = [];
  let connection: Connection | undefined;
  const ctx = { onCleanup: (fn: () => Promise<unknown>) => void cleanups.push(fn) } as CrashTest;
  beforeAll(async () => {
    ctx.fx = await createFixture(programmeId);
    if (!opts.ownServer) ({ client: ctx.client, connection, address: ctx.address } = await devServerClient());
  });
  afterAll(async () => {
    killWorkers();
    for (const fn of cleanups.reverse()) await fn();
    await connection?.close();
    if (ctx.fx && process.env.SSJ_KEEP_CRASH_DIR !== '1') fs.rmSync(ctx.fx.dir, { recursive: true, force: true });
  });
  return ctx;
}

/** The worker settings for a fixture (its programme written beside it). */
export function workerConfig(fx: Fixture, address: string, taskQueue: string, extra: Partial<WorkerConfig> = {}): WorkerConfig {
  const programmeFile = path.join(fx.dir, 'programme.json');
  fs.writeFileSync(programmeFile, JSON.stringify(fx.programme));
  return { address, taskQueue, dataDir: fx.dataDir, programmeFile, mailDb: fx.mailDb, shortTimeouts: true, ...extra };
}

/** Starts 2024 Q1 of the fixture's programme on a compressed clock. */
export async function startQuarter(client: Client, fx: Fixture, taskQueue: string): Promise<{ handle: WorkflowHandle; campaignId: string }> {
  const programmeId = fx.programme.id;
  const handle = await api.startCampaign(
    client,
    { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-28', secondsPerDay: 2 } },
    { taskQueue },
  );
  return { handle, campaignId: campaignWorkflowId(programmeId, 2024, 1) };
}

/** Both change lists, then the witness ceremony; resolves with the sealed list (its seed commitment). */
export async function holdDraw(client: Client, campaignId: string): Promise<{ seedCommitment: string }> {
  await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded', PATIENT.tries, PATIENT.everyMs);
  await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
  await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
  await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase', PATIENT.tries, PATIENT.everyMs);
  await api.holdWitnessCeremony(client, campaignId, [
    { role: 'admin', personId: PEOPLE.admin, entropy: 'CrashTestEntropy0001' },
    { role: 'discipline', personId: PEOPLE.discipline, entropy: '1122334455667788' },
  ]);
  return eventually(async () => (await api.campaignStatus(client, campaignId)).sealed, 'sealed list', PATIENT.tries, PATIENT.everyMs);
}

/**
 * Every inspection reports; the first unit of the section finds a problem, and the leader in
 * charge approves the hand-over, so a case document goes out as a notice too. Waits patiently:
 * an inspection may hang on an activity of a killed worker until its timeout.
 */
export async function finishInspections(client: Client, campaignId: string, dataDir: string): Promise<{ units: ReturnType<typeof drawnUnits>; handedOver: string | null }> {
  const units = drawnUnits(dataDir, campaignId);
  const section = units.find((u) => u.department === 'section-1') ?? null;
  for (const u of units) {
    const st = await eventually(async () => {
      const s = await api.inspectionStatus(client, campaignId, u.unitId);
      return s.phase === 'inspection' && s;
    }, `${u.unitId} in phase inspection`, PATIENT.tries, PATIENT.everyMs);
    const result = u === section ? { outcome: 'problems-found', description: '废气超标排放' } : { outcome: 'no-problem' };
    await api.submitResult(client, campaignId, u.unitId, report(st.team[0]!, st.team.slice(0, 2), result));
  }
  if (section) {
    await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'handover-approval', 'hand-over approval', PATIENT.tries, PATIENT.everyMs);
    await api.decideHandover(client, campaignId, section.unitId, { by: PEOPLE.managers[1]!, decision: 'approve' });
  }
  return { units, handedOver: section?.unitId ?? null };
}

export interface NoticeAudit {
  /** Keys of the notices the store recorded as due with at least one address. */
  due: string[];
  /** Accepted by the SMTP server, per key: how many times. */
  arrivals: Record<string, number>;
  /** Due but never accepted. */
  missing: string[];
  /** Accepted more than once (by Message-ID). */
  duplicates: string[];
  /** Accepted without a Message-ID derived from its key. */
  wrongMessageId: string[];
  /** Outbox rows not `sent`. */
  unsent: OutboxEntry[];
  outbox: OutboxEntry[];
}

export interface OutboxEntry {
  key: string;
  status: string;
  attempts: number;
  uncertainResends: number;
}

/** The outbox's rows (stores/outbox.ts, in the data folder's ssj.db), read as they are on disk. */
export function outboxRows(dataDir: string): OutboxEntry[] {
  const file = path.join(dataDir, 'ssj.db');
  if (!fs.existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'mail_outbox'").get()) return [];
    const rows = db.prepare('SELECT notice_key AS key, status, attempts, uncertain_resends FROM mail_outbox ORDER BY notice_key').all() as { key: string; status: string; attempts: number; uncertain_resends: number }[];
    return rows.map((r) => ({ key: r.key, status: r.status, attempts: r.attempts, uncertainResends: r.uncertain_resends }));
  } finally {
    db.close();
  }
}

/**
 * After a crash: the draw on record is the one sealed before it, and every notice the store
 * recorded as due reached the SMTP server exactly once (by Message-ID, derived from its key),
 * nothing else did, and the outbox holds each as sent. Returns the audit for further checks.
 */
export async function expectQuarterIntact(a: { fx: Fixture; campaignId: string; sealed: { seedCommitment: string }; smtp: Pick<SmtpRecorder, 'accepted'> }): Promise<NoticeAudit> {
  const record = await withCampaignStore(a.fx.dataDir, async (store) => (await store.requireCampaign(a.campaignId)).record!);
  expect(seedCommitment(record.seed)).toBe(a.sealed.seedCommitment);
  const audit = await auditNotices(a.smtp, a.fx.dataDir, a.campaignId);
  expect({ missing: audit.missing, duplicates: audit.duplicates, wrongMessageId: audit.wrongMessageId, unsent: audit.unsent }).toEqual({
    missing: [],
    duplicates: [],
    wrongMessageId: [],
    unsent: [],
  });
  expect(Object.keys(audit.arrivals).sort()).toEqual(audit.due);
  return audit;
}

/** What reached the SMTP server against the store's notice events and the outbox. */
export async function auditNotices(smtp: Pick<SmtpRecorder, 'accepted'>, dataDir: string, campaignId: string): Promise<NoticeAudit> {
  const events = await withCampaignStore(dataDir, (store) => store.events(campaignId));
  const due = events
    .filter((e) => {
      const d = e.detail as { emails?: string[]; sentTo?: string[] } | null;
      return (d?.emails ?? d?.sentTo ?? []).length > 0;
    })
    .map((e) => e.key)
    .sort();
  const outbox = outboxRows(dataDir);
  const byId = new Map<string, ArrivedMessage[]>();
  const arrivals: Record<string, number> = {};
  for (const m of smtp.accepted) {
    const id = m.messageId ?? '(none)';
    byId.set(id, [...(byId.get(id) ?? []), m]);
    const key = m.noticeKey ?? '(no key)';
    arrivals[key] = (arrivals[key] ?? 0) + 1;
  }
  return {
    due,
    arrivals,
    missing: due.filter((k) => !arrivals[k]),
    duplicates: [...byId].filter(([, ms]) => ms.length > 1).map(([id, ms]) => `${ms[0]!.noticeKey} ${id} ×${ms.length}`),
    wrongMessageId: smtp.accepted.filter((m) => !m.noticeKey || m.messageId !== noticeMessageId(m.noticeKey, TEST_MAIL_FROM.address)).map((m) => `${m.noticeKey} ${m.messageId}`),
    unsent: outbox.filter((r) => r.status !== 'sent'),
    outbox,
  };
}

/**
 * The attempt that completed the sendNotice activity of notice `key` in workflow `workflowId`
 * (its ActivityTaskStarted event; only the last attempt is recorded), or null if none did.
 */
export async function sendNoticeAttempt(client: Client, workflowId: string, key: string): Promise<number | null> {
  const { defaultPayloadConverter } = await import('@temporalio/common');
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Set<number>();
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name !== 'sendNotice') continue;
    const arg = defaultPayloadConverter.fromPayload<{ key?: string }>(s.input!.payloads![0]!);
    if (arg.key === key) scheduled.add(Number(e.eventId));
  }
  for (const e of history.events ?? []) {
    const st = e.activityTaskStartedEventAttributes;
    if (st && scheduled.has(Number(st.scheduledEventId))) return st.attempt ?? 1;
  }
  return null;
}
