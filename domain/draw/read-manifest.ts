// Reads a manifest folder: the only I/O of domain/draw (the draw itself stays pure).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILES, ManifestFileName } from './digest';
import { DrawManifest, MANIFEST_HEADERS, Manifest, ManifestError, ManifestProblem, parseDrawManifest, parseManifest } from './manifest';
import { placeUnitsCsv } from './units-scan-wasm';

/** The five files' bytes from `dir`; a missing or unreadable file is a ManifestError. */
export function readManifestFiles(dir: string): Record<ManifestFileName, Uint8Array> {
  return readFiles(dir, false);
}

/**
 * readManifestFiles, units.csv read straight into the draw's WebAssembly memory where that runs
 * (./units-scan-wasm placeUnitsCsv): that view lasts only until the memory grows or the next
 * manifest is read, so this stays private to readDrawManifest, which parses the files at once.
 */
function readFiles(dir: string, unitsInPlace: boolean): Record<ManifestFileName, Uint8Array> {
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

/**
 * units.csv read into the draw's WebAssembly memory, to its end as readFileSync reads it (a file
 * that holds less than its size says, as some special files do, gives what it holds); undefined
 * where that does not run or the file holds more than its size said (then readFileSync reads it).
 */
function readInPlace(file: string): Uint8Array | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    return placeUnitsCsv(size, MANIFEST_HEADERS['units.csv'], (into) => {
      let done = 0;
      while (done < size) {
        const n = fs.readSync(fd, into, done, size - done, done);
        if (n === 0) return done; // it holds less than its size said
        done += n;
      }
      // One more byte: it holds more than its size said.
      return fs.readSync(fd, new Uint8Array(1), 0, 1, size) === 0 ? done : undefined;
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
  return parseDrawManifest(readFiles(dir, true));
}
