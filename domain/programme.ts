// The inspection programme as data: the year's plan (ratios, check items, quarterly tasks,
// deadlines, draw settings). A bureau edits config/programme.json, not the code; this module
// parses and checks it. Pure: reading the file is config/programme.ts's job, so workflow
// code may import the types and helpers here.
import { z } from 'zod';
import { codeSchema } from './registry';

export const quarters = [1, 2, 3, 4] as const;
export type Quarter = (typeof quarters)[number];

// --- small schema helpers whose messages read as plain rules -------------------------------

const positiveInt = (): z.ZodNumber =>
  z
    .number({ error: 'must be a positive integer' })
    .int({ error: 'must be a positive integer' })
    .positive({ error: 'must be a positive integer' });
const nonNegativeInt = (): z.ZodNumber =>
  z
    .number({ error: 'must be a whole number, 0 or more' })
    .int({ error: 'must be a whole number, 0 or more' })
    .min(0, { error: 'must be a whole number, 0 or more' });
const percent = (): z.ZodNumber =>
  z
    .number({ error: 'must be a whole percentage from 1 to 100' })
    .int({ error: 'must be a whole percentage from 1 to 100' })
    .min(1, { error: 'must be a whole percentage from 1 to 100' })
    .max(100, { error: 'must be a whole percentage from 1 to 100' });
const text = (): z.ZodString =>
  z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' });
const month = (): z.ZodNumber =>
  z
    .number({ error: 'must be a month number from 1 to 12' })
    .int({ error: 'must be a month number from 1 to 12' })
    .min(1, { error: 'must be a month number from 1 to 12' })
    .max(12, { error: 'must be a month number from 1 to 12' });

// --- the schema ------------------------------------------------------------------------------

/** One row of Annex 1 (抽查事项清单), all columns as the plan prints them. */
export const checkItemSchema = z.strictObject({
  seq: positiveInt(), // 序号
  department: text(), // 部门
  item: text(), // 抽查事项
  basis: text(), // 抽查依据
  checkingBody: text(), // 检查主体
  itemKind: z.enum(['一般检查事项', '重点检查事项'], { error: 'must be 一般检查事项 or 重点检查事项' }), // 事项类别
  targets: text(), // 检查对象
  ratio: text(), // 抽查比例
  frequency: text(), // 检查频次
  method: text(), // 检查方式
  remarks: z.string({ error: 'must be text (may be empty)' }), // 备注
});
export type CheckItem = z.infer<typeof checkItemSchema>;

/** One row of Annex 2 (抽查计划): a quarter's task, all columns. */
export const quarterlyTaskSchema = z.strictObject({
  seq: positiveInt(), // 序号
  quarter: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: 'must be 1, 2, 3 or 4' }),
  planName: text(), // 抽查计划名称
  taskName: text(), // 抽查任务名称
  drawType: z.enum(['定向', '不定向'], { error: 'must be 定向 or 不定向' }), // 抽查类型
  itemKind: z.enum(['一般检查事项', '重点检查事项'], { error: 'must be 一般检查事项 or 重点检查事项' }), // 抽查事项类别
  jointDraw: z.boolean({ error: 'must be true or false (部门联合抽查: 是/否)' }), // 部门联合抽查
  item: text(), // 抽查事项
  targetScope: text(), // 抽查对象范围
  ratioText: text(), // 抽查对象比例
  period: z.strictObject({ text: text(), fromMonth: month(), toMonth: month() }), // 抽查起止时间
  department: text(), // 实施部门
});
export type QuarterlyTask = z.infer<typeof quarterlyTaskSchema>;

const dayOfMonth = (): z.ZodNumber =>
  z
    .number({ error: 'must be a day of the month from 1 to 31' })
    .int({ error: 'must be a day of the month from 1 to 31' })
    .min(1, { error: 'must be a day of the month from 1 to 31' })
    .max(31, { error: 'must be a day of the month from 1 to 31' });

const monthDay = z
  .strictObject({ month: month(), day: dayOfMonth() })
  .refine((d) => d.day <= daysInMonth(d.month), { error: 'must be a real calendar day' });

/** The kinds of reason the quarter's messages carry, each with its own list of codes (docs/programme.md). */
export const reasonKinds = ['recusal', 'unitClosed', 'couldNotInspect', 'rejection'] as const;
export type ReasonKind = (typeof reasonKinds)[number];

/** One reason code with its official Chinese label: the only part of a reason ever published. */
/** The managers' decisions a rejection reason fits (the 不同意 list of each approval offers those). */
export const decisionKinds = ['handover', 'recusal', 'replacement'] as const;
export type DecisionKind = (typeof decisionKinds)[number];

export const reasonCodeEntrySchema = z.strictObject({
  code: z.string({ error: 'must be a code' }).regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must be a code: [a-z0-9][a-z0-9._-]{0,63}' }),
  label: text().max(40, { error: 'must be a short official label (at most 40 characters)' }),
  /** Rejection reasons only: the decisions it fits (absent: every one). */
  decisions: z
    .array(z.enum(decisionKinds, { error: `must be one of ${decisionKinds.join(', ')}` }), { error: `must be a list of ${decisionKinds.join(', ')}` })
    .min(1, { error: 'must list at least one decision (or be left out: every decision)' })
    .optional(),
});
export type ReasonCodeEntry = z.infer<typeof reasonCodeEntrySchema>;

const reasonList = (): z.ZodType<ReasonCodeEntry[]> =>
  z
    .array(reasonCodeEntrySchema, { error: 'must be a list of { "code", "label" }' })
    .min(1, { error: 'must list at least one reason code' })
    .superRefine((xs, ctx) => {
      xs.forEach((x, i) => {
        if (xs.findIndex((y) => y.code === x.code) !== i) ctx.addIssue({ code: 'custom', path: [i, 'code'], message: `must be unique in its list (${x.code} is listed twice)` });
      });
    });

/** Reason codes per kind (programme `reasons`). */
export type ReasonCodes = Record<ReasonKind, ReasonCodeEntry[]>;

export const programmeSchema = z
  .strictObject({
    /** Programme code; the campaign code of quarter q is `${id}q${q}`. */
    id: codeSchema.max(60, { error: 'must be at most 60 characters (the campaign code adds "q1".."q4")' }),
    name: text(),
    year: z.number({ error: 'must be a year such as 2023' }).int({ error: 'must be a year such as 2023' }).min(2000).max(2100),
    issuer: text(),
    detachment: z.strictObject({ name: text() }),
    /** Where the public gets the software that re-checks the draw (a web address, or how to ask); on the 公示 page. */
    softwareSource: text().optional(),
    basis: z.array(text(), { error: 'must be a list of texts' }),
    ratios: z.strictObject({
      key: z.strictObject({ sectionPercent: percent(), brigadePercent: percent() }),
      general: z.strictObject({
        quarterly: z
          .array(positiveInt(), { error: 'must be a list of four positive integers (Q1–Q4)' })
          .length(4, { error: 'must list exactly four ratios, Q1–Q4' }),
        annualUnitsPerInspector: positiveInt(),
      }),
      special: z.strictObject({ problemPercent: percent() }),
    }),
    draw: z.strictObject({
      teamSize: positiveInt().min(2, { error: 'must be at least 2 (the plan: 执法人员应不少于2名)' }),
      // A non-exclusive draw can draw one unit in two pools; a quarter inspects, records and
      // publishes each unit once (its inspection, result and row are keyed by the unit), so the
      // programme runs exclusive draws only. ssj-draw itself (and ssj verify) allow exclusive=0.
      exclusive: z.literal(true, {
        error: (i) => (i.input === false ? 'must be true: a quarter inspects and publishes each unit once, so a unit may not be drawn by two pools' : 'must be true'),
      }),
    }),
    deadlines: z.strictObject({
      drawByDayOfFirstMonth: z
        .number({ error: 'must be a day from 1 to 28' })
        .int({ error: 'must be a day from 1 to 28' })
        .min(1, { error: 'must be a day from 1 to 28' })
        .max(28, { error: 'must be a day from 1 to 28' }),
      annualPlanBy: monthDay,
      inspectionEnds: z.literal('quarter-end', { error: 'must be "quarter-end"' }),
      publicationWorkingDays: positiveInt(),
      /** ssj-draw/2: hours after the last witness commitment by which every witness must reveal (default 48). */
      witnessRevealHours: positiveInt().optional(),
    }),
    reminders: z.strictObject({
      inspectionDaysBeforeDue: z
        .array(positiveInt(), { error: 'must be a list of positive integers' })
        .refine((xs) => xs.every((x, i) => i === 0 || x < xs[i - 1]!), {
          error: 'must be in strictly decreasing order, e.g. [14, 7, 3, 1]',
        }),
    }),
    escalation: z.strictObject({ graceWorkingDays: nonNegativeInt() }),
    handover: z.strictObject({ approvalWorkingDays: positiveInt() }),
    exclusions: z.strictObject({
      recentlyInspectedQuarters: nonNegativeInt().max(4, { error: 'must be from 0 (off) to 4 quarters' }),
      fullyExemptPositiveKinds: z.array(codeSchema, { error: 'must be a list of positive-list kind codes' }),
    }),
    rehearsal: z.strictObject({
      /** How long one programme day lasts in a rehearsal (`ssj quarter start --rehearsal`). */
      secondsPerDay: z
        .number({ error: 'must be a number of seconds, more than 0 and at most 86400' })
        .positive({ error: 'must be a number of seconds, more than 0 and at most 86400' })
        .max(86_400, { error: 'must be a number of seconds, more than 0 and at most 86400' }),
    }),
    /**
     * Why the list changes or something is refused: recusal (回避), unit closed or gone, could not
     * inspect, a rejected hand-over, replacement or recusal. Messages carry one of these codes
     * plus an internal note; only the code and its label are published.
     */
    reasons: z.strictObject({
      recusal: reasonList(),
      unitClosed: reasonList(),
      couldNotInspect: reasonList(),
      rejection: reasonList(),
    }),
    checkItems: z.array(checkItemSchema, { error: 'must be a list' }).min(1, { error: 'must list at least one check item' }),
    quarterlyTasks: z.array(quarterlyTaskSchema, { error: 'must be a list' }).length(4, {
      error: 'must list exactly four tasks, one per quarter',
    }),
  })
  .superRefine((p, ctx) => {
    p.quarterlyTasks.forEach((t, i) => {
      if (t.quarter !== i + 1) {
        ctx.addIssue({ code: 'custom', path: ['quarterlyTasks', i, 'quarter'], message: `must be ${i + 1} (tasks are listed Q1–Q4 in order)` });
      }
      const from = 3 * t.quarter - 2;
      if (t.period.fromMonth !== from || t.period.toMonth !== from + 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['quarterlyTasks', i, 'period'],
          message: `must cover the quarter's months ${from}–${from + 2} (checks end at quarter end)`,
        });
      }
    });
    const seqs = p.checkItems.map((c) => c.seq);
    seqs.forEach((s, i) => {
      if (seqs.indexOf(s) !== i) ctx.addIssue({ code: 'custom', path: ['checkItems', i, 'seq'], message: `must be unique (${s} is used twice)` });
    });
  });

export type Programme = z.infer<typeof programmeSchema>;

// --- parsing with messages that name the place -----------------------------------------------

export class ProgrammeError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: the programme is not valid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ProgrammeError';
  }
}

/** `ratios.general.quarterly[2]` from zod's path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

const typeWords: Record<string, string> = {
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object ({ ... })',
};

/** One issue as `field.path: rule in plain words`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  const missing = !('input' in issue) || issue.input === undefined;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => `${issue.path.length ? `${where}.` : ''}${k}: unknown field (check the spelling against docs/programme.md)`)
        .join('\n  ');
    case 'invalid_type': {
      const generic = issue.message.startsWith('Invalid input');
      const rule = generic ? `must be ${typeWords[issue.expected] ?? issue.expected}` : issue.message;
      return missing ? `${where}: is missing; it ${rule}` : `${where}: ${rule}`;
    }
    case 'invalid_value':
      return issue.message.startsWith('Invalid')
        ? `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
        : `${where}: ${issue.message}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/**
 * Parses the programme from JSON text (or an already-parsed value). `source` names the file in
 * messages. Throws ProgrammeError listing every problem, each as `source: path: rule`.
 */
export function parseProgramme(input: string | unknown, source = 'config/programme.json'): Programme {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (err) {
      throw new ProgrammeError(source, [`${source}: is not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
    }
  }
  const result = programmeSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw new ProgrammeError(
      source,
      result.error.issues.map((i) => `${source}: ${describeIssue(i)}`),
    );
  }
  return result.data;
}

// --- what the programme implies ----------------------------------------------------------

/** The campaign code of a quarter, as params.txt carries it: `xinyang-2023q1`. */
export function campaignCode(programme: Programme, quarter: Quarter): string {
  return `${programme.id}q${quarter}`;
}

/** The general-unit ratio of a quarter: units to draw per on-staff inspector. */
export function generalRatio(programme: Programme, quarter: Quarter): number {
  return programme.ratios.general.quarterly[quarter - 1]!;
}

export function isQuarter(n: number): n is Quarter {
  return n === 1 || n === 2 || n === 3 || n === 4;
}

/** The quarter's calendar: first and last day, and the day the draw is due. Dates are YYYY-MM-DD. */
export function quarterCalendar(
  programme: Programme,
  quarter: Quarter,
): { start: string; end: string; drawDue: string; inspectionDue: string; previousQuarterEnd: string } {
  const y = programme.year;
  const first = 3 * quarter - 2;
  const last = first + 2;
  const start = isoDate(y, first, 1);
  const end = isoDate(y, last, daysInMonth(last, y));
  const previousQuarterEnd = quarter === 1 ? isoDate(y - 1, 12, 31) : isoDate(y, first - 1, daysInMonth(first - 1, y));
  return {
    start,
    end,
    drawDue: isoDate(y, first, programme.deadlines.drawByDayOfFirstMonth),
    inspectionDue: end, // deadlines.inspectionEnds is 'quarter-end'
    previousQuarterEnd,
  };
}

/**
 * Things in a valid programme that a bureau should look at: the quarterly general ratios below the
 * annual minimum, and Annex 2 ratio texts that disagree with the numbers the software uses.
 */
export function programmeWarnings(programme: Programme): string[] {
  const warnings: string[] = [];
  const g = programme.ratios.general;
  const sum = g.quarterly.reduce((a, b) => a + b, 0);
  if (sum < g.annualUnitsPerInspector) {
    warnings.push(
      `ratios.general.quarterly: the quarterly ratios add up to ${sum} units per inspector a year, below the annual minimum 1:${g.annualUnitsPerInspector}`,
    );
  }
  for (const t of programme.quarterlyTasks) {
    const r = g.quarterly[t.quarter - 1];
    if (r !== undefined && !new RegExp(`1\\s*[:：]\\s*${r}(?!\\d)`).test(t.ratioText)) {
      warnings.push(`quarterlyTasks[${t.quarter - 1}].ratioText does not mention 1：${r}, the ratio ratios.general.quarterly[${t.quarter - 1}] sets`);
    }
    const k = programme.ratios.key;
    for (const [pct, field] of [
      [k.sectionPercent, 'ratios.key.sectionPercent'],
      [k.brigadePercent, 'ratios.key.brigadePercent'],
      [programme.ratios.special.problemPercent, 'ratios.special.problemPercent'],
    ] as const) {
      if (!t.ratioText.includes(`${pct}%`)) {
        warnings.push(`quarterlyTasks[${t.quarter - 1}].ratioText does not mention ${pct}%, the percentage ${field} sets`);
      }
    }
  }
  return warnings;
}

function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days in a month; without a year, February counts 29 (for month-day rules valid every year). */
function daysInMonth(m: number, y?: number): number {
  if (m === 2) return y === undefined || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** The label of `code` in the programme's `kind` list, or null when the programme has no such code. */
export function reasonLabel(reasons: Partial<ReasonCodes> | undefined, kind: ReasonKind, code: string): string | null {
  return reasons?.[kind]?.find((r) => r.code === code)?.label ?? null;
}

/**
 * Why `code` is not a `kind` reason of the programme (naming the allowed ones), or null when it is.
 * With no list (an inspection started before reason codes), any well-formed code passes.
 */
export function reasonCodeProblem(reasons: Partial<ReasonCodes> | undefined, kind: ReasonKind, code: string): string | null {
  const list = reasons?.[kind];
  if (!list) return null;
  if (list.some((r) => r.code === code)) return null;
  return `${code} is not a ${REASON_KIND_WORDS[kind]} reason code of the programme (allowed: ${list.map((r) => r.code).join(', ')})`;
}

export const REASON_KIND_WORDS: Record<ReasonKind, string> = {
  recusal: 'recusal',
  unitClosed: 'unit-closed',
  couldNotInspect: 'could-not-inspect',
  rejection: 'rejection',
};
