// The draw record (DRAW-SPEC section 7) and the replacements list (section 6): zod schemas for
// reading them back, and canonical JSON writers (spec key order, 2-space indent, final LF).
// Both published specs: ssj-draw/1 (witnesses give entropy) and ssj-draw/2 (witnesses commit to a
// salt and entropy before revealing them; replacements publish reason codes only).
import { z } from 'zod';
import { commitmentSchema, saltSchema } from './commitment';
import { RecordFormatError } from './record-json';
import { CODE_RE, DRAW_SPECS, DRAW_SPEC_V1, DRAW_SPEC_V2, DrawSpec, ENTROPY_RE, HEX64_RE, ID_RE, RULES, isWitnessV2 } from './spec';

// The spec names (./spec), the record's JSON and its error (./record-json) need no zod: re-exported here.
export { DRAW_SPECS, DRAW_SPEC_V1, DRAW_SPEC_V2, RecordFormatError, isWitnessV2, type DrawSpec };
export { formatDrawRecord } from './record-json';
/** The spec of ssj-draw/1 records (kept under its old name for existing callers). */
export const DRAW_SPEC = DRAW_SPEC_V1;

const hex64 = z.string().regex(HEX64_RE, 'must be 64 lowercase hex characters');
const id = z.string().regex(ID_RE, RULES.id);
const code = z.string().regex(CODE_RE, RULES.code);
const entropy = z.string().regex(ENTROPY_RE, RULES.entropy);

/** An ssj-draw/1 witness entry: the entropy given in clear. */
export const witnessSchema = z.strictObject({ role: code, person_id: id, entropy });
export const witnessV1Schema = witnessSchema;
export type WitnessV1 = z.infer<typeof witnessSchema>;
/** An ssj-draw/1 witness (the name existing callers use). */
export type Witness = WitnessV1;

/**
 * An ssj-draw/2 witness entry: the commitment given first, then the salt and entropy revealed.
 * `runDraw` on a v2 manifest takes these and recomputes every commitment.
 */
export const witnessV2Schema = z.strictObject({ role: code, person_id: id, commitment: commitmentSchema, salt: saltSchema, entropy });
export type WitnessV2 = z.infer<typeof witnessV2Schema>;
/** What a v2 witness reveals: a WitnessV2 without its commitment (bind it with `revealedWitness`). */
export type WitnessReveal = Omit<WitnessV2, 'commitment'>;
/** A witness entry of either spec. */
export type RecordWitness = WitnessV1 | WitnessV2;

export const drawPoolSchema = z.strictObject({
  pool_id: code,
  department: code,
  candidates: z.number().int().nonnegative(),
  quota: z.number().int().nonnegative(),
  selected: z.array(id),
});
export type DrawPool = z.infer<typeof drawPoolSchema>;

export const assignmentSchema = z.strictObject({
  pool_id: code,
  unit_id: id,
  method: z.enum(['onsite', 'offsite']),
  inspectors: z.array(id),
});
export type Assignment = z.infer<typeof assignmentSchema>;

const recordShape = {
  campaign: code,
  manifest: z.strictObject({
    'params.txt': hex64,
    'units.csv': hex64,
    'inspectors.csv': hex64,
    'conflicts.csv': hex64,
    'pools.csv': hex64,
  }),
  manifest_digest: hex64,
  seed: hex64,
  team_size: z.number().int().min(2),
  exclusive: z.boolean(),
  pools: z.array(drawPoolSchema),
  assignments: z.array(assignmentSchema),
};
export const drawRecordV1Schema = z.strictObject({ spec: z.literal(DRAW_SPEC_V1), witnesses: z.array(witnessSchema), ...recordShape });
export const drawRecordV2Schema = z.strictObject({ spec: z.literal(DRAW_SPEC_V2), witnesses: z.array(witnessV2Schema), ...recordShape });
export const drawRecordSchema = z.discriminatedUnion('spec', [drawRecordV1Schema, drawRecordV2Schema], {
  error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${DRAW_SPECS.join(', ')} (the record's spec)` : undefined),
});
export type DrawRecordV1 = z.infer<typeof drawRecordV1Schema>;
export type DrawRecordV2 = z.infer<typeof drawRecordV2Schema>;
export type DrawRecord = DrawRecordV1 | DrawRecordV2;

/** ssj-draw/2 publishes no free text in replacements: a reason is a code (the label comes from the programme). */
export const REASON_CODE_RULE = 'must be a reason code: [a-z0-9][a-z0-9._-]{0,63} (ssj-draw/2 publishes no free text)';
const reasonCode = z.string().regex(CODE_RE, REASON_CODE_RULE);

function replacementSchemas(reason: z.ZodString) {
  const common = {
    seq: z.number().int().positive(),
    pool_id: code,
    unit_id: id,
    replacement: id,
    /** Why: a code such as closed, banned, recusal, absence (ssj-draw/1 also allowed a short text). */
    reason,
    /** Person id of whoever approved the change. */
    approved_by: id,
    at: z.iso.datetime({ offset: true }),
  };
  const unit = z.strictObject({ kind: z.literal('unit'), ...common });
  const inspector = z.strictObject({ kind: z.literal('inspector'), inspector_id: id, ...common });
  return { unit, inspector, list: z.array(z.discriminatedUnion('kind', [unit, inspector])) };
}
const v1Replacements = replacementSchemas(z.string().min(1));
const v2Replacements = replacementSchemas(reasonCode);
export const unitReplacementSchema = v1Replacements.unit;
export const inspectorReplacementSchema = v1Replacements.inspector;
export const replacementSchema = z.discriminatedUnion('kind', [unitReplacementSchema, inspectorReplacementSchema]);
/** The replacements list of any spec (ssj-draw/1's looser reason rule); see replacementsSchemaFor. */
export const replacementsSchema = v1Replacements.list;
/** The replacements list as the record's spec requires it (ssj-draw/2: reasons are codes). */
export function replacementsSchemaFor(spec: DrawSpec): typeof replacementsSchema {
  return spec === DRAW_SPEC_V2 ? v2Replacements.list : v1Replacements.list;
}
export type UnitReplacement = z.infer<typeof unitReplacementSchema>;
export type InspectorReplacement = z.infer<typeof inspectorReplacementSchema>;
export type Replacement = z.infer<typeof replacementSchema>;

/** Null when `reason` may stand in a replacement entry of `spec`, else the rule it breaks. */
export function replacementReasonProblem(spec: DrawSpec, reason: string): string | null {
  if (reason.length === 0) return 'must not be empty';
  if (spec === DRAW_SPEC_V2 && !CODE_RE.test(reason)) return `${JSON.stringify(reason.length > 40 ? `${reason.slice(0, 40)}…` : reason)} ${REASON_CODE_RULE}`;
  return null;
}

/** The replacements list's JSON (section 6 key order), 2-space indent, final LF. */
export function formatReplacements(list: Replacement[]): string {
  const ordered = list.map((e) =>
    e.kind === 'unit'
      ? { seq: e.seq, kind: e.kind, pool_id: e.pool_id, unit_id: e.unit_id, replacement: e.replacement, reason: e.reason, approved_by: e.approved_by, at: e.at }
      : {
          seq: e.seq,
          kind: e.kind,
          pool_id: e.pool_id,
          unit_id: e.unit_id,
          inspector_id: e.inspector_id,
          replacement: e.replacement,
          reason: e.reason,
          approved_by: e.approved_by,
          at: e.at,
        },
  );
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      throw new RecordFormatError(file, [`${line}:${col}: not valid JSON (${msg})`]);
    }
    const lines = text.split('\n');
    const where = /end of JSON input/.test(msg) ? `${lines.length}:${(lines[lines.length - 1] ?? '').length + 1}:` : '';
    throw new RecordFormatError(file, [`${where} not valid JSON (${msg})`]);
  }
}

function jsonPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(top level)';
}

function parseWith<T>(schema: z.ZodType<T>, text: string, file: string): T {
  const parsed = schema.safeParse(parseJson(text, file));
  if (parsed.success) return parsed.data;
  throw new RecordFormatError(
    file,
    parsed.error.issues.slice(0, 20).map((i) => ` ${jsonPath(i.path)}: ${i.message}`),
  );
}

/** Parses a draw record file's text; throws RecordFormatError (`file:line:col: ...` or `file: path: rule`). */
export function parseDrawRecord(text: string, file = 'record'): DrawRecord {
  return parseWith(drawRecordSchema, text, file);
}

/**
 * Parses a replacements file's text (a JSON array, possibly empty). Give the record's `spec` to
 * apply its rules (ssj-draw/2: every reason a code); without it, ssj-draw/1's looser rule.
 */
export function parseReplacements(text: string, file = 'replacements', spec: DrawSpec = DRAW_SPEC_V1): Replacement[] {
  return parseWith(replacementsSchemaFor(spec), text, file);
}
