// The console's task-list cache (console/task-list-cache.ts) on a real SQLite store: a view whose
// lists stood still is answered without reading the projection; any change to a task on the list,
// written by another store handle as a worker would, is seen at the next view.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { taskListCache } from '../console/task-list-cache';
import type { ConsoleStore, TaskQuery, TaskRow } from '../stores/console-store';
import { openConsoleStore } from '../stores/open';

const T0 = new Date('2026-03-02T01:00:00.000Z');
const task = (n: number, over: Partial<TaskRow> = {}): TaskRow => ({
  key: `wf-${n}/result`, kind: 'result', campaignId: 'c-2026-q1', inspectionWorkflowId: `wf-${n}`, unitId: `U${n}`, unitName: `单位${n}`, department: 'D01',
  assignees: ['P001'], role: null, roleDepartment: null, deadline: `2026-03-1${n % 10}`, status: 'open', decidedBy: null, decidedAt: null, detail: { phase: 'inspection' }, revision: 1, updatedAt: T0, ...over,
});

const dirs: string[] = [];
const stores: ConsoleStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The console's store handle (its reads counted) and a second handle on the same file, as a worker's. */
async function twoHandles() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-list-cache-'));
  dirs.push(dataDir);
  const consoleStore = await openConsoleStore({ dataDir, databaseUrl: null });
  const worker = await openConsoleStore({ dataDir, databaseUrl: null });
  stores.push(consoleStore, worker);
  let reads = 0;
  const counted = Object.create(consoleStore) as ConsoleStore;
  counted.listTasksFor = (q: TaskQuery) => {
    reads++;
    return consoleStore.listTasksFor(q);
  };
  return { counted, worker, reads: () => reads };
}

describe('the task-list cache', () => {
  it('reads a list again only when one of its versions moved', async () => {
    const { counted, worker, reads } = await twoHandles();
    for (let n = 1; n <= 3; n++) await worker.upsertTask(task(n));
    const list = taskListCache(counted);
    const keys = async (q: TaskQuery) => (await list(q)).map((t) => t.key);
    const mine: TaskQuery = { personId: 'P001', roles: ['manager'] };
    expect(await keys(mine)).toEqual(['wf-1/result', 'wf-2/result', 'wf-3/result']);
    expect(await keys(mine)).toEqual(['wf-1/result', 'wf-2/result', 'wf-3/result']);
    expect(reads()).toBe(1);
    // Another person's task: this list's versions stand still.
    await worker.upsertTask(task(4, { assignees: ['P002'] }));
    await keys(mine);
    expect(reads()).toBe(1);
    // Done by the worker: gone at the next view.
    await worker.upsertTask(task(2, { status: 'done', revision: 2 }));
    expect(await keys(mine)).toEqual(['wf-1/result', 'wf-3/result']);
    expect(reads()).toBe(2);
    // A task offered to the person's role.
    await worker.upsertTask(task(5, { assignees: [], role: 'manager', kind: 'approve-handover' }));
    expect(await keys(mine)).toEqual(['wf-1/result', 'wf-3/result', 'wf-5/result']);
    // Another query of the same person (other kinds, limit) is its own entry.
    expect(await keys({ ...mine, kinds: ['approve-handover'], limit: 1 })).toEqual(['wf-5/result']);
    expect(reads()).toBe(4);
  });

  it('hands out frozen rows, so that no page can change what another request is shown', async () => {
    const { counted, worker } = await twoHandles();
    await worker.upsertTask(task(1));
    const list = taskListCache(counted);
    const rows = await list({ personId: 'P001', roles: [] });
    expect(Object.isFrozen(rows) && Object.isFrozen(rows[0]) && Object.isFrozen(rows[0]!.detail) && Object.isFrozen(rows[0]!.assignees)).toBe(true);
    expect(() => (rows[0]!.detail as Record<string, unknown>).phase = 'x').toThrow(TypeError);
    expect((await list({ personId: 'P001', roles: [] }))[0]!.detail).toEqual({ phase: 'inspection' });
  });

  it('turned off, reads the projection at every view', async () => {
    const { counted, worker, reads } = await twoHandles();
    await worker.upsertTask(task(1));
    const list = taskListCache(counted, false);
    await list({ personId: 'P001', roles: [] });
    await list({ personId: 'P001', roles: [] });
    expect(reads()).toBe(2);
  });
});
