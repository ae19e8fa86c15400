// The store's schema, as one ordered list of versioned migrations applied at start
// (migrate()), recorded in schema_migrations with a checksum of the text that ran. A database
// whose schema is newer than this code, or whose recorded migration differs from the code's, is
// refused: running old code on a newer schema is how rows get silently lost.
//
// Portable SQL wherever a portable form exists (issue 11 §6: KingbaseES, openGauss): TEXT for
// strings, times as ISO-8601 UTC text, INTEGER 0/1 for flags, JSON as TEXT, INSERT ... ON CONFLICT
// and RETURNING. Only what has no common form differs per dialect: the audit log's generated key
// and the triggers that make tables append-only. docs/operations.md lists what PostgreSQL must offer.
import { createHash } from 'node:crypto';
import type { Dialect, SqlDatabase } from './sql';
import { appendOnly } from './schema/append-only';
import { REGISTRY_SCHEMA } from './schema/registry';
import { MAIL_SCHEMA } from './schema/mail';
import { BLOB_TABLES } from './schema/blobs';
import { campaignTables } from './schema/campaigns';
import { RESULT_DRAFTS_SCHEMA } from './schema/result-drafts';
import { TASK_LIST_VERSIONS_SCHEMA, TASK_LISTS_SCHEMA } from './schema/task-lists';

export interface Migration {
  version: number;
  name: string;
  sql: string | Record<Dialect, string>;
}

const CONSOLE_TABLES = `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL,
    roles_json TEXT NOT NULL,
    password_hash TEXT,
    oidc_issuer TEXT,
    oidc_subject TEXT,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (oidc_issuer, oidc_subject),
    CHECK ((oidc_issuer IS NULL AND oidc_subject IS NULL) OR (oidc_issuer IS NOT NULL AND oidc_subject IS NOT NULL))
  );
  CREATE INDEX accounts_person ON accounts (person_id);

  CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    roles_json TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,
    used_at TEXT,
    used_by_account TEXT REFERENCES accounts (id)
  );

  CREATE TABLE login_failures (
    login TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failed_at TEXT NOT NULL,
    locked_until TEXT
  );

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    csrf_secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
  );
  CREATE INDEX sessions_account ON sessions (account_id);
  CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

  CREATE TABLE projected_tasks (
    task_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    inspection_workflow_id TEXT,
    unit_id TEXT,
    unit_name TEXT,
    department TEXT,
    assignees_json TEXT NOT NULL,
    role TEXT,
    role_department TEXT,
    deadline TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    decided_by TEXT,
    decided_at TEXT,
    detail_json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX projected_tasks_role ON projected_tasks (role, status);
  CREATE INDEX projected_tasks_campaign ON projected_tasks (campaign_id, status);
  -- One row per (task, person), so "my tasks" is an index lookup, not a scan of JSON.
  CREATE TABLE projected_task_assignees (
    task_key TEXT NOT NULL REFERENCES projected_tasks (task_key) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    PRIMARY KEY (task_key, person_id)
  );
  CREATE INDEX projected_task_assignees_person ON projected_task_assignees (person_id);

  CREATE TABLE projected_inspections (
    workflow_id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    department TEXT NOT NULL,
    team_json TEXT NOT NULL,
    phase TEXT NOT NULL,
    deadline TEXT,
    overdue INTEGER NOT NULL CHECK (overdue IN (0, 1)),
    parked INTEGER NOT NULL CHECK (parked IN (0, 1)),
    parked_reason TEXT,
    outcome TEXT,
    detail_json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX projected_inspections_campaign ON projected_inspections (campaign_id, phase);

  CREATE TABLE projected_campaigns (
    campaign_id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    phase TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
`;

const AUDIT_LOG = (seq: string) => `
  CREATE TABLE audit_log (
    seq ${seq},
    account_id TEXT,
    person_id TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail_json TEXT NOT NULL,
    at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
  );
  CREATE INDEX audit_log_person ON audit_log (person_id, seq);
  CREATE INDEX audit_log_action ON audit_log (action, seq);
  CREATE INDEX audit_log_at ON audit_log (at);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'console: accounts, invitations, lockout, sessions, audit log, projections',
    sql: {
      sqlite: CONSOLE_TABLES + AUDIT_LOG('INTEGER PRIMARY KEY AUTOINCREMENT') + appendOnly('audit_log').sqlite,
      postgres:
        `CREATE FUNCTION ssj_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation'; END
         $$;` +
        CONSOLE_TABLES +
        AUDIT_LOG('BIGSERIAL PRIMARY KEY') +
        appendOnly('audit_log').postgres,
    },
  },
  {
    version: 2,
    name: 'leases: named claims with an expiry (stores/leases.ts)',
    sql: `CREATE TABLE leases (
      name TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );`,
  },
  { version: 3, name: 'blobs: content-addressed files and named packages (stores/blob-store.ts)', sql: BLOB_TABLES },
  { version: 4, name: 'mail: the outbox and the notice-problem log (stores/schema/mail.ts)', sql: MAIL_SCHEMA },
  { version: 5, name: 'campaigns: quarter claims, replacements, results, document numbers (stores/campaign-store.ts)', sql: campaignTables(appendOnly) },
  { version: 6, name: 'registries: the append-only dated change log and its batches (stores/registry-store.ts)', sql: REGISTRY_SCHEMA },
  { version: 7, name: 'result drafts: the saved inspection result forms of the console (stores/result-drafts.ts)', sql: RESULT_DRAFTS_SCHEMA },
  { version: 8, name: 'task lists: assignee rows carry status, kind, campaign and deadline order (stores/schema/task-lists.ts)', sql: TASK_LISTS_SCHEMA },
  { version: 9, name: 'task list versions: one counter per person and role list, raised with every task change (stores/schema/task-lists.ts)', sql: TASK_LIST_VERSIONS_SCHEMA },
  {
    version: 10,
    name: "tasks by unit and by inspection: one item's page reads its own rows, not the quarter's",
    sql: `CREATE INDEX projected_tasks_unit ON projected_tasks (campaign_id, unit_id, status);
  CREATE INDEX projected_tasks_inspection ON projected_tasks (inspection_workflow_id, status);`,
  },
  {
    version: 11,
    name: 'invitations by the account they made: who set an account up (the draw witnesses\' tie check, 用户管理)',
    sql: `CREATE INDEX invitations_used_by_account ON invitations (used_by_account);`,
  },
];

export function migrationText(m: Migration, dialect: Dialect): string {
  return typeof m.sql === 'string' ? m.sql : m.sql[dialect];
}

export function migrationChecksum(m: Migration, dialect: Dialect): string {
  return createHash('sha256').update(migrationText(m, dialect)).digest('hex').slice(0, 16);
}

/** The database is newer than the code, or was migrated by different code: refuse to use it. */
export class SchemaMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaMismatchError';
  }
}

interface AppliedRow {
  version: number | string;
  name: string;
  checksum: string;
}

/** PostgreSQL advisory-lock key: serialises migrations from processes starting together. */
const MIGRATION_LOCK_KEY = 0x55a1_7001;

/**
 * Brings the database up to the last migration in `list`, each one in its own transaction with
 * its schema_migrations row. Returns the versions applied now (empty when up to date).
 */
export async function migrate(db: SqlDatabase, list: readonly Migration[] = MIGRATIONS, now = new Date()): Promise<number[]> {
  checkList(list);
  const applied: number[] = [];
  for (;;) {
    const done = await db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.exec(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        checksum TEXT NOT NULL,
        applied_at TEXT NOT NULL)`);
      const rows = await tx.all<AppliedRow>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
      const next = pending(rows, list, db);
      if (!next) return true;
      await tx.exec(migrationText(next, tx.dialect));
      await tx.run('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)', [
        next.version,
        next.name,
        migrationChecksum(next, tx.dialect),
        now.toISOString(),
      ]);
      applied.push(next.version);
      return false;
    });
    if (done) return applied;
  }
}

/** The next migration to apply, null when up to date; throws SchemaMismatchError when the database is not this code's. */
function pending(rows: AppliedRow[], list: readonly Migration[], db: SqlDatabase): Migration | null {
  const known = new Map(list.map((m) => [m.version, m]));
  const latest = list[list.length - 1]?.version ?? 0;
  const unknown = rows.filter((r) => Number(r.version) > latest);
  if (unknown.length > 0) {
    throw new SchemaMismatchError(
      `the database ${db.description} has schema version ${Number(unknown[unknown.length - 1]!.version)} ` +
        `(${unknown.map((r) => `${r.version} "${r.name}"`).join(', ')}), but this code knows only up to version ${latest}. ` +
        'Refusing to use it: run the newer release of ssj against this database, or point SSJ_DATABASE_URL / SSJ_DATA_DIR at the right one.',
    );
  }
  for (const r of rows) {
    const m = known.get(Number(r.version));
    const sum = m && migrationChecksum(m, db.dialect);
    if (!m || sum !== r.checksum) {
      throw new SchemaMismatchError(
        `the database ${db.description} recorded migration ${r.version} "${r.name}" (checksum ${r.checksum}), ` +
          `but this code's migration ${r.version} is ${m ? `"${m.name}" (checksum ${sum})` : 'missing'}. ` +
          'Migrations are never edited once released: restore the original text, or add a new migration.',
      );
    }
  }
  const done = new Set(rows.map((r) => Number(r.version)));
  return list.find((m) => !done.has(m.version)) ?? null;
}

function checkList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list: entry ${i} has version ${m.version}, expected ${i + 1} (versions are 1, 2, 3, ... in order)`);
  });
}
