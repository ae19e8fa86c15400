// The task lists' index (migration 8, stores/schema/task-lists.ts) on SQLite and PostgreSQL: a
// limited list is exactly the head of the full one, whichever half (assigned, or by role) the
// tasks come from; status, kind and campaign filters follow the task as it changes; and rows
// written before the migration are listed after it.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskRow, TaskStatus } from '../stores/console-store';
import { migrate, MIGRATIONS } from '../stores/migrations';
import { openStoreDatabase, SQLITE_STORE_FILE } from '../stores/open';
import { openPostgresDatabase } from '../stores/postgres';
import { SqlConsoleStore } from '../stores/sql-console-store';
import { openSqliteDatabase } from '../stores/sqlite';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('tasklists');
const T0 = new Date('2026-03-02T01:00:00.000Z');

function task(n: number, over: Partial<TaskRow> = {}): TaskRow {
  const wf = `wf-${String(n).padStart(3, '0')}`;
  return {
    key: `${wf}/result`,
    kind: 'result',
    campaignId: 'c-2026-q1',
    inspectionWorkflowId: wf,
    unitId: `U${n}`,
    unitName: `单位${n}`,
    department: 'D01',
    assignees: ['P001', 'P002'],
    role: null,
    roleDepartment: null,
    // Days 01..09 repeat, every seventh task has none: ties broken by key, the undated last.
    deadline: n % 7 === 0 ? null : `2026-03-0${(n % 9) + 1}`,
    status: 'open',
    decidedBy: null,
    decidedAt: null,
    detail: {},
    revision: 1,
    updatedAt: T0,
    ...over,
  };
}

/** The lists' order, as the store documents it: soonest deadline first, undated last, then key. */
const listOrder = (ts: TaskRow[]) =>
  [...ts].sort((a, b) => Number(a.deadline === null) - Number(b.deadline === null) || (a.deadline ?? '').localeCompare(b.deadline ?? '') || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((t) => t.key);

describe.each(backends)('task lists on $name', (backend) => {
  it('a limited list is the head of the full list, across assigned and role tasks', async () => {
    const store = new SqlConsoleStore(await openStoreDatabase(await backend.fresh()));
    const assigned = Array.from({ length: 40 }, (_, i) => task(i + 1));
    const byRole = Array.from({ length: 15 }, (_, i) => task(100 + i, { kind: 'approve-handover', assignees: [], role: 'manager' }));
    const others = Array.from({ length: 10 }, (_, i) => task(200 + i, { assignees: ['P003'] }));
    for (const t of [...assigned, ...byRole, ...others]) await store.upsertTask(t);
    const keys = async (q: Parameters<typeof store.listTasksFor>[0]) => (await store.listTasksFor(q)).map((t) => t.key);

    const everything = listOrder([...assigned, ...byRole]);
    expect(await keys({ personId: 'P001', roles: ['manager'] })).toEqual(everything);
    for (const limit of [1, 7, 20, 54]) expect(await keys({ personId: 'P001', roles: ['manager'], limit })).toEqual(everything.slice(0, limit));
    expect(await keys({ personId: 'P001', roles: [], limit: 12 })).toEqual(listOrder(assigned).slice(0, 12));
    expect(await keys({ personId: 'P001', roles: ['manager'], kinds: ['approve-handover'], limit: 5 })).toEqual(listOrder(byRole).slice(0, 5));
    // A task both assigned to the person and open to their role is listed once.
    await store.upsertTask({ ...byRole[0]!, assignees: ['P001'], revision: 2 });
    expect(await keys({ personId: 'P001', roles: ['manager'] })).toEqual(everything);
    await store.close();
  });

  it('status, kind and campaign filters follow the task as it is rewritten', async () => {
    const store = new SqlConsoleStore(await openStoreDatabase(await backend.fresh()));
    for (let n = 1; n <= 6; n++) await store.upsertTask(task(n));
    const keys = async (q: { statuses?: TaskStatus[]; kinds?: string[]; campaignId?: string }) => (await store.listTasksFor({ personId: 'P002', roles: [], ...q })).map((t) => t.key);
    await store.upsertTask(task(2, { status: 'done', decidedBy: 'P002', decidedAt: T0, revision: 2 }));
    await store.upsertTask(task(3, { campaignId: 'c-2026-q2', kind: 'approve-recusal', revision: 2 }));
    await store.upsertTask(task(4, { status: 'cancelled', revision: 0 })); // older: ignored
    expect(await keys({})).toEqual(listOrder([task(1), task(3), task(4), task(5), task(6)]));
    expect(await keys({ statuses: ['done'] })).toEqual(['wf-002/result']);
    expect(await keys({ campaignId: 'c-2026-q2' })).toEqual(['wf-003/result']);
    expect(await keys({ kinds: ['result'], campaignId: 'c-2026-q1' })).toEqual(listOrder([task(1), task(4), task(5), task(6)]));
    await store.upsertTask(task(5, { deadline: '2026-02-01', revision: 3 }));
    expect((await keys({}))[0]).toBe('wf-005/result');
    await store.close();
  });

  it("a task's change moves the version of every list it was or is on, and only those", async () => {
    const store = new SqlConsoleStore(await openStoreDatabase(await backend.fresh()));
    const version = (personId: string, roles: string[] = []) => store.taskListVersion({ personId, roles: roles as never });
    expect(await version('P001', ['manager', 'admin'])).toBe('person:P001=0 role:admin=0 role:manager=0');
    const seen = async () => [await version('P001'), await version('P002'), await version('P003'), await version('P009', ['manager']), await version('P009', ['admin'])];
    let before = await seen();
    const moved = async (change: () => Promise<unknown>) => {
      await change();
      const after = await seen();
      const which = ['P001', 'P002', 'P003', 'manager', 'admin'].filter((_, i) => after[i] !== before[i]);
      before = after;
      return which;
    };
    expect(await moved(() => store.upsertTask(task(1)))).toEqual(['P001', 'P002']);
    // Handed from P002 to P003: P002's list loses it, P003's gains it, P001's row changes.
    expect(await moved(() => store.upsertTask(task(1, { assignees: ['P001', 'P003'], revision: 2 })))).toEqual(['P001', 'P002', 'P003']);
    expect(await moved(() => store.upsertTask(task(1, { assignees: ['P002'], revision: 1 })))).toEqual([]); // older: not written
    expect(await moved(() => store.upsertTask(task(2, { assignees: [], role: 'manager' })))).toEqual(['manager']);
    expect(await moved(() => store.upsertTask(task(2, { assignees: [], role: 'admin', revision: 2 })))).toEqual(['manager', 'admin']);
    expect(await moved(() => store.upsertTask(task(1, { status: 'done', assignees: ['P001', 'P003'], revision: 3 })))).toEqual(['P001', 'P003']);
    await store.close();
  });

  it('rows written before migration 8 are listed after it, in order', async () => {
    const settings = await backend.fresh();
    const db = settings.databaseUrl ? openPostgresDatabase(settings.databaseUrl) : openSqliteDatabase(path.join(settings.dataDir, SQLITE_STORE_FILE));
    await migrate(db, MIGRATIONS.slice(0, 7));
    // What the store before migration 8 wrote: the task row, and (task, person) pairs only.
    const rows = [task(1), task(2, { status: 'done' }), task(3, { deadline: null }), task(4, { deadline: '2026-02-27', kind: 'approve-handover' })];
    for (const t of rows) {
      await db.run(
        `INSERT INTO projected_tasks (task_key, kind, campaign_id, inspection_workflow_id, unit_id, unit_name, department, assignees_json, role, role_department, deadline, status, decided_by, decided_at, detail_json, revision, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, NULL, NULL, '{}', 1, ?)`,
        [t.key, t.kind, t.campaignId, t.inspectionWorkflowId, t.unitId, t.unitName, t.department, JSON.stringify(t.assignees), t.deadline, t.status, T0.toISOString()],
      );
      for (const p of t.assignees) await db.run('INSERT INTO projected_task_assignees (task_key, person_id) VALUES (?, ?)', [t.key, p]);
    }
    expect(await migrate(db)).toEqual(MIGRATIONS.slice(7).map((m) => m.version));
    const store = new SqlConsoleStore(db);
    expect((await store.listTasksFor({ personId: 'P001', roles: [] })).map((t) => t.key)).toEqual(['wf-004/result', 'wf-001/result', 'wf-003/result']);
    expect((await store.listTasksFor({ personId: 'P002', roles: [], kinds: ['approve-handover'] })).map((t) => t.key)).toEqual(['wf-004/result']);
    expect((await store.listTasksFor({ personId: 'P002', roles: [], statuses: ['done'] })).map((t) => t.key)).toEqual(['wf-002/result']);
    await store.close();
  });
});
