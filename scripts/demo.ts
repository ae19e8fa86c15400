// `npm run demo`: one quarter of the 2023 Xinyang programme, end to end, on one machine, in a few
// minutes. Everything real and embedded, under .data/demo/ (wiped at the start of each run):
//   - `temporal server start-dev` on a SQLite file, with its Web UI;
//   - the SQLite registry, filled from a synthetic registry (fixed seed) through the real import;
//   - a local SMTP catcher that keeps every notice as an .eml file;
//   - a worker in this process.
// The Q1 2023 campaign runs in rehearsal mode (one programme day = --seconds-per-day seconds), and
// simulated people (domain/simulation.ts) send the messages a real quarter would get: change lists,
// the witnesses' ssj-draw/2 ceremonies (the first voided: one witness never reveals; the second
// late, so the draw-overdue alert fires), on-time and late results, an escalation,
// a recusal, a closed unit replaced, hand-overs to a county and a direct brigade, a referral.
// It ends with a summary, `ssj verify` of the published package, and as its last lines the Web UI
// address and `publication: <folder>`. With --keep-running, the server, worker, console and mail
// catcher stay up until Ctrl-C, and the next quarter opens (slow clock, no simulated people) with
// console accounts for the persons who hold its open tasks (scripts/demo-console.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { startDevServer, freePort, portIsFree, type DevServer } from './dev-server';
import { launchChromium } from './browser';
import { writeLocalServer } from '../client/local-server';
import { auditCampaignHistories } from './history-audit';
import { publicTexts } from './public-folder';
import { loadRuntimeSettings } from '../config/runtime';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import { loadProgramme } from '../config/programme';
import { createSsjWorker, type RunningWorker } from '../worker/run';
import { ssjClient } from '../config/temporal';
import { temporalBinaries } from './temporal-binaries';
import { createKeyFile, loadKeyring } from '../codec/keyring';
import { addToken, readTokensFile, startCodecServer, type CodecServer } from '../codec/server';
import { createJsonLogger } from '../worker/log';
import type { Quarter } from '../domain/programme';
import { formatCampaignStatus } from '../client/commands/quarter';
import { drawNoticeDir } from '../files/publication/draw-notice';
import { buildRegistry, DEMO_YEAR as YEAR, runSimulatedQuarter } from './simulated-quarter';
import { addDemoAccounts, formatDemoAccounts, NEXT_QUARTER_SECONDS_PER_DAY, openNextQuarter, picksAfterDraw, picksBeforeDraw, startDemoConsole } from './demo-console';
import type { ServedConsole } from '../console/serve';

const ROOT = path.resolve(__dirname, '..');

interface DemoOptions {
  data: string;
  seed: string;
  scale: number;
  secondsPerDay: number;
  keepRunning: boolean;
  quarter: Quarter;
  uiPort?: number;
}

function parseArgs(argv: string[]): DemoOptions {
  const cmd = new Command('demo')
    .description('one quarter of the 2023 programme, end to end, on an embedded Temporal dev server (rehearsal mode)')
    .option('--data <dir>', 'folder for everything the demo writes (wiped at start)', path.join(ROOT, '.data', 'demo'))
    .option('--seed <seed>', 'seed of the synthetic registry and of the simulated people', 'xinyang-2023-demo')
    .option('--scale <n>', 'registry size: 1 = the 2023 programme (about 100 inspections); 0.2 for a quick run', '1')
    .option('--seconds-per-day <s>', 'rehearsal speed: wall seconds per programme day (the quarter spans ~105 days)', '1.5')
    .option('--quarter <q>', 'which quarter of 2023 to run', '1')
    .option('--ui-port <port>', 'Web UI port (default 8233 if free, else any free port)')
    .option('--keep-running', 'after the quarter, keep Temporal (with its Web UI), the worker and the mail catcher up until Ctrl-C')
    .parse(argv, { from: 'user' });
  const o = cmd.opts<{ data: string; seed: string; scale: string; secondsPerDay: string; uiPort?: string; keepRunning?: boolean; quarter: string }>();
  const scale = Number(o.scale);
  const spd = Number(o.secondsPerDay);
  if (!(scale > 0 && scale <= 20)) fail(`--scale must be a number in (0, 20], got ${o.scale}`);
  if (!(spd >= 0.2 && spd <= 600)) fail(`--seconds-per-day must be 0.2 to 600, got ${o.secondsPerDay}`);
  if (!/^[1-4]$/.test(o.quarter)) fail(`--quarter must be 1, 2, 3 or 4, got ${o.quarter}`);
  return {
    quarter: Number(o.quarter) as Quarter,
    data: path.resolve(o.data),
    seed: o.seed,
    scale,
    secondsPerDay: spd,
    keepRunning: o.keepRunning === true,
    ...(o.uiPort ? { uiPort: Number(o.uiPort) } : {}),
  };
}

function fail(msg: string): never {
  process.stderr.write(`demo: ${msg}\n`);
  process.exit(2);
}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s`;
const say = (msg: string) => process.stdout.write(`[${elapsed()}] ${msg}\n`);

/** The notes found in any file of the publication folder (workbooks are searched inside their zip). */
function publicationLeaks(dir: string, notes: string[]): string[] {
  const texts = publicTexts(dir);
  return [...new Set(notes)].filter((n) => texts.some((t) => t.text.includes(n)));
}

/**
 * Opens the folder's verify.html from file:// in the machine's Chromium, as a visitor would, and
 * reads its verdict. No Chromium (setup could not install it): said, not counted as a failure.
 */
async function verifyInChromium(pub: string): Promise<{ verdict: string; failed: boolean }> {
  let browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    return { verdict: `not checked here (${(err as Error).message.split('\n')[0]})`, failed: false };
  }
  try {
    const page = await browser.newPage();
    const t = Date.now();
    await page.goto(pathToFileURL(path.join(pub, 'verify.html')).href);
    await page.waitForSelector('body[data-verification]', { timeout: 120_000 });
    const verdict = (await page.getAttribute('body', 'data-verification')) ?? '?';
    return { verdict: `${verdict} (${((Date.now() - t) / 1000).toFixed(1)} s)`, failed: verdict !== 'verified' };
  } finally {
    await browser.close();
  }
}


/** Refuses to wipe a data folder that a running demo (--keep-running) still uses. */
function claimDataDir(dir: string): void {
  const pidFile = path.join(dir, 'demo.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (alive) fail(`a demo is still running with ${dir} (pid ${pid}); stop it with Ctrl-C in its terminal, or give --data another folder`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(pidFile, `${process.pid}\n`);
}


// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  claimDataDir(opts.data);
  say(`demo data folder ${opts.data} (fresh); seed ${opts.seed}, scale ${opts.scale}, 1 programme day = ${opts.secondsPerDay} s`);

  let server: DevServer | undefined;
  let catcher: MailCatcher | undefined;
  let running: RunningWorker | undefined;
  let workerDone: Promise<void> | undefined;
  let connection: Connection | undefined;
  let codec: CodecServer | undefined;
  let consoleServer: ServedConsole | undefined;
  let forgetLocalServer = () => {};
  const stopAll = async () => {
    forgetLocalServer();
    if (running) {
      try {
        running.worker.shutdown();
      } catch {
        // already stopped
      }
      await workerDone?.catch(() => undefined);
      await running.close().catch(() => undefined);
    }
    await consoleServer?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await catcher?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await codec?.close().catch(() => undefined);
    fs.rmSync(path.join(opts.data, 'demo.pid'), { force: true });
  };

  try {
    // 1. The registry, through the real import path.
    // Into the shared store (ssj.db in the data folder) that the worker, the console and `ssj --as` read.
    const { snapshot, newUnitsBatch } = await buildRegistry(opts, { dataDir: opts.data, databaseUrl: null });
    const active = snapshot.units.filter((u) => u.status === 'active');
    say(`registry imported: ${active.length} units, ${snapshot.people.length} people, ${snapshot.departments.length} departments, ${snapshot.conflicts.length} conflicts`);

    // 2. Mail catcher and Temporal (SQLite file, Web UI).
    catcher = await startMailCatcher({ dir: path.join(opts.data, 'mail') });
    const uiPort = opts.uiPort ?? ((await portIsFree(8233)) ? 8233 : await freePort());
    // Payload encryption: the demo's own keyring in its data folder, and a codec endpoint for the
    // Web UI and the CLI that a demo operator's token opens (codec/).
    const keyFile = path.join(opts.data, 'codec-keys.json');
    createKeyFile(keyFile);
    const keyring = loadKeyring({ SSJ_CODEC_KEYS_FILE: keyFile });
    const codecToken = addToken(path.join(opts.data, 'codec-tokens.json'), 'demo-operator');
    codec = await startCodecServer({
      keyring,
      tokens: readTokensFile(path.join(opts.data, 'codec-tokens.json')),
      corsOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
      log: (e) => fs.appendFileSync(path.join(opts.data, 'codec-server.log'), `${JSON.stringify(e)}\n`),
    });
    server = await startDevServer({
      // The usual port when free, so the Web UI's and the CLI's defaults find it.
      ...((await portIsFree(7233)) ? { port: 7233 } : {}),
      uiCodecEndpoint: codec.url,
      dbFile: path.join(opts.data, 'temporal.db'),
      headless: false,
      uiPort,
      logFile: path.join(opts.data, 'temporal.log'),
      readyTimeoutMs: 120_000,
    });
    say(`Temporal dev server at ${server.address}; Web UI ${server.uiUrl}; mail catcher on port ${catcher.port} (${catcher.dir})`);
    // `ssj` in another terminal of this checkout finds this server, its keys and the demo's registry.
    forgetLocalServer = writeLocalServer(path.join(ROOT, '.data'), {
      address: server.address,
      namespace: server.namespace,
      keyFile,
      dataDir: opts.data,
      by: 'npm run demo',
    });

    // 3. The worker, in this process, logging to a file. The console's port is chosen first, so
    // the notices the worker sends link to their page in the demo's console.
    const consolePort = (await portIsFree(8080)) ? 8080 : await freePort();
    const settings = loadRuntimeSettings({
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: server.namespace,
        SSJ_DATA_DIR: opts.data,
        SSJ_TASK_QUEUE: 'ssj',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(catcher.port),
        SMTP_SECURE: 'false',
        SSJ_MAIL_FROM: '信阳市生态环境综合行政执法支队 <ssj-demo@example.org>',
        // The demo's quarter runs on a rehearsal clock.
        SSJ_ALLOW_REHEARSAL_CLOCK: 'true',
        SSJ_CONSOLE_PUBLIC_URL: `http://127.0.0.1:${consolePort}`,
      },
    });
    const logStream = fs.createWriteStream(path.join(opts.data, 'worker.log'), { flags: 'a' });
    const log = createJsonLogger('info', (l) => logStream.write(l));
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => logStream.write(`${JSON.stringify({ level: entry.level, msg: entry.message, ...entry.meta })}\n`)),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'WARN' }), forward: {} } },
    });
    say('worker: bundling the workflow code (takes a little while on two cores)...');
    running = await createSsjWorker(settings, log, keyring);
    workerDone = running.worker.run();
    say(`worker polling task queue ${settings.temporal.taskQueue}`);

    // 4. The Q1 2023 campaign in rehearsal mode, and 5. the people (scripts/simulated-quarter.ts).
    connection = await Connection.connect({ address: server.address });
    const client = ssjClient(connection, server.namespace, keyring);
    // The console (工作台) on the same data folder: its lists follow the quarter as it runs.
    consoleServer = await startDemoConsole(settings, client, consolePort);
    say(`console: ${consoleServer.url}`);
    const programme = loadProgramme();
    const quarterRun = await runSimulatedQuarter({
      client,
      taskQueue: settings.temporal.taskQueue,
      programme,
      quarter: opts.quarter,
      seed: opts.seed,
      secondsPerDay: opts.secondsPerDay,
      snapshot,
      newUnitsBatch,
      mailCount: () => catcher!.messages().length,
      say,
      logHint: path.join(opts.data, 'worker.log'),
      data: opts.data,
    });
    const { campaignId, driver, witnessSecrets, final, programmeStart: PROGRAMME_START } = quarterRun;
    const r = quarterRun.result;

    // 6. Summary.
    const s = r.stats;
    const mail = catcher.messages();
    const pub = path.resolve(r.publication.location);
    const scenarioCounts = new Map<string, number>();
    for (const t of driver.units.values()) scenarioCounts.set(t.script.scenario, (scenarioCounts.get(t.script.scenario) ?? 0) + 1);
    process.stdout.write('\n' + formatCampaignStatus(final) + '\n\n');
    process.stdout.write(
      [
        `summary of ${campaignId} (programme days ${PROGRAMME_START} to ${final.today}, ${elapsed().trim()} in all)`,
        `  drawn                 ${s.drawn}`,
        `  inspected             ${s.inspected} (not inspected ${s.notInspected})`,
        `  results on time       ${s.onTime}`,
        `  overdue               ${s.overdue} (escalated ${s.escalated})`,
        `  findings              ${s.findings} (own cases ${s.ownCases})`,
        `  handed over           ${s.handedOver} (监察通知 ${driver.tally.handovers['supervision-notice'] ?? 0}, 移交表 ${driver.tally.handovers['transfer-form'] ?? 0}; rejected ${s.handoverRejected})`,
        `  referred (移送)        ${s.referred}`,
        `  units replaced        ${s.replacedUnits}; inspectors replaced ${s.replacedInspectors}`,
        `  witness ceremonies    ${final.voidCeremonies.length + 1} (void ${final.voidCeremonies.length}${final.voidCeremonies.length ? `: ${final.voidCeremonies.map((v) => `#${v.number} ${v.failed.map((f) => `${f.role} did not reveal`).join(', ')}`).join('; ')}` : ''}); drew in ceremony ${final.ceremony?.number ?? '?'} (${final.drawSpec})`,
        `  draw overdue alert    ${s.drawOverdue ? 'yes' : 'no'}`,
        `  change lists missing  ${s.changeListsMissing.length ? s.changeListsMissing.join(', ') : 'none'}`,
        `  published on time     ${s.publishedOnTime ? 'yes' : 'no'} (${r.publication.publishedOn}, due ${final.dates.publicationDue})`,
        `  notices sent          ${mail.length} (caught in ${catcher.dir})`,
        `  messages from people  ${driver.tally.messages}; refused ${driver.tally.refused.length}`,
        `  simulated paths       ${[...scenarioCounts].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
      ].join('\n') + '\n',
    );

    // 7. Anyone can check the draw from the published package.
    const verify = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(ROOT, 'client', 'ssj.ts'),
        'verify',
        '--manifest',
        path.join(pub, 'manifest'),
        '--record',
        path.join(pub, 'draw-record.json'),
        '--replacements',
        path.join(pub, 'replacements.json'),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    process.stdout.write(`ssj verify: ${(verify.stdout + verify.stderr).trim()} (exit ${verify.status})\n`);
    // The standalone Python verifier, as a reader runs it in the folder; it also confirms the
    // record against the notice published at the draw, which must be the one copied in.
    const verifyPy = spawnSync('python3', ['verify.py'], { cwd: pub, encoding: 'utf8' });
    const pyLast = (verifyPy.stdout ?? '').trimEnd().split('\n').pop() ?? '';
    process.stdout.write(`python3 verify.py: ${pyLast || (verifyPy.error?.message ?? verifyPy.stderr.trim())} (exit ${verifyPy.status})\n`);
    const noticeFile = path.join(drawNoticeDir(opts.data, campaignId), 'draw-notice.json');
    const noticeSame = fs.existsSync(noticeFile) && fs.existsSync(path.join(pub, 'draw-notice.json')) && fs.readFileSync(noticeFile).equals(fs.readFileSync(path.join(pub, 'draw-notice.json')));
    process.stdout.write(`draw-time notice: ${noticeSame ? 'the publication carries the notice published at the draw, byte for byte' : `MISSING or different from ${noticeFile}`}\n`);
    const inBrowser = await verifyInChromium(pub);
    process.stdout.write(`verify.html in Chromium (file://): ${inBrowser.verdict}\n`);

    // 8. What an outsider sees: the publication holds no internal note, and the Temporal histories,
    // read with the real `temporal` CLI as anyone with namespace access could, hold no witness
    // secret and no drawn unit in clear.
    const notes = [...driver.units.values()].flatMap((t) => t.script.steps.flatMap((st) => ('note' in st.action && st.action.note ? [st.action.note] : [])));
    const leakedNotes = publicationLeaks(pub, notes);
    process.stdout.write(
      leakedNotes.length === 0
        ? `publication: no internal note among its files (${new Set(notes).size} distinct notes checked)\n`
        : `publication: internal notes found: ${leakedNotes.join('; ')}\n`,
    );
    const record = JSON.parse(fs.readFileSync(path.join(pub, 'draw-record.json'), 'utf8')) as { assignments: { unit_id: string }[] };
    const replaced = JSON.parse(fs.readFileSync(path.join(pub, 'replacements.json'), 'utf8')) as { kind: string; replacement: string }[];
    const onList = [...record.assignments.map((a) => a.unit_id), ...replaced.filter((r) => r.kind === 'unit').map((r) => r.replacement)];
    const audit = await auditCampaignHistories({ address: server.address }, campaignId, {
      values: [
        ...[...witnessSecrets].flatMap(([k, v]): [string, string][] => [
          [`salt of ${k}`, v.salt],
          [`entropy of ${k}`, v.entropy],
        ]),
        ...onList.flatMap((id): [string, string][] => [
          [`unit id`, id],
          [`unit name`, snapshot.units.find((u) => u.id === id)?.name ?? id],
        ]),
      ],
      unitIds: onList,
    });
    process.stdout.write(
      audit.findings.length === 0
        ? `Temporal histories: ${audit.workflows.length} workflows read with the temporal CLI; every payload encrypted, no witness salt or entropy, no drawn unit id or name in clear, no workflow id names a unit\n`
        : `Temporal histories: ${audit.findings.length} finding(s):\n${audit.findings.slice(0, 10).map((f) => `  ${f.workflowId}: ${f.problem}`).join('\n')}\n`,
    );

    // Histories hold only encrypted payloads; staff read them through the codec endpoint.
    process.stdout.write(
      [
        '',
        `payloads are encrypted (keys: ${keyFile}); the codec endpoint ${codec.url} decodes them for the token's holder (log: ${path.join(opts.data, 'codec-server.log')}):`,
        `  CLI:    ${temporalBinaries().cli} workflow show -w ${campaignId} --address ${server.address} --codec-endpoint ${codec.url} --codec-auth "Bearer ${codecToken}"`,
        `  Web UI: open ${codec.url}/login?token=${codecToken} once in the browser, then in the UI's codec server settings tick "include cross-origin credentials"`,
      ].join('\n') + '\n',
    );
    const someUnit = record.assignments[0]!.unit_id;
    // The quarter is closed by now, so the commands name it (without, ssj looks for a running one).
    const yq = `--year ${YEAR} --quarter ${opts.quarter}`;
    const pubRel = path.relative(process.cwd(), pub) || '.';
    const tryThese = [
      '',
      `try it as each role${opts.keepRunning ? ', in another terminal of this checkout (no settings needed while the demo runs)' : ' (run the demo with --keep-running first; ssj then finds its server by itself)'}:`,
      `  operations staff:   npm run --silent ssj -- quarter list      npm run --silent ssj -- quarter status ${yq}`,
      `  inspectors:         npm run --silent ssj -- inspection status ${someUnit} ${yq}      npm run --silent ssj -- inspection list ${yq}`,
      `  discipline officer: npm run --silent ssj -- quarter status ${yq}   (the ceremonies: commitments, who revealed, the void one)`,
      `  the public:         npm run --silent ssj -- verify --manifest ${pubRel}/manifest --record ${pubRel}/draw-record.json --replacements ${pubRel}/replacements.json`,
    ];
    process.stdout.write(tryThese.join('\n') + '\n');
    if (opts.keepRunning) {
      // The demo quarter's tasks are all done: the next quarter opens with no simulated people, and
      // the accounts go to the persons who hold its open tasks.
      let stopping = false;
      const served = consoleServer;
      const departmentName = (id: string) => snapshot.departments.find((d) => d.id === id)?.name ?? id;
      if (opts.quarter < 4) {
        const next = await openNextQuarter(client, served, { programmeId: programme.id, year: YEAR, quarter: (opts.quarter + 1) as Quarter, taskQueue: settings.temporal.taskQueue, stopped: () => stopping });
        const accounts = await addDemoAccounts(served, picksBeforeDraw(snapshot.people, { brigadeName: departmentName }));
        process.stdout.write(
          `\nnext quarter ${next.campaignId} started for the console, with no simulated people (programme day ${next.programmeStart}; 1 programme day = ${NEXT_QUARTER_SECONDS_PER_DAY} s): its update window closes in about ${Math.round((2 * NEXT_QUARTER_SECONDS_PER_DAY) / 60)} minutes, then the draw waits for the two witnesses\n${formatDemoAccounts(served.url, accounts)}\n`,
        );
        void next.drawn.then(async (open) => {
          if (!open || stopping) return;
          const more = await addDemoAccounts(served, picksAfterDraw(snapshot.people, open));
          process.stdout.write(`\n${next.campaignId} is drawn: ${open.filter((t) => t.kind === 'result').length} inspections open\n${formatDemoAccounts(served.url, more)}\n`);
        }, (err: unknown) => process.stderr.write(`demo: watching the next quarter: ${(err as Error).message}\n`));
      } else {
        process.stdout.write(`\nquarter 4 is the programme year's last: no next quarter to open; the accounts below find only done tasks\n`);
        process.stdout.write(`${formatDemoAccounts(served.url, await addDemoAccounts(served, picksBeforeDraw(snapshot.people, { brigadeName: departmentName })))}\n`);
      }
      process.stdout.write(`\nTemporal Web UI: ${server.uiUrl} (running: server, worker, console and mail catcher stay up; Ctrl-C stops them)\nconsole: ${consoleServer.url}\npublication: ${pub}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      stopping = true;
      process.stderr.write('demo: stopping\n');
    } else {
      process.stdout.write(`\nTemporal Web UI: ${server.uiUrl} (was available while the demo ran; run with --keep-running to explore it afterwards)\nconsole: ${consoleServer.url} (was available while the demo ran; with --keep-running it stays up with an account per role)\npublication: ${pub}\n`);
    }
    await stopAll();
    if (verify.status !== 0 || verifyPy.status !== 0 || !noticeSame || inBrowser.failed || driver.tally.refused.length > 0 || leakedNotes.length > 0 || audit.findings.length > 0) process.exitCode = 1;
  } catch (err) {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    if (server) process.stderr.write(`demo: Temporal log ${server.logFile}; worker log ${path.join(opts.data, 'worker.log')}\n`);
    await stopAll();
    process.exitCode = 1;
  }
}

void main().then(() => process.exit(process.exitCode ?? 0));
