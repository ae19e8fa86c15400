// The registry database's schema, as ordered migrations. A migration is applied once, in its own
// transaction, and recorded in schema_version; a database newer than this code is refused.
import type Database from 'better-sqlite3';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'append-only change log of departments, units, people and conflicts, grouped in batches',
    sql: `
      CREATE TABLE batches (
        id             INTEGER PRIMARY KEY,
        batch_key      TEXT NOT NULL UNIQUE,      -- idempotency key, e.g. units:<sha256 of the file>
        kind           TEXT NOT NULL,             -- import kind (units, closed-units, ...) or 'manual'
        source         TEXT NOT NULL,             -- e.g. "2023Q1 quarterly list from 浉河大队" or a file name
        reason         TEXT NOT NULL,
        file_name      TEXT,
        effective_date TEXT NOT NULL,             -- the batch's default effective date (YYYY-MM-DD)
        change_count   INTEGER NOT NULL,
        recorded_at    TEXT NOT NULL              -- ISO 8601 UTC
      );
      CREATE TABLE changes (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id       INTEGER NOT NULL REFERENCES batches(id),
        entity_kind    TEXT NOT NULL CHECK (entity_kind IN ('department', 'unit', 'person', 'conflict')),
        entity_id      TEXT NOT NULL,
        effective_date TEXT NOT NULL CHECK (effective_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        state          TEXT,                      -- full new state as JSON; NULL marks a removal
        source         TEXT NOT NULL,
        reason         TEXT NOT NULL,
        recorded_at    TEXT NOT NULL
      );
      -- snapshotAt: latest change per entity up to a date (DESC: the window reads it in order, no sort).
      CREATE INDEX changes_by_entity ON changes (entity_kind, entity_id, effective_date DESC, seq DESC);
      CREATE INDEX changes_by_batch ON changes (batch_id);
      -- Nothing is ever overwritten or deleted.
      CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'registry changes are append-only'); END;
      CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes BEGIN SELECT RAISE(ABORT, 'registry changes are append-only'); END;
      CREATE TRIGGER batches_no_update BEFORE UPDATE ON batches BEGIN SELECT RAISE(ABORT, 'registry batches are append-only'); END;
      CREATE TRIGGER batches_no_delete BEFORE DELETE ON batches BEGIN SELECT RAISE(ABORT, 'registry batches are append-only'); END;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Bring the database to SCHEMA_VERSION. Safe to call on every open. */
export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TEXT NOT NULL
  )`);
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(`registry database is at schema version ${current}, newer than this program (${SCHEMA_VERSION}): upgrade ssj`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.description,
        new Date().toISOString(),
      );
    })();
  }
}
