// Which database the project's shared state lives in: PostgreSQL when SSJ_DATABASE_URL is set
// (several hosts), otherwise one SQLite file in the data folder (one host). Opening migrates the
// schema to this code's version, or refuses a database that is newer (stores/migrations.ts).
import * as path from 'node:path';
import type { ConsoleStore } from './console-store';
import { migrate, MIGRATIONS, SchemaMismatchError } from './migrations';
import { openPostgresDatabase } from './postgres';
import { SqlConsoleStore } from './sql-console-store';
import type { SqlDatabase } from './sql';
import { openSqliteDatabase } from './sqlite';

export interface StoreSettings {
  /** The data folder: the SQLite file lives here when databaseUrl is null. */
  dataDir: string;
  /** postgres://user:password@host:port/database; null: SQLite. */
  databaseUrl: string | null;
}

/** The embedded default's file name in the data folder. */
export const SQLITE_STORE_FILE = 'ssj.db';

/** SSJ_DATABASE_URL and SSJ_DATA_DIR (default `.data`), for callers without RuntimeSettings. */
export function storeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): StoreSettings {
  const url = env.SSJ_DATABASE_URL?.trim();
  return { dataDir: path.resolve(env.SSJ_DATA_DIR?.trim() || '.data'), databaseUrl: url ? url : null };
}

/** Opens the database and brings its schema up to date. Other stores share the returned database. */
export async function openStoreDatabase(settings: StoreSettings): Promise<SqlDatabase> {
  if (settings.databaseUrl !== null && !/^postgres(ql)?:\/\//.test(settings.databaseUrl)) {
    throw new Error('SSJ_DATABASE_URL: must start with postgres:// or postgresql:// (for example postgres://ssj:secret@db.internal:5432/ssj)');
  }
  const db = settings.databaseUrl !== null ? openPostgresDatabase(settings.databaseUrl) : openSqliteDatabase(path.join(settings.dataDir, SQLITE_STORE_FILE));
  try {
    await migrate(db, MIGRATIONS);
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    if (err instanceof SchemaMismatchError) throw err;
    // Name the database (never its password): "connect ECONNREFUSED" alone does not say which.
    throw new Error(`store database ${db.description}: ${(err as Error).message}`, { cause: err });
  }
}

export async function openConsoleStore(settings: StoreSettings): Promise<ConsoleStore> {
  return new SqlConsoleStore(await openStoreDatabase(settings));
}
