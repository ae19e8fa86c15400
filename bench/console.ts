// Benchmark: the console's lists for signed-in users at concurrency 8, 32 and 128, on a quarter of
// 5,000 inspections, against the same server's /healthz in the same run. The projection tables
// are seeded directly through the store (activities/steps/projection-rows.ts projectInspection, the
// activity's own writer), not by running 5,000 workflows. Measured over real HTTP on loopback:
// the inspector's task list (工作台 /) and the manager's approvals (/approvals). The clients run in
// a process of their own (bench/console-load.ts); `--clients in-process` runs them in the server's
// process, as the first version of this bench did. Result submission: bench/console-submit.ts.
// Usage: npm run bench:console [-- --units 5000 --requests 2000 --clients forked|in-process
//   --submit-units 5000 --submissions 300 --no-submit --submit-only --console-log]
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { projectInspection } from '../activities/steps/projection-rows';
import { addAccount } from '../console/accounts';
import { buildConsole } from '../console/server';
import { loadConsoleSettings } from '../console/settings';
import type { Person } from '../domain/registry';
import { openConsoleStore } from '../stores/open';
import { runLoad, type LoadJob, type LoadResult } from './console-load';
import { benchSubmissions, PASSWORD, signIn } from './console-submit';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const UNITS = arg('units', 5000);
const REQUESTS = arg('requests', 2000);
const INSPECTORS = 200;
const MANAGERS = ['M001', 'M002', 'M003', 'M004'];

const person = (id: string, roles: Person['roles']): Person => ({ id, name: `人员${id}`, department: 'section-1', roles, email: null, inspector: null, active: true });
const inspectorId = (i: number) => `I${String(i).padStart(3, '0')}`;

async function seed(store: Awaited<ReturnType<typeof openConsoleStore>>) {
  const names = { unitName: (id: string) => `${id}号化工有限公司`, departmentName: (id: string) => `${id}科` };
  for (let i = 0; i < UNITS; i++) {
    const team = [inspectorId(i % INSPECTORS), inspectorId((i + 1) % INSPECTORS)];
    // One in ten awaits a hand-over approval, one in fifty a recusal decision.
    const findings = i % 10 === 0;
    await projectInspection(store, names, {
      workflowId: `bench-q1.unit.U${i}`,
      campaignId: 'bench-q1',
      revision: 1,
      at: '2024-02-01T09:00:00+08:00',
      unitId: `U${i}`,
      department: `section-${(i % 4) + 1}`,
      team,
      managers: MANAGERS,
      phase: findings ? 'handover-approval' : 'inspection',
      due: '2024-03-31',
      overdue: false,
      parked: null,
      result: findings ? { by: team[0]!, at: '2024-02-01T09:00:00+08:00', outcome: 'problems-found' } : null,
      approval: findings ? { due: '2024-02-08', decision: null } : null,
      handling: null,
      replacedBy: null,
      decisions: i % 50 === 1 ? [{ kind: 'recusal', n: 1, inspectorId: team[0]!, requestedBy: team[0]!, reasonCode: 'kinship', on: '2024-02-01', decision: null }] : [],
    });
  }
}

const clientsAt = process.argv.indexOf('--clients');
const IN_PROCESS = clientsAt > 0 && process.argv[clientsAt + 1] === 'in-process';

/** Runs load jobs in the forked load generator (or in this process with --clients in-process). */
export function loadGenerator(inProcess = IN_PROCESS): { run(job: LoadJob): Promise<LoadResult>; close(): void } {
  if (inProcess) return { run: runLoad, close: () => undefined };
  const child = fork(path.join(__dirname, 'console-load.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    run: (job) =>
      new Promise((resolve, reject) => {
        const exited = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
        child.once('exit', exited);
        child.once('message', (m: { result?: LoadResult; error?: string }) => {
          child.off('exit', exited);
          if (m.result) resolve(m.result);
          else reject(new Error(`load generator: ${m.error}`));
        });
        child.send(job);
      }),
    close: () => child.kill(),
  };
}

const flag = (name: string) => process.argv.includes(`--${name}`);

async function main() {
  const clients = loadGenerator();
  try {
    if (!flag('submit-only')) await benchLists(clients);
    if (!flag('no-submit')) {
      process.stdout.write('\nresult submission\n');
      const units = arg('submit-units', UNITS);
      await benchSubmissions({ units, perLevel: arg('submissions', Math.min(300, Math.floor(units / 4))), levels: [8, 32, 128], consoleLog: flag('console-log'), run: clients.run, log: (line) => process.stdout.write(`${line}\n`) });
    }
  } finally {
    clients.close();
  }
}

async function benchLists(clients: ReturnType<typeof loadGenerator>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-bench-console-'));
  const settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_LOGIN_PER_MINUTE: '10000' } });
  const store = await openConsoleStore(settings.store);
  // The lists read only the projection: Temporal is never called, so the connection stays lazy.
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:7233' }) });
  const app = await buildConsole({ settings, store, personName: async (id) => `人员${id}`, people: null, temporal });
  // The same console without its task-list cache (console/task-list-cache.ts), on the same store
  // and sessions: every view reads its list from the projection, as after each change of a list.
  const uncached = await buildConsole({ settings, store, personName: async (id) => `人员${id}`, people: null, temporal, taskListCache: false });
  try {
    let t = performance.now();
    await seed(store);
    process.stdout.write(`seeded ${UNITS} inspections through the store in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    for (const m of MANAGERS) await addAccount(store, { login: m.toLowerCase(), person: person(m, ['manager']), roles: [], password: PASSWORD, oidc: null, now: new Date() });
    const inspectors = Array.from({ length: 16 }, (_, i) => inspectorId(i * 7));
    for (const id of inspectors) await addAccount(store, { login: id.toLowerCase(), person: person(id, ['inspector']), roles: [], password: PASSWORD, oidc: null, now: new Date() });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address() as { port: number };
    const url = `http://127.0.0.1:${addr.port}`;
    await uncached.listen({ host: '127.0.0.1', port: 0 });
    const uncachedUrl = `http://127.0.0.1:${(uncached.server.address() as { port: number }).port}`;
    t = performance.now();
    const inspectorSessions = await Promise.all(inspectors.map((id) => signIn(url, id.toLowerCase())));
    const managerSessions = await Promise.all(MANAGERS.map((m) => signIn(url, m.toLowerCase())));
    process.stdout.write(`signed in ${inspectors.length + MANAGERS.length} users in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    const get = (pathname: string, sessions: string[], concurrency: number, total: number, base = url) => clients.run({ url: base, pathname, sessions, concurrency, total, expectStatus: 200 });
    await get('/healthz', [], 8, 200); // warm-up
    await get('/approvals', managerSessions, 8, 100);
    process.stdout.write(`\nclients ${IN_PROCESS ? 'in the server\'s process' : 'in a process of their own'}; ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} load average at the start\n`);
    // The server's CPU time per request: with the clients in their own process, a figure that other
    // work on the machine does not inflate the way it inflates latencies.
    process.stdout.write('concurrency  page                    p50 ms   p95 ms   req/s  cpu ms/req  p95 target\n');
    for (const c of [8, 32, 128]) {
      for (const [label, pathname, sessions, base] of [
        ['/healthz (baseline)', '/healthz', [], url],
        ['inspector task list /', '/', inspectorSessions, url],
        ['  uncached', '/', inspectorSessions, uncachedUrl],
        ['manager /approvals', '/approvals', managerSessions, url],
        ['  uncached', '/approvals', managerSessions, uncachedUrl],
      ] as const) {
        const cpu = process.cpuUsage();
        const r = await get(pathname, [...sessions], c, REQUESTS, base);
        const used = process.cpuUsage(cpu);
        const cpuPerRequest = IN_PROCESS ? '' : ((used.user + used.system) / 1000 / REQUESTS).toFixed(2);
        const target = c === 32 && pathname !== '/healthz' && base === url ? (r.p95 < 100 ? 'met (<100)' : 'MISSED (<100)') : '';
        process.stdout.write(`${String(c).padStart(11)}  ${label.padEnd(22)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p95.toFixed(1).padStart(7)}  ${r.perSecond.toFixed(0).padStart(6)}  ${cpuPerRequest.padStart(10)}  ${target}\n`);
      }
    }
  } finally {
    await app.close();
    await uncached.close();
    await store.close();
    await temporal.connection.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
