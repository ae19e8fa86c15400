// Verification (DRAW-SPEC section 8): recompute the record from the manifest and the witnesses'
// entropy, compare it with the published one, then replay the replacements checking each.
// The answer names the first difference, in the record's own terms (a JSON path).
import { DrawError, runDraw } from './draw';
import { MANIFEST_FILES } from './digest';
import { Manifest } from './manifest';
import { DRAW_SPEC, DrawRecord, Replacement } from './record';
import { ReplacementError, applyReplacements } from './replacements';

export type VerifyResult = { ok: true } | { ok: false; difference: string };

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** First difference between two JSON values, walking `expected`'s keys in order; null if equal. */
function firstDifference(path: string, actual: unknown, expected: unknown): string | null {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.min(actual.length, expected.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(`${path}[${i}]`, actual[i], expected[i]);
      if (d) return d;
    }
    if (actual.length !== expected.length) {
      return `${path}: record has ${actual.length} entries, recomputed ${expected.length}`;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object' && actual !== null && typeof actual === 'object' && !Array.isArray(actual)) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      const d = firstDifference(path ? `${path}.${key}` : key, a[key], e[key]);
      if (d) return d;
    }
    for (const key of Object.keys(a)) if (!(key in e)) return `${path ? `${path}.` : ''}${key}: in the record, not in the recomputed record`;
    return null;
  }
  if (actual === expected) return null;
  return `${path}: record has ${show(actual)}, recomputed ${show(expected)}`;
}

/**
 * Recomputes everything and compares: the manifest files' digests, manifest_digest, the seed,
 * the pools and assignments, then each replacement's `replacement` in seq order.
 */
export function verifyDraw(manifest: Manifest, record: DrawRecord, replacements: readonly Replacement[] = []): VerifyResult {
  if (record.spec !== DRAW_SPEC) return { ok: false, difference: `spec: record has ${record.spec}, this verifier implements ${DRAW_SPEC}` };
  for (const f of MANIFEST_FILES) {
    if (record.manifest[f] !== manifest.fileDigests[f]) {
      return { ok: false, difference: `manifest["${f}"]: record has ${record.manifest[f]}, the manifest file's SHA-256 is ${manifest.fileDigests[f]}` };
    }
  }
  if (record.manifest_digest !== manifest.manifestDigest) {
    return { ok: false, difference: `manifest_digest: record has ${record.manifest_digest}, recomputed ${manifest.manifestDigest}` };
  }
  let recomputed: DrawRecord;
  try {
    recomputed = runDraw(manifest, record.witnesses);
  } catch (err) {
    if (err instanceof DrawError) return { ok: false, difference: `the draw cannot be recomputed: ${err.message}` };
    throw err;
  }
  const d = firstDifference('', record, recomputed);
  if (d) return { ok: false, difference: d };
  try {
    applyReplacements(manifest, recomputed, replacements);
  } catch (err) {
    if (err instanceof ReplacementError) return { ok: false, difference: err.message };
    throw err;
  }
  return { ok: true };
}
