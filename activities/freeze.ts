// The freeze, with its side effects: read the registry at a date, build the quarter's manifest
// (domain/freeze.ts) and write the folder atomically. Idempotent: freezing the same again into the
// same folder changes nothing; a folder that holds a different manifest is never overwritten.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manifestDigests, MANIFEST_FILES, type ManifestFileName } from '../domain/draw/digest';
import type { DrawSpec } from '../domain/draw/record';
import { freezeCounts, freezeFiles, freezeQuarter, type FreezeFiles, type FreezeInputs } from '../domain/freeze';
import { quarterCalendar, type Programme, type Quarter } from '../domain/programme';
import type { RegistrySnapshot } from '../domain/registry';
import { loadProgramme } from './programme';
import { openRegistry } from './registry/store';
import { fsyncDir, stageFolder } from './staged-folder';

/** The folder holds something else than this freeze: nothing was written. */
export class FreezeRefusedError extends Error {
  override name = 'FreezeRefusedError';
}

export interface FreezeResult {
  dir: string;
  campaign: string;
  asOf: string;
  manifestDigest: string;
  /** False when the folder already held this very manifest (nothing was written). */
  written: boolean;
  counts: ReturnType<typeof freezeCounts>;
  warnings: string[];
}

/** Freeze a quarter from an in-memory snapshot into `dir`. */
export function freezeToFolder(args: {
  snapshot: RegistrySnapshot;
  programme: Programme;
  quarter: Quarter;
  dir: string;
  inputs?: FreezeInputs;
  /** The manifest's spec (default ssj-draw/2; campaigns started before it freeze ssj-draw/1). */
  spec?: DrawSpec;
}): FreezeResult {
  const frozen = freezeQuarter(args.snapshot, args.programme, args.quarter, args.inputs, args.spec);
  const files = freezeFiles(frozen);
  const { written } = writeFreezeFolder(args.dir, files);
  return {
    dir: args.dir,
    campaign: frozen.manifest.params.campaign,
    asOf: args.snapshot.asOf,
    manifestDigest: files.manifestDigest,
    written,
    counts: freezeCounts(frozen),
    warnings: frozen.quotas.warnings,
  };
}

export interface FreezeActivityInput {
  /** Registry database file. */
  db: string;
  year: number;
  quarter: Quarter;
  outDir: string;
  /** Registry date (YYYY-MM-DD, end of day); default: the last day of the previous quarter. */
  at?: string;
  /** Programme file; default: $SSJ_PROGRAMME or config/programme.json. */
  programmePath?: string;
  inputs?: FreezeInputs;
  /** The manifest's spec (default ssj-draw/2). */
  spec?: DrawSpec;
}

/** The activity: reads the registry store at the freeze date and writes the folder. */
export async function freezeQuarterActivity(input: FreezeActivityInput): Promise<FreezeResult> {
  const programme = loadProgramme(input.programmePath);
  if (input.year !== programme.year) {
    throw new FreezeRefusedError(`the programme ${programme.id} is for ${programme.year}, not ${input.year}`);
  }
  const at = input.at ?? quarterCalendar(programme, input.quarter).previousQuarterEnd;
  const store = openRegistry(input.db);
  let snapshot: RegistrySnapshot;
  try {
    snapshot = store.snapshotAt(at);
  } finally {
    store.close();
  }
  return freezeToFolder({ snapshot, programme, quarter: input.quarter, dir: input.outDir, inputs: input.inputs, spec: input.spec });
}

/** Writes the freeze folder whole (staged, then renamed into place); never over another manifest. */
export function writeFreezeFolder(dir: string, files: FreezeFiles): { written: boolean } {
  const existing = checkExisting(dir, files.manifestDigest);
  if (existing === 'same') return { written: false };

  const parent = path.dirname(path.resolve(dir));
  const tmp = stageFolder(dir, Object.entries({ ...files.manifest, ...files.extras }));
  try {
    try {
      // Replaces `dir` only if it is missing or empty (rename(2) refuses a non-empty target).
      fs.renameSync(tmp, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Someone else wrote the folder meanwhile: the same manifest is fine, another is refused.
      if (checkExisting(dir, files.manifestDigest) === 'same') return { written: false };
      throw err;
    }
    fsyncDir(parent);
    return { written: true };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** 'absent' (missing or empty), 'same' (this manifest), or throws FreezeRefusedError. */
function checkExisting(dir: string, manifestDigest: string): 'absent' | 'same' {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') throw new FreezeRefusedError(`${dir} is a file, not a folder: nothing was written`);
    throw err;
  }
  if (entries.length === 0) return 'absent';
  const missing = MANIFEST_FILES.filter((f) => !entries.includes(f));
  if (missing.length > 0) {
    throw new FreezeRefusedError(
      `${dir} is not empty and holds no complete manifest (missing ${missing.join(', ')}): nothing was written; choose an empty or new folder`,
    );
  }
  const bytes = {} as Record<ManifestFileName, Buffer>;
  for (const f of MANIFEST_FILES) bytes[f] = fs.readFileSync(path.join(dir, f));
  const there = manifestDigests(bytes).manifestDigest;
  if (there === manifestDigest) return 'same';
  throw new FreezeRefusedError(
    `${dir} already holds a different manifest (digest ${there}); this freeze gives ${manifestDigest}. ` +
      'Nothing was written: a frozen manifest is never overwritten. Freeze into a new folder.',
  );
}
