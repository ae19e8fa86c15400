// Proofreading, mechanised: every notice kind, the covering mails, the official documents (监察通知,
// 移交表, 移送函, the annual plan from the shipped programme), the 抽取公告 page and the Chinese
// literals of every template source are checked for the errors that crept in before (the 监察通知
// read "请你大队请依法调查处理……反馈结果。。"): doubled punctuation, a doubled 请, doubled
// words, half-width punctuation inside Chinese text, leftover placeholders, undefined or
// null, and ids or codes where a name belongs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgramme } from '../config/programme';
import { renderNotice, type NoticeKind } from '../mail/notices';
import { annualPlanNotice, handoverNotice } from '../mail/templates';
import { buildDrawNotice, renderDrawNoticePage } from '../files/publication/draw-notice';
import { annualPlan, annualPlanFromProgramme, referralLetter, supervisionNotice, transferForm, type CaseDocumentInput } from '../domain/documents';
import type { DrawRecord } from '../domain/draw/record';
import { vectorJson } from './fixtures/draw/vectors';
import { CODES, context, NOTICE_CASES, UNIT } from './helpers/notice-context';

const CJK = '\\u3400-\\u9fff';

/** The slips found in `text`, each as `rule: excerpt`; none is the aim. */
/** `mixedWidth: false` for text that carries the programme's own words (their half-width marks and quotes are the data's). */
function slips(text: string, opts: { mixedWidth?: boolean } = {}): string[] {
  const found: string[] = [];
  const rule = (name: string, re: RegExp) => {
    for (const m of text.matchAll(re)) found.push(`${name}: …${text.slice(Math.max(0, m.index - 12), m.index + m[0].length + 12)}…`);
  };
  rule('doubled punctuation', /[。，、；：！？]{2,}|。”。/g);
  rule('doubled 请', /请(?:你|您)?(?:大队|单位|支队|科室)?请/g);
  rule('placeholder or missing value', /undefined|\bnull\b|NaN|\[object|\$\{|\{\{|\}\}/g);
  // Doubled function words (a doubled character in general is often right: 信阳市市场监督管理局).
  rule('doubled word', /的的|了了|是是|在在|和和|对对|于于|将将|已已|为为|并并|及及|由由/g);
  const opening = [...text.matchAll(/“/g)].length;
  const closing = [...text.matchAll(/”/g)].length;
  if (opts.mixedWidth !== false && opening !== closing) found.push(`unbalanced quotes: ${opening} “ and ${closing} ”`);
  if (opts.mixedWidth !== false) {
    rule('half-width punctuation in Chinese', new RegExp(`[${CJK}][,;:!?]|[,;:!?][${CJK}]|[${CJK}]\\((?!\\))|\\)[${CJK}]|[${CJK}]\\.(?![\\w.])`, 'g'));
  }
  return found;
}

function textOfHtml(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('notices', () => {
  it.each(Object.keys(NOTICE_CASES) as NoticeKind[])('%s reads cleanly and names, never codes', (kind) => {
    const n = renderNotice(kind, NOTICE_CASES[kind].params, NOTICE_CASES[kind].to, context);
    for (const part of [n.subject, n.text, textOfHtml(n.html)]) expect(slips(part)).toEqual([]);
    // The unit's credit code only as a detail right after its name, or in a command to type.
    const prose = n.text
      .split('\n')
      .filter((l) => !/ssj /.test(l))
      .join('\n')
      .replaceAll(`${UNIT.name}（${UNIT.code}）`, UNIT.name);
    expect(prose).not.toContain(UNIT.code);
    for (const code of CODES) expect(n.text, `${kind}: ${code}`).not.toMatch(new RegExp(`(^|[^\\w-])${code}([^\\w-]|$)`));
  });

  it('covering mails read cleanly', () => {
    const mails = [
      handoverNotice({
        issuer: context.issuer, kind: 'supervision-notice', receiver: '息县生态环境综合行政执法大队', documentNumber: '信环执监〔2024〕第001号',
        unit: UNIT, findings: '破碎工段未密闭，除尘设施未运行', approval: { by: '陈志强', on: '2024-03-08' }, attachmentName: '信环执监〔2024〕第001号.html',
      }),
      annualPlanNotice({ issuer: context.issuer, year: 2024, superior: '河南省生态环境厅', planName: '2024年度污染源日常环境监管“双随机、一公开”抽查计划', documentNumber: '信环执计〔2024〕第001号', attachmentName: '信环执计〔2024〕第001号.html' }),
    ];
    for (const n of mails) for (const part of [n.subject, n.text, textOfHtml(n.html)]) expect(slips(part)).toEqual([]);
  });
});

describe('official documents', () => {
  // As the campaign activity fills it in: the action with 请 and 。, findings as typed (no 。).
  const input: CaseDocumentInput = {
    number: '信环执监〔2024〕第001号',
    issuer: { name: '信阳市生态环境综合行政执法支队', office: '执法一科' },
    recipient: { name: '息县生态环境综合行政执法大队' },
    unit: { id: UNIT.code, name: UNIT.name, address: UNIT.address },
    campaign: '2024年第一季度污染源日常环境监管“双随机、一公开”抽查',
    checkedOn: '2024-02-14',
    method: 'onsite',
    inspectors: [
      { name: '王建国', certificateNo: '豫环执1501001' },
      { name: '李秀英', certificateNo: '豫环执1501002' },
    ],
    findings: '破碎工段未密闭，除尘设施未运行',
    legalBasis: ['《中华人民共和国环境保护法》'],
    requestedAction: '请依法调查处理，并于处理完毕后反馈结果。',
    replyBy: null,
    approval: { by: '陈志强', on: '2024-02-16' },
    evidence: ['现场检查笔录XY-2024-0214-01'],
    issuedOn: '2024-02-17',
  };

  it('监察通知: one 请, one 。, findings ending as a sentence', () => {
    const doc = supervisionNotice(input);
    expect(doc.text).toContain('请你大队依法调查处理，并于处理完毕后反馈结果。\n');
    expect(doc.text).toContain('　　破碎工段未密闭，除尘设施未运行。\n');
    for (const part of [doc.text, textOfHtml(doc.html)]) expect(slips(part)).toEqual([]);
  });

  it('移交表 and 移送函 read cleanly', () => {
    const form = transferForm({ ...input, number: '信环执交〔2024〕第001号' });
    expect(form.text).toContain('处理建议：依法调查处理，并于处理完毕后反馈结果\n');
    // As the activity fills a referral in: no statute (the matter lies outside environmental law).
    const referral = referralLetter({ ...input, number: '信环执移〔2024〕第001号', recipient: { name: '信阳市市场监督管理局' }, legalBasis: [], requestedAction: '请依法调查处理，并将处理结果函告我支队。' });
    expect(referral.text).toContain('　　上述问题不属于生态环境部门职责范围。');
    expect(referral.text).toContain('现将该案件线索移送贵单位，请依法调查处理，并将处理结果函告我支队。\n');
    for (const doc of [form, referral]) for (const part of [doc.text, textOfHtml(doc.html)]) expect(slips(part)).toEqual([]);
  });

  it('the annual plan from the shipped programme reads cleanly (the shipped programme’s own texts included)', () => {
    const p = loadProgramme();
    const doc = annualPlan(annualPlanFromProgramme(p, { number: `信环执计〔${p.year}〕第001号`, issuedOn: `${p.year}-01-20` }));
    expect(doc.text).toContain(`　　根据${p.basis[0]}、`);
    for (const part of [doc.text, textOfHtml(doc.html)]) expect(slips(part)).toEqual([]);
  });
});

describe('published pages', () => {
  it('抽取公告 reads cleanly', () => {
    const record = JSON.parse(vectorJson('small-v2', 'record.json')) as DrawRecord;
    const page = renderDrawNoticePage(buildDrawNotice({ workflowId: 'campaign-test-2024q1', year: 2024, quarter: 1, drawnAt: '2024-01-05T10:00:00+08:00', record, voidCeremonies: [] }));
    expect(slips(textOfHtml(page))).toEqual([]);
  });

  // The 公示 page and the rest are checked where they are written: every Chinese literal of the
  // template sources (comments aside) must be free of the same slips.
  it.each([
    'mail/notices.ts',
    'mail/templates.ts',
    'domain/documents.ts',
    'files/publication/page.ts',
    'files/publication/draw-notice.ts',
    'files/publication/rows.ts',
  ])('the Chinese literals of %s', (file) => {
    const source = fs.readFileSync(path.join(__dirname, '..', file), 'utf8');
    const literals = source
      .split('\n')
      .filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l) && new RegExp(`[${CJK}]`).test(l))
      .flatMap((l) => l.match(/'[^']*'|`[^`]*`|"[^"]*"/g) ?? [])
      .filter((lit) => new RegExp(`[${CJK}]`).test(lit))
      // Interpolations are code, not text: keep the words around them.
      .map((lit) => lit.slice(1, -1).replace(/\$\{[^}]*\}?/g, '·'));
    expect(literals.length).toBeGreaterThan(0);
    expect(literals.flatMap((l) => slips(l))).toEqual([]);
  });
});
