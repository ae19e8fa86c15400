// The shared blob store: files every host must see (manifests, draw-time notices, publication
// packages, later evidence uploads), addressed by the SHA-256 of their bytes, plus named
// "packages" (a manifest, a publication: name → list of {path, digest, size}), each one row.
//
// In the database rather than S3, because:
// - it is the one thing to back up and to secure: no second service, bucket policy or credential;
// - a package's blobs and its row commit in one transaction with the rows that point at them, so
//   no host ever sees a package whose files are missing;
// - the sizes are small: a 200,000-unit manifest is 7.8 MB (units.csv), a publication package
//   the manifest plus well under 1 MB — one row per blob, no chunking. PostgreSQL BYTEA holds
//   up to 1 GB, but `pg` sends and receives BYTEA as hex text (twice the size, in one JS string),
//   so blobs are capped at MAX_BLOB_BYTES; chunking is the change to make if that ever binds.
// The BlobStore interface is small enough for an S3-compatible implementation beside this one
// (objects keyed by digest, a package as a small JSON object keyed by name).
//
// Blobs are never deleted (a replaced publication leaves its old blobs behind); there is no
// garbage collection yet. Reads verify: content whose SHA-256 is not its digest is an error.
import { createHash } from 'node:crypto';
import { safeWorkflowId } from '../domain/workflow-id';
import type { SqlDatabase, SqlExecutor } from './sql';

/** Larger blobs are refused (see the header: `pg` moves BYTEA as hex text). */
export const MAX_BLOB_BYTES = 256 * 1024 * 1024;

export interface PackageEntry {
  /** Path inside the package, `/`-separated, relative, no `.` or `..` segments. */
  path: string;
  /** SHA-256 of the file's bytes, lower-case hex. */
  digest: string;
  size: number;
}

export interface BlobPackage {
  name: string;
  /** SHA-256 of the package's listing (packageListing): one value that pins every file. */
  digest: string;
  /** In path order. */
  entries: PackageEntry[];
}

export interface BlobStore {
  /** Where it is, for messages. */
  readonly description: string;
  /** Stores the bytes (once: the same bytes twice are one row) and returns their digest. */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes, verified against the digest; BlobMissingError, BlobCorruptError. */
  get(digest: string): Promise<Buffer>;
  has(digest: string): Promise<boolean>;
  /**
   * Stores the files and the package naming them, in one transaction. The name already holding
   * the same package changes nothing; another package under the name is PackageConflictError,
   * unless `replace`.
   */
  putPackage(name: string, files: Iterable<readonly [string, string | Uint8Array]>, opts?: { replace?: boolean }): Promise<BlobPackage>;
  /** The package under `name`, null when there is none. */
  package(name: string): Promise<BlobPackage | null>;
  /** A package with this digest (under any name), null when there is none. */
  packageByDigest(digest: string): Promise<BlobPackage | null>;
}

/** What a campaign keeps in the blob store. */
export type CampaignPackageKind = 'manifest' | 'draw-notice' | 'publication';

/** `campaigns/<campaignId>/<kind>`: the package name of a campaign's manifest, notice or publication. */
export function campaignPackageName(campaignId: string, kind: CampaignPackageKind): string {
  return `campaigns/${safeWorkflowId(campaignId)}/${kind}`;
}

export class BlobMissingError extends Error {
  override name = 'BlobMissingError';
}
/** Stored bytes that no longer match their digest: changed or damaged after they were stored. */
export class BlobCorruptError extends Error {
  override name = 'BlobCorruptError';
}
export class PackageConflictError extends Error {
  override name = 'PackageConflictError';
}
/** A package path or blob the store refuses (nothing was stored). */
export class BlobInputError extends Error {
  override name = 'BlobInputError';
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const DIGEST = /^[0-9a-f]{64}$/;

function requireDigest(digest: string, what: string): void {
  if (!DIGEST.test(digest)) throw new BlobInputError(`${what} ${JSON.stringify(digest)}: not a SHA-256 digest (64 lower-case hex digits)`);
}

/** Refuses paths that could leave the folder a package is exported to. */
export function checkPackagePath(p: string, pkg: string): void {
  const bad =
    p === '' ? 'is empty'
    : p.startsWith('/') ? 'is absolute'
    : p.includes('\\') ? 'contains a backslash'
    : p.includes('\0') ? 'contains a NUL byte'
    : p.split('/').some((s) => s === '' || s === '.' || s === '..') ? 'has an empty, "." or ".." segment'
    : null;
  if (bad) throw new BlobInputError(`package ${pkg}: path ${JSON.stringify(p)} ${bad}`);
}

/** The canonical listing text a package's digest is taken over: JSON, entries in path order. */
export function packageListing(entries: readonly PackageEntry[]): string {
  return JSON.stringify(entries.map((e) => ({ path: e.path, digest: e.digest, size: e.size })));
}

/** The entries for `files` (path order; a path twice is refused) and their bytes by digest. */
export function packageEntries(name: string, files: Iterable<readonly [string, string | Uint8Array]>): { entries: PackageEntry[]; bytes: Map<string, Buffer> } {
  const entries: PackageEntry[] = [];
  const bytes = new Map<string, Buffer>();
  const seen = new Set<string>();
  for (const [p, content] of files) {
    checkPackagePath(p, name);
    if (seen.has(p)) throw new BlobInputError(`package ${name}: path ${JSON.stringify(p)} is listed twice`);
    seen.add(p);
    const b = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const digest = sha256(b);
    bytes.set(digest, b);
    entries.push({ path: p, digest, size: b.length });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, bytes };
}

interface PackageRow {
  name: string;
  digest: string;
  listing: string;
}

/** The blob store in the project's database (SQLite ssj.db or PostgreSQL): stores/schema/blobs.ts. */
export class SqlBlobStore implements BlobStore {
  constructor(private readonly db: SqlDatabase) {}

  get description(): string {
    return this.db.description;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const digest = sha256(bytes);
    await insertBlob(this.db, digest, bytes);
    return digest;
  }

  async get(digest: string): Promise<Buffer> {
    requireDigest(digest, 'blob');
    const row = await this.db.get<{ size: number | string; content: Uint8Array }>('SELECT size, content FROM blobs WHERE digest = ?', [digest]);
    if (!row) throw new BlobMissingError(`blob ${digest} is not in ${this.description}`);
    const content = Buffer.from(row.content.buffer, row.content.byteOffset, row.content.byteLength);
    const actual = sha256(content);
    if (actual !== digest || content.length !== Number(row.size)) {
      throw new BlobCorruptError(
        `blob ${digest} in ${this.description} is damaged: its ${content.length} bytes (recorded ${Number(row.size)}) have SHA-256 ${actual}. ` +
          'It was changed after it was stored; restore the blobs table from a backup.',
      );
    }
    return content;
  }

  async has(digest: string): Promise<boolean> {
    requireDigest(digest, 'blob');
    return (await this.db.get('SELECT 1 AS one FROM blobs WHERE digest = ?', [digest])) !== undefined;
  }

  async putPackage(name: string, files: Iterable<readonly [string, string | Uint8Array]>, opts: { replace?: boolean } = {}): Promise<BlobPackage> {
    if (name.trim() === '' || name.length > 500) throw new BlobInputError(`package name ${JSON.stringify(name.slice(0, 40))}: must be 1 to 500 characters`);
    const { entries, bytes } = packageEntries(name, files);
    const listing = packageListing(entries);
    const pkg: BlobPackage = { name, digest: sha256(listing), entries };
    const now = new Date().toISOString();
    return this.db.transaction(async (tx) => {
      for (const [digest, b] of bytes) await insertBlob(tx, digest, b);
      const upsert = opts.replace ? 'DO UPDATE SET digest = excluded.digest, listing = excluded.listing, created_at = excluded.created_at' : 'DO NOTHING';
      const { changes } = await tx.run(`INSERT INTO blob_packages (name, digest, listing, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) ${upsert}`, [
        name,
        pkg.digest,
        listing,
        now,
      ]);
      if (changes === 0) {
        const there = await tx.get<{ digest: string }>('SELECT digest FROM blob_packages WHERE name = ?', [name]);
        if (there && there.digest !== pkg.digest) {
          throw new PackageConflictError(`package ${name} in ${this.description} already holds package ${there.digest}; refusing to put ${pkg.digest} under the same name`);
        }
      }
      return pkg;
    });
  }

  async package(name: string): Promise<BlobPackage | null> {
    const row = await this.db.get<PackageRow>('SELECT name, digest, listing FROM blob_packages WHERE name = ?', [name]);
    return row ? this.parsePackage(row) : null;
  }

  async packageByDigest(digest: string): Promise<BlobPackage | null> {
    requireDigest(digest, 'package');
    const row = await this.db.get<PackageRow>('SELECT name, digest, listing FROM blob_packages WHERE digest = ? ORDER BY name LIMIT 1', [digest]);
    return row ? this.parsePackage(row) : null;
  }

  private parsePackage(row: PackageRow): BlobPackage {
    const damaged = (why: string) =>
      new BlobCorruptError(`package ${row.name} (${row.digest}) in ${this.description} is damaged: ${why}; restore the blob_packages table from a backup.`);
    if (sha256(row.listing) !== row.digest) throw damaged(`its listing has SHA-256 ${sha256(row.listing)}`);
    let entries: PackageEntry[];
    try {
      entries = JSON.parse(row.listing) as PackageEntry[];
    } catch (err) {
      throw damaged(`its listing is not JSON (${(err as Error).message})`);
    }
    return { name: row.name, digest: row.digest, entries };
  }
}

async function insertBlob(db: SqlExecutor, digest: string, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength > MAX_BLOB_BYTES) {
    throw new BlobInputError(`blob ${digest}: ${bytes.byteLength} bytes is more than the store takes (${MAX_BLOB_BYTES} bytes); see stores/blob-store.ts`);
  }
  await db.run('INSERT INTO blobs (digest, size, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING', [
    digest,
    bytes.byteLength,
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    new Date().toISOString(),
  ]);
}
