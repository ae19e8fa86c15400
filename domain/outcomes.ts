// What an inspection team reports, and what happens to findings: shared by the inspection
// workflow (message validation), the command line and the publication package.
import { textProblem } from './text';
import { z } from 'zod';
import { codeSchema, idSchema } from './registry';

/** A reason code from the programme's lists (validators check the list; this checks the form). */
export const reasonCodeSchema = z.string({ error: 'give a reason code from the programme (e.g. kinship, closed)' }).regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
  error: 'must be a reason code from the programme (lowercase letters, digits, . _ -), e.g. kinship or closed; explain in the note',
});

// Controls other than tab and line feed can rewrite a terminal or hide inside a CSV. A carriage
// return is one of them (a lone CR moves a terminal's cursor back over what was printed): a form
// that sends CRLF line breaks (every browser's textarea) turns them into LF before it sends a
// message (console/form-text.ts).
const NOTE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;

/** The longest internal note (and per-item handling, 检查方式及过程), in UTF-16 code units as a form's maxlength counts. */
export const NOTE_MAX = 1000;
/** The longest description of problems found (published on the 公示 page), counted as NOTE_MAX. */
export const DESCRIPTION_MAX = 4000;

/**
 * The internal note beside a reason code: free text, kept in the campaign store and shown to
 * staff, never published. Any text may be written there (it is never rendered in public files).
 */
export const noteSchema = z
  .string({ error: 'the note must be text' })
  .trim()
  .max(NOTE_MAX, `a note is at most ${NOTE_MAX} characters`)
  .refine((s) => !NOTE_CONTROL.test(s), 'a note may not hold control characters (other than line breaks)')
  .default('');

export const inspectionResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('no-problem') }),
  z.object({
    outcome: z.literal('problems-found'),
    description: z.string().trim().min(1, 'describe the problems found'),
    /** Outside environmental law: to be referred (移送) to this competent agency (department id). */
    referTo: codeSchema.nullable().default(null),
  }),
  /** Why no check was possible: a programme code (couldNotInspect) plus an internal note. */
  z.object({ outcome: z.literal('could-not-inspect'), reasonCode: reasonCodeSchema, note: noteSchema }),
]);

/**
 * Results stored or sent before reason codes carried `reason` free text: read as the legacy code
 * `cannot-inspect` with the text as the note (for replaying old histories and old store rows).
 */
export function upgradeLegacyResult<T>(report: T): T {
  const r = (report as { result?: Record<string, unknown> } | null)?.result;
  if (!r || r.outcome !== 'could-not-inspect' || 'reasonCode' in r || typeof r.reason !== 'string') return report;
  const { reason, ...rest } = r;
  return { ...(report as object), result: { ...rest, reasonCode: 'cannot-inspect', note: reason } } as T;
}

/** One check item of the programme as the paper record answers it (检查记录: 是否检查、是否发现问题、处理情况). */
export const itemAnswerSchema = z.strictObject({
  /** The programme's check item number (config/programme.json checkItems[].seq). */
  seq: z.number().int().min(1),
  checked: z.boolean(),
  problemFound: z.boolean(),
  /** What was done on the spot (当场责令改正, 拍照取证 …): internal, never published. */
  handling: noteSchema,
});
export type ItemAnswer = z.infer<typeof itemAnswerSchema>;

/**
 * The per-item answers and how the check was made (检查方式及过程). Internal: kept in the store and
 * shown to the team and the managers, never published. Null in reports sent before it existed and
 * from the command line, which has no flags for it.
 */
export const inspectionRecordSchema = z.strictObject({
  howChecked: noteSchema,
  items: z.array(itemAnswerSchema).max(200),
});
export type InspectionRecord = z.infer<typeof inspectionRecordSchema>;

/** An uploaded evidence file as a report names it: `<file name> sha256:<64 hex>` (the bytes stay in the blob store). */
export function evidenceRef(fileName: string, sha256: string): string {
  return `${fileName} sha256:${sha256}`;
}
/** The file name and SHA-256 of an uploaded file's reference, or null for a free-text reference (笔录编号 …). */
export function parseEvidenceRef(ref: string): { fileName: string; sha256: string } | null {
  const m = /^(.+) sha256:([0-9a-f]{64})$/.exec(ref);
  return m ? { fileName: m[1]!, sha256: m[2]! } : null;
}

/** What the team and the managers read beside a result's outcome: the findings, the per-item record, the evidence references. */
export function resultDetails(r: Pick<ResultReport, 'result' | 'record' | 'evidence'>): { description: string | null; record: InspectionRecord | null; evidence: string[] } {
  return { description: r.result.outcome === 'problems-found' ? r.result.description : null, record: r.record ?? null, evidence: [...r.evidence] };
}

export const resultReportSchema = z.object({
  /** Who submits: must be a member of the team. */
  by: idSchema,
  /** Inspectors present on site (or taking part off-site): at least two, all team members. */
  present: z.array(idSchema).min(2, 'at least two inspectors must be named as present'),
  /** Date of the check, YYYY-MM-DD. */
  checkedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
  result: inspectionResultSchema,
  /** References to evidence kept elsewhere (record numbers, photo ids, sampling reports). */
  evidence: z.array(z.string().trim().min(1)).default([]),
  /** The paper record's per-item answers (internal); absent (or null) when the sender had none to give: the command line, older histories. */
  record: inspectionRecordSchema.nullable().optional(),
});
export type ResultReport = z.infer<typeof resultReportSchema>;

/**
 * A new report as the command line and the workflow's validator check it: the description of
 * findings is published on the 公示 page, so control and text-direction characters are refused
 * there, and it is at most DESCRIPTION_MAX characters. (The handler parses with resultReportSchema
 * alone, so histories recorded before these rules still replay.)
 */
export const resultReportInputSchema = resultReportSchema.superRefine((r, ctx) => {
  for (const [i, ref] of r.evidence.entries()) {
    const problem = textProblem(ref);
    if (problem) ctx.addIssue({ code: 'custom', path: ['evidence', i], message: `the evidence reference ${problem}` });
  }
  if (r.record) {
    const seqs = r.record.items.map((a) => a.seq);
    if (new Set(seqs).size !== seqs.length) ctx.addIssue({ code: 'custom', path: ['record', 'items'], message: 'each check item is answered once (seq repeats)' });
  }
  if (r.result.outcome !== 'problems-found') return;
  if (r.result.description.length > DESCRIPTION_MAX) {
    ctx.addIssue({ code: 'custom', path: ['result', 'description'], message: `the description is at most ${DESCRIPTION_MAX} characters (it has ${r.result.description.length})` });
  }
  const problem = textProblem(r.result.description, { multiline: true });
  if (problem) ctx.addIssue({ code: 'custom', path: ['result', 'description'], message: `the description ${problem}` });
});

/** How a unit's case ended up being handled, as the publication shows it. */
export const handlingKinds = [
  'none', // no problem found
  'own-case', // a brigade's own findings: its own case handling
  'awaiting-approval', // a section's findings waiting for the leader in charge
  'handover-rejected', // the leader in charge rejected the hand-over
  'supervision-notice', // handed to a county brigade (监察通知)
  'transfer-form', // handed to a direct brigade (移交表)
  'referral', // referred to another agency (移送)
  'not-inspected',
] as const;
export type HandlingKind = (typeof handlingKinds)[number];
