import { describe, expect, it } from 'vitest';
import {
  DocumentInputError,
  annualPlan,
  chineseDateTime,
  escapeHtml,
  formatDocumentNumber,
  parseDocumentNumber,
  referralLetter,
  supervisionNotice,
  transferForm,
  type AnnualPlanInput,
  type CaseDocumentInput,
} from '../domain/documents';
import { caseDocumentInput, renderCaseDocument, type CaseDocumentFacts } from '../domain/documents/case-document';
import { sampleCaseDocument } from './helpers/case-document';

const base: CaseDocumentInput = sampleCaseDocument;

describe('document numbers', () => {
  it('formats one series per kind and year', () => {
    expect(formatDocumentNumber('supervision-notice', 2023, 1)).toBe('信环执监〔2023〕第001号');
    expect(formatDocumentNumber('transfer-form', 2023, 12)).toBe('信环执交〔2023〕第012号');
    expect(formatDocumentNumber('referral', 2024, 1234)).toBe('信环执移〔2024〕第1234号');
    expect(formatDocumentNumber('annual-plan', 2023, 1, '信环')).toBe('信环计〔2023〕第001号');
    expect(() => formatDocumentNumber('referral', 2023, 0)).toThrow(/sequence 0/);
    expect(() => formatDocumentNumber('referral', 2023, 1, 'XY')).toThrow(/Chinese characters/);
  });

  it('parses back what it formats, and nothing else', () => {
    expect(parseDocumentNumber('信环执交〔2023〕第012号')).toEqual({ abbreviation: '信环执', kind: 'transfer-form', year: 2023, seq: 12 });
    expect(parseDocumentNumber('信环执交[2023]第012号')).toBeNull();
    expect(parseDocumentNumber('信环执交〔2023〕12号')).toBeNull();
  });

  it('refuses a number of the wrong kind or year', () => {
    expect(() => supervisionNotice({ ...base, number: '信环执交〔2023〕第007号' })).toThrow(/transfer-form series/);
    expect(() => supervisionNotice({ ...base, number: '信环执监〔2022〕第007号' })).toThrow(/is of 2022/);
    expect(() => supervisionNotice({ ...base, number: '7' })).toThrow(/does not follow the scheme/);
  });
});

describe('supervision notice (监察通知)', () => {
  const doc = supervisionNotice(base);
  it('carries the key fields in HTML and text', () => {
    expect(doc.kind).toBe('supervision-notice');
    expect(doc.title).toBe('环境监察通知');
    expect(doc.number).toBe('信环执监〔2023〕第007号');
    for (const s of [
      '信环执监〔2023〕第007号',
      '罗山县生态环境综合行政执法大队：',
      '罗山县某某建材有限公司',
      '91411521MA44XXXX1Y',
      '罗山县龙山街道工业园区8号',
      '2023年2月14日',
      '张三（执法证号：豫环执41150001）',
      '李四（执法证号：豫环执41150002）',
      '破碎工段未密闭',
      '《中华人民共和国大气污染防治法》第四十八条',
      '2023年3月15日前',
      '赵副支队长',
      '信阳市生态环境综合行政执法支队执法一科',
      '2023年2月17日',
      '现场检查',
    ]) {
      expect(doc.html, s).toContain(s);
      expect(doc.text, s).toContain(s);
    }
    expect(doc.html).toContain('（印章）');
    expect(doc.html).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
    expect(doc.html).not.toMatch(/<link|<script|https?:\/\//);
    expect(doc.text).not.toMatch(/<[a-z]/);
  });

  it('says off-site for positive-list units', () => {
    expect(supervisionNotice({ ...base, method: 'offsite' }).text).toContain('进行了非现场检查');
  });
});

describe('transfer form (移交表) and referral letter (移送函)', () => {
  it('transfer form is a table with every field', () => {
    const doc = transferForm({ ...base, number: '信环执交〔2023〕第003号', recipient: { name: '浉河大队' } });
    expect(doc.title).toBe('环境违法案件移交表');
    expect(doc.html).toContain('<th scope="row">接收单位</th><td>浉河大队</td>');
    expect(doc.html).toContain('<th scope="row">检查人员及执法证号</th><td>张三（执法证号：豫环执41150001）、李四（执法证号：豫环执41150002）</td>');
    expect(doc.text).toContain('分管领导意见：同意移交。赵副支队长　2023年2月16日');
    expect(doc.text).toContain('办结反馈期限：2023年3月15日前');
  });

  it('referral letter names the agency and the duty to refer', () => {
    const doc = referralLetter({
      ...base,
      number: '信环执移〔2023〕第001号',
      recipient: { name: '信阳市市场监督管理局' },
      legalBasis: ['《中华人民共和国产品质量法》第十三条'],
      requestedAction: '依法核查处理',
    });
    expect(doc.title).toBe('案件线索移送函');
    expect(doc.text).toContain('信阳市市场监督管理局：');
    expect(doc.text).toContain('不属于生态环境部门职责范围');
    expect(doc.text).toContain('请依法核查处理，并于2023年3月15日前将处理结果函告我支队');
    // The other agency's statute, when the caller names one, stands before the remit sentence.
    expect(doc.text).toContain('上述问题涉嫌违反《中华人民共和国产品质量法》第十三条的规定，不属于生态环境部门职责范围。');
    expect(doc.text).toContain('现将该案件线索移送贵单位');
  });

  it('the issued referral cites no environmental statute: the matter is referred because it lies outside environmental law', () => {
    const facts: CaseDocumentFacts = {
      kind: 'referral',
      number: '信环执移〔2024〕第001号',
      issuer: '信阳市生态环境综合行政执法支队',
      office: undefined,
      recipient: { name: '信阳市市场监督管理局' },
      unit: { id: 'U1', name: '某建材有限公司', address: '浉河区某路1号' },
      campaign: { year: 2024, quarter: 1 },
      report: { by: 'p1', present: ['p1', 'p2'], checkedOn: '2024-01-15', result: { outcome: 'problems-found', description: '无照经营', referTo: 'market' }, evidence: [] },
      method: 'onsite',
      people: [{ id: 'p1', name: '张三', certificateNo: 'C-1' }, { id: 'p2', name: '李四', certificateNo: 'C-2' }],
      approval: null,
      issuedOn: '2024-01-16',
    };
    const doc = renderCaseDocument('referral', caseDocumentInput(facts));
    expect(doc.text).not.toContain('环境保护法');
    expect(doc.text).not.toContain('涉嫌违反');
    expect(doc.text).toContain('　　上述问题不属于生态环境部门职责范围。根据“对检查中发现的不属于本部门职责范围的违法违规行为，应及时将案件线索移送相应监管部门依法处理”的要求，现将该案件线索移送贵单位，请依法调查处理，并将处理结果函告我支队。');
    // A hand-over still names the statute it is grounded in.
    const notice = renderCaseDocument('supervision-notice', caseDocumentInput({ ...facts, kind: 'supervision-notice', number: '信环执监〔2024〕第001号', recipient: { name: '息县大队' } }));
    expect(notice.text).toContain('上述行为涉嫌违反《中华人民共和国环境保护法》的规定。');
  });
});

describe('dates and times', () => {
  it('an instant reads in Beijing time, whatever offset it was written with', () => {
    expect(chineseDateTime('2023-01-18T02:48:57+08:00')).toBe('2023年1月18日 02:48');
    expect(chineseDateTime('2023-01-17T18:48:57.123Z')).toBe('2023年1月18日 02:48');
    expect(chineseDateTime('2023-12-31T16:05Z')).toBe('2024年1月1日 00:05');
    expect(() => chineseDateTime('2023-01-18')).toThrow(/not an instant/);
    expect(() => chineseDateTime('2023-01-18T02:48:57')).toThrow(/not an instant/);
  });
});

describe('escaping and validation', () => {
  it('escapes every field in HTML, leaves the text readable', () => {
    const doc = supervisionNotice({
      ...base,
      unit: { ...base.unit, name: '<script>alert("x")</script> & Co' },
      findings: 'a < b & "c" \'d\'',
    });
    expect(doc.html).not.toContain('<script>');
    expect(doc.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(doc.html).toContain('a &lt; b &amp; &quot;c&quot; &#39;d&#39;');
    expect(doc.text).toContain('<script>alert("x")</script> & Co');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('names the field and the rule broken', () => {
    expect(() => supervisionNotice({ ...base, inspectors: [base.inspectors[0]!] })).toThrow(
      /supervision notice: inspectors: at least two inspectors must be named/,
    );
    expect(() => transferForm({ ...base, number: '信环执交〔2023〕第001号', checkedOn: '2023-02-30' })).toThrow(/checkedOn: must be a real calendar date/);
    expect(() => referralLetter({ ...base, unit: { ...base.unit, name: '  ' } })).toThrow(DocumentInputError);
    expect(() => referralLetter({ ...base, unit: { ...base.unit, name: '  ' } })).toThrow(/unit\.name: must not be empty/);
  });
});

describe('annual plan', () => {
  const input: AnnualPlanInput = {
    year: 2023,
    number: '信环执计〔2023〕第001号',
    bureauName: '信阳市生态环境局',
    issuer: '信阳市生态环境综合行政执法支队',
    body: ['一、工作目标', '按照“依法监管、公正高效、公开透明”原则……', '二、工作内容'],
    checkItems: [
      {
        department: '信阳市生态环境局',
        item: '污染源日常环境监管',
        basis: '《中华人民共和国环境保护法》（主席令9号）第十条、第二十四条',
        subject: '信阳市生态环境综合行政执法支队',
        itemClass: '一般检查事项',
        targets: '行政区内污染源（包括排污单位和建设项目）',
        ratio: '重点排污单位：支队各科室每季度至少5%……',
        frequency: '按季度抽查',
        method: '现场检查',
      },
    ],
    quarterPlans: [1, 2, 3, 4].map((q) => ({
      planName: `2023年第${'一二三四'[q - 1]}季度污染源日常监管“双随机抽查”`,
      taskName: '一般排污单位、重点排污单位、特殊监管排污单位',
      directed: false,
      itemClass: '一般检查事项',
      joint: false,
      item: '污染源日常环境监管',
      scope: '行政区内污染源（包括排污单位和建设项目）',
      ratio: q % 2 ? '一般排污单位按1：2的比例' : '一般排污单位按1：3的比例',
      period: `${3 * q - 2}月-${3 * q}月`,
      department: '市生态环境综合行政执法支队',
    })),
    issuedOn: '2023-01-20',
  };

  it('has both annexes with their rows', () => {
    const doc = annualPlan(input);
    expect(doc.title).toBe('2023年度污染源日常环境监管“双随机、一公开”抽查计划');
    expect(doc.html).toContain('信阳市生态环境局污染源日常环境监管2023年“双随机、一公开”抽查事项清单');
    expect(doc.html).toContain('信阳市生态环境局2023年度污染源日常环境监管“双随机、一公开”抽查计划表');
    expect(doc.html).toContain('<h2>一、工作目标</h2>');
    expect(doc.html.match(/<tr><td>/g)?.length).toBe(5); // 1 check item + 4 quarters
    expect(doc.html).toContain('<td>10月-12月</td>');
    expect(doc.html).toContain('<td>不定向</td>');
    expect(doc.text).toContain('抽查起止时间：4月-6月');
    expect(doc.number).toBe('信环执计〔2023〕第001号');
  });

  it('rejects an empty annex', () => {
    expect(() => annualPlan({ ...input, quarterPlans: [] })).toThrow(/quarterPlans: Annex 2 needs at least one row/);
  });
});

describe('annual plan from the shipped programme config', () => {
  it('renders config/programme.json’s annexes', async () => {
    const { parseProgramme } = await import('../domain/programme');
    const fs = await import('node:fs');
    const { annualPlanFromProgramme } = await import('../domain/documents');
    const programme = parseProgramme(fs.readFileSync('config/programme.json', 'utf8'));
    const doc = annualPlan(annualPlanFromProgramme(programme, { number: null, issuedOn: `${programme.year}-01-20` }));
    expect(doc.title).toBe(programme.name);
    for (const t of programme.quarterlyTasks) expect(doc.html).toContain(escapeHtml(t.planName));
    for (const c of programme.checkItems) expect(doc.html).toContain(escapeHtml(c.basis));
    expect(doc.html.match(/<tr><td>/g)?.length).toBe(programme.checkItems.length + programme.quarterlyTasks.length);
  });
});
