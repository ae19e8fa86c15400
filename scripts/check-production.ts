// `npm run check:production`: the production topology, for real, without Docker (issue 11 §4).
//
//   - the Temporal server (not the dev server) at TEMPORAL_SERVER_VERSION, built once into .tools/
//     (scripts/temporal-postgres.ts), on a throwaway PostgreSQL 15 (scripts/postgres.ts), with the
//     schema set up by its sql tool and the Ssj* search attributes registered;
//   - the project's own database on the same PostgreSQL server, with its own role (SSJ_DATABASE_URL);
//   - TWO worker processes, each with its own data folder and its own copy of the payload keys (no
//     shared files), one loopback SMTP server standing for the bureau's mail server, and the console;
//   - the registry imported once by an operator on a third "host" (`ssj registry import-all`);
//   - the demo's compressed quarter with its simulated people (scripts/simulated-quarter.ts); when
//     half of the drawn units' teams are done, one worker is SIGKILLed and NOT restarted: the other
//     must finish the quarter alone, whatever host an activity first ran on.
//   - in the same run, as the single-host reference, `scripts/demo.ts` with the same seed, scale and
//     speed (its own dev server, one in-process worker, SQLite files).
//
// Checks: every workflow completed; the published draw verifies (`ssj verify`); each notice reached
// the SMTP server once; document numbers are unique; the publication has the same content as the
// reference's (scripts/production/publication-content.ts says what "same" means). Ends with the line
// `production topology: ...` and exits 1 if any check failed (3 when the server cannot be built).
//
//   npm run check:production [-- --scale 0.25 --seconds-per-day 1.2 --seed S --keep]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { Connection } from '@temporalio/client';
import { startTestPostgres, type TestPostgres } from './postgres';
import { GO_ADVICE, startTemporalOnPostgres, temporalServerBinaries, TEMPORAL_SERVER_VERSION, type TemporalOnPostgres } from './temporal-postgres';
import { freePort } from './dev-server';
import { buildRegistry, runSimulatedQuarter, type Driver } from './simulated-quarter';
import { createProjectDatabase } from './production/project-database';
import { logProblems, runScript, startService, tail, type Service } from './production/processes';
import { documentNumbersUnique, noticesOnce, workflowsCompleted, type Check } from './production/checks';
import { comparePublications } from './production/publication-content';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import { loadProgramme } from '../config/programme';
import { createKeyFile, loadKeyring } from '../codec/keyring';
import { ssjClient } from '../config/temporal';
import type { CampaignStatus } from '../workflows/definitions';

interface Options {
  seed: string;
  scale: number;
  secondsPerDay: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o = new Command('check:production')
    .description('the production topology (Temporal on PostgreSQL, two workers, one killed) running the demo quarter, checked against a single-host run')
    .option('--seed <seed>', 'seed of the registry and of the simulated people', 'xinyang-2023-demo')
    .option('--scale <n>', 'registry size (1 = the 2023 programme, about 100 inspections)', '0.25')
    .option('--seconds-per-day <s>', 'rehearsal speed: wall seconds per programme day', '1.2')
    .option('--keep', 'keep the run folder (logs, data folders, mail) afterwards')
    .parse(argv, { from: 'user' })
    .opts<{ seed: string; scale: string; secondsPerDay: string; keep?: boolean }>();
  return { seed: o.seed, scale: Number(o.scale), secondsPerDay: Number(o.secondsPerDay), keep: o.keep === true };
}

const t0 = Date.now();
const seconds = () => Math.round((Date.now() - t0) / 1000);
const say = (msg: string) => process.stdout.write(`[${String(seconds()).padStart(3)} s] ${msg}\n`);

/** A killed worker: which, when (programme day and wall time), and what the quarter had done by then. */
interface Kill {
  service: Service;
  programmeDay: string;
  atSecond: number;
  teamsDone: string;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-production-'));
  say(`run folder ${dir}; seed ${opts.seed}, scale ${opts.scale}, 1 programme day = ${opts.secondsPerDay} s`);

  // 1. The server binaries: cached in .tools/, or built now with Go (about nine minutes, once).
  try {
    const t = Date.now();
    temporalServerBinaries(say);
    say(`Temporal server ${TEMPORAL_SERVER_VERSION} binaries ready (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } catch (err) {
    process.stderr.write(`check:production: cannot build or find the Temporal server ${TEMPORAL_SERVER_VERSION}:\n${(err as Error).message}\n`);
    if (!(err as Error).message.includes(GO_ADVICE)) process.stderr.write(`${GO_ADVICE}\n`);
    return 3;
  }

  const services: Service[] = [];
  const workers: Service[] = [];
  let kill: Kill | null = null;
  let pg: TestPostgres | undefined;
  let temporal: TemporalOnPostgres | undefined;
  let catcher: MailCatcher | undefined;
  let connection: Connection | undefined;
  const cleanUp = async () => {
    await connection?.close().catch(() => undefined);
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    await catcher?.close().catch(() => undefined);
    await temporal?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    // 2. The single-host reference runs beside it all the way (the demo: dev server, one worker, SQLite).
    const reference = await startService({
      name: 'single-host reference (npm run demo)',
      script: 'scripts/demo.ts',
      args: ['--data', path.join(dir, 'reference'), '--seed', opts.seed, '--scale', String(opts.scale), '--seconds-per-day', String(opts.secondsPerDay)],
      env: {},
      logFile: path.join(dir, 'reference.log'),
    });
    services.push(reference);
    say(`single-host reference started: scripts/demo.ts, pid ${reference.pid} (log ${reference.logFile})`);

    // 3. PostgreSQL, Temporal on it, the project's database beside Temporal's.
    pg = await startTestPostgres({ maxConnections: 300 });
    const databaseUrl = createProjectDatabase(pg.adminUrl);
    temporal = await startTemporalOnPostgres({ adminUrl: pg.adminUrl, dir: path.join(dir, 'temporal'), log: say });
    // An interrupted check leaves no server behind (its kill signals synchronously).
    process.once('exit', () => void temporal?.kill());
    say(`PostgreSQL ${pg.version} on 127.0.0.1:${pg.port}: Temporal's databases and the project's (role and database ssj)`);

    // 4. The bureau's mail server, the payload keys, one workflow bundle for every worker.
    catcher = await startMailCatcher({ dir: path.join(dir, 'mail') });
    const keyFile = path.join(dir, 'codec-keys.json');
    createKeyFile(keyFile);
    const keyring = loadKeyring({ SSJ_CODEC_KEYS_FILE: keyFile });
    const bundle = path.join(dir, 'workflow-bundle.js');
    const built = await runScript('worker/build-bundle.ts', ['--out', bundle], {});
    if (built.code !== 0) throw new Error(`building the workflow bundle failed:\n${tail(built.output)}`);

    /** One host's settings: its own data folder and its own copy of the keys; the rest is the topology's. */
    const hostEnv = (host: string): Record<string, string> => {
      const data = path.join(dir, 'hosts', host);
      fs.mkdirSync(data, { recursive: true });
      fs.copyFileSync(keyFile, path.join(data, 'codec-keys.json'));
      fs.chmodSync(path.join(data, 'codec-keys.json'), 0o600);
      return {
        TEMPORAL_ADDRESS: temporal!.address,
        TEMPORAL_NAMESPACE: temporal!.namespace,
        SSJ_TASK_QUEUE: 'ssj',
        SSJ_DATA_DIR: data,
        SSJ_DATABASE_URL: databaseUrl,
        SSJ_CODEC_KEYS_FILE: path.join(data, 'codec-keys.json'),
        SSJ_WORKFLOW_BUNDLE: bundle,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(catcher!.port),
        SMTP_SECURE: 'false',
        SSJ_MAIL_FROM: '信阳市生态环境综合行政执法支队 <ssj-production-check@example.org>',
        SSJ_ALLOW_REHEARSAL_CLOCK: 'true',
        SSJ_LOG_LEVEL: 'info',
      };
    };

    // 5. The registry, imported once by an operator (a host of its own), into the shared store.
    const operator = hostEnv('operator');
    const files = path.join(operator.SSJ_DATA_DIR!, 'registry-files');
    for (const args of [['registry', 'synth', '--out', files, '--seed', opts.seed, '--scale', String(opts.scale)], ['registry', 'import-all', files]]) {
      const r = await runScript('client/ssj.ts', args, operator);
      if (r.code !== 0) throw new Error(`ssj ${args.slice(0, 2).join(' ')} failed (exit ${r.code}):\n${tail(r.output)}`);
    }
    // What the simulated people know of the registry (names, roles): their own copy, not the workers'.
    const { snapshot, newUnitsBatch } = await buildRegistry({ seed: opts.seed, scale: opts.scale, data: path.join(dir, 'people') }, { dataDir: path.join(dir, 'people'), databaseUrl: null });
    say(`registry imported by the operator host: ${snapshot.units.length} units, ${snapshot.people.length} people`);

    // 6. Two workers, separate processes and data folders; then the console.
    for (const host of ['worker-a', 'worker-b']) {
      const w = await startService({ name: host, script: 'worker/main.ts', env: hostEnv(host), logFile: path.join(dir, `${host}.log`), ready: /"worker polling"/ });
      services.push(w);
      workers.push(w);
      say(`${host} polling, pid ${w.pid} (data ${path.join(dir, 'hosts', host)})`);
    }
    const consoleLine = await startConsole(hostEnv('console'), dir, services);
    say(consoleLine);

    // 7. The quarter; when half the teams are done, worker-a dies.
    connection = await Connection.connect({ address: temporal.address });
    const client = ssjClient(connection, temporal.namespace, keyring);
    const onTick = async (st: CampaignStatus, driver: Driver) => {
      // A manifest without units: the worker that froze it saw no registry (the operator's import
      // did not reach the shared store). Nothing can be drawn; say so now rather than at the deadline.
      if (st.manifest && st.manifest.units === 0) {
        throw new Error(`the frozen manifest ${st.manifest.digest.slice(0, 16)}… holds 0 units and ${st.manifest.inspectors} inspectors: the worker that froze it does not see the registry the operator host imported (${snapshot.units.length} units) — the registry is not in the shared store`);
      }
      if (kill || st.phase !== 'inspection' || driver.units.size === 0) return;
      const done = [...driver.units.values()].filter((t) => t.next >= t.script.steps.length).length;
      if (done < Math.ceil(driver.units.size / 2)) return;
      const victim = workers[0]!;
      await victim.kill();
      kill = { service: victim, programmeDay: driver.today(), atSecond: seconds(), teamsDone: `${done}/${driver.units.size}` };
      say(`SIGKILL ${victim.name} (pid ${victim.pid}) on programme day ${kill.programmeDay}, ${kill.teamsDone} teams done; not restarted: ${workers[1]!.name} carries on alone`);
    };
    const quarterStart = Date.now();
    const q = await runSimulatedQuarter({
      client,
      taskQueue: 'ssj',
      programme: loadProgramme(),
      quarter: 1,
      seed: opts.seed,
      secondsPerDay: opts.secondsPerDay,
      snapshot,
      newUnitsBatch,
      mailCount: () => catcher!.messages().length,
      say,
      logHint: `${workers.map((w) => w.logFile).join(', ')}`,
      onTick,
    });
    const quarterSeconds = Math.round((Date.now() - quarterStart) / 1000);
    const pub = path.resolve(q.result.publication.location);
    say(`${q.campaignId} closed: ${q.result.stats.drawn} drawn, ${q.result.stats.inspected} inspected; publication ${pub}`);

    // 8. The checks (the surviving worker answers the queries of closed workflows).
    const checks: Check[] = [];
    if (!kill) checks.push({ name: 'a worker was killed mid-inspection', ok: false, detail: 'the inspection phase ended before half the teams were done' });
    const completed = await workflowsCompleted(client);
    checks.push(completed);
    const verify = await runScript('client/ssj.ts', ['verify', '--manifest', path.join(pub, 'manifest'), '--record', path.join(pub, 'draw-record.json'), '--replacements', path.join(pub, 'replacements.json')], {});
    checks.push({ name: 'the draw verifies (ssj verify)', ok: verify.code === 0, detail: `${verify.output.trim().split('\n').pop()} (exit ${verify.code})` });
    const notices = noticesOnce(catcher.messages());
    checks.push(notices);
    const record = JSON.parse(fs.readFileSync(path.join(pub, 'draw-record.json'), 'utf8')) as { assignments: { unit_id: string }[] };
    const replaced = JSON.parse(fs.readFileSync(path.join(pub, 'replacements.json'), 'utf8')) as { kind: string; replacement: string }[];
    const unitIds = [...record.assignments.map((a) => a.unit_id), ...replaced.filter((r) => r.kind === 'unit').map((r) => r.replacement)];
    const documents = await documentNumbersUnique(client, q.campaignId, unitIds);
    checks.push(documents);
    checks.push(await sameAsReference(reference, pub));
    const refused = q.driver.tally.refused;
    checks.push({ name: "the people's messages accepted", ok: refused.length === 0, detail: refused.length ? refused.slice(0, 4).join('; ') : `${q.driver.tally.messages} messages` });

    process.stdout.write('\n');
    for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
    const failed = checks.filter((c) => !c.ok);
    const k = kill as Kill | null;
    process.stdout.write(
      `production topology: Temporal ${TEMPORAL_SERVER_VERSION} on PostgreSQL ${pg.version}, 2 worker processes (separate data folders, shared store ${redact(databaseUrl)}), ` +
        `${k ? `killed ${k.service.name} pid ${k.service.pid} at ${k.atSecond} s (programme day ${k.programmeDay}, ${k.teamsDone} teams done), not restarted` : 'no worker killed'}; ` +
        `${completed.total} workflows, ${notices.total} notices (${notices.distinct} distinct), ${documents.documents} documents, ${q.result.stats.drawn} drawn; ` +
        `quarter ${quarterSeconds} s, run ${seconds()} s; ${failed.length ? `FAILED ${failed.length} of ${checks.length}: ${failed.map((c) => c.name).join(', ')}` : `all ${checks.length} checks passed`}\n`,
    );
    if (failed.length) {
      for (const w of workers) for (const p of logProblems(w.output())) process.stdout.write(`  ${w.name}: ${p}\n`);
      process.stdout.write(`logs: ${dir}${opts.keep ? '' : ' (removed; run with --keep to look into it)'}\n`);
    }
    await cleanUp();
    return failed.length ? 1 : 0;
  } catch (err) {
    process.stderr.write(`check:production failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    for (const s of services) {
      if (!s.alive() && s !== (kill as Kill | null)?.service) process.stderr.write(`${s.name} (pid ${s.pid}) is not running; its log ${s.logFile} ends:\n${tail(s.output(), 8)}\n`);
      if (s.name.startsWith('worker')) for (const p of logProblems(s.output())) process.stderr.write(`  ${s.name}: ${p}\n`);
    }
    process.stdout.write(`production topology: FAILED before the checks (${(err as Error).message.split('\n')[0]}), after ${seconds()} s; run folder ${dir}${opts.keep ? '' : ' (removed; --keep keeps it)'}\n`);
    await cleanUp();
    return 1;
  }
}

/** The console on the shared store; a console that does not start is reported, not a failure of the topology. */
async function startConsole(env: Record<string, string>, dir: string, services: Service[]): Promise<string> {
  const port = await freePort();
  try {
    const c = await startService({
      name: 'console',
      script: 'console/main.ts',
      env: { ...env, SSJ_CONSOLE_HOST: '127.0.0.1', SSJ_CONSOLE_PORT: String(port) },
      logFile: path.join(dir, 'console.log'),
      ready: /console: http/,
      readyTimeoutMs: 90_000,
    });
    services.push(c);
    const res = await fetch(`http://127.0.0.1:${port}/login`);
    return `console on http://127.0.0.1:${port}, pid ${c.pid}: GET /login ${res.status}`;
  } catch (err) {
    return `console did not start (${(err as Error).message.split('\n')[0]})`;
  }
}

/** Waits for the reference demo and compares the two publications' content. */
async function sameAsReference(reference: Service, pub: string): Promise<Check> {
  const name = 'publication same as the single-host run';
  // The demo has its own checks to run after its quarter (verify, Chromium, the history audit).
  const deadline = Date.now() + 600_000;
  while (reference.alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const code = reference.alive() ? 'still running after 10 minutes' : await reference.exited;
  // The demo's last `publication: <folder>` line (earlier ones report on the folder's content).
  const refPub = [...reference.output().matchAll(/^publication: (\/.+)$/gm)].pop()?.[1]?.trim();
  if (!refPub || !fs.existsSync(refPub)) return { name, ok: false, detail: `the reference published nothing (demo exit ${code}); its log ends:\n${tail(reference.output(), 8)}` };
  const cmp = comparePublications(pub, refPub);
  const demoNote = code === 0 ? '' : `; the demo's own checks exited ${code} (see its log)`;
  return cmp.differences.length
    ? { name, ok: false, detail: `${cmp.differences.length} differences: ${cmp.differences.slice(0, 4).join('; ')}${demoNote}` }
    : { name, ok: true, detail: `${cmp.compared.length} content files identical (timestamps, commitments and salts aside)${demoNote}` };
}

function redact(url: string): string {
  const u = new URL(url);
  u.password = '***';
  return u.toString();
}

void main().then((code) => process.exit(code));
