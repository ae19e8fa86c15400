// The worker side reads the registries from the shared store only: a worker host with its own,
// empty data folder prepares and freezes a campaign from the registry another host imported into
// the same database (SQLite ssj.db, and a real PostgreSQL 15 as several hosts share it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { openStoreDatabase } from '../stores/open';
import { SqlRegistryStore, type RegistryChange } from '../stores/registry-store';
import type { RegistrySnapshot } from '../domain/registry';
import { createFixture, PEOPLE, recordingMail, withRegistry, type Fixture } from './helpers/campaign-fixture';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('workerhost');
let fx: Fixture;
let registry: RegistrySnapshot;

beforeAll(async () => {
  fx = await createFixture('worker-host-2024');
  registry = await withRegistry(fx.dataDir, (r) => r.snapshotAt('2023-12-31'));
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

function changesOf(s: RegistrySnapshot): RegistryChange[] {
  return [
    ...s.departments.map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })),
    ...s.people.map((p) => ({ entityKind: 'person' as const, entityId: p.id, state: p })),
    ...s.units.map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: u })),
  ];
}

describe.each(backends)('a worker host on $name', (backend) => {
  it('prepares and freezes a campaign from the shared registry, with nothing of its own on disk', async () => {
    const settings = await backend.fresh();
    // The operator's host imports the registry.
    const operatorDb = await openStoreDatabase(settings);
    await new SqlRegistryStore(operatorDb).applyBatch({ key: 'test:initial', kind: 'test', source: 'test', reason: 'initial registry', effectiveDate: '2023-01-01', changes: changesOf(registry) });
    await operatorDb.close();

    // The worker's host: a data folder of its own, empty (PostgreSQL); SQLite is one host's ssj.db.
    const workerDir = backend.name === 'postgresql' ? fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-worker-host-')) : settings.dataDir;
    const database = await openStoreDatabase({ dataDir: workerDir, databaseUrl: settings.databaseUrl });
    const mail = recordingMail(path.join(fx.dir, `mail-${backend.name}.db`));
    try {
      const acts = createActivities({ dataDir: workerDir, database, programme: fx.programme, mail });
      const campaignId = `worker-host-${backend.name}-2024q1`;
      const prep = await acts.prepareCampaign({ campaignId, programmeId: fx.programme.id, year: 2024, quarter: 1, rosterAsOf: '2023-12-31' });
      expect(prep.brigades.map((b) => b.id)).toEqual(['brigade-shihe', 'county-xixian']);
      const frozen = await acts.freezeCampaign({ campaignId, quarter: 1, asOf: '2023-12-31' });
      expect(frozen.counts.units).toBe(registry.units.length);
      expect(frozen.witnesses.admin).toEqual([PEOPLE.admin, PEOPLE.admin2]);
      expect(frozen.witnesses.manager).toEqual(PEOPLE.managers);
      if (backend.name === 'postgresql') expect(fs.readdirSync(workerDir).filter((f) => f.endsWith('.db'))).toEqual([]);
      await acts.close();
    } finally {
      mail.close();
      await database.close();
    }
  }, 120_000);
});
