// Two Node processes against one database at the same moment (tests/setup/store-race-child.ts):
// they consume the same invitations, upsert the same task keys with interleaved revisions, count
// failures for one login and append to the audit log. Nothing may be duplicated or lost. Run on a
// real PostgreSQL 15 (several hosts) and on one SQLite file (worker, console and ssj on one host).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConsoleStore, type StoreSettings } from '../stores/open';
import { raceTask, topRevision, type RaceConfig, type RaceReport } from './setup/store-race-child';
import { storeBackends } from './setup/store-backends';

const ROOT = path.resolve(__dirname, '..');
const CHILD = path.join(ROOT, 'tests', 'setup', 'store-race-child.ts');
const INVITATIONS = 40;
const TASK_KEYS = 12;
const FAILURES = 60;
const AUDITS = 60;

interface Racer {
  ready: Promise<void>;
  go(): void;
  done: Promise<RaceReport>;
}

function startRacer(settings: StoreSettings, cfg: RaceConfig): Racer {
  const env = { ...process.env, SSJ_DATA_DIR: settings.dataDir, SSJ_DATABASE_URL: settings.databaseUrl ?? '' };
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', CHILD, JSON.stringify(cfg)], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<RaceReport>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`racer ${cfg.name} exited ${code}:\n${err}`));
      const lines = out.trim().split('\n');
      resolve(JSON.parse(lines[lines.length - 1]!) as RaceReport);
    });
  });
  // A child that dies before "ready" must fail the test, not leave it waiting.
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => child.stdin.end('go\n'), done };
}

const backends = storeBackends('race');

describe.each(backends)('two processes on $name', (backend) => {
  it('consume, upsert, count and append in parallel: nothing duplicated, nothing lost', async () => {
    const settings = await backend.fresh();
    const store = await openConsoleStore(settings);
    const now = new Date();
    for (let i = 0; i < INVITATIONS; i++) {
      await store.createInvitation({ tokenHash: `inv-${i}`, personId: `P${i}`, roles: ['inspector'], expiresAt: new Date(now.getTime() + 3_600_000), createdBy: null, now });
    }
    const common = { invitations: INVITATIONS, taskKeys: TASK_KEYS, failures: FAILURES, audits: AUDITS };
    const a = startRacer(settings, { name: 'a', parity: 1, ...common });
    const b = startRacer(settings, { name: 'b', parity: 0, ...common });
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const [ra, rb] = await Promise.all([a.done, b.done]);

    // Invitations: each consumed by exactly one process, the other told "used"; one account each.
    for (let i = 0; i < INVITATIONS; i++) {
      const token = `inv-${i}`;
      const winners = [ra, rb].filter((r) => r.consumed.includes(token));
      expect(winners, token).toHaveLength(1);
      const loser = winners[0] === ra ? rb : ra;
      expect(loser.refused[token], token).toBe('used');
      const accounts = await store.listAccounts({ personId: `P${i}` });
      expect(accounts.map((x) => x.login)).toEqual([`${winners[0]!.name}-${i}`]);
      expect((await store.getInvitation(token))!.usedByAccount).toBe(accounts[0]!.id);
    }
    expect(ra.consumed.length + rb.consumed.length).toBe(INVITATIONS);

    // Tasks: the highest revision won, whichever process wrote it, with exactly its assignees.
    for (let k = 0; k < TASK_KEYS; k++) {
      const top = topRevision(k);
      const owner = top % 2 === 1 ? 'a' : 'b';
      const expected = raceTask(k, top, owner);
      const row = await store.getTask(expected.key);
      expect(row, expected.key).toMatchObject({ revision: top, assignees: expected.assignees });
      expect((await store.listTasksFor({ personId: `${owner}-k${k}-r${top}`, roles: [] })).map((t) => t.key)).toEqual([expected.key]);
      expect(await store.listTasksFor({ personId: `${owner}-k${k}-r${top - 2}`, roles: [] }), 'an older revision\'s assignee').toEqual([]);
    }
    // Every assignee row belongs to the task's current revision (none left over from a loser).
    const byOwner = await Promise.all(['a', 'b'].map((p) => store.listTasksFor({ personId: p, roles: [] })));
    expect(byOwner.flat().map((t) => t.key).sort()).toEqual(Array.from({ length: TASK_KEYS }, (_, k) => `race-${k}`).sort());

    // Counts: every failure counted; every audit entry kept once, with its own sequence number.
    expect(await store.getLoginThrottle('shared')).toMatchObject({ failures: 2 * FAILURES });
    const audit = await store.listAudit({ action: 'race.', limit: 1000 });
    expect(audit).toHaveLength(2 * AUDITS);
    expect(new Set(audit.map((e) => e.seq)).size).toBe(2 * AUDITS);
    for (const p of ['a', 'b']) expect(new Set(audit.filter((e) => e.personId === p).map((e) => e.target)).size).toBe(AUDITS);
    await store.close();
  }, 240_000); // two tsx processes start on a busy 2-core machine
});
