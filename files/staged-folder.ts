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

/**
 * Replaces `dir` as a whole with `files` (staged, then renamed into place). A folder cannot be
 * renamed over a non-empty one, so the old one moves aside first: the path then holds the old or
 * the new complete folder, never a half-written one (it is absent only between the two renames).
 */
export function replaceFolder(dir: string, files: Iterable<readonly [string, string | Uint8Array]>): void {
  const target = path.resolve(dir);
  const tmp = stageFolder(target, files);
  try {
    if (fs.existsSync(target)) {
      const old = `${tmp}.old`;
      fs.renameSync(target, old);
      fs.renameSync(tmp, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, target);
    }
    fsyncDir(path.dirname(target));
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Every file under `dir`, as `/`-separated paths relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

/**
 * Does `dir` hold exactly these files (no more, no fewer), each with bytes that `matches` accepts?
 * False when the folder is missing or unreadable.
 */
export function folderHolds(dir: string, paths: readonly string[], matches: (rel: string, bytes: Buffer) => boolean): boolean {
  try {
    const present = listFiles(dir).sort();
    const wanted = [...paths].sort();
    if (present.length !== wanted.length || present.some((p, i) => p !== wanted[i])) return false;
    return wanted.every((p) => matches(p, fs.readFileSync(path.join(dir, ...p.split('/')))));
  } catch {
    return false;
  }
}
