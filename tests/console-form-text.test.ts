// Text typed into the console's forms, below the routes: a browser's CRLF line breaks read as LF
// before any rule is applied (the note rule refuses CR: domain/outcomes.ts), nothing cut, text over
// its limit refused naming its field; a message the client refuses named in Chinese; the resume
// refusals told from "nothing parked".
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { loadProgramme } from '../config/programme';
import { formText, messageRefusal, noteProblem } from '../console/form-text';
import { parseResultForm, readResultForm } from '../console/inspection-form';
import { resumeFailure, resumeRefusalText } from '../console/resume';
import { MessageParseError, parseMessage, recusalSchema } from '../domain/messages';
import { resultReportInputSchema, resultReportSchema } from '../domain/outcomes';
import { resumeParkedStepSchema } from '../domain/parking';


describe('form text', () => {
  it('reads CRLF and lone CR as LF, trims, and is empty for what is not text', () => {
    expect(formText('  第一行\r\n第二行\r第三行\n第四行 \r\n')).toBe('第一行\n第二行\n第三行\n第四行');
    expect(formText(['a', 'b'])).toBe('');
    expect(formText(undefined)).toBe('');
  });

  it('refuses a note over its limit or with a control character, in Chinese, naming the field', () => {
    expect(noteProblem('说明', '字'.repeat(1000))).toBeNull();
    expect(noteProblem('说明', '两行\n说明')).toBeNull();
    expect(noteProblem('说明', '字'.repeat(1001))).toBe('“说明”最多 1000 个字符，现有 1001 个，请删减后重新提交。');
    expect(noteProblem('补正说明', '响铃\u0007')).toContain('“补正说明”含有不允许的字符');
    // Unread, a CR is still refused: the domain rule stays strict for every other sender.
    expect(noteProblem('说明', '两行\r\n说明')).toContain('不允许的字符');
  });

  it('names the field of a message the client refused to send; other errors are not its business', () => {
    let err: unknown;
    try {
      parseMessage(recusalSchema, { by: 'S1', inspectorId: 'S1', reasonCode: 'kinship', note: '甲\r\n乙' }, 'declareRecusal');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MessageParseError);
    expect((err as Error).message).toBe('declareRecusal: note: a note may not hold control characters (other than line breaks)');
    expect(messageRefusal(err, { note: '说明' })).toMatch(/^“说明”不符合要求，请修改后重新提交（declareRecusal: note: /);
    expect(messageRefusal(new Error('boom'), { note: '说明' })).toBeNull();
  });
});

describe('the result form’s text', () => {
  const checkItems = loadProgramme().checkItems;
  const ctx = { by: 'S1', team: ['S1', 'S2'], today: '2024-02-01', checkItems, couldNotInspect: [{ code: 'suspended', label: '停产检修，无法开展检查' }], agencies: [] };
  const base = { checkedOn: '2024-02-01', present: ['S1', 'S2'], howChecked: '现场查看治污设施', ...Object.fromEntries(checkItems.map((c) => [`item-${c.seq}-checked`, '1'])) };
  const refusal = (body: Record<string, unknown>) => {
    const r = parseResultForm({ ...base, ...body }, ctx);
    return r.ok ? null : r.error;
  };

  it('takes two lines as a browser sends them (CRLF) in 检查方式及过程, the description and the could-not-inspect note', () => {
    const found = parseResultForm({ ...base, howChecked: '现场查看治污设施\r\n查阅在线监测数据', outcome: 'problems-found', description: '废水超标排放\r\n废气处理设施未运行' }, ctx);
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    expect(found.report.record?.howChecked).toBe('现场查看治污设施\n查阅在线监测数据');
    expect(found.report.result).toEqual({ outcome: 'problems-found', description: '废水超标排放\n废气处理设施未运行', referTo: null });

    const closed = parseResultForm({ ...base, outcome: 'could-not-inspect', reasonCode: 'suspended', note: '厂区停产\r\n门卫称下月复产' }, ctx);
    expect(closed.ok && closed.report.result).toEqual({ outcome: 'could-not-inspect', reasonCode: 'suspended', note: '厂区停产\n门卫称下月复产' });
  });

  it('counts a line break once, as the textarea’s maxlength does: 4000 characters with CRLF breaks are 4000', () => {
    const description = `${Array.from({ length: 10 }, () => '超'.repeat(399)).join('\r\n')}超`; // 3991 characters and 9 breaks, each 2 code units as sent
    expect(description.length).toBe(4009);
    const r = parseResultForm({ ...base, outcome: 'problems-found', description }, ctx);
    expect(r.ok && r.report.result).toMatchObject({ description: description.replace(/\r\n/g, '\n') });
    expect(refusal({ outcome: 'problems-found', description: `${description}超` })).toContain('现有 4001 个');
  });

  it('refuses text over its limit, naming the field, and gives back all that was typed (nothing cut)', () => {
    const long = '描'.repeat(4001);
    const r = parseResultForm({ ...base, outcome: 'problems-found', description: long }, ctx);
    expect(r.ok ? null : r.error).toBe('“问题描述”最多 4000 个字符，现有 4001 个，请删减后重新提交。');
    expect(r.values.description).toBe(long);
    expect(readResultForm({ description: long, howChecked: 'x'.repeat(1500), note: 'y'.repeat(1500), 'item-1-handling': 'z'.repeat(1500) }, checkItems)).toMatchObject({
      description: long,
      howChecked: 'x'.repeat(1500),
      note: 'y'.repeat(1500),
      items: [{ seq: 1, handling: 'z'.repeat(1500) }, ...checkItems.slice(1).map(() => expect.anything())],
    });
    expect(refusal({ outcome: 'no-problem', howChecked: '查'.repeat(1001) })).toContain('“检查方式及过程”最多 1000 个字符');
    expect(refusal({ outcome: 'no-problem', 'item-1-handling': '改'.repeat(1001) })).toContain('“检查事项1的处理情况”最多 1000 个字符');
    expect(refusal({ outcome: 'could-not-inspect', reasonCode: 'suspended', note: '停'.repeat(1001) })).toContain('“未能检查的说明”最多 1000 个字符');
    // Text of another outcome's fields is not sent, so not refused.
    expect(refusal({ outcome: 'no-problem', description: long, note: '停'.repeat(1001) })).toBeNull();
  });

  it('names the field that holds a control character', () => {
    expect(refusal({ outcome: 'no-problem', howChecked: '现场\u0007查看' })).toMatch(/^“检查方式及过程”含有不允许的字符/);
    expect(refusal({ outcome: 'no-problem', 'item-1-handling': '责令\u001b改正' })).toMatch(/^“检查事项1的处理情况”含有不允许的字符/);
    expect(refusal({ outcome: 'could-not-inspect', reasonCode: 'suspended', note: '停产\u0000' })).toMatch(/^“未能检查的说明”含有不允许的字符/);
  });

  it('the description has its maximum in the message a new report is checked by, not in the one old histories replay with', () => {
    const report = { by: 'S1', present: ['S1', 'S2'], checkedOn: '2024-01-20', result: { outcome: 'problems-found', description: '超'.repeat(4001), referTo: null } };
    const refused = resultReportInputSchema.safeParse(report);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['result.description', 'the description is at most 4000 characters (it has 4001)']]);
    expect(resultReportSchema.safeParse(report).success).toBe(true);
    expect(resultReportInputSchema.safeParse({ ...report, result: { ...report.result, description: '超'.repeat(4000) } }).success).toBe(true);
  });
});

describe('a resume refused', () => {
  const failed = (message: string) => new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message, nonRetryable: true }));

  it('answers 已处理 only when nothing is parked or it is already being resumed', () => {
    expect(resumeRefusalText('resumeParkedStep: nothing is parked in the inspection of U01')).toBeNull();
    expect(resumeRefusalText('resumeParkedStep: publication is already being resumed by DL1')).toBeNull();
    expect(resumeFailure(failed('resumeParkedStep: nothing is parked in campaign c1'))).toEqual({ kind: 'stale', why: 'resumeParkedStep: nothing is parked in campaign c1' });
    expect(resumeFailure(new WorkflowNotFoundError('workflow not found', 'wf', undefined))).toMatchObject({ kind: 'stale' });
  });

  it('says why otherwise, in Chinese: not an operator of the frozen roster, or anything else', () => {
    const notOperator = 'resumeParkedStep: MGR1 may not resume a parked step: only a detachment leader or an admin of the frozen roster may (DL1, ADM1)';
    expect(resumeFailure(failed(notOperator))).toEqual({
      kind: 'refused',
      why: notOperator,
      text: '只有本季度冻结名册中的支队领导或系统管理员可以恢复暂停的步骤，您不在其中（可以恢复的人员：DL1, ADM1）。该步骤仍处于暂停状态；如名册有误，请联系系统管理员。',
    });
    expect(resumeRefusalText('resumeParkedStep: X may not resume a parked step: only a detachment leader or an admin of the frozen roster may (none in the roster)')).toContain('本季度冻结名册中没有支队领导或系统管理员');
    expect(resumeRefusalText('resumeParkedStep: by: must be an id')).toBe('系统拒绝了此操作，该步骤仍处于暂停状态（resumeParkedStep: by: must be an id）。如有疑问请联系系统管理员。');
  });

  it('names the note when the message itself is refused, and leaves other errors alone', () => {
    let err: unknown;
    try {
      parseMessage(resumeParkedStepSchema, { by: 'DL1', note: '补正\u0007' }, 'resumeParkedStep');
    } catch (e) {
      err = e;
    }
    expect(resumeFailure(err)).toMatchObject({ kind: 'invalid', text: expect.stringMatching(/^“补正说明”不符合要求/) });
    expect(resumeFailure(new TypeError('x'))).toBeNull();
  });
});
