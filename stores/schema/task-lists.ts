// The task lists' index (migration 8): each assignee row carries what "my open tasks, soonest
// deadline first" filters and sorts on (the task's status, kind, campaign and deadline), so a list
// is one ordered index range read that stops at its LIMIT, instead of reading and sorting every
// task the person was ever given (a manager holds hundreds). SqlConsoleStore.upsertTask keeps the
// copies in step inside its transaction. Portable SQL; rows written before are backfilled here.

/** The sort key of a task without a deadline: after every 'YYYY-MM-DD', as the lists order them. */
export const NO_DEADLINE_ORDER = '9999-99-99';

const copied = (column: string, expression: string) => `
  ALTER TABLE projected_task_assignees ADD COLUMN ${column} TEXT NOT NULL DEFAULT '';
  UPDATE projected_task_assignees SET ${column} = (SELECT ${expression} FROM projected_tasks t WHERE t.task_key = projected_task_assignees.task_key);`;

export const TASK_LISTS_SCHEMA = `
  ${copied('status', 't.status')}
  ${copied('kind', 't.kind')}
  ${copied('campaign_id', 't.campaign_id')}
  ${copied('due_order', `COALESCE(t.deadline, '${NO_DEADLINE_ORDER}')`)}
  DROP INDEX projected_task_assignees_person;
  CREATE INDEX projected_task_assignees_list ON projected_task_assignees (person_id, status, due_order, task_key);
`;

// The task lists' versions (migration 9): one counter per list, `person:<id>` for the tasks
// assigned to a person and `role:<role>` for the tasks offered to a role, raised in the same
// transaction as every change to a task on that list (SqlConsoleStore.upsertTask). A console keeps
// a list it has read with the versions it was read at, and reads it again only when one moved:
// a list is viewed far more often than it changes. Portable SQL (INSERT ... ON CONFLICT).
export const TASK_LIST_VERSIONS_SCHEMA = `
  CREATE TABLE task_list_versions (
    list_key TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  );
`;

/** The version keys of a person's lists: theirs, and each of their roles'. */
export const personListKey = (personId: string): string => `person:${personId}`;
export const roleListKey = (role: string): string => `role:${role}`;
