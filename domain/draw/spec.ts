// The draw's specs and field rules without zod (and without node:crypto: workflow code imports it
// through ./commitment): the spec names, the rules as regular expressions, the commitment.
// Loading zod costs a whole-process draw ~60 ms, so record.ts (the zod schemas, for reading
// records back) builds on this module, and the draw loads zod only to word an error.
import type { RecordWitness, WitnessReveal, WitnessV2 } from './record';
import { sha256HexPure } from '../sha256';

export const DRAW_SPEC_V1 = 'ssj-draw/1';
export const DRAW_SPEC_V2 = 'ssj-draw/2';
/** Every spec this code draws and verifies, oldest first. */
export const DRAW_SPECS = [DRAW_SPEC_V1, DRAW_SPEC_V2] as const;
export type DrawSpec = (typeof DRAW_SPECS)[number];

export const ID_RE = /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/;
export const CODE_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ENTROPY_RE = /^[0-9A-Za-z]{16,128}$/;
export const HEX64_RE = /^[0-9a-f]{64}$/;
export const SALT_RE = /^[0-9a-f]{32}$/;

/** commitment = hex SHA-256("ssj-draw/2 commit|" + manifest_digest + "|" + role + ":" + person_id + ":" + salt + ":" + entropy). */
export function witnessCommitment(manifestDigest: string, role: string, personId: string, salt: string, entropy: string): string {
  return sha256HexPure(`${DRAW_SPEC_V2} commit|${manifestDigest}|${role}:${personId}:${salt}:${entropy}`);
}

export function isWitnessV2(w: RecordWitness | WitnessReveal): w is WitnessV2 {
  return 'commitment' in w;
}

/** The rules a witness entry's fields keep, worded as messages (record.ts's zod schemas use the same). */
export const RULES = {
  code: 'must be a code: [a-z0-9][a-z0-9._-]{0,63}',
  id: 'must be an id: [0-9A-Za-z][0-9A-Za-z._-]{0,63}',
  entropy: 'must be 16 to 128 letters or digits: [0-9A-Za-z]{16,128}',
  salt: 'salt must be exactly 32 lowercase hex characters (128 random bits)',
  commitment: 'commitment must be 64 lowercase hex characters (a SHA-256)',
} as const;

const WITNESS_FIELDS: [key: string, re: RegExp, rule: string][] = [
  ['role', CODE_RE, RULES.code],
  ['person_id', ID_RE, RULES.id],
  ['commitment', HEX64_RE, RULES.commitment],
  ['salt', SALT_RE, RULES.salt],
  ['entropy', ENTROPY_RE, RULES.entropy],
];

/**
 * What is wrong with a witness entry, each as "field rule": exactly the fields of its spec
 * (ssj-draw/1: role, person_id, entropy; ssj-draw/2 also commitment and salt), each a string that
 * keeps its rule. Empty when the entry is well formed. Checked by hand, not with zod: the draw
 * does not load zod at all (~60 ms of a whole-process draw).
 */
export function witnessProblems(w: object, v2: boolean): string[] {
  const r = w as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, re, rule] of WITNESS_FIELDS) {
    if (!v2 && (key === 'commitment' || key === 'salt')) continue;
    const v = r[key];
    if (typeof v !== 'string') problems.push(`${key} is ${v === undefined ? 'missing' : `not a string (${v === null ? 'null' : typeof v})`}`);
    else if (!re.test(v)) problems.push(rule.startsWith(`${key} `) ? rule : `${key} ${rule}`);
  }
  const allowed = v2 ? ['role', 'person_id', 'commitment', 'salt', 'entropy'] : ['role', 'person_id', 'entropy'];
  const extra = Object.keys(r).filter((k) => !allowed.includes(k));
  if (extra.length > 0) problems.push(`unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}: a witness gives ${allowed.join(', ')}`);
  return problems;
}
