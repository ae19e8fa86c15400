// The registries' tables (stores/registry-store.ts): an append-only, dated change log of
// departments, units, people and conflicts, grouped in batches (one imported file each). Portable
// SQL but for the generated keys and the append-only triggers, which have no common form.
import type { Dialect } from '../sql';
import { appendOnly } from './append-only';

const tables = (key: string, ref: string): string => `
  CREATE TABLE registry_batches (
    id ${key},
    batch_key TEXT NOT NULL UNIQUE,        -- idempotency key, e.g. units:<sha256 of the file>
    kind TEXT NOT NULL,                    -- import kind (units, closed-units, ...) or 'manual'
    source TEXT NOT NULL,                  -- e.g. "2023Q1 quarterly list from 浉河大队" or a file name
    reason TEXT NOT NULL,
    file_name TEXT,
    effective_date TEXT NOT NULL,          -- the batch's default effective date, YYYY-MM-DD
    change_count INTEGER NOT NULL,
    recorded_at TEXT NOT NULL              -- ISO 8601 UTC
  );
  CREATE TABLE registry_changes (
    seq ${key},                            -- record order: ties on an effective date go to the later record
    batch_id ${ref} NOT NULL REFERENCES registry_batches (id),
    entity_kind TEXT NOT NULL CHECK (entity_kind IN ('department', 'unit', 'person', 'conflict')),
    entity_id TEXT NOT NULL,
    effective_date TEXT NOT NULL CHECK (length(effective_date) = 10 AND substr(effective_date, 5, 1) = '-' AND substr(effective_date, 8, 1) = '-'),
    state TEXT,                            -- the full new state as JSON; NULL marks a removal
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL
  );
  -- State at a date: the latest change per entity up to it (DESC: read in order, no sort).
  CREATE INDEX registry_changes_by_entity ON registry_changes (entity_kind, entity_id, effective_date DESC, seq DESC);
  CREATE INDEX registry_changes_by_id ON registry_changes (entity_id);
  CREATE INDEX registry_changes_by_batch ON registry_changes (batch_id);
`;

/** Migration text per dialect: the two tables, neither of which is ever updated or deleted from. */
export const REGISTRY_SCHEMA: Record<Dialect, string> = {
  sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER') + appendOnly('registry_batches').sqlite + appendOnly('registry_changes').sqlite,
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT') + appendOnly('registry_batches').postgres + appendOnly('registry_changes').postgres,
};
