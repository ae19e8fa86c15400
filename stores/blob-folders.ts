// Between the blob store and folders on this host: export a package to a destination (the
// publication's folder or web root), and materialise one into a local cache that the draw and
// anything else reading a manifest folder use. Both write whole folders (staged, then renamed) and
// both are idempotent: a folder already holding the package's exact bytes is left untouched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, folderHolds, replaceFolder, stageFolder } from '../files/staged-folder';
import { BlobMissingError, checkPackagePath, sha256, type BlobPackage, type BlobStore } from './blob-store';

/** Does `dir` hold exactly the package's files, byte for byte (checked by digest and size)? */
export function folderHoldsPackage(dir: string, pkg: BlobPackage): boolean {
  const byPath = new Map(pkg.entries.map((e) => [e.path, e]));
  return folderHolds(dir, [...byPath.keys()], (rel, bytes) => {
    const e = byPath.get(rel)!;
    return bytes.length === e.size && sha256(bytes) === e.digest;
  });
}

/** The package's files with their bytes, each verified against its digest. */
export async function packageFiles(store: BlobStore, pkg: BlobPackage): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const e of pkg.entries) {
    checkPackagePath(e.path, pkg.name); // a listing is data from the database: never trust it with paths
    files.set(e.path, await store.get(e.digest));
  }
  return files;
}

/**
 * Writes the package into `dir`, replacing what was there as a whole. Exporting again changes
 * nothing (not even the folder's times): `unchanged` is then true.
 */
export async function exportPackage(store: BlobStore, pkg: BlobPackage, dir: string): Promise<{ dir: string; unchanged: boolean }> {
  const target = path.resolve(dir);
  if (folderHoldsPackage(target, pkg)) return { dir: target, unchanged: true };
  replaceFolder(target, await packageFiles(store, pkg));
  return { dir: target, unchanged: false };
}

/**
 * The package with digest `digest` as a folder `<cacheDir>/<digest>`, fetched from the store when
 * the cache does not hold it whole and unchanged. Any host can so read what another host froze.
 */
export async function materialisePackage(store: BlobStore, digest: string, cacheDir: string): Promise<string> {
  const pkg = await store.packageByDigest(digest);
  if (!pkg) throw new BlobMissingError(`package ${digest} is not in ${store.description}`);
  const dir = path.join(path.resolve(cacheDir), digest);
  if (folderHoldsPackage(dir, pkg)) return dir;
  const files = await packageFiles(store, pkg);
  const tmp = stageFolder(dir, files);
  try {
    try {
      fs.renameSync(tmp, dir); // only onto a missing or empty folder
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another process filled the cache meanwhile (fine), or it holds damaged files (replace them).
      if (!folderHoldsPackage(dir, pkg)) replaceFolder(dir, files);
    }
    fsyncDir(path.dirname(dir));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
