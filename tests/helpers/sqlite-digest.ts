// A digest of every row of every table of a SQLite file: equal digests mean nothing changed
// (how the import tests prove that a refused file left the database as it was).
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

export function sqliteDigest(file: string): string {
  const db = new Database(file, { readonly: true });
  const h = createHash('sha256');
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  for (const t of tables) h.update(t).update(JSON.stringify(db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw().all()));
  db.close();
  return h.digest('hex');
}
