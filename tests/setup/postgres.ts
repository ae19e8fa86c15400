// PostgreSQL for tests: one real server (scripts/postgres.ts, the machine's Debian binaries) and a
// fresh database per caller. With tests/setup/global-postgres.ts wired into vitest's globalSetup,
// every file shares that server; without it, the first call in a test file starts one for the file.
// When PostgreSQL is missing this fails with the exact command to run, never skips.
import { inject } from 'vitest';
import { Client } from 'pg';
import { startTestPostgres, type TestPostgres } from '../../scripts/postgres';
import { toShared, type SharedPostgres } from './global-postgres';

export interface PostgresForTests {
  version: string;
  /** A new empty database owned by the test role; its URL. */
  newDatabase(prefix?: string): Promise<string>;
  /** Stops the server if this file started it. */
  release(): Promise<void>;
}

let counter = 0;

export async function usePostgres(): Promise<PostgresForTests> {
  const shared = inject('postgres') as SharedPostgres | undefined; // undefined unless the global setup is wired
  let own: TestPostgres | null = null;
  const server: SharedPostgres = shared ?? toShared((own = await startTestPostgres()));
  return {
    version: server.version,
    newDatabase: (prefix = 'db') => createDatabase(server, `${prefix}_${process.pid}_${++counter}`),
    release: async () => {
      await own?.stop();
    },
  };
}

async function createDatabase(server: SharedPostgres, name: string): Promise<string> {
  const owner = decodeURIComponent(new URL(server.url).username);
  const admin = new Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER ${owner}`);
  } finally {
    await admin.end();
  }
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return u.toString();
}
