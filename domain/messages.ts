// The messages people send to the running quarter (workflow Updates and Signals), as zod schemas.
// Shared by the workflows (validators), client/temporal.ts and the `ssj` command line. Pure: no I/O.
// Every message says who sends it (`by` / `personId`); the workflows check that person's role
// against the roster the registry gave them, and reject the wrong role, person, phase or a duplicate.
import { z } from 'zod';
import { codeSchema, idSchema } from './registry';
import { resultReportSchema } from './outcomes';

export { resultReportSchema, type ResultReport } from './outcomes';

/** The two witness roles of the draw (DRAW-SPEC section 2: distinct roles, distinct persons). */
export const witnessRoles = ['admin', 'discipline'] as const;
export type WitnessRole = (typeof witnessRoles)[number];

/** DRAW-SPEC section 2: `[0-9A-Za-z]{16,128}`. */
export const entropySchema = z
  .string()
  .regex(/^[0-9A-Za-z]{16,128}$/, 'entropy must be 16 to 128 letters or digits (dice digits or typed characters), nothing else');

/** A witness gives entropy for the draw (Update `giveEntropy`). */
export const witnessEntropySchema = z.strictObject({
  role: z.enum(witnessRoles, { error: 'role must be "admin" (system administrator) or "discipline" (discipline-inspection officer)' }),
  personId: idSchema,
  entropy: entropySchema,
});
export type WitnessEntropy = z.infer<typeof witnessEntropySchema>;

/** Free text reason, required wherever the list changes or a hand-over is refused. */
export const reasonSchema = z.string().trim().min(1, 'give a reason').max(500, 'a reason is at most 500 characters');

/** A team member declares a conflict of interest (回避), or a manager records one (Update `declareRecusal`). */
export const recusalSchema = z.strictObject({
  /** Who declares: the inspector themself or a manager (leader in charge). */
  by: idSchema,
  /** The team member who must step aside. */
  inspectorId: idSchema,
  reason: reasonSchema,
});
export type Recusal = z.infer<typeof recusalSchema>;

/** A team member (or a manager) reports the drawn unit closed, banned or impossible to inspect (Update `reportUnitClosed`). */
export const unitClosedReportSchema = z.strictObject({
  by: idSchema,
  reason: reasonSchema,
});
export type UnitClosedReport = z.infer<typeof unitClosedReportSchema>;

export const decisions = ['approve', 'reject'] as const;
export type Decision = (typeof decisions)[number];

/** A decision by a manager (leader in charge): a reason is required to reject. */
const managerDecision = z
  .strictObject({
    by: idSchema,
    decision: z.enum(decisions, { error: 'decision must be "approve" or "reject"' }),
    reason: z.string().trim().max(500, 'a reason is at most 500 characters').default(''),
  })
  .refine((d) => d.decision === 'approve' || d.reason.length > 0, {
    error: 'a rejection needs a reason',
    path: ['reason'],
  });

/** A manager approves (or rejects) replacing a unit reported closed (Update `decideUnitReplacement`). */
export const unitReplacementDecisionSchema = managerDecision;
export type UnitReplacementDecision = z.infer<typeof unitReplacementDecisionSchema>;

/** The leader in charge approves or rejects handing a section's findings over (Update `decideHandover`). */
export const handoverDecisionSchema = managerDecision;
export type HandoverDecision = z.infer<typeof handoverDecisionSchema>;

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

/** Parses `input` or throws an Error whose message names the message, field and rule broken. */
export function parseMessage<T>(schema: z.ZodType<T>, input: unknown, messageName: string): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new Error(`${messageName}: ${firstIssue(r.error)}`);
  return r.data;
}
