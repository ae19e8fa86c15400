// The messages people send to the running quarter (workflow Updates and Signals), as zod schemas.
// Shared by the workflows (validators), client/temporal.ts and the `ssj` command line. Pure: no I/O.
// Every message says who sends it (`by` / `personId`); the workflows check that person's role
// against the roster the registry gave them, and reject the wrong role, person, phase or a duplicate.
import { z } from 'zod';
import { codeSchema, idSchema } from './registry';
import { noteSchema, reasonCodeSchema, resultReportSchema } from './outcomes';
import { commitmentSchema, saltSchema } from './draw/commitment';

export { DESCRIPTION_MAX, evidenceRef, inspectionRecordSchema, NOTE_MAX, noteSchema, parseEvidenceRef, reasonCodeSchema, resultReportInputSchema, resultReportSchema, upgradeLegacyResult, type InspectionRecord, type ItemAnswer as RecordItemAnswer, type ResultReport } from './outcomes';

/** The two witness roles of the draw (DRAW-SPEC section 2: distinct roles, distinct persons). */
export const witnessRoles = ['admin', 'discipline'] as const;
export type WitnessRole = (typeof witnessRoles)[number];

/** DRAW-SPEC section 2: `[0-9A-Za-z]{16,128}`. */
export const entropySchema = z
  .string()
  .regex(/^[0-9A-Za-z]{16,128}$/, 'entropy must be 16 to 128 letters or digits (dice digits or typed characters), nothing else');

const witnessRoleSchema = z.enum(witnessRoles, { error: 'role must be "admin" (system administrator) or "discipline" (discipline-inspection officer)' });

/** ssj-draw/1: a witness gives entropy in clear (Update `giveEntropy`; campaigns started before ssj-draw/2 only). */
export const witnessEntropySchema = z.strictObject({
  role: witnessRoleSchema,
  personId: idSchema,
  entropy: entropySchema,
});
export type WitnessEntropy = z.infer<typeof witnessEntropySchema>;

/**
 * ssj-draw/2, step 1 (Update `commitWitness`): only the commitment leaves the witness's device
 * (DRAW-SPEC section 11, rule 3); salt and entropy stay there until every witness has committed.
 */
export const witnessCommitSchema = z.strictObject({
  role: witnessRoleSchema,
  personId: idSchema,
  commitment: commitmentSchema,
});
export type WitnessCommit = z.infer<typeof witnessCommitSchema>;

/** ssj-draw/2, step 2 (Update `revealWitness`): accepted only if it reproduces the witness's commitment. */
export const witnessRevealSchema = z.strictObject({
  role: witnessRoleSchema,
  personId: idSchema,
  salt: saltSchema,
  entropy: entropySchema,
});
export type WitnessReveal = z.infer<typeof witnessRevealSchema>;

/**
 * Every reason is a code from the programme's lists (`reasons` in config/programme.json) plus an
 * internal note. The workflow's validators check the code against the programme; the note is kept
 * in the campaign store and never published.
 */
const reason = { reasonCode: reasonCodeSchema, note: noteSchema };

/** A team member declares a conflict of interest (回避), or a manager records one (Update `declareRecusal`). */
export const recusalSchema = z.strictObject({
  /** Who declares: the inspector themself (a manager then decides) or a manager (decided in the same act). */
  by: idSchema,
  /** The team member who must step aside. */
  inspectorId: idSchema,
  /** A `reasons.recusal` code, e.g. kinship. */
  ...reason,
});
export type Recusal = z.infer<typeof recusalSchema>;

/** A team member (or a manager) reports the drawn unit closed, banned or impossible to inspect (Update `reportUnitClosed`). */
export const unitClosedReportSchema = z.strictObject({
  by: idSchema,
  /** A `reasons.unitClosed` code, e.g. closed. */
  ...reason,
});
export type UnitClosedReport = z.infer<typeof unitClosedReportSchema>;

export const decisions = ['approve', 'reject'] as const;
export type Decision = (typeof decisions)[number];

const decisionFields = {
  by: idSchema,
  decision: z.enum(decisions, { error: 'decision must be "approve" or "reject"' }),
  /** A `reasons.rejection` code: required to reject, none to approve. */
  reasonCode: reasonCodeSchema.nullable().default(null),
  note: noteSchema,
};
const needsReasonToReject = (d: { decision: Decision; reasonCode: string | null }) => (d.decision === 'approve' ? d.reasonCode === null : d.reasonCode !== null);
const rejectRule = { error: 'a rejection needs a reason code (reasonCode); an approval takes none', path: ['reasonCode'] };

/** A decision by a manager (leader in charge): a reason code is required to reject. */
const managerDecision = z.strictObject(decisionFields).refine(needsReasonToReject, rejectRule);

/** A manager approves (or rejects) replacing a unit reported closed (Update `decideUnitReplacement`). */
export const unitReplacementDecisionSchema = managerDecision;
export type UnitReplacementDecision = z.infer<typeof unitReplacementDecisionSchema>;

/** The leader in charge approves or rejects handing a section's findings over (Update `decideHandover`). */
export const handoverDecisionSchema = managerDecision;
export type HandoverDecision = z.infer<typeof handoverDecisionSchema>;

/** The leader in charge approves or rejects an inspector's declared recusal (Update `decideRecusal`). */
export const recusalDecisionSchema = z.strictObject({ ...decisionFields, inspectorId: idSchema }).refine(needsReasonToReject, rejectRule);
export type RecusalDecision = z.infer<typeof recusalDecisionSchema>;

/**
 * Messages sent before reason codes carried a free-text `reason`. Handlers replaying such a
 * history read it as `legacyCode` (or none, when empty) with the text as the note; validators
 * never see these (new messages must carry a code).
 */
export function upgradeLegacyReason<T>(msg: T, legacyCode: string): T {
  if (!msg || typeof msg !== 'object' || 'reasonCode' in msg || !('reason' in msg)) return msg;
  const { reason, ...rest } = msg as Record<string, unknown>;
  const text = typeof reason === 'string' ? reason.trim() : '';
  // An approval's reason was a remark: it becomes the note, with no code (approvals take none).
  const coded = text !== '' && rest.decision !== 'approve';
  return { ...rest, reasonCode: coded ? legacyCode : null, note: text } as T;
}

/**
 * A brigade's change list for the quarter-end registry update (Update `submitChangeList`).
 * `batchId` is the key of the registry batch the list was imported as (`ssj registry import`),
 * or null for "no changes this quarter".
 */
export const changeListSubmissionSchema = z.strictObject({
  brigade: codeSchema,
  by: idSchema,
  batchId: z.string().trim().min(1, 'batchId must not be empty (use null for "no changes")').max(200).nullable(),
});
export type ChangeListSubmission = z.infer<typeof changeListSubmissionSchema>;

/** The first problem of a failed parse, as `field: rule` (for Update rejections and CLI errors). */
export function firstIssue(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') + ': ' : ''}${i.message}`)
    .join('; ');
}

/** A message refused before it was sent: its message names the message, field and rule broken; `issues` has each field's path. */
export class MessageParseError extends Error {
  override name = 'MessageParseError';
  constructor(
    readonly messageName: string,
    readonly issues: readonly { path: readonly PropertyKey[]; message: string }[],
    message: string,
  ) {
    super(message);
  }
}

/** Parses `input` or throws a MessageParseError whose message names the message, field and rule broken. */
export function parseMessage<T>(schema: z.ZodType<T>, input: unknown, messageName: string): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new MessageParseError(messageName, r.error.issues.map((i) => ({ path: [...i.path], message: i.message })), `${messageName}: ${firstIssue(r.error)}`);
  return r.data;
}
