// Proves both real servers run here without downloads: the time-skipping test server skips a
// month-long timer, and the dev server carries a signal and a query round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, devServerClient, uniqueTaskQueue } from './helpers/temporal';
import { greet, greeting, sleepsForAMonth, waitsForAGreeting } from './workflows/smoke';

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows', 'smoke.ts'), logger: quietLogger() });
});

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('skips a 30-day timer', async () => {
    const taskQueue = uniqueTaskQueue('skip');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
    const elapsed = await worker.runUntil(
      env.client.workflow.execute(sleepsForAMonth, { taskQueue, workflowId: `skip-${taskQueue}` }),
    );
    // The workflow saw a month pass; the test's own timeout (far below a month) shows it was skipped.
    expect(elapsed).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
  });
});

describe('dev server (temporal server start-dev)', () => {
  it('round-trips a signal and a query', async () => {
    const { client, connection, address } = await devServerClient();
    const nativeConnection = await NativeConnection.connect({ address });
    const taskQueue = uniqueTaskQueue('signal');
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: bundle });
    try {
      const result = await worker.runUntil(async () => {
        const handle = await client.workflow.start(waitsForAGreeting, { taskQueue, workflowId: `greet-${taskQueue}` });
        expect(await handle.query(greeting)).toBeNull();
        await handle.signal(greet, '纪检员');
        return handle.result();
      });
      expect(result).toBe('你好, 纪检员');
    } finally {
      await nativeConnection.close();
      await connection.close();
    }
  });
});

function quietLogger() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
}
