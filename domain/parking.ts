// A step parked for data: an activity refused it because the registry or the programme lacks
// something (no brigade for the unit's area, no leader in charge, a missing address, a refused
// publication input). Operations fix the data, then resume the step (Update `resumeParkedStep`).
import { z } from 'zod';
import { idSchema } from './registry';
import { noteSchema } from './outcomes';

/** The failure type an activity throws for "fix the registry or the programme, then resume". */
export const NEEDS_DATA = 'NeedsData';

/** Who may resume a parked step: operations (支队领导, 系统管理员), as the frozen roster names them. */
export const OPERATOR_ROLES = ['detachment-leader', 'admin'] as const;

/** Update `resumeParkedStep`: the operator and, as an internal note, what was fixed. */
export const resumeParkedStepSchema = z.strictObject({ by: idSchema, note: noteSchema });
export type ResumeParkedStep = z.infer<typeof resumeParkedStepSchema>;
