// The inspection result form, read into the SAME message the command line sends (submitResult,
// domain/outcomes.ts resultReportInputSchema): the paper record's per-item answers (checked,
// problem found, handling) and how the check was made go in the message's `record` (internal,
// never published); uploaded evidence goes in `evidence` as `<file name> sha256:<hex>` references.
// The same values are what a draft saves (stores/result-drafts.ts).
import { DESCRIPTION_MAX, evidenceRef, firstIssue, NOTE_MAX, resultReportInputSchema, type ResultReport } from '../domain/messages';
import { formText, tooLong } from './form-text';
import type { EvidenceFile } from '../stores/result-drafts';
import type { CheckItem, ReasonCodeEntry } from '../domain/programme';

export interface ItemAnswer {
  seq: number;
  item: string;
  checked: boolean;
  problem: boolean;
  handling: string;
}

/** What the inspector typed, echoed back into the form when it is refused. */
export interface ResultFormValues {
  items: ItemAnswer[];
  howChecked: string;
  checkedOn: string;
  present: string[];
  outcome: string;
  description: string;
  referTo: string;
  reasonCode: string;
  note: string;
}

export type ParsedResultForm = { ok: true; report: ResultReport; values: ResultFormValues } | { ok: false; error: string; values: ResultFormValues };

const str = formText;
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');

/** The form's labels of the record's text fields (what a refusal names). */
export const FIELD_LABELS = { howChecked: '检查方式及过程', description: '问题描述', note: '未能检查的说明', handling: (seq: number) => `检查事项${seq}的处理情况` } as const;

export function emptyResultForm(checkItems: readonly CheckItem[], today: string): ResultFormValues {
  return {
    items: checkItems.map((c) => ({ seq: c.seq, item: c.item, checked: false, problem: false, handling: '' })),
    howChecked: '',
    checkedOn: today,
    present: [],
    outcome: '',
    description: '',
    referTo: '',
    reasonCode: '',
    note: '',
  };
}

/**
 * What was typed, from a form body (urlencoded or multipart fields) or a saved draft's values; the
 * items follow the programme's check items (a draft saved under other items keeps the matching seqs).
 * Line breaks read as LF; nothing is cut (parseResultForm refuses text over its limit).
 */
export function readResultForm(body: Record<string, unknown>, checkItems: readonly CheckItem[]): ResultFormValues {
  return {
    items: checkItems.map((c) => ({
      seq: c.seq,
      item: c.item,
      checked: str(body[`item-${c.seq}-checked`]) === '1',
      problem: str(body[`item-${c.seq}-problem`]) === '1',
      handling: str(body[`item-${c.seq}-handling`]),
    })),
    howChecked: str(body.howChecked),
    checkedOn: str(body.checkedOn),
    present: [...new Set(list(body.present))],
    outcome: str(body.outcome),
    description: str(body.description),
    referTo: str(body.referTo),
    reasonCode: str(body.reasonCode),
    note: str(body.note),
  };
}

/** The values as a draft stores them: the form's own field names, so reading a draft is reading a form. */
export function draftFields(v: ResultFormValues): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {
    howChecked: v.howChecked,
    checkedOn: v.checkedOn,
    present: v.present,
    outcome: v.outcome,
    description: v.description,
    referTo: v.referTo,
    reasonCode: v.reasonCode,
    note: v.note,
  };
  for (const a of v.items) {
    fields[`item-${a.seq}-checked`] = a.checked ? '1' : '';
    fields[`item-${a.seq}-problem`] = a.problem ? '1' : '';
    fields[`item-${a.seq}-handling`] = a.handling;
  }
  return fields;
}

export function parseResultForm(
  body: Record<string, unknown>,
  ctx: { by: string; team: readonly string[]; today: string; checkItems: readonly CheckItem[]; couldNotInspect: readonly ReasonCodeEntry[]; agencies: readonly string[] },
  evidence: readonly Pick<EvidenceFile, 'fileName' | 'sha256'>[] = [],
): ParsedResultForm {
  const values = readResultForm(body, ctx.checkItems);
  const fail = (error: string): ParsedResultForm => ({ ok: false, error, values });

  // Text over its limit, as the message would carry it (the description and the note only with their outcome).
  const long =
    values.items.map((a) => tooLong(FIELD_LABELS.handling(a.seq), a.handling, NOTE_MAX)).find((p) => p) ??
    tooLong(FIELD_LABELS.howChecked, values.howChecked, NOTE_MAX) ??
    (values.outcome === 'problems-found' ? tooLong(FIELD_LABELS.description, values.description, DESCRIPTION_MAX) : null) ??
    (values.outcome === 'could-not-inspect' ? tooLong(FIELD_LABELS.note, values.note, NOTE_MAX) : null);
  if (long) return fail(long);

  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.checkedOn)) return fail('请填写检查日期。');
  if (values.checkedOn > ctx.today) return fail('检查日期不能晚于今天。');
  if (values.present.some((p) => !ctx.team.includes(p))) return fail('在场执法人员须为本检查组成员。');
  if (values.present.length < 2) return fail('须至少勾选两名在场执法人员。');
  if (!values.howChecked) return fail('请填写检查方式。');
  const unchecked = values.items.filter((a) => !a.checked && values.outcome !== 'could-not-inspect');
  if (unchecked.length) return fail(`检查事项${unchecked.map((a) => a.seq).join('、')}尚未勾选“已检查”。`);
  const flagged = values.items.some((a) => a.problem);

  let result: unknown;
  switch (values.outcome) {
    case 'no-problem':
      if (flagged) return fail('检查事项中勾选了“发现问题”，检查结论不能为“未发现问题”。');
      result = { outcome: 'no-problem' };
      break;
    case 'problems-found':
      if (!values.description) return fail('发现问题时须填写问题描述。');
      if (values.referTo && !ctx.agencies.includes(values.referTo)) return fail('移送机关不在名录中，请重新选择。');
      result = { outcome: 'problems-found', description: values.description, referTo: values.referTo || null };
      break;
    case 'could-not-inspect':
      if (!ctx.couldNotInspect.some((r) => r.code === values.reasonCode)) return fail('未能检查时须选择原因。');
      result = { outcome: 'could-not-inspect', reasonCode: values.reasonCode, note: values.note };
      break;
    default:
      return fail('请选择检查结论。');
  }
  const record = {
    howChecked: values.howChecked,
    items: values.items.map((a) => ({ seq: a.seq, checked: a.checked, problemFound: a.problem, handling: a.handling })),
  };
  const parsed = resultReportInputSchema.safeParse({
    by: ctx.by,
    present: values.present,
    checkedOn: values.checkedOn,
    result,
    evidence: evidence.map((e) => evidenceRef(e.fileName, e.sha256)),
    record,
  });
  if (!parsed.success) {
    const onDescription = parsed.error.issues.some((i) => i.path.join('.') === 'result.description');
    const text = parsed.error.issues.map((i) => textFieldLabel(i.path, values)).find((l) => l !== null);
    if (onDescription) return fail('“问题描述”含有不允许的字符（控制字符或文字方向字符），请删除后重新提交。');
    return fail(text ? `“${text}”含有不允许的字符（控制字符），请删除后重新提交（${firstIssue(parsed.error)}）。` : `提交的内容有误：${firstIssue(parsed.error)}`);
  }
  return { ok: true, report: parsed.data, values };
}

/** The form's label of the record's text field an issue's path names, or null for another field. */
function textFieldLabel(path: readonly PropertyKey[], values: ResultFormValues): string | null {
  const p = path.map(String).join('.');
  if (p === 'record.howChecked') return FIELD_LABELS.howChecked;
  if (p === 'result.note') return FIELD_LABELS.note;
  const item = /^record\.items\.(\d+)\.handling$/.exec(p);
  const seq = item ? values.items[Number(item[1])]?.seq : undefined;
  return seq === undefined ? null : FIELD_LABELS.handling(seq);
}
