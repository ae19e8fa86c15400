// A freeze retried after its first attempt wrote the manifest (the worker died before completing)
// rebuilds the same manifest from the registry as known when the freeze was first scheduled, even
// though a change dated inside the closed quarter was recorded in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../activities';
import { createFixture, recordingMail, withRegistry, type Fixture } from './helpers/campaign-fixture';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture('freeze-retry-2024');
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** An activity environment whose attempt `attempt` runs now, first scheduled at `firstMs`. */
function attemptOf(firstMs: number, attempt: number): MockActivityEnvironment {
  return new MockActivityEnvironment({ attempt, scheduledTimestampMs: firstMs, currentAttemptScheduledTimestampMs: Date.now() });
}

describe('a retried freeze', () => {
  it('gives the same manifest after a later-recorded, back-dated change', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
    try {
      const campaignId = 'campaign-freeze-retry-2024-2024q1';
      const args = { campaignId, quarter: 1 as const, asOf: '2023-12-31', spec: 'ssj-draw/2' as const };
      await acts.prepareCampaign({ campaignId, programmeId: fx.programme.id, year: 2024, quarter: 1, rosterAsOf: '2023-12-31' });
      const freeze = (env: MockActivityEnvironment, a: typeof args) => env.run(acts.freezeCampaign, a) as ReturnType<typeof acts.freezeCampaign>;
      await new Promise((r) => setTimeout(r, 5)); // scheduled strictly after the initial registry was recorded
      const firstMs = Date.now();
      const first = await freeze(attemptOf(firstMs, 1), args);

      // Recorded after the freeze was first scheduled, dated inside the closed quarter: G01 closed.
      await new Promise((r) => setTimeout(r, 5));
      await withRegistry(fx.dataDir, async (reg) => {
        const g01 = (await reg.snapshotAt('2023-12-31')).units.find((u) => u.id === 'G01')!;
        await reg.applyBatch({
          key: 'test:backdated-closure',
          kind: 'test',
          source: 'test',
          reason: 'closure reported late',
          effectiveDate: '2023-12-20',
          changes: [{ entityKind: 'unit', entityId: 'G01', state: { ...g01, status: 'closed', statusDate: '2023-12-20' } }],
        });
      });

      // The retry (attempt 2 of the same scheduling) rebuilds the manifest attempt 1 stored.
      const retried = await freeze(attemptOf(firstMs, 2), args);
      expect(retried.manifestDigest).toBe(first.manifestDigest);
      expect(retried.counts).toEqual(first.counts);

      // The change does count for the quarter as known now: G01 is closed as of the freeze date.
      const now = await withRegistry(fx.dataDir, (reg) => reg.snapshotAt('2023-12-31'));
      expect(now.units.find((u) => u.id === 'G01')?.status).toBe('closed');
    } finally {
      acts.close();
      mail.close();
    }
  });
});
