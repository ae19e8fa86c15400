// The production Temporal server (not the dev server) on PostgreSQL, run natively: the server and
// its SQL schema tool are built once from the Go module proxy into .tools/temporal-server/, the
// schema comes from the module cache, and the server listens on loopback ports only. The compose
// stack runs the same version (TEMPORAL_SERVER_VERSION) from images.
//
//   npx tsx scripts/temporal-postgres.ts     builds if needed, starts PostgreSQL and the server,
//                                            prints the address, stops on Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/search-attributes';
import { freePort } from './dev-server';
import { projectRoot, temporalBinaries } from './temporal-binaries';

/** v1.32.1 is the newest tag the local Go 1.26 builds; the compose stack pins the same version. */
export const TEMPORAL_SERVER_VERSION = '1.32.1';
const MODULE = 'go.temporal.io/server';
const BIN_DIR = path.join(projectRoot, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);

export const GO_ADVICE =
  'Go is needed once to build the Temporal server (go install ' + `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}).\n` +
  '  - Debian: apt-get install -y golang-go (Go 1.24 or newer), or unpack https://go.dev/dl/ into /usr/local/go;\n' +
  '  - or set SSJ_GO to the go binary; or set SSJ_TEMPORAL_SERVER_BIN_DIR to a folder holding `server` and `sql` built at this version.';

/** The go binary: SSJ_GO, PATH, then the usual install folders. */
export function findGo(): string | null {
  const candidates = [process.env.SSJ_GO, ...(process.env.PATH ?? '').split(path.delimiter).map((d) => d && path.join(d, 'go')), '/usr/local/go/bin/go', '/usr/lib/go/bin/go', path.join(os.homedir(), 'go', 'bin', 'go'), path.join(os.homedir(), 'sdk', 'go', 'bin', 'go')];
  for (const c of candidates) if (c && fs.existsSync(c) && spawnSync(c, ['version'], { stdio: 'ignore' }).status === 0) return c;
  return null;
}

export interface TemporalServerBinaries {
  server: string;
  sql: string;
  /** schema/postgresql/v12 of the same module version (the sql tool's versioned folders). */
  schemaDir: string;
}

function goEnv(go: string, name: string): string {
  return spawnSync(go, ['env', name], { encoding: 'utf8' }).stdout.trim();
}

/**
 * The server and sql tool at TEMPORAL_SERVER_VERSION, built into .tools/ on first use (about nine
 * minutes on two cores, then cached; Go's own build cache makes a rebuild in a fresh clone fast).
 */
export function temporalServerBinaries(log: (line: string) => void = () => {}): TemporalServerBinaries {
  const binDir = process.env.SSJ_TEMPORAL_SERVER_BIN_DIR ? path.resolve(process.env.SSJ_TEMPORAL_SERVER_BIN_DIR) : BIN_DIR;
  const server = path.join(binDir, 'server');
  const sql = path.join(binDir, 'sql');
  const go = findGo();
  const built = () => fs.existsSync(server) && fs.existsSync(sql);
  if (!built()) {
    if (process.env.SSJ_TEMPORAL_SERVER_BIN_DIR) throw new Error(`SSJ_TEMPORAL_SERVER_BIN_DIR=${binDir} lacks server or sql`);
    if (!go) throw new Error(GO_ADVICE);
    fs.mkdirSync(binDir, { recursive: true });
    for (const cmd of ['cmd/server', 'cmd/tools/sql']) {
      log(`building ${MODULE}/${cmd}@v${TEMPORAL_SERVER_VERSION} with ${go} (first time only; several minutes)`);
      const r = spawnSync(go, ['install', `${MODULE}/${cmd}@v${TEMPORAL_SERVER_VERSION}`], {
        env: { ...process.env, GOBIN: binDir, GOFLAGS: '-buildvcs=false' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (r.status !== 0) throw new Error(`go install ${MODULE}/${cmd}@v${TEMPORAL_SERVER_VERSION} failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
    }
  }
  const schemaDir = serverSchemaDir(go);
  return { server, sql, schemaDir };
}

/** The PostgreSQL schema folders shipped in the server module (downloaded into the module cache). */
function serverSchemaDir(go: string | null): string {
  const fromEnv = process.env.SSJ_TEMPORAL_SCHEMA_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  if (!go) throw new Error(`the Temporal server's schema files come from Go's module cache: ${GO_ADVICE}`);
  const dir = path.join(goEnv(go, 'GOMODCACHE'), `${MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!fs.existsSync(dir)) {
    const r = spawnSync(go, ['mod', 'download', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`], { encoding: 'utf8', cwd: os.tmpdir(), env: { ...process.env, GOFLAGS: '-mod=mod' } });
    if (r.status !== 0 || !fs.existsSync(dir)) throw new Error(`could not fetch the schema of ${MODULE}@v${TEMPORAL_SERVER_VERSION}: ${r.stderr}`);
  }
  return dir;
}

export interface TemporalOnPostgres {
  address: string;
  namespace: string;
  logFile: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export interface TemporalOnPostgresOptions {
  /** A PostgreSQL superuser URL: the server's role and its two databases are created through it. */
  adminUrl: string;
  /** Folder for the config, dynamic config and log. */
  dir: string;
  namespace?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * Creates the `temporal` role and the temporal + temporal_visibility databases (once), applies the
 * versioned schema with the sql tool (`--plugin postgres12`), starts the server on free loopback
 * ports, then makes the namespace and the Ssj* search attributes with the temporal CLI.
 */
export async function startTemporalOnPostgres(opts: TemporalOnPostgresOptions): Promise<TemporalOnPostgres> {
  const log = opts.log ?? (() => {});
  const bins = temporalServerBinaries(log);
  const namespace = opts.namespace ?? 'default';
  fs.mkdirSync(opts.dir, { recursive: true });
  const pg = new URL(opts.adminUrl);
  const role = { user: 'temporal', password: 'temporal-' + Math.random().toString(36).slice(2) };
  const passwordFile = path.join(opts.dir, 'temporal-db-password');
  if (fs.existsSync(passwordFile)) role.password = fs.readFileSync(passwordFile, 'utf8').trim();
  const admin = new PgClient({ connectionString: opts.adminUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.user])).rowCount;
    if (!exists) {
      await admin.query(`CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${role.password}'`);
      fs.writeFileSync(passwordFile, role.password, { mode: 0o600 });
    }
  } finally {
    await admin.end();
  }
  const sqlArgs = ['--plugin', 'postgres12', '--ep', pg.hostname, '-p', pg.port || '5432', '-u', role.user, '--pw', role.password];
  const runSql = (db: string, args: string[]) => {
    const r = spawnSync(bins.sql, [...sqlArgs, '--db', db, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`temporal-sql-tool ${args[0]} on ${db} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  };
  for (const [db, schema] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    const has = await databaseExists(opts.adminUrl, db);
    if (!has) {
      runSql(db, ['create-database']);
      runSql(db, ['setup-schema', '-v', '0.0']);
    }
    // Idempotent: brings an existing database up to this server version's schema.
    runSql(db, ['update-schema', '-d', path.join(bins.schemaDir, schema, 'versioned')]);
  }

  const dynamicDir = path.join(opts.dir, 'dynamicconfig');
  fs.mkdirSync(dynamicDir, { recursive: true });
  fs.copyFileSync(path.join(projectRoot, 'deploy', 'temporal', 'dynamicconfig', 'production-sql.yaml'), path.join(dynamicDir, 'production-sql.yaml'));
  const configFile = path.join(opts.dir, 'temporal-server.yaml');
  const logFile = path.join(opts.dir, 'temporal-server.log');

  // Ports are found free, released, then bound by the server: another process (an outgoing
  // connection takes an ephemeral port too) can take one in between. A server that exits while
  // starting is started again on fresh ports, twice at most; its log's tail goes into the error,
  // since the run folder may be removed before anyone reads it.
  for (let attempt = 1; ; attempt++) {
    // The membership table keeps ports as smallint: membership ports must stay below 32768.
    const ports = { frontend: await freePort(), http: await freePort(), fm: await lowFreePort(), history: await freePort(), hm: await lowFreePort(), matching: await freePort(), mm: await lowFreePort(), worker: await freePort(), wm: await lowFreePort() };
    fs.writeFileSync(configFile, serverConfig({ pg, role, ports, dynamicConfig: path.join(dynamicDir, 'production-sql.yaml') }));
    const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    const out = fs.openSync(logFile, 'a');
    const child: ChildProcess = spawn(bins.server, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    let exited: number | null = null;
    // Whatever ends this process (an error, a signal its own handler turns into an exit), the server does not outlive it.
    const killOnExit = () => {
      if (exited === null) child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.on('exit', (code) => {
      exited = code ?? -1;
      process.removeListener('exit', killOnExit);
    });
    const address = `127.0.0.1:${ports.frontend}`;
    const stop = async (signal: NodeJS.Signals) => {
      if (exited !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    };
    try {
      const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
      for (;;) {
        if (exited !== null) throw new ServerExited(exited, logTail(logFile, logStart));
        try {
          const conn = await Connection.connect({ address, connectTimeout: 1_000 });
          await conn.workflowService.getSystemInfo({});
          await conn.close();
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`the Temporal server did not answer on ${address} in time (${String(err)}); see ${logFile}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      await ensureNamespace(address, namespace, log);
    } catch (err) {
      await stop('SIGKILL');
      if (err instanceof ServerExited && attempt < 3) {
        log(`the Temporal server exited with ${err.code} while starting (attempt ${attempt}); starting it again on fresh ports. Its log ends:\n${err.tail}`);
        continue;
      }
      if (err instanceof ServerExited) throw new Error(`the Temporal server exited with ${err.code} (${attempt} attempts); see ${logFile}. Its log ends:\n${err.tail}`);
      throw err;
    }
    log(`Temporal ${TEMPORAL_SERVER_VERSION} on PostgreSQL ${pg.hostname}:${pg.port}: ${address} (log ${logFile})`);
    return { address, namespace, logFile, stop: () => stop('SIGTERM'), kill: () => stop('SIGKILL') };
  }
}

class ServerExited extends Error {
  constructor(
    readonly code: number,
    readonly tail: string,
  ) {
    super(`the Temporal server exited with ${code}`);
  }
}

/** The last lines the server wrote since `from` (its start): why it stopped. */
function logTail(file: string, from: number, lines = 15): string {
  try {
    const text = fs.readFileSync(file).subarray(from).toString('utf8');
    return text.trimEnd().split('\n').slice(-lines).map((l) => `  ${l.slice(0, 400)}`).join('\n');
  } catch {
    return '  (no log)';
  }
}

/** A free loopback port in 20000–32767 (the OS hands out ephemeral ports above that range). */
async function lowFreePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free loopback port below 32768 for the Temporal membership ring');
}

async function databaseExists(adminUrl: string, db: string): Promise<boolean> {
  const c = new PgClient({ connectionString: adminUrl });
  await c.connect();
  try {
    return ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db])).rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}

/** The namespace and the Ssj* search attributes, as deploy/temporal/setup-namespace.sh does in compose. */
async function ensureNamespace(address: string, namespace: string, log: (line: string) => void): Promise<void> {
  const cli = temporalBinaries().cli;
  const run = (args: string[]) => spawnSync(cli, [...args, '--address', address, '--namespace', namespace], { encoding: 'utf8' });
  const deadline = Date.now() + 60_000;
  while (run(['operator', 'namespace', 'describe']).status !== 0) {
    const r = run(['operator', 'namespace', 'create', '--retention', '30d']);
    if (r.status === 0) break;
    // The worker service registers itself a moment after the frontend answers.
    if (Date.now() > deadline) throw new Error(`could not create namespace ${namespace}: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 1_000));
  }
  const existing = run(['operator', 'search-attribute', 'list']).stdout;
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) {
    if (new RegExp(`\\b${name}\\b`).test(existing)) continue;
    let r = run(['operator', 'search-attribute', 'create', '--name', name, '--type', type]);
    // A namespace just created reaches every service's namespace cache a few seconds later.
    while (r.status !== 0 && /not found/i.test(r.stderr) && Date.now() < deadline + 30_000) {
      await new Promise((res) => setTimeout(res, 1_000));
      r = run(['operator', 'search-attribute', 'create', '--name', name, '--type', type]);
    }
    if (r.status !== 0) throw new Error(`could not register search attribute ${name}: ${r.stderr}`);
  }
  log(`namespace ${namespace} with ${Object.keys(SEARCH_ATTRIBUTE_TYPES).join(', ')}`);
}

function serverConfig(a: {
  pg: URL;
  role: { user: string; password: string };
  ports: Record<'frontend' | 'http' | 'fm' | 'history' | 'hm' | 'matching' | 'mm' | 'worker' | 'wm', number>;
  dynamicConfig: string;
}): string {
  const store = (db: string, conns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "${a.pg.hostname}:${a.pg.port || '5432'}"
        connectProtocol: "tcp"
        user: "${a.role.user}"
        password: "${a.role.password}"
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const svc = (grpc: number, membership: number, http?: number) =>
    `    rpc:\n      grpcPort: ${grpc}\n      membershipPort: ${membership}\n      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store('temporal', 20)}
    postgres-visibility:
${store('temporal_visibility', 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:
${svc(a.ports.frontend, a.ports.fm, a.ports.http)}
  matching:
${svc(a.ports.matching, a.ports.mm)}
  history:
${svc(a.ports.history, a.ports.hm)}
  worker:
${svc(a.ports.worker, a.ports.wm)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${a.ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${a.dynamicConfig}"
  pollInterval: "10s"
`;
}

async function main(): Promise<void> {
  const { startTestPostgres } = await import('./postgres');
  const pg = await startTestPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-temporal-pg-'));
  const server = await startTemporalOnPostgres({ adminUrl: pg.adminUrl, dir, log: (l) => console.log(l) });
  console.log(`Temporal server: ${server.address} (namespace ${server.namespace}); Ctrl-C stops it`);
  const done = async () => {
    await server.stop();
    await pg.stop();
    process.exit(0);
  };
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
