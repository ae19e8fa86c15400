import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Native modules (better-sqlite3, the Temporal core bridge) want processes, not threads.
    pool: 'forks',
    // Two cores: one test file at a time keeps the real servers responsive.
    fileParallelism: false,
    // One dev server and one throwaway PostgreSQL 15 for the whole run.
    globalSetup: ['tests/setup/global-dev-server.ts', 'tests/setup/global-postgres.ts'],
    setupFiles: ['tests/setup/quiet-runtime.ts'],
    reporters: ['default', './tests/setup/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
