// The console's view of the registry (console/registry-cache.ts, people.ts, inspection-registry.ts)
// on a real SQLite store: read at start, kept for a minute, then refreshed in the background
// without a page ever waiting for it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inspectionRegistry } from '../console/inspection-registry';
import { registryPeople } from '../console/people';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { cityDepartments, inspector, unit } from './helpers/registry-snapshot';

let tmp: string;
let store: RegistryStore;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-registry-cache-'));
  store = await openRegistryStore({ dataDir: tmp, databaseUrl: null });
  await store.applyBatch({
    key: 'base',
    kind: 'test',
    source: 'test',
    reason: 'test',
    effectiveDate: '2024-01-01',
    changes: [
      ...cityDepartments().map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })),
      { entityKind: 'department', entityId: 'agency-market', state: { id: 'agency-market', kind: 'agency', name: '市场监管局', jurisdiction: null, email: null } },
      { entityKind: 'person', entityId: 'P1', state: inspector('P1', 'section-1') },
      { entityKind: 'unit', entityId: 'U1', state: unit('U1') },
    ],
  });
});
afterAll(async () => {
  await store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the console registry cache', () => {
  it('serves today\'s registry, keeps it a minute, then refreshes in the background', async () => {
    let now = new Date('2024-03-01T02:00:00Z');
    const clock = () => now;
    const people = await registryPeople(store, clock);
    const reg = await inspectionRegistry(store, clock);
    expect(await people.name('P1')).toBe('执法人员P1');
    expect(await people.person('NOBODY')).toBeNull();
    expect(reg.unit('U1')?.name).toBe('单位U1');
    expect(reg.department('section-1')?.name).toBe('执法一科');
    expect(reg.agencies().map((d) => d.id)).toEqual(['agency-market']);

    await store.applyBatch({
      key: 'rename',
      kind: 'test',
      source: 'test',
      reason: 'test',
      effectiveDate: '2024-02-01',
      changes: [
        { entityKind: 'person', entityId: 'P1', state: inspector('P1', 'section-1', { name: '改名后' }) },
        { entityKind: 'unit', entityId: 'U1', state: unit('U1', { name: '新名称' }) },
      ],
    });
    now = new Date(now.getTime() + 30_000);
    expect(await people.name('P1')).toBe('执法人员P1'); // within the minute: the view read at start
    expect(reg.unit('U1')?.name).toBe('单位U1');

    now = new Date(now.getTime() + 31_000);
    expect(reg.unit('U1')?.name).toBe('单位U1'); // the page does not wait: this call starts the refresh
    await vi.waitFor(() => expect(reg.unit('U1')?.name).toBe('新名称'), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await people.name('P1')).toBe('改名后'), { timeout: 10_000 });
  });
});
