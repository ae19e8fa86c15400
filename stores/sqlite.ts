// SqlDatabase on an SQLite file (better-sqlite3): the embedded default. WAL lets the worker, the
// console and ssj open the same file from separate processes. better-sqlite3's busy timeout would
// wait synchronously, freezing the event loop — and with it a transaction of this very process
// that holds the lock across an await — so the timeout is 0 and a busy database is retried
// here, asynchronously.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql';

export function openSqliteDatabase(file: string): SqlDatabase {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  // Switching a new file to WAL needs a moment's exclusive lock, held only briefly by another
  // process opening it too: wait for it synchronously this once, at open, then never again.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 0');
  db.pragma('foreign_keys = ON');
  // 64 MB of page cache (the default is 2 MB): a quarter's projection and registry stay in memory.
  db.pragma('cache_size = -65536');
  return new SqliteDatabase(db, path.resolve(file));
}

/** Prepared statements by SQL text, per connection: preparing costs more than running a list query. */
const STATEMENT_CACHE_SIZE = 500;
const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(sql, statement);
  }
  return statement;
}

class SqliteExecutor implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  constructor(protected readonly db: Database.Database) {}

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return prepared(this.db, sql).all(...params) as T[];
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return prepared(this.db, sql).get(...params) as T | undefined;
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    // A statement with RETURNING must be stepped through `all`; run() is for the rest.
    return { changes: prepared(this.db, sql).run(...params).changes };
  }
  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }
}

/**
 * better-sqlite3 is synchronous, but transaction bodies are async: without a queue another
 * caller's statement could run inside an open transaction between two awaits. Every operation
 * outside a transaction therefore waits its turn behind the open one.
 */
class SqliteDatabase extends SqliteExecutor implements SqlDatabase {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    db: Database.Database,
    readonly description: string,
  ) {
    super(db);
  }

  /**
   * Runs fn in its turn; while another connection holds the write lock, it waits out of turn and
   * queues again, so this process's other operations (reads, which WAL lets through) go on meanwhile
   * instead of stalling behind one busy write for up to BUSY_GIVE_UP_MS.
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return retryWhileBusy(() => this.inTurn(fn), this.description);
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  override all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.serial(() => super.all<T>(sql, params));
  }
  override get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.serial(() => super.get<T>(sql, params));
  }
  override run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.serial(() => super.run(sql, params));
  }
  override exec(sql: string): Promise<void> {
    return this.serial(() => super.exec(sql));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      // IMMEDIATE: take the write lock now, so two processes cannot both read-then-write.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteExecutor(this.db));
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}

const BUSY_GIVE_UP_MS = 30_000;

/** Runs fn again while another connection holds the write lock (SQLITE_BUSY: nothing was done). */
async function retryWhileBusy<T>(fn: () => Promise<T>, file: string): Promise<T> {
  const deadline = Date.now() + BUSY_GIVE_UP_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    try {
      return await fn();
    } catch (err) {
      if (!String((err as { code?: string }).code).startsWith('SQLITE_BUSY')) throw err;
      if (Date.now() > deadline) {
        throw new Error(`${file}: the database stayed locked by another connection for ${BUSY_GIVE_UP_MS / 1000} s; is a process stuck holding a transaction?`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
}
