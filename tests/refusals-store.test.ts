// The store's own refusals leave an activity as typed, non-retryable failures on both databases
// (a trigger of an append-only table, a unique key, a CHECK), while PostgreSQL's transient
// failures (serialization, deadlock) stay retryable: a real server raises each one here.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTypedRefusals } from '../activities/steps/refusals';
import { openStoreDatabase } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { SqlRegistryStore } from '../stores/registry-store';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('refusals');

/** What the activity threw, after the wrapper every registered activity gets. */
async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  const { act } = withTypedRefusals({ act: async (_: { campaignId: string; unitId: string }) => run() });
  try {
    await act({ campaignId: 'campaign-test-2023q1', unitId: 'U1' });
  } catch (err) {
    return err;
  }
  throw new Error('the statement was expected to fail');
}

function expectRefusal(err: unknown, pattern: RegExp): void {
  expect(err).toBeInstanceOf(ApplicationFailure);
  const f = err as ApplicationFailure;
  expect(f.type).toBe('StoreRefused');
  expect(f.nonRetryable).toBe(true);
  expect(f.message).toMatch(/^activity act \(campaign campaign-test-2023q1, unit U1\): the store refused it/);
  expect(f.message).toMatch(pattern);
}

describe.each(backends)('store refusals on $name', (backend) => {
  let db: SqlDatabase;
  beforeAll(async () => {
    db = await openStoreDatabase(await backend.fresh());
    await new SqlRegistryStore(db).applyBatch({ key: 'k1', kind: 'manual', source: 'test', reason: 'test', effectiveDate: '2023-01-01', changes: [] });
    await db.exec('CREATE TABLE refusal_probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n > 0))');
    await db.run('INSERT INTO refusal_probe (id, n) VALUES (1, 1)');
  }, 180_000);
  afterAll(async () => {
    await db?.close();
  });

  it('an append-only table refuses an UPDATE: typed StoreRefused, not retried', async () => {
    expectRefusal(await failureOf(() => db.run("UPDATE registry_batches SET reason = 'rewritten'")), /append-only|registry_batches/);
    expect((await db.get<{ reason: string }>('SELECT reason FROM registry_batches'))?.reason).toBe('test');
  });

  it('a unique key and a CHECK constraint refuse the row: typed StoreRefused', async () => {
    expectRefusal(await failureOf(() => db.run('INSERT INTO refusal_probe (id, n) VALUES (1, 2)')), backend.name === 'postgresql' ? /SQLSTATE 23505/ : /SQLITE_CONSTRAINT_PRIMARYKEY/);
    expectRefusal(await failureOf(() => db.run('INSERT INTO refusal_probe (id, n) VALUES (2, 0)')), backend.name === 'postgresql' ? /SQLSTATE 23514/ : /SQLITE_CONSTRAINT_CHECK/);
    expect((await db.all('SELECT id FROM refusal_probe')).length).toBe(1);
  });

  it.runIf(backend.name === 'postgresql')('serialization failures and deadlocks stay retryable', async () => {
    for (const code of ['serialization_failure', 'deadlock_detected']) {
      const err = await failureOf(() => db.exec(`DO $$ BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '${code}'; END $$`));
      expect(err).not.toBeInstanceOf(ApplicationFailure);
      expect((err as { code?: string }).code).toMatch(/^40/);
    }
  });
});
