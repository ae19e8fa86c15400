// The task lists this console has read, each kept with the versions of the lists it came from
// (stores/schema/task-lists.ts). A page view reads the versions (one small indexed query) and
// reads the list itself from the projection only when one of them moved: people open 工作台 and
// 审批 far more often than their tasks change. Every host's console checks the shared store's
// versions, so a change made through any worker is seen at the next view.
import type { ConsoleStore, TaskQuery, TaskRow } from '../stores/console-store';

/** Rows kept in all (a manager's list holds at most its query's limit): a bound on memory. */
const MAX_ROWS = 50_000;

export type ListTasks = (q: TaskQuery) => Promise<readonly TaskRow[]>;

export function taskListCache(store: ConsoleStore, enabled = true): ListTasks {
  if (!enabled) return (q) => store.listTasksFor(q);
  // A Map iterates in insertion order: re-inserting on each hit makes the first entry the least recently used.
  const entries = new Map<string, { version: string; rows: readonly TaskRow[] }>();
  let rowsKept = 0;
  return async (q) => {
    // The version first, the rows second: a change between the two leaves newer rows under an
    // older version (read again next time), never older rows under a newer one.
    const version = await store.taskListVersion(q);
    const key = JSON.stringify([q.personId, [...q.roles].sort(), q.department ?? null, q.statuses ?? null, q.campaignId ?? null, q.kinds ?? null, q.limit ?? null]);
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      rowsKept -= hit.rows.length;
      if (hit.version === version) {
        entries.set(key, hit);
        rowsKept += hit.rows.length;
        return hit.rows;
      }
    }
    // Shared by every request that hits it: frozen, so no page can change another's rows.
    const rows = Object.freeze((await store.listTasksFor(q)).map((t) => Object.freeze({ ...t, assignees: Object.freeze([...t.assignees]), detail: Object.freeze({ ...t.detail }) }) as TaskRow));
    entries.set(key, { version, rows });
    rowsKept += rows.length;
    for (const [k, e] of entries) {
      if (rowsKept <= MAX_ROWS) break;
      entries.delete(k);
      rowsKept -= e.rows.length;
    }
    return rows;
  };
}
