// Digests of DRAW-SPEC section 1: d(f) and manifest_digest.
import { createHash } from 'node:crypto';

/** The five manifest files, in the order the digest takes them. */
export const MANIFEST_FILES = ['params.txt', 'units.csv', 'inspectors.csv', 'conflicts.csv', 'pools.csv'] as const;
export type ManifestFileName = (typeof MANIFEST_FILES)[number];

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** d(f) for each file and the manifest_digest over them. */
export function manifestDigests(files: Record<ManifestFileName, string | Uint8Array>): {
  files: Record<ManifestFileName, string>;
  manifestDigest: string;
} {
  const digests = {} as Record<ManifestFileName, string>;
  let chain = '';
  for (const name of MANIFEST_FILES) {
    digests[name] = sha256Hex(files[name]);
    chain += `${name}\n${digests[name]}\n`;
  }
  return { files: digests, manifestDigest: sha256Hex(chain) };
}
