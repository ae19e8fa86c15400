// SqlDatabase on PostgreSQL (`pg`), used when SSJ_DATABASE_URL is set: the store every worker
// host, the console and ssj share. A small pool; transactions get a client of their own.
import { Pool, type PoolClient } from 'pg';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql';
import { numberPlaceholders } from './sql';

type Queryable = Pick<Pool, 'query'> | PoolClient;

export function openPostgresDatabase(url: string, opts: { max?: number } = {}): SqlDatabase {
  const pool = new Pool({ connectionString: url, max: opts.max ?? 8, application_name: 'ssj' });
  // An idle client losing its server (restart, failover) must not crash the process; the next
  // query reconnects or fails with the real error.
  pool.on('error', () => undefined);
  return new PostgresDatabase(pool, redactUrl(url));
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

class PostgresExecutor implements SqlExecutor {
  readonly dialect = 'postgres' as const;
  constructor(protected readonly q: Queryable) {}

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const r = await this.q.query(numberPlaceholders(sql), params as SqlValue[]);
    return r.rows as T[];
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const r = await this.q.query(numberPlaceholders(sql), params as SqlValue[]);
    return { changes: r.rowCount ?? 0 };
  }
  async exec(sql: string): Promise<void> {
    await this.q.query(sql);
  }
}

class PostgresDatabase extends PostgresExecutor implements SqlDatabase {
  constructor(
    private readonly pool: Pool,
    readonly description: string,
  ) {
    super(pool);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresExecutor(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed: do not hand it to the next caller
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
