// The draw record (DRAW-SPEC section 7) and the replacements list (section 6): zod schemas for
// reading them back, and canonical JSON writers (spec key order, 2-space indent, final LF).
import { z } from 'zod';
import { MANIFEST_FILES } from './digest';

export const DRAW_SPEC = 'ssj-draw/1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
const id = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/, 'must be an id: [0-9A-Za-z][0-9A-Za-z._-]{0,63}');
const code = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a code: [a-z0-9][a-z0-9._-]{0,63}');

export const witnessSchema = z.strictObject({
  role: code,
  person_id: id,
  entropy: z.string().regex(/^[0-9A-Za-z]{16,128}$/, 'must be 16 to 128 letters or digits: [0-9A-Za-z]{16,128}'),
});
export type Witness = z.infer<typeof witnessSchema>;

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

export const drawRecordSchema = z.strictObject({
  spec: z.literal(DRAW_SPEC),
  campaign: code,
  manifest: z.strictObject({
    'params.txt': hex64,
    'units.csv': hex64,
    'inspectors.csv': hex64,
    'conflicts.csv': hex64,
    'pools.csv': hex64,
  }),
  manifest_digest: hex64,
  witnesses: z.array(witnessSchema),
  seed: hex64,
  team_size: z.number().int().min(2),
  exclusive: z.boolean(),
  pools: z.array(drawPoolSchema),
  assignments: z.array(assignmentSchema),
});
export type DrawRecord = z.infer<typeof drawRecordSchema>;

const replacementCommon = {
  seq: z.number().int().positive(),
  pool_id: code,
  unit_id: id,
  replacement: id,
  /** Why (a code such as closed, banned, recusal, absence, or a short text). */
  reason: z.string().min(1),
  /** Person id of whoever approved the change. */
  approved_by: id,
  at: z.iso.datetime({ offset: true }),
};
export const unitReplacementSchema = z.strictObject({ kind: z.literal('unit'), ...replacementCommon });
export const inspectorReplacementSchema = z.strictObject({ kind: z.literal('inspector'), inspector_id: id, ...replacementCommon });
export const replacementSchema = z.discriminatedUnion('kind', [unitReplacementSchema, inspectorReplacementSchema]);
export const replacementsSchema = z.array(replacementSchema);
export type UnitReplacement = z.infer<typeof unitReplacementSchema>;
export type InspectorReplacement = z.infer<typeof inspectorReplacementSchema>;
export type Replacement = z.infer<typeof replacementSchema>;

/** The record's JSON with keys in the spec's order, 2-space indent, final LF. */
export function formatDrawRecord(r: DrawRecord): string {
  const ordered = {
    spec: r.spec,
    campaign: r.campaign,
    manifest: Object.fromEntries(MANIFEST_FILES.map((f) => [f, r.manifest[f]])),
    manifest_digest: r.manifest_digest,
    witnesses: r.witnesses.map((w) => ({ role: w.role, person_id: w.person_id, entropy: w.entropy })),
    seed: r.seed,
    team_size: r.team_size,
    exclusive: r.exclusive,
    pools: r.pools.map((p) => ({ pool_id: p.pool_id, department: p.department, candidates: p.candidates, quota: p.quota, selected: p.selected })),
    assignments: r.assignments.map((a) => ({ pool_id: a.pool_id, unit_id: a.unit_id, method: a.method, inspectors: a.inspectors })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
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

/** Parses a replacements file's text (a JSON array, possibly empty). */
export function parseReplacements(text: string, file = 'replacements'): Replacement[] {
  return parseWith(replacementsSchema, text, file);
}
