// A campaign's frozen manifest changed where it now lies: in the shared store's blobs table
// (<dataDir>/ssj.db, stores/blob-store.ts), with this host's manifest cache removed, as a host that
// never fetched it would see it. For the tests that check a changed manifest is refused.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignPackageName, type PackageEntry } from '../../stores/blob-store';
import { SQLITE_STORE_FILE } from '../../stores/open';

/** Appends `extra` to the stored bytes of the manifest's `file`; returns a function that restores them. */
export function tamperStoredManifest(dataDir: string, campaignId: string, file = 'units.csv', extra = '\n'): () => void {
  const db = new Database(path.join(dataDir, SQLITE_STORE_FILE));
  db.pragma('busy_timeout = 10000');
  try {
    const row = db.prepare('SELECT listing FROM blob_packages WHERE name = ?').get(campaignPackageName(campaignId, 'manifest')) as { listing: string } | undefined;
    if (!row) throw new Error(`campaign ${campaignId} has no manifest package in ${dataDir}`);
    const entry = (JSON.parse(row.listing) as PackageEntry[]).find((e) => e.path === file);
    if (!entry) throw new Error(`the manifest package of ${campaignId} has no ${file}`);
    const original = (db.prepare('SELECT content FROM blobs WHERE digest = ?').get(entry.digest) as { content: Buffer }).content;
    db.prepare('UPDATE blobs SET content = ? WHERE digest = ?').run(Buffer.concat([original, Buffer.from(extra)]), entry.digest);
    fs.rmSync(path.join(dataDir, 'cache'), { recursive: true, force: true });
    return () => {
      const again = new Database(path.join(dataDir, SQLITE_STORE_FILE));
      try {
        again.pragma('busy_timeout = 10000');
        again.prepare('UPDATE blobs SET content = ? WHERE digest = ?').run(original, entry.digest);
      } finally {
        again.close();
      }
    };
  } finally {
    db.close();
  }
}
