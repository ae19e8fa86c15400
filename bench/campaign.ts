// Benchmark: one quarter with N drawn units (default 5,000) on a fresh dev server, the teams
// answering as fast as the client allows. Prints the elapsed time, the largest history's event
// count, and the ratio to a baseline measured in the same run: N bare child workflows that each
// run one no-op activity. `--topology production` runs the same quarter on Temporal-on-PostgreSQL
// with two worker processes (bench/campaign-production.ts), `--topology both` runs it on the dev
// server and then on the production topology, each with its own baseline (issue 11 §8).
// Usage: npx tsx bench/campaign.ts [--units 5000] [--concurrency 32] [--topology dev|production|both]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadProgramme } from '../config/programme';
import { createActivities } from '../activities';
import { SqlCampaignStore } from '../stores/campaign-store';
import { openStoreDatabase } from '../stores/open';
import { SqlRegistryStore, type RegistryBatch, type RegistryChange } from '../stores/registry-store';
import type { SqlDatabase } from '../stores/sql';
import * as api from '../client/temporal';
import type { Programme } from '../domain/programme';
import type { Department, Person, Unit } from '../domain/registry';
import { startDevServer } from '../scripts/dev-server';
import { ssjClient, WORKFLOW_ACTIVATION_TIMEOUT } from '../config/temporal';
import { bundleOptions, ssjDataConverter } from '../codec/data-converter';
import { Keyring, newKeyFile, readKeyFile } from '../codec/keyring';
import { baselineWorker, startProductionTopology } from './campaign-production';
import { campaignWorkflowId } from '../workflows/definitions';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const UNITS = arg('units', 5000);
const topologyIndex = process.argv.indexOf('--topology');
const TOPOLOGY = topologyIndex > 0 ? process.argv[topologyIndex + 1] : 'dev';
if (TOPOLOGY !== 'dev' && TOPOLOGY !== 'production' && TOPOLOGY !== 'both') {
  throw new Error(`--topology ${String(TOPOLOGY)}: expected dev, production or both`);
}
const CONCURRENCY = arg('concurrency', 32);
const BRIGADES = 10;
const INSPECTORS_PER_BRIGADE = 10;

function buildRegistry(): RegistryBatch {
  const departments: Department[] = [];
  const people: Person[] = [];
  const units: Unit[] = [];
  const perBrigade = Math.ceil(UNITS / BRIGADES);
  for (let b = 0; b < BRIGADES; b++) {
    const id = `brigade-${b}`;
    departments.push({ id, kind: 'direct-brigade', name: `第${b + 1}大队`, jurisdiction: `area-${b}`, email: `${id}@bench.example.cn` });
    for (let i = 0; i < INSPECTORS_PER_BRIGADE; i++) {
      const pid = `I${b}x${i}`;
      people.push({ id: pid, name: `检查员${pid}`, department: id, roles: ['inspector'], email: `${pid.toLowerCase()}@bench.example.cn`, inspector: { certificateNo: `C${pid}`, onStaff: true, onPost: true, specialties: [] }, active: true });
    }
    people.push({ id: `BL${b}`, name: `大队长${b}`, department: id, roles: ['brigade-leader'], email: `bl${b}@bench.example.cn`, inspector: null, active: true });
    // Enough general units that the quota (ratio x inspectors) draws `perBrigade` of them.
    for (let u = 0; u < perBrigade + 50; u++) {
      units.push({ id: `U${b}x${u}`, idKind: 'local', name: `单位${b}-${u}`, category: 'general', jurisdiction: `area-${b}`, industry: '制造', address: '', creditRating: null, positiveList: false, positiveKind: null, specialReason: null, specialProblem: false, status: 'active', statusDate: '2022-01-01' });
    }
  }
  departments.push({ id: 'section-1', kind: 'section', name: '执法一科', jurisdiction: null, email: null });
  for (const [id, roles] of [['ADM', ['admin']], ['DIS', ['discipline']], ['MGR', ['manager']], ['DL', ['detachment-leader']]] as const) {
    people.push({ id, name: id, department: 'section-1', roles: [...roles], email: `${id.toLowerCase()}@bench.example.cn`, inspector: null, active: true });
  }
  const changes: RegistryChange[] = [
    ...departments.map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })),
    ...people.map((p) => ({ entityKind: 'person' as const, entityId: p.id, state: p })),
    ...units.map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: u })),
  ];
  return { key: 'bench', kind: 'bench', source: 'bench', reason: 'bench registry', effectiveDate: '2023-01-01', changes };
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i > 3000) throw err; // ten minutes: a loaded 2-core machine is slow to start thousands of workflows
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}


/** The bench programme: the general ratio set so that the quarter draws about UNITS units. */
function benchProgramme(): Programme {
  const base = loadProgramme();
  const ratio = Math.ceil(UNITS / BRIGADES / INSPECTORS_PER_BRIGADE);
  return { ...base, id: 'bench-2024', year: 2024, ratios: { ...base.ratios, general: { ...base.ratios.general, quarterly: [ratio, ratio, ratio, ratio] } } };
}

/**
 * One quarter on `taskQueue` with the teams answering as fast as `CONCURRENCY` clients allow, then
 * the bare-children baseline on `baselineTaskQueue` of the same server; prints the figures.
 */
async function runQuarter(label: string, client: Client, taskQueue: string, baselineTaskQueue: string, campaigns: SqlCampaignStore, programme: Programme): Promise<void> {
  // The quarter first, on a fresh server and an empty worker cache.
  let t0 = Date.now();
  const campaignId = campaignWorkflowId(programme.id, 2024, 1);
  const handle = await api.startCampaign(client, { programmeId: programme.id, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-31', secondsPerDay: 600 } }, { taskQueue });
  await retrying(async () => {
    const s = await api.campaignStatus(client, campaignId);
    if (s.updateWindow.waitingFor.length !== BRIGADES) throw new Error(`not yet: phase ${s.phase}, waiting for ${s.updateWindow.waitingFor.length} brigades`);
  });
  for (let b = 0; b < BRIGADES; b++) await api.submitChangeList(client, campaignId, { brigade: `brigade-${b}`, by: `BL${b}`, batchId: null });
  await retrying(async () => {
    if ((await api.campaignStatus(client, campaignId)).phase !== 'draw') throw new Error('not yet');
  });
  await api.holdWitnessCeremony(client, campaignId, [
    { role: 'admin', personId: 'ADM', entropy: 'BenchEntropyAdmin001' },
    { role: 'discipline', personId: 'DIS', entropy: 'BenchEntropyDiscipline1' },
  ]);
  await retrying(async () => {
    if ((await api.campaignStatus(client, campaignId)).phase !== 'inspection') throw new Error('not yet');
  });
  const drawMs = Date.now() - t0;
  const record = (await campaigns.requireCampaign(campaignId)).record!;
  await pool(record.assignments, CONCURRENCY, async (a) => {
    const [x, y] = a.inspectors as [string, string];
    await retrying(() => api.submitResult(client, campaignId, a.unit_id, { by: x, present: [x, y], checkedOn: '2024-01-15', result: { outcome: 'no-problem' }, evidence: [] }));
  });
  const result = await handle.result();
  const campaignMs = Date.now() - t0;

  // Baseline, in the same run and on the same server: N bare children, one no-op activity each.
  t0 = Date.now();
  await client.workflow.execute('baselineParent', { taskQueue: baselineTaskQueue, workflowId: `baseline-${UNITS}`, args: [UNITS, 1000] });
  const baselineMs = Date.now() - t0;
  const baselineEvents = (await client.workflow.getHandle(`baseline-${UNITS}`).describe()).historyLength;

  const counts: [string, number][] = [[campaignId, (await handle.describe()).historyLength]];
  const batches = Math.ceil(record.assignments.length / 250) + BRIGADES;
  for (let i = 0; i < batches; i++) {
    try {
      counts.push([`${campaignId}.batch.${i}`, (await client.workflow.getHandle(`${campaignId}.batch.${i}`).describe()).historyLength]);
    } catch (err) {
      if (i === 0) console.error(`cannot describe batch 0: ${String(err)}`);
      break;
    }
  }
  const first = api.inspectionHandle(client, campaignId, record.assignments[0]!.unit_id);
  counts.push([first.workflowId, (await first.describe()).historyLength]);
  const largest = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  console.log(`== ${label}`);
  console.log(`units drawn:                ${result.stats.drawn} (inspected ${result.stats.inspected}, on time ${result.stats.onTime})`);
  console.log(`baseline (bare children):   ${(baselineMs / 1000).toFixed(1)} s, parent history ${baselineEvents} events`);
  console.log(`campaign, start to draw:    ${(drawMs / 1000).toFixed(1)} s`);
  console.log(`campaign, start to closed:  ${(campaignMs / 1000).toFixed(1)} s (includes the rehearsal clock's idle wait for the update window to close)`);
  // The fan-out, inspections, fan-in and publication: the part the bare-children baseline stands for.
  const workMs = campaignMs - drawMs;
  console.log(`campaign, draw to closed:   ${(workMs / 1000).toFixed(1)} s (ratio to baseline ${(workMs / baselineMs).toFixed(2)})`);
  console.log(`largest history:            ${largest[1]} events (${largest[0]}); campaign ${counts[0]![1]} events`);
}

/** The dev server with one in-process worker running both the real workflows and the baseline. */
async function runOnDevServer(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-bench-'));
  const server = await startDevServer({ logFile: path.join(dir, 'server.log'), headless: true, dbFile: path.join(dir, 'temporal.db') });
  const stopServer = async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  onInterrupt.add(stopServer);
  const programme = benchProgramme();
  const dataDir = path.join(dir, 'data');
  const mail = { async sendNotice() { return undefined; } };
  const connection = await Connection.connect({ address: server.address });
  // Payloads encrypted as in production: the codec's cost is part of the figure.
  const keyring = new Keyring(newKeyFile());
  const client = ssjClient(connection, 'default', keyring);
  const native = await NativeConnection.connect({ address: server.address });
  const noop = () => undefined;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'campaign-workflows.ts'), logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop }, ...bundleOptions });
  const taskQueue = 'bench';
  // The shared store as the worker opens it (SQLite ssj.db in the data folder here).
  const database: SqlDatabase = await openStoreDatabase({ dataDir, databaseUrl: null });
  const campaigns = new SqlCampaignStore(database);
  await new SqlRegistryStore(database).applyBatch(buildRegistry());
  const activities = { ...createActivities({ dataDir, database, programme, mail, keyring, allowRehearsalClock: true }), noop: async () => undefined };
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle, activities, dataConverter: ssjDataConverter(keyring), maxConcurrentWorkflowTaskExecutions: 100, maxCachedWorkflows: 2000, ...WORKFLOW_ACTIVATION_TIMEOUT });
  try {
    await worker.runUntil(() => runQuarter('dev server, one in-process worker', client, taskQueue, taskQueue, campaigns, programme));
  } finally {
    await database.close();
    await native.close();
    await connection.close();
    await server.stop();
    onInterrupt.delete(stopServer);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Temporal on PostgreSQL with two worker processes on the shared PostgreSQL store; the baseline
 * runs on its own task queue of the same server with an in-process worker.
 */
async function runOnProductionTopology(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-bench-production-'));
  const programme = benchProgramme();
  const topology = await startProductionTopology({ dir, programme, registry: buildRegistry(), workers: 2, log: (line) => console.error(line) });
  const stopTopology = async () => {
    await topology.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  onInterrupt.add(stopTopology);
  try {
    const keyring = new Keyring(readKeyFile(topology.keyFile));
    const connection = await Connection.connect({ address: topology.address });
    const database = await openStoreDatabase({ dataDir: dir, databaseUrl: topology.databaseUrl });
    const baseline = await baselineWorker(topology.address, topology.namespace, 'bench-baseline', keyring);
    try {
      const client = ssjClient(connection, topology.namespace, keyring);
      const campaigns = new SqlCampaignStore(database);
      await baseline.worker.runUntil(() => runQuarter('production: Temporal on PostgreSQL, two worker processes', client, topology.taskQueue, 'bench-baseline', campaigns, programme));
    } finally {
      await baseline.close();
      await database.close();
      await connection.close();
    }
  } finally {
    await topology.stop();
    onInterrupt.delete(stopTopology);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What a Ctrl-C must still stop: the servers and worker processes a run started. */
const onInterrupt = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the servers and workers this run started`);
    void Promise.allSettled([...onInterrupt].map((stop) => stop())).then(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  console.log(`${UNITS} units, ${CONCURRENCY} concurrent clients, topology ${TOPOLOGY}`);
  if (TOPOLOGY !== 'production') await runOnDevServer();
  if (TOPOLOGY !== 'dev') await runOnProductionTopology();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
