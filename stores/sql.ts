// The small SQL surface every store is written against, so one store implementation in portable
// SQL serves SQLite and PostgreSQL alike. Queries use `?` placeholders (the PostgreSQL adapter
// numbers them); results come back as plain rows with the database's column names.
import { StoreConflictError } from './console-store';

export type Dialect = 'sqlite' | 'postgres';

/** Uint8Array: binary content (SQLite BLOB, PostgreSQL BYTEA; stores/blob-store.ts). */
export type SqlValue = string | number | null | Uint8Array;

export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** INSERT/UPDATE/DELETE; `changes` is the number of rows affected. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Where it is, for messages: a file path or the URL without its password. */
  readonly description: string;
  /**
   * Runs fn in one transaction that holds the write lock from its start (SQLite: BEGIN IMMEDIATE;
   * PostgreSQL: row locks as statements take them). Commits when fn resolves, rolls back when it throws.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` → `$1, $2, ...` (the store's SQL never has `?` inside string literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Unique-key violations from either database become StoreConflictError with the same
 * `constraint` text, `table(col1,col2)`, so callers can tell which key was taken.
 */
export function asConflict(err: unknown): StoreConflictError | null {
  const e = err as { code?: string; message?: string; table?: string; detail?: string };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: accounts.oidc_issuer, accounts.oidc_subject"
    const cols = (e.message ?? '').replace(/^.*failed:\s*/, '').split(',').map((c) => c.trim());
    const table = cols[0]?.split('.')[0] ?? '?';
    return conflict(table, cols.map((c) => c.split('.')[1] ?? c));
  }
  if (e?.code === '23505') {
    // detail: "Key (oidc_issuer, oidc_subject)=(a, b) already exists."
    const cols = /Key \(([^)]*)\)/.exec(e.detail ?? '')?.[1]?.split(',').map((c) => c.trim()) ?? ['?'];
    return conflict(e.table ?? '?', cols);
  }
  return null;
}

function conflict(table: string, columns: string[]): StoreConflictError {
  const constraint = `${table}(${[...columns].sort().join(',')})`;
  return new StoreConflictError(`${constraint} already exists`, constraint);
}

/** Calls fn, turning a unique-key violation into StoreConflictError. */
export async function mapConflicts<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asConflict(err) ?? err;
  }
}
