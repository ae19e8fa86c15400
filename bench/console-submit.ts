// bench:console's result submissions: a real quarter on a fresh Temporal dev server with one
// in-process worker (as bench/campaign.ts runs it), brought to its inspections, and the console
// on the same store; signed-in inspectors then post the inspection page's own result form
// (multipart, its CSRF token first, every check item ticked, both team members present, 未发现问题)
// and the time is taken until the console answers that the result was accepted (the Update
// returned). Each inspection is submitted once; the forms are read from the pages before the clock
// starts, so only the POSTs are timed. The quarter's clock runs at the real pace (a programme day
// is a day), started so that its update window closes a few seconds after the start: as in
// production, the worker meanwhile has only the submissions to answer, not a quarter's reminder and
// overdue timers squeezed into minutes (a first version at one day a second had the worker so busy
// firing them that the pages' queries timed out). Measurement starts once every drawn inspection is
// running, so the draw's fan-out is not measured either.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as api from '../client/temporal';
import { bundleOptions, ssjDataConverter } from '../codec/data-converter';
import { Keyring, newKeyFile } from '../codec/keyring';
import { createActivities } from '../activities';
import { daysBetween, quarterStart } from '../domain/calendar';
import { loadProgramme } from '../config/programme';
import { loadRuntimeSettings } from '../config/runtime';
import { ssjClient, WORKFLOW_ACTIVATION_TIMEOUT } from '../config/temporal';
import { addAccount } from '../console/accounts';
import { serveConsole } from '../console/serve';
import { loadConsoleSettings } from '../console/settings';
import type { Programme } from '../domain/programme';
import type { Department, Person, Unit } from '../domain/registry';
import { startDevServer } from '../scripts/dev-server';
import { openStoreDatabase } from '../stores/open';
import { SqlRegistryStore, type RegistryBatch } from '../stores/registry-store';
import { SqlConsoleStore } from '../stores/sql-console-store';
import { campaignWorkflowId } from '../workflows/definitions';
import type { LoadJob, LoadResult } from './console-load';

const BRIGADES = 10;
const INSPECTORS_PER_BRIGADE = 10;
/** Seconds from the start to the update window's close (the brigades' change lists come first). */
const WINDOW_SECONDS = 20;
export const PASSWORD = 'bench password 1';
/** In the page the console answers an accepted result with (each inspection is submitted only once here). */
const SUBMITTED = '已提交';

/** Brigades with their inspectors and leader, enough units per brigade to draw `units`, the witnesses. */
function registry(units: number): RegistryBatch {
  const departments: Department[] = [{ id: 'section-1', kind: 'section', name: '执法一科', jurisdiction: null, email: null }];
  const people: Person[] = [];
  const all: Unit[] = [];
  for (let b = 0; b < BRIGADES; b++) {
    const id = `brigade-${b}`;
    departments.push({ id, kind: 'direct-brigade', name: `第${b + 1}大队`, jurisdiction: `area-${b}`, email: `${id}@bench.example.cn` });
    for (let i = 0; i < INSPECTORS_PER_BRIGADE; i++) {
      const pid = `I${b}x${i}`;
      people.push({ id: pid, name: `检查员${pid}`, department: id, roles: ['inspector'], email: null, inspector: { certificateNo: `C${pid}`, onStaff: true, onPost: true, specialties: [] }, active: true });
    }
    people.push({ id: `BL${b}`, name: `大队长${b}`, department: id, roles: ['brigade-leader'], email: null, inspector: null, active: true });
    for (let u = 0; u < Math.ceil(units / BRIGADES) + 50; u++) {
      all.push({ id: `U${b}x${u}`, idKind: 'local', name: `单位${b}-${u}`, category: 'general', jurisdiction: `area-${b}`, industry: '制造', address: '', creditRating: null, positiveList: false, positiveKind: null, specialReason: null, specialProblem: false, status: 'active', statusDate: '2022-01-01' });
    }
  }
  for (const [id, role] of [['ADM', 'admin'], ['DIS', 'discipline'], ['MGR', 'manager']] as const) {
    people.push({ id, name: id, department: 'section-1', roles: [role], email: null, inspector: null, active: true });
  }
  return {
    key: 'bench-console',
    kind: 'bench',
    source: 'bench',
    reason: 'bench registry',
    effectiveDate: '2023-01-01',
    changes: [
      ...departments.map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })),
      ...people.map((p) => ({ entityKind: 'person' as const, entityId: p.id, state: p })),
      ...all.map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: u })),
    ],
  };
}

async function until<T>(what: string, fn: () => Promise<T | null>, minutes = 20): Promise<T> {
  const deadline = Date.now() + minutes * 60_000;
  let lastSaid = Date.now();
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    if (Date.now() - lastSaid > 30_000) console.error(`bench: waiting for ${what}`), (lastSaid = Date.now());
    if (Date.now() > deadline) throw new Error(`bench: waited ${minutes} min for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function signIn(url: string, login: string): Promise<string> {
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

const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1] ?? null;
const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The result form of an inspection page, filled in as an inspector would for 未发现问题: its fields in page order. */
function filledResultForm(page: string): { action: string; fields: [string, string][] } {
  const form = /<form class="card record"[^>]*>([\s\S]*?)<\/form>/.exec(page);
  if (!form) throw new Error(`no result form on the inspection page: ${page.replace(/\s+/g, ' ').slice(0, 300)}`);
  const action = unescape(attr(form[0], 'action') ?? '/inspection');
  const fields: [string, string][] = [];
  for (const [tag] of form[1]!.matchAll(/<input[^>]*>/g)) {
    const name = attr(tag, 'name');
    const value = unescape(attr(tag, 'value') ?? '');
    const type = attr(tag, 'type') ?? 'text';
    if (!name || type === 'file') continue;
    if (type === 'checkbox') {
      if (/-problem$/.test(name)) continue; // no problem found
      fields.push([name, value]); // every item checked, every team member present
    } else if (type === 'radio') {
      if (value === 'no-problem') fields.push([name, value]);
    } else fields.push([name, value]);
  }
  fields.push(['howChecked', '现场查看治污设施运行情况，查阅台账'], ['action', 'submit']);
  return { action, fields };
}

export interface SubmissionBench {
  units: number;
  perLevel: number;
  levels: readonly number[];
  /** The console's own request log (Fastify's JSON lines) on stdout: to see why a request failed. */
  consoleLog?: boolean;
  run(job: LoadJob): Promise<LoadResult>;
  log(line: string): void;
}

/** Prints one line per concurrency level: the submissions' p50, p95 and rate beside /healthz's. */
export async function benchSubmissions(o: SubmissionBench): Promise<void> {
  // Errors only: on a loaded machine the worker's slow-task warnings would bury the figures.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-bench-console-submit-'));
  const server = await startDevServer({ logFile: path.join(dir, 'server.log'), headless: true, dbFile: path.join(dir, 'temporal.db') });
  const dataDir = path.join(dir, 'data');
  const keyring = new Keyring(newKeyFile());
  const connection = await Connection.connect({ address: server.address });
  const client = ssjClient(connection, 'default', keyring);
  const native = await NativeConnection.connect({ address: server.address });
  const database = await openStoreDatabase({ dataDir, databaseUrl: null });
  const stops: (() => Promise<unknown>)[] = [() => connection.close(), () => native.close(), () => database.close(), () => server.stop()];
  // A Ctrl-C still stops the dev server and the worker this run started.
  const interrupted = () => void (async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    process.exit(130);
  })();
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const base = loadProgramme();
    const ratio = Math.ceil(o.units / BRIGADES / INSPECTORS_PER_BRIGADE);
    const programme: Programme = { ...base, id: 'bench-console-2024', year: 2024, ratios: { ...base.ratios, general: { ...base.ratios.general, quarterly: [ratio, ratio, ratio, ratio] } } };
    await new SqlRegistryStore(database).applyBatch(registry(o.units));
    const quiet = () => undefined;
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet }, ...bundleOptions });
    const activities = createActivities({ dataDir, database, consoleStore: new SqlConsoleStore(database, false), programme, mail: { async sendNotice() { return undefined; } }, keyring, allowRehearsalClock: true });
    const taskQueue = 'bench-console';
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle, activities, dataConverter: ssjDataConverter(keyring), maxConcurrentWorkflowTaskExecutions: 100, maxCachedWorkflows: 2000, ...WORKFLOW_ACTIVATION_TIMEOUT });
    const running = worker.run();
    stops.unshift(async () => {
      worker.shutdown();
      await running;
    });

    const runtime = loadRuntimeSettings({ env: { SSJ_DATA_DIR: dataDir, SSJ_TASK_QUEUE: taskQueue } });
    const settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dataDir, SSJ_CONSOLE_HOST: '127.0.0.1', SSJ_CONSOLE_PORT: '0', SSJ_CONSOLE_LOGIN_PER_MINUTE: '10000' } });
    const console_ = await serveConsole({ runtime, settings, client, logger: o.consoleLog ?? false });
    stops.unshift(() => console_.close());
    const url = `http://127.0.0.1:${(console_.app.server.address() as { port: number }).port}`;

    let t = performance.now();
    const campaignId = campaignWorkflowId(programme.id, 2024, 1);
    // The update window closes at the start of the quarter's first day: WINDOW_SECONDS from now.
    const programmeStart = '2023-12-28';
    const startedAt = Date.now() + WINDOW_SECONDS * 1000 - daysBetween(programmeStart, quarterStart(2024, 1)) * 86_400_000;
    await api.startCampaign(client, { programmeId: programme.id, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart, startedAt, secondsPerDay: 86_400 } }, { taskQueue });
    await until('the brigades', async () => ((await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === BRIGADES ? true : null));
    for (let b = 0; b < BRIGADES; b++) await api.submitChangeList(client, campaignId, { brigade: `brigade-${b}`, by: `BL${b}`, batchId: null });
    await until('the draw', async () => ((await api.campaignStatus(client, campaignId)).phase === 'draw' ? true : null));
    await api.holdWitnessCeremony(client, campaignId, [
      { role: 'admin', personId: 'ADM', entropy: 'BenchEntropyAdmin001' },
      { role: 'discipline', personId: 'DIS', entropy: 'BenchEntropyDiscipline1' },
    ]);
    const needed = o.perLevel * o.levels.length;
    const drawn = await until('the sealed list', async () => (await api.campaignStatus(client, campaignId)).sealed?.drawn ?? null);
    if (drawn < needed) throw new Error(`bench: ${drawn} units drawn, fewer than the ${needed} submissions asked for`);
    const ready = await until(`all ${drawn} inspections at their result`, async () => {
      const rows = await console_.store.listInspections({ campaignId, phases: ['inspection'] });
      return rows.length >= drawn ? rows : null;
    }, 90);
    o.log(`quarter ${campaignId}: ${ready.length} inspections awaiting their result after ${((performance.now() - t) / 1000).toFixed(0)} s (drawn on a real dev server, one in-process worker; the quarter's clock at the real pace)`);

    t = performance.now();
    const inspectors = [...new Set(ready.flatMap((r) => r.team))];
    const sessions = new Map<string, string>();
    for (const id of inspectors) {
      const person = { id, name: id, department: 'brigade-0', roles: ['inspector' as const], email: null, inspector: null, active: true };
      await addAccount(console_.store, { login: id.toLowerCase(), person, roles: [], password: PASSWORD, oidc: null, now: new Date() });
      sessions.set(id, await signIn(url, id.toLowerCase()));
    }
    // The forms, read from the pages (untimed): one inspection per submission, by its team's first member.
    // Four at a time, and again when the page failed: each page asks the workflow (a Temporal
    // query), and a loaded worker lets queries time out.
    const forms: { cookie: string; action: string; fields: [string, string][] }[] = [];
    const todo = ready.slice(0, needed);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let r = todo.shift(); r; r = todo.shift()) {
          const cookie = sessions.get(r.team[0]!)!;
          const page = await until(`the inspection page of ${r.unitId}`, async () => {
            const res = await fetch(`${url}/inspection?${new URLSearchParams({ campaign: r!.campaignId, unit: r!.unitId })}`, { headers: { cookie } });
            return res.status === 200 ? res.text() : null;
          }, 5);
          forms.push({ cookie, ...filledResultForm(page) });
        }
      }),
    );
    o.log(`${inspectors.length} inspectors signed in, ${forms.length} forms read in ${((performance.now() - t) / 1000).toFixed(0)} s`);

    o.log('concurrency  request                     p50 ms   p95 ms   req/s   answers');
    for (const [i, c] of o.levels.entries()) {
      const mine = forms.slice(i * o.perLevel, (i + 1) * o.perLevel);
      const health = await o.run({ url, pathname: '/healthz', sessions: [], concurrency: c, total: 2000, expectStatus: 200 });
      const r = await o.run({ url, pathname: '', sessions: mine.map((f) => f.cookie), posts: mine.map((f) => ({ pathname: f.action, fields: f.fields })), concurrency: c, total: mine.length, expectStatus: 200, expectText: SUBMITTED, countFailures: true });
      o.log(`${String(c).padStart(11)}  /healthz (baseline)         ${health.p50.toFixed(1).padStart(6)}  ${health.p95.toFixed(1).padStart(7)}  ${health.perSecond.toFixed(0).padStart(6)}`);
      o.log(`${String(c).padStart(11)}  result submission (POST)    ${r.p50.toFixed(1).padStart(6)}  ${r.p95.toFixed(1).padStart(7)}  ${r.perSecond.toFixed(1).padStart(6)}   ${r.failures ? `${r.failures} of ${mine.length} not accepted (${r.failureSamples.join('; ')})` : `all ${mine.length} accepted`}`);
    }
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    for (const stop of stops) await stop().catch((err: unknown) => console.error(`bench: stopping: ${String(err)}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
