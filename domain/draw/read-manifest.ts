// Reads a manifest folder: the only I/O of domain/draw (the draw itself stays pure).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILES, ManifestFileName } from './digest';
import { DrawManifest, Manifest, ManifestError, ManifestProblem, parseDrawManifest, parseManifest } from './manifest';

/** The five files' bytes from `dir`; a missing or unreadable file is a ManifestError. */
export function readManifestFiles(dir: string): Record<ManifestFileName, Buffer> {
  const problems: ManifestProblem[] = [];
  const files = {} as Record<ManifestFileName, Buffer>;
  for (const name of MANIFEST_FILES) {
    const file = path.join(dir, name);
    try {
      files[name] = fs.readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ file: file, line: 0, rule: code === 'ENOENT' ? 'file is missing' : `cannot read (${code ?? String(err)})` });
    }
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return files;
}

/** Reads and parses the manifest folder `dir`. Problems name files relative to nothing: `units.csv:12: ...`. */
export function readManifest(dir: string): Manifest {
  return parseManifest(readManifestFiles(dir));
}

/** readManifest for the draw: the units as a table (parseDrawManifest). */
export function readDrawManifest(dir: string): DrawManifest {
  return parseDrawManifest(readManifestFiles(dir));
}
