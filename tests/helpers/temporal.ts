// Shared plumbing for tests against the real Temporal servers.
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DataConverter } from '@temporalio/common';
import { temporalBinaries } from '../../scripts/temporal-binaries';
import { ssjClient } from '../../config/temporal';
import { ssjDataConverter } from '../../codec/data-converter';
import { Keyring, newKeyFile } from '../../codec/keyring';

/** A time-skipping test server of our own (the Java one, found by scripts/setup.mjs). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
  });
}

/**
 * A client of the dev server that the global setup started for this run. With a keyring it
 * encrypts and decrypts payloads as the programme's clients do (codec/); its workers need
 * `testWorkerCodec(keyring)` then.
 */
export async function devServerClient(keyring?: Keyring): Promise<{ client: Client; connection: Connection; address: string }> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const client = keyring ? ssjClient(connection, 'default', keyring) : new Client({ connection });
  return { client, connection, address };
}

/**
 * A fresh keyring for one test file, and the environment that hands it to child processes
 * (`ssj`, worker/main.ts) as $SSJ_CODEC_KEYS.
 */
export function testKeyring(): { keyring: Keyring; env: { SSJ_CODEC_KEYS: string } } {
  const file = newKeyFile();
  return { keyring: new Keyring(file), env: { SSJ_CODEC_KEYS: JSON.stringify(file) } };
}

/** What a test worker needs for the codec: the data converter, and the keyring for the activities' ids. */
export function testWorkerCodec(keyring: Keyring): { dataConverter: DataConverter } {
  return { dataConverter: ssjDataConverter(keyring) };
}

/** bundleWorkflowCode options so workflow failures are encoded (then encrypted) as in production. */
export { bundleOptions as codecBundleOptions } from '../../codec/data-converter';

/** A task queue name of its own for each test, so tests never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A logger for bundleWorkflowCode that keeps only errors (the bundler's stats are noise in tests). */
export function quiet() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
}
