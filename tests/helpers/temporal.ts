// Shared plumbing for tests against the real Temporal servers.
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinaries } from '../../scripts/temporal-binaries';

/** A time-skipping test server of our own (the Java one, found by scripts/setup.mjs). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
  });
}

/** A client of the dev server that the global setup started for this run. */
export async function devServerClient(): Promise<{ client: Client; connection: Connection; address: string }> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), connection, address };
}

/** A task queue name of its own for each test, so tests never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
