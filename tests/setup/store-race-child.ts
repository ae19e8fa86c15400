// One of the racing processes of tests/store-processes.test.ts. It opens the store named by
// SSJ_DATABASE_URL / SSJ_DATA_DIR, prints "ready", waits for "go" on stdin (so both processes
// start together), then races the other process on the same rows and prints what it got as JSON.
import { openConsoleStore, storeSettingsFromEnv } from '../../stores/open';
import type { TaskRow } from '../../stores/console-store';

export interface RaceConfig {
  name: string;
  invitations: number;
  taskKeys: number;
  /** Per key this process writes revisions 1..topRevision(key) of its parity (0 or 1). */
  parity: 0 | 1;
  failures: number;
  audits: number;
}

export interface RaceReport {
  name: string;
  consumed: string[];
  refused: Record<string, string>;
}

/** The highest revision written for a key (by either process). */
export const topRevision = (k: number): number => 20 + (k % 2);

export function raceTask(k: number, revision: number, owner: string): TaskRow {
  return {
    key: `race-${k}`,
    kind: 'result',
    campaignId: 'c-race',
    inspectionWorkflowId: `wf-${k}`,
    unitId: `U${k}`,
    unitName: `单位${k}`,
    department: 'D01',
    assignees: [owner, `${owner}-k${k}-r${revision}`],
    role: null,
    roleDepartment: null,
    deadline: null,
    status: 'open',
    decidedBy: null,
    decidedAt: null,
    detail: {},
    revision,
    updatedAt: new Date(),
  };
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]!) as RaceConfig;
  const store = await openConsoleStore(storeSettingsFromEnv());
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const now = new Date();
  const report: RaceReport = { name: cfg.name, consumed: [], refused: {} };
  const invitations = async () => {
    for (let i = 0; i < cfg.invitations; i++) {
      const r = await store.consumeInvitation(`inv-${i}`, { login: `${cfg.name}-${i}`, passwordHash: null, now });
      if (r.ok) report.consumed.push(`inv-${i}`);
      else report.refused[`inv-${i}`] = r.reason;
    }
  };
  const tasks = async () => {
    for (let k = 0; k < cfg.taskKeys; k++) {
      for (let rev = 1; rev <= topRevision(k); rev++) if (rev % 2 === cfg.parity) await store.upsertTask(raceTask(k, rev, cfg.name));
    }
  };
  const failures = async () => {
    for (let i = 0; i < cfg.failures; i++) await store.recordLoginFailure('shared', now, { maxFailures: 1_000_000, lockoutMs: 1 });
  };
  const audits = async () => {
    for (let i = 0; i < cfg.audits; i++) {
      await store.appendAudit({ accountId: null, personId: cfg.name, action: 'race.append', target: String(i), detail: {}, at: now, ip: null, userAgent: null });
    }
  };
  await Promise.all([invitations(), tasks(), failures(), audits()]);
  await store.close();
  process.stdout.write(JSON.stringify(report) + '\n');
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
