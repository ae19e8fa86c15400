// A throwaway PostgreSQL server from the machine's own (Debian) binaries, for tests and local
// trials: `initdb` in a temporary folder as the `postgres` user (as the current user when not
// root), listening on 127.0.0.1 only, on a free port, with its unix socket in that folder. The
// superuser and the test role have random passwords (scram-sha-256), so clients connect the way
// production ones do. stop() shuts it down and removes the folder.
//
//   npx tsx scripts/postgres.ts     starts one, prints its URL, stops on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from './dev-server';

const root = path.resolve(__dirname, '..');
const BINDIR_FILE = path.join(root, '.tools', 'postgres-bindir.json');

export const POSTGRES_ADVICE =
  'PostgreSQL server binaries not found. Do one of these, then run the tests again:\n' +
  '  - Debian 12, as root: apt-get update && apt-get install -y postgresql-15\n' +
  '    (other Debian/Ubuntu releases: apt-get install -y postgresql); `npm run setup` does this when run as root;\n' +
  '  - or set SSJ_PG_BINDIR to the folder holding initdb, pg_ctl and postgres.';

export interface TestPostgres {
  /** postgres://ssj_test:…@127.0.0.1:PORT/ssj_test: a role that owns its database, not a superuser. */
  url: string;
  /** The superuser's URL (for creating databases, or what a test must do behind the store's back). */
  adminUrl: string;
  port: number;
  /** The temporary folder (data, socket, log); removed by stop(). */
  folder: string;
  /** Server version, e.g. "15.18". */
  version: string;
  /** A fresh empty database owned by the test role; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where initdb, pg_ctl and postgres are: SSJ_PG_BINDIR, else what setup found (setup.mjs searches). */
export function postgresBindir(): string {
  if (process.env.SSJ_PG_BINDIR) {
    const dir = path.resolve(process.env.SSJ_PG_BINDIR);
    if (!fs.existsSync(path.join(dir, 'initdb'))) throw new Error(`SSJ_PG_BINDIR=${process.env.SSJ_PG_BINDIR} holds no initdb.\n${POSTGRES_ADVICE}`);
    return dir;
  }
  const read = (): string | null => (fs.existsSync(BINDIR_FILE) ? (JSON.parse(fs.readFileSync(BINDIR_FILE, 'utf8')) as { bindir: string }).bindir : null);
  let dir = read();
  if (!dir || !fs.existsSync(path.join(dir, 'initdb'))) {
    // One search, in setup.mjs; run just that step (it installs nothing unless root with apt-get).
    spawnSync(process.execPath, [path.join(root, 'scripts', 'setup.mjs'), '--postgres-only', '--quiet'], { stdio: 'pipe' });
    dir = read();
  }
  if (!dir) throw new Error(POSTGRES_ADVICE);
  return dir;
}

/** As root, the server runs as `postgres` (initdb refuses root); otherwise as ourselves. */
function serverUser(): { uid: number; gid: number; name: string } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('running as root, but there is no `postgres` user to run the server as (initdb refuses root). Install the postgresql-15 package, which creates it, or run the tests as an ordinary user.');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: 'postgres' };
}

function runAs(user: { name: string } | null, bin: string, args: string[], what: string): string {
  const r = user
    ? spawnSync('runuser', ['-u', user.name, '--', bin, ...args], { encoding: 'utf8', cwd: '/' })
    : spawnSync(bin, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (${path.basename(bin)} exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`.trim());
  return r.stdout;
}

const password = () => randomBytes(18).toString('base64url');
const quoteIdent = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${JSON.stringify(name)}: use lower-case letters, digits and _ (at most 63)`);
  return name;
};

export interface StartOptions {
  /** The test role's first database (default ssj_test). */
  database?: string;
  /** The test role (default ssj_test). */
  user?: string;
  startTimeoutSeconds?: number;
  /** Default 100; a Temporal server on this cluster wants more. */
  maxConnections?: number;
}

export async function startTestPostgres(opts: StartOptions = {}): Promise<TestPostgres> {
  const bindir = postgresBindir();
  const bin = (name: string) => path.join(bindir, name);
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-pg-'));
  const data = path.join(dir, 'data');
  const socketDir = path.join(dir, 'sock');
  const logFile = path.join(dir, 'server.log');
  fs.mkdirSync(socketDir);
  const superPassword = password();
  fs.writeFileSync(path.join(dir, 'pwfile'), superPassword + '\n', { mode: 0o600 });
  if (user) {
    for (const p of [dir, socketDir, path.join(dir, 'pwfile')]) fs.chownSync(p, user.uid, user.gid);
  }
  let started = false;
  const stopServer = () => {
    if (!started) return;
    started = false;
    try {
      runAs(user, bin('pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60'], 'pg_ctl stop');
    } catch {
      // already gone: removing the folder below is all that is left to do
    }
  };
  // A test process that exits without calling stop() must not leave a server behind.
  const onExit = () => {
    stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    runAs(user, bin('initdb'), ['-D', data, '-U', 'postgres', '--pwfile', path.join(dir, 'pwfile'), '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], 'initdb');
    fs.rmSync(path.join(dir, 'pwfile'));
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      // A throwaway cluster: durability settings off make tests fast, and nothing listens beyond loopback.
      const serverOpts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${opts.maxConnections ?? 100}`;
      try {
        runAs(user, bin('pg_ctl'), ['start', '-D', data, '-l', logFile, '-w', '-t', String(opts.startTimeoutSeconds ?? 120), '-o', serverOpts], 'pg_ctl start');
        started = true;
        break;
      } catch (err) {
        // Another process may have taken the free port between the check and the start.
        if (attempt >= 3) throw new Error(`${(err as Error).message}\nserver log:\n${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '(none)'}`);
      }
    }
    const adminUrl = `postgres://postgres:${encodeURIComponent(superPassword)}@127.0.0.1:${port}/postgres`;
    const roleName = quoteIdent(opts.user ?? 'ssj_test');
    const rolePassword = password();
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    let version = '';
    try {
      version = String((await admin.query('SHOW server_version')).rows[0].server_version).split(' ')[0] ?? '';
      await admin.query(`CREATE ROLE ${roleName} LOGIN PASSWORD '${rolePassword}'`);
    } finally {
      await admin.end();
    }
    const createDatabase = async (name: string): Promise<string> => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${roleName}`);
      } finally {
        await c.end();
      }
      return `postgres://${roleName}:${rolePassword}@127.0.0.1:${port}/${name}`;
    };
    const url = await createDatabase(quoteIdent(opts.database ?? 'ssj_test'));
    return {
      url,
      adminUrl,
      port,
      folder: dir,
      version,
      createDatabase,
      async stop() {
        process.removeListener('exit', onExit);
        onExit();
      },
    };
  } catch (err) {
    process.removeListener('exit', onExit);
    onExit();
    throw err;
  }
}

if (require.main === module) {
  startTestPostgres()
    .then((pg) => {
      process.stdout.write(`postgresql ${pg.version}: ${pg.url}\nsuperuser: ${pg.adminUrl}\nCtrl-C stops it and removes its folder.\n`);
      const stop = () => void pg.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((err: Error) => {
      process.stderr.write(`postgres: ${err.message}\n`);
      process.exit(1);
    });
}
