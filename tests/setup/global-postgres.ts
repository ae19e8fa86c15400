// vitest globalSetup: one throwaway PostgreSQL 15 for the whole run (scripts/postgres.ts); test
// files get fresh databases on it through tests/setup/postgres.ts's usePostgres().
import type { TestProject } from 'vitest/node';
import { startTestPostgres, type TestPostgres } from '../../scripts/postgres';

/** What the global setup hands to test files (plain JSON). */
export interface SharedPostgres {
  adminUrl: string;
  /** The test role's URL; tests/setup/postgres.ts swaps the database name. */
  url: string;
  version: string;
}

export function toShared(pg: TestPostgres): SharedPostgres {
  return { adminUrl: pg.adminUrl, url: pg.url, version: pg.version };
}

let server: TestPostgres | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = await startTestPostgres();
  project.provide('postgres', toShared(server));
  return async () => {
    await server?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: SharedPostgres;
  }
}
