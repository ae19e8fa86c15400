// The draw record's canonical JSON (DRAW-SPEC section 7) and the error of a malformed record
// file, without zod, for `ssj draw` (record.ts re-exports both next to the schemas).
import { MANIFEST_FILES } from './digest';
import type { DrawRecord, RecordWitness } from './record';
import { isWitnessV2 } from './spec';

/** The record's JSON with keys in the spec's order, 2-space indent, final LF. */
export function formatDrawRecord(r: DrawRecord): string {
  const ordered = {
    spec: r.spec,
    campaign: r.campaign,
    manifest: Object.fromEntries(MANIFEST_FILES.map((f) => [f, r.manifest[f]])),
    manifest_digest: r.manifest_digest,
    witnesses: r.witnesses.map((w: RecordWitness) =>
      isWitnessV2(w)
        ? { role: w.role, person_id: w.person_id, commitment: w.commitment, salt: w.salt, entropy: w.entropy }
        : { role: w.role, person_id: w.person_id, entropy: w.entropy },
    ),
    seed: r.seed,
    team_size: r.team_size,
    exclusive: r.exclusive,
    pools: r.pools.map((p) => ({ pool_id: p.pool_id, department: p.department, candidates: p.candidates, quota: p.quota, selected: p.selected })),
    assignments: r.assignments.map((a) => ({ pool_id: a.pool_id, unit_id: a.unit_id, method: a.method, inspectors: a.inspectors })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** A record or replacements file that is not valid JSON or breaks the schema. */
export class RecordFormatError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}:${p}`).join('\n'));
    this.name = 'RecordFormatError';
  }
}
