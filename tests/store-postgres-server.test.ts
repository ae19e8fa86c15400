// scripts/postgres.ts, the throwaway PostgreSQL the store tests run on: the machine's PostgreSQL
// 15, loopback only, password authentication, gone after stop(); and the exact advice when the
// server binaries are missing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { startTestPostgres } from '../scripts/postgres';

const ROOT = path.resolve(__dirname, '..');

describe('scripts/postgres.ts', () => {
  it('starts PostgreSQL 15 on 127.0.0.1 with password authentication, and removes it on stop', async () => {
    const pg = await startTestPostgres();
    expect(pg.version).toMatch(/^15\./);
    const c = new Client({ connectionString: pg.url });
    await c.connect();
    const row = (await c.query("SELECT current_user AS who, current_setting('listen_addresses') AS listen, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super")).rows[0];
    await c.end();
    expect(row).toEqual({ who: 'ssj_test', listen: '127.0.0.1', super: false });
    const wrong = new URL(pg.url);
    wrong.password = 'wrong';
    const bad = new Client({ connectionString: wrong.toString() });
    await expect(bad.connect()).rejects.toThrow(/password authentication failed/);
    expect(fs.existsSync(path.join(pg.folder, 'data', 'PG_VERSION'))).toBe(true);
    await pg.stop();
    expect(fs.existsSync(pg.folder)).toBe(false);
    const gone = new Client({ connectionString: pg.url, connectionTimeoutMillis: 5000 });
    await expect(gone.connect()).rejects.toThrow();
  }, 180_000);

  it('says exactly what to install when the server binaries are missing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-no-pg-'));
    const saved = process.env.SSJ_PG_BINDIR;
    process.env.SSJ_PG_BINDIR = empty;
    try {
      await expect(startTestPostgres()).rejects.toThrow(/holds no initdb\.\nPostgreSQL server binaries not found.*\n.*apt-get install -y postgresql-15/);
    } finally {
      if (saved === undefined) delete process.env.SSJ_PG_BINDIR;
      else process.env.SSJ_PG_BINDIR = saved;
    }
    const setup = spawnSync(process.execPath, ['scripts/setup.mjs', '--postgres-only'], { cwd: ROOT, env: { ...process.env, SSJ_PG_BINDIR: empty }, encoding: 'utf8' });
    expect(setup.status).toBe(1);
    expect(setup.stderr).toContain(`SSJ_PG_BINDIR=${empty} does not hold initdb, pg_ctl and postgres`);
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
