// Verification (docs/draw-spec.md, publication): recompute the record from the manifest and the
// witnesses' entropy (ssj-draw/2: first every commitment from its salt and entropy), compare it
// with the published one, then replay the replacements checking each. Both specs are verified.
// The answer names the first difference, in the record's own terms (a JSON path).
import { witnessCommitment } from './commitment';
import { DrawError, runDraw } from './draw';
import { MANIFEST_FILES } from './digest';
import { Manifest } from './manifest';
import { DRAW_SPECS, DRAW_SPEC_V2, DrawRecord, Replacement } from './record';
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
 * Recomputes everything and compares: the spec, the manifest files' digests, manifest_digest,
 * (ssj-draw/2) every witness's commitment, the seed, the pools and assignments, then each
 * replacement in seq order (its `replacement`, and under ssj-draw/2 its reason being a code).
 */
export function verifyDraw(manifest: Manifest, record: DrawRecord, replacements: readonly Replacement[] = []): VerifyResult {
  if (!(DRAW_SPECS as readonly string[]).includes(record.spec)) {
    return { ok: false, difference: `spec: record has ${show(record.spec)}, this verifier implements ${DRAW_SPECS.join(' and ')}` };
  }
  if (record.spec !== manifest.params.spec) {
    return { ok: false, difference: `spec: record has ${record.spec}, the manifest (params.txt) is ${manifest.params.spec}` };
  }
  for (const f of MANIFEST_FILES) {
    if (record.manifest[f] !== manifest.fileDigests[f]) {
      return { ok: false, difference: `manifest["${f}"]: record has ${record.manifest[f]}, the manifest file's SHA-256 is ${manifest.fileDigests[f]}` };
    }
  }
  if (record.manifest_digest !== manifest.manifestDigest) {
    return { ok: false, difference: `manifest_digest: record has ${record.manifest_digest}, recomputed ${manifest.manifestDigest}` };
  }
  if (record.spec === DRAW_SPEC_V2) {
    for (const [i, w] of record.witnesses.entries()) {
      const c = witnessCommitment(record.manifest_digest, w.role, w.person_id, w.salt, w.entropy);
      if (c !== w.commitment) {
        return { ok: false, difference: `witnesses[${i}].commitment: record has ${w.commitment}, recomputed from the witness's role, person_id, salt and entropy ${c}` };
      }
    }
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
