// Starts `temporal server start-dev` as a child process and waits until it answers.
// Used by the tests' global setup and by the demo (on a SQLite file, with the Web UI).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createKeyFile } from '../codec/keyring';
import { writeLocalServer } from '../client/local-server';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/search-attributes';
import { temporalBinaries } from './temporal-binaries';

export interface DevServer {
  address: string;
  namespace: string;
  /** The Web UI, unless headless. */
  uiUrl: string | null;
  logFile: string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: no shutdown, whatever SQLite has committed is all that remains (crash tests). */
  kill(): Promise<void>;
}

export interface DevServerOptions {
  /** Persist to this SQLite file; in memory when absent. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  logFile: string;
  /** The Web UI decodes payloads through this codec endpoint (codec/server.ts); not with headless. */
  uiCodecEndpoint?: string;
  /** How long to wait for the server to answer. A slow 2-core machine needs more than 5 s. */
  readyTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'warn'];
  let uiUrl: string | null = null;
  if (opts.headless ?? true) {
    args.push('--headless');
  } else {
    const uiPort = opts.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort));
    uiUrl = `http://127.0.0.1:${uiPort}`;
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  }
  if (opts.dbFile) args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);

  const log = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(temporalBinaries().cli, args, { stdio: ['ignore', log, log], detached: false });
  fs.closeSync(log);
  const address = `127.0.0.1:${port}`;
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== null) throw new Error(`temporal server start-dev exited with ${exited}; see ${opts.logFile}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1_000 });
      await conn.workflowService.describeNamespace({ namespace });
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal server start-dev did not answer on ${address} in time (${String(err)}); see ${opts.logFile}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    namespace,
    uiUrl,
    logFile: opts.logFile,
    async stop() {
      if (exited !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
    async kill() {
      if (exited !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/**
 * `npm run dev-server`: the one way to start a development Temporal server with everything ssj
 * needs — the Ssj* search attributes, the default namespace, a SQLite file that keeps the
 * quarters across restarts (.data/temporal.db), a payload key file (.data/codec-keys.json, made
 * once), the Web UI — on the usual ports when they are free. It leaves its settings in
 * .data/local-server.env, so `ssj` (and `npm run worker`) in another terminal of this checkout
 * need none. Ctrl-C stops it.
 */
async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.SSJ_DATA_DIR ?? '.data');
  fs.mkdirSync(dataDir, { recursive: true });
  const keyFile = path.join(dataDir, 'codec-keys.json');
  if (!fs.existsSync(keyFile)) createKeyFile(keyFile);
  const want = (v: string | undefined, usual: number) => (v ? Number(v) : usual);
  const port = want(process.env.SSJ_DEV_PORT, 7233);
  const uiPort = want(process.env.SSJ_DEV_UI_PORT, 8233);
  const server = await startDevServer({
    dbFile: path.join(dataDir, 'temporal.db'),
    port: (await portIsFree(port)) ? port : await freePort(),
    uiPort: (await portIsFree(uiPort)) ? uiPort : await freePort(),
    headless: false,
    logFile: path.join(dataDir, 'temporal.log'),
    readyTimeoutMs: 120_000,
  });
  const remove = writeLocalServer(dataDir, { address: server.address, namespace: server.namespace, keyFile, by: 'npm run dev-server' });
  process.stdout.write(
    [
      `Temporal dev server at ${server.address} (namespace ${server.namespace}, search attributes ${Object.keys(SEARCH_ATTRIBUTE_TYPES).join(', ')})`,
      `Web UI ${server.uiUrl}; data ${path.join(dataDir, 'temporal.db')}; log ${server.logFile}`,
      `payload keys ${keyFile}; settings for ssj and the worker in ${path.join(dataDir, 'local-server.env')}`,
      'in another terminal:  npm run worker   and   npm run --silent ssj -- quarter list',
      'Ctrl-C stops the server.',
    ].join('\n') + '\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  remove();
  await server.stop();
}

/** True when nothing listens on 127.0.0.1:`port`. */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`dev-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(4);
  });
}
