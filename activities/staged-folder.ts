// Folders that appear whole or not at all (the freeze's manifest, the disclosure package): every
// file is written and synced into a hidden sibling folder, which the caller then renames into
// place. A crash leaves at most a stray hidden folder, never a half-written one.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `files` (paths relative to the folder, `/`-separated) into a new hidden sibling of `dir`
 * and returns its path. On error the staging folder is removed and the error rethrown.
 */
export function stageFolder(dir: string, files: Iterable<readonly [string, string | Uint8Array]>): string {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp);
  try {
    for (const [rel, content] of files) {
      const target = path.join(tmp, ...rel.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const fd = fs.openSync(target, 'wx');
      try {
        fs.writeFileSync(fd, content);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    fsyncDir(tmp);
    return tmp;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Makes a rename inside `dir` durable. Some file systems refuse to sync a folder; the rename is atomic all the same. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // See above.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
