// The freeze, with its side effects: read the registry at a date, build the quarter's manifest
// (domain/freeze.ts) and write it whole: into a folder (ssj freeze) or into the shared blob store
// (the campaign, so any host can draw; materialiseManifest gives it back as a folder). Idempotent:
// freezing the same again changes nothing; a different manifest is never written over one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manifestDigests, MANIFEST_FILES, type ManifestFileName } from '../domain/draw/digest';
import type { DrawSpec } from '../domain/draw/record';
import { freezeCounts, freezeFiles, freezeQuarter, type FreezeFiles, type FreezeInputs } from '../domain/freeze';
import { quarterCalendar, type Programme, type Quarter } from '../domain/programme';
import type { RegistrySnapshot } from '../domain/registry';
import { loadProgramme } from '../config/programme';
import type { RegistryStore } from '../stores/registry-store';
import { fsyncDir, stageFolder } from './staged-folder';
import { materialisePackage } from '../stores/blob-folders';
import { BlobMissingError, campaignPackageName, PackageConflictError, type BlobStore } from '../stores/blob-store';

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

interface FreezeArgs {
  snapshot: RegistrySnapshot;
  programme: Programme;
  quarter: Quarter;
  inputs?: FreezeInputs;
  /** The manifest's spec (default ssj-draw/2; campaigns started before it freeze ssj-draw/1). */
  spec?: DrawSpec;
}

/** The freeze's files and what the result reports of them, before anything is written. */
function freeze(args: FreezeArgs): { files: FreezeFiles; summary: Omit<FreezeResult, 'dir' | 'written'> } {
  const frozen = freezeQuarter(args.snapshot, args.programme, args.quarter, args.inputs, args.spec);
  const files = freezeFiles(frozen);
  return {
    files,
    summary: {
      campaign: frozen.manifest.params.campaign,
      asOf: args.snapshot.asOf,
      manifestDigest: files.manifestDigest,
      counts: freezeCounts(frozen),
      warnings: frozen.quotas.warnings,
    },
  };
}

/** Freeze a quarter from an in-memory snapshot into `dir`. */
export function freezeToFolder(args: FreezeArgs & { dir: string }): FreezeResult {
  const { files, summary } = freeze(args);
  const { written } = writeFreezeFolder(args.dir, files);
  return { dir: args.dir, written, ...summary };
}

export interface StoredFreezeResult extends Omit<FreezeResult, 'dir'> {
  /** The package in the blob store (campaigns/<campaignId>/manifest): what the draw fetches. */
  packageName: string;
  packageDigest: string;
}

/**
 * Freeze a quarter into the shared blob store as the campaign's manifest package (the same files
 * as the folder: the five manifest files, exclusions.csv, quotas.json, DIGEST), so any host can
 * draw from it. Idempotent like the folder: the same manifest again writes nothing
 * (`written` false); a different one under the campaign is refused.
 */
export async function freezeToStore(args: FreezeArgs & { store: BlobStore; campaignId: string }): Promise<StoredFreezeResult> {
  const { files, summary } = freeze(args);
  const name = campaignPackageName(args.campaignId, 'manifest');
  const before = await args.store.package(name);
  let pkg;
  try {
    pkg = await args.store.putPackage(name, Object.entries({ ...files.manifest, ...files.extras }));
  } catch (err) {
    if (!(err instanceof PackageConflictError)) throw err;
    const there = await args.store.package(name);
    throw new FreezeRefusedError(
      `campaign ${args.campaignId} already froze a different manifest (package ${there?.digest ?? '?'} in ${args.store.description}); ` +
        `this freeze gives manifest ${files.manifestDigest}. Nothing was written: a frozen manifest is never overwritten.`,
    );
  }
  return { ...summary, written: before?.digest !== pkg.digest, packageName: name, packageDigest: pkg.digest };
}

/**
 * The manifest package `packageDigest` as a folder in `cacheDir` (content-addressed, checked
 * against the store's digests; fetched when missing or damaged): the folder readManifest takes.
 */
export async function materialiseManifest(store: BlobStore, packageDigest: string, cacheDir: string): Promise<string> {
  return materialisePackage(store, packageDigest, cacheDir);
}

/** The five manifest files of package `packageDigest`, verified (for the publication's `manifest: { files }`). */
export async function storedManifestFiles(store: BlobStore, packageDigest: string): Promise<Record<ManifestFileName, Buffer>> {
  const pkg = await store.packageByDigest(packageDigest);
  if (!pkg) throw new BlobMissingError(`manifest package ${packageDigest} is not in ${store.description}`);
  const out = {} as Record<ManifestFileName, Buffer>;
  for (const f of MANIFEST_FILES) {
    const e = pkg.entries.find((x) => x.path === f);
    if (!e) throw new BlobMissingError(`manifest package ${pkg.name} (${packageDigest}) has no ${f}`);
    out[f] = await store.get(e.digest);
  }
  return out;
}

export interface FreezeActivityInput {
  /** The registries (stores/registry-store.ts, on the shared store). */
  registry: Pick<RegistryStore, 'snapshotAt'>;
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
  const snapshot = await input.registry.snapshotAt(at);
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
