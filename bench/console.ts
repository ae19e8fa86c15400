// Benchmark: the console's lists for signed-in users at concurrency 8, 32 and 128, on a quarter of
// 5,000 inspections, against the same server's /healthz in the same run. The projection tables
// are seeded directly through the store (activities/steps/projection-rows.ts projectInspection, the
// activity's own writer), not by running 5,000 workflows. Measured over real HTTP on loopback:
// the inspector's task list (工作台 /) and the manager's approvals (/approvals). A result
// submission is NOT measured here: it needs a running inspection workflow per request (see the
// report). Usage: npm run bench:console [-- --units 5000 --requests 2000]
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

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const UNITS = arg('units', 5000);
const REQUESTS = arg('requests', 2000);
const INSPECTORS = 200;
const MANAGERS = ['M001', 'M002', 'M003', 'M004'];
const PASSWORD = 'bench password 1';

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

async function signIn(url: string, login: string): Promise<string> {
  const form = await fetch(`${url}/login`);
  const anon = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: anon },
    body: new URLSearchParams({ _csrf: csrf, login, password: PASSWORD }).toString(),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (res.status !== 303 || !session) throw new Error(`sign-in of ${login} failed: HTTP ${res.status}`);
  return session;
}

/** `total` GETs of `path`, `concurrency` at a time, each with one of the sessions; latencies in ms. */
async function load(url: string, pathname: string, sessions: string[], concurrency: number, total: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (next < total) {
        const n = next++;
        const t0 = performance.now();
        const res = await fetch(`${url}${pathname}`, { headers: sessions.length ? { cookie: sessions[(n + w) % sessions.length]! } : {} });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${pathname}: HTTP ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { p50: pct(50), p95: pct(95), perSecond: total / seconds };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-bench-console-'));
  const settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_LOGIN_PER_MINUTE: '10000' } });
  const store = await openConsoleStore(settings.store);
  // The lists read only the projection: Temporal is never called, so the connection stays lazy.
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:7233' }) });
  const app = await buildConsole({ settings, store, personName: async (id) => `人员${id}`, temporal });
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
    t = performance.now();
    const inspectorSessions = await Promise.all(inspectors.map((id) => signIn(url, id.toLowerCase())));
    const managerSessions = await Promise.all(MANAGERS.map((m) => signIn(url, m.toLowerCase())));
    process.stdout.write(`signed in ${inspectors.length + MANAGERS.length} users in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    await load(url, '/healthz', [], 8, 200); // warm-up
    await load(url, '/approvals', managerSessions, 8, 100);
    process.stdout.write('\nconcurrency  page                    p50 ms   p95 ms   req/s   p95 target\n');
    for (const c of [8, 32, 128]) {
      for (const [label, pathname, sessions] of [
        ['/healthz (baseline)', '/healthz', []],
        ['inspector task list /', '/', inspectorSessions],
        ['manager /approvals', '/approvals', managerSessions],
      ] as const) {
        const r = await load(url, pathname, [...sessions], c, REQUESTS);
        const target = c === 32 && pathname !== '/healthz' ? (r.p95 < 100 ? 'met (<100)' : 'MISSED (<100)') : '';
        process.stdout.write(`${String(c).padStart(11)}  ${label.padEnd(22)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p95.toFixed(1).padStart(7)}  ${r.perSecond.toFixed(0).padStart(6)}   ${target}\n`);
      }
    }
    process.stdout.write('\nresult submission: not measured (needs a running inspection workflow per request; see the report)\n');
  } finally {
    await app.close();
    await store.close();
    await temporal.connection.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
