// The blob store's tables (stores/blob-store.ts). Portable apart from the content column's type:
// SQLite calls binary BLOB, PostgreSQL (and KingbaseES, openGauss) BYTEA.
import type { Dialect } from '../sql';

const tables = (binary: string): string => `
  CREATE TABLE blobs (
    digest TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content ${binary} NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE blob_packages (
    name TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    listing TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX blob_packages_digest ON blob_packages (digest);
`;

/** blobs: content by SHA-256 digest; blob_packages: a named list of {path, digest, size}, itself digested. */
export const BLOB_TABLES: Record<Dialect, string> = { sqlite: tables('BLOB'), postgres: tables('BYTEA') };
