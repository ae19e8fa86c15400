// A step parked for data: an activity refused it because the registry or the programme lacks
// something (no brigade for the unit's area, no leader in charge, a missing address, a refused
// publication input). Operations fix the data, then resume the step (Update `resumeParkedStep`).
import { z } from 'zod';
import { idSchema } from './registry';
import { noteSchema } from './outcomes';

/** The failure type an activity throws for "fix the registry or the programme, then resume". */
export const NEEDS_DATA = 'NeedsData';

/** Who may resume a parked step: operations (支队长, 系统管理员), as the frozen roster names them. */
export const OPERATOR_ROLES = ['detachment-leader', 'admin'] as const;

/** Update `resumeParkedStep`: the operator and, as an internal note, what was fixed. */
export const resumeParkedStepSchema = z.strictObject({ by: idSchema, note: noteSchema });
export type ResumeParkedStep = z.infer<typeof resumeParkedStepSchema>;

/**
 * What a working-day computation that parked was for (workflows/recorded-calendar.ts): the
 * English words the workflow records, and the Chinese the reason is shown with.
 */
export const CALENDAR_NEEDS = {
  'approval-due': { en: 'the hand-over approval due date', zh: '审批期限' },
  'quarter-dates': { en: "the quarter's escalation and publication deadlines", zh: '本季度的逾期升级期限和公示期限' },
  'escalation-date': { en: "an overdue inspection's escalation date", zh: '逾期任务的升级督办日期' },
} as const;
export type CalendarNeed = keyof typeof CALENDAR_NEEDS;

/** The reason a step parks when the working-day calendar lacks `year` (English, for the log; said in Chinese below). */
export function calendarYearMissingReason(year: number, need: CalendarNeed): string {
  return `the working-day calendar has no holiday arrangements for ${year}, needed for ${CALENDAR_NEEDS[need].en}; record the State Council's notice for ${year} in the calendar, then resume`;
}

/** Is `reason` the working-day calendar lacking a year (so the fix is the calendar, not the registry)? */
export function isCalendarYearMissingReason(reason: string | null | undefined): boolean {
  return !!reason && reason.startsWith('the working-day calendar has no holiday arrangements for ');
}

const calendarNeedZh = (en: string): string => Object.values(CALENDAR_NEEDS).find((n) => n.en === en)?.zh ?? '工作日期限';

/**
 * Why a step is parked, in Chinese. The workflow records the refusing activity's message (English,
 * for the log: activities/steps/documents.ts, inspection.ts); the ones that ask operations to fix
 * the registry are recognised and said with what to fix. Null: a message not recognised here.
 * Shared by the console's pages and the 【待处理】 notice, so both say the same.
 */
const PARKED_REASONS: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^no-brigade-for-area$|no brigade covers its area ([^\s;,()]+)/, (m) => `名录中没有负责该单位所在区域${m[1] ? `（${m[1]}）` : ''}的大队，请在名录中更正该单位的所属区域`],
  [/^no-address$|the registry has no address for it/, () => '名录中缺少该单位的地址（制发文书需要），请在名录中补充该单位地址'],
  [/^agency-not-in-registry$|the agency ([^\s;,()]+) to refer to is not in the registry's departments/, (m) => `移送的机关${m[1] ? `（${m[1]}）` : ''}不在名录的部门中，请在名录中补充`],
  [/no leader in charge \(role manager\) in the registry/, () => '人员名录中没有分管领导，无法审批移交，请在人员名录中登记分管领导（角色填“分管领导”）'],
  [/the working-day calendar has no holiday arrangements for (\d{4}), needed for ([^;]+);/, (m) => `工作日历缺少${m[1]}年的节假日安排，无法计算${calendarNeedZh(m[2]!)}。请在日历中录入该年安排后恢复。`],
];
export function knownParkedReason(reason: string | null | undefined): string | null {
  if (!reason) return null;
  for (const [pattern, say] of PARKED_REASONS) {
    const m = pattern.exec(reason);
    if (m) return say(m);
  }
  return null;
}

/** The reason in Chinese, or the system's record of it when it is not one recognised. */
export function parkedReasonLabel(reason: string | null | undefined): string {
  if (!reason) return '';
  return knownParkedReason(reason) ?? `系统记录：${reason}`;
}
