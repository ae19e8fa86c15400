// The two databases every store test runs on: a real SQLite file in a temporary folder and a fresh
// database on a real PostgreSQL 15 (tests/setup/postgres.ts). Call inside a test file:
//   const backends = storeBackends('contract');  describe.each(backends)('... on $name', ...)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { StoreSettings } from '../../stores/open';
import { usePostgres, type PostgresForTests } from './postgres';

export interface StoreBackend {
  name: 'sqlite' | 'postgresql';
  /** Settings for a new, empty database. */
  fresh(): Promise<StoreSettings>;
}

export function storeBackends(prefix: string): StoreBackend[] {
  let pg: PostgresForTests | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ssj-store-${prefix}-`));
  let n = 0;
  beforeAll(async () => {
    pg = await usePostgres();
  }, 180_000);
  afterAll(async () => {
    await pg?.release();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return [
    { name: 'sqlite', fresh: async () => ({ dataDir: path.join(tmp, `d${++n}`), databaseUrl: null }) },
    { name: 'postgresql', fresh: async () => ({ dataDir: path.join(tmp, `d${++n}`), databaseUrl: await pg!.newDatabase(prefix) }) },
  ];
}
