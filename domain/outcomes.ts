// What an inspection team reports, and what happens to findings: shared by the inspection
// workflow (message validation), the command line and the publication package.
import { z } from 'zod';
import { codeSchema, idSchema } from './registry';

export const inspectionResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('no-problem') }),
  z.object({
    outcome: z.literal('problems-found'),
    description: z.string().trim().min(1, 'describe the problems found'),
    /** Outside environmental law: to be referred (移送) to this competent agency (department id). */
    referTo: codeSchema.nullable().default(null),
  }),
  z.object({ outcome: z.literal('could-not-inspect'), reason: z.string().trim().min(1, 'give the reason') }),
]);

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
});
export type ResultReport = z.infer<typeof resultReportSchema>;

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
