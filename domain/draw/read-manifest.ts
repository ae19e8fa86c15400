// Reads a manifest folder: the only I/O of domain/draw (the draw itself stays pure).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILES, ManifestFileName } from './digest';
import { DrawManifest, MANIFEST_HEADERS, Manifest, ManifestError, ManifestProblem, parseDrawManifest, parseManifest } from './manifest';
import { placeUnitsCsv } from './units-scan-wasm';

/**
 * The five files' bytes from `dir`; a missing or unreadable file is a ManifestError. With
 * `unitsInPlace`, units.csv is read straight into the draw's WebAssembly memory where that runs
 * (./units-scan-wasm placeUnitsCsv: its view lasts only until that memory grows, so parse the
 * files at once).
 */
export function readManifestFiles(dir: string, unitsInPlace = false): Record<ManifestFileName, Uint8Array> {
  const problems: ManifestProblem[] = [];
  const files = {} as Record<ManifestFileName, Uint8Array>;
  for (const name of MANIFEST_FILES) {
    const file = path.join(dir, name);
    try {
      files[name] = (unitsInPlace && name === 'units.csv' && readInPlace(file)) || fs.readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ file: file, line: 0, rule: code === 'ENOENT' ? 'file is missing' : `cannot read (${code ?? String(err)})` });
    }
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return files;
}

/** units.csv read into the draw's WebAssembly memory, or undefined where that does not run. */
function readInPlace(file: string): Uint8Array | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    return placeUnitsCsv(size, MANIFEST_HEADERS['units.csv'], (into) => {
      for (let done = 0; done < size; ) {
        const n = fs.readSync(fd, into, done, size - done, done);
        if (n === 0) throw Object.assign(new Error(`${file} got shorter while being read`), { code: 'ESHORT' });
        done += n;
      }
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads and parses the manifest folder `dir`. Problems name files relative to nothing: `units.csv:12: ...`. */
export function readManifest(dir: string): Manifest {
  return parseManifest(readManifestFiles(dir));
}

/** readManifest for the draw: the units as a table (parseDrawManifest). */
export function readDrawManifest(dir: string): DrawManifest {
  return parseDrawManifest(readManifestFiles(dir, true));
}
