// The Chinese notices, one renderer for every kind the workflows send (mail/notices.ts
// over the layout of mail/templates.ts): each names its kind in the subject, names units,
// departments and people by name (a unit's credit code only as a detail, never in the subject),
// carries its facts in both the text and the HTML, escapes what it is given, and renders the same
// facts identically.
import { describe, expect, it } from 'vitest';
import { addresseeOf, renderNotice, type NoticeKind } from '../mail/notices';
import { annualPlanNotice, dateCn, handoverNotice } from '../mail/templates';
import { CODES, context, NOTICE_CASES, UNIT } from './helpers/notice-context';
import { calendarYearMissingReason } from '../domain/parking';

const issuer = context.issuer;
const render = (kind: NoticeKind) => renderNotice(kind, NOTICE_CASES[kind].params, NOTICE_CASES[kind].to, context);

/** Per kind: the subject's label, and facts that must be in the text and the HTML. */
const expected: Record<NoticeKind, [string, string[]]> = {
  'change-list-reminder': ['【名录变更提醒】', ['浉河大队：', '2024年3月29日', '你大队尚未报送']],
  'change-list-missing': ['【督办】2个大队', ['支队长：', '浉河大队、息县生态环境综合行政执法大队']],
  'draw-overdue': ['【抽取逾期告警】', ['分管领导：', '2024年1月15日', '由系统管理员和纪检人员共同见证完成', '尚待见证：纪检人员']],
  'ceremony-void': ['【见证仪式作废】', ['分管领导、刘洋、周敏同志：', '2024年1月12日10:00', '纪检人员周敏', '第2次见证仪式']],
  'inspection-assigned': ['【抽查任务通知】2024年第一季度信阳市某某化工有限公司现场检查任务', ['王建国、李秀英同志：', '执法证号：豫环执1501001', '信阳市某某化工有限公司（91411500MA44XXXX1K）', '2024年3月15日', '执法一科']],
  'inspection-reminder': ['【到期提醒】信阳市某某化工有限公司检查任务还有7天到期', ['王建国、李秀英同志：', '还有7天']],
  'inspection-overdue': ['【逾期告警】信阳市某某化工有限公司', ['执法一科：', '2024年3月20日后仍未办结', '王建国']],
  'inspection-escalated': ['【升级督办】信阳市某某化工有限公司检查任务逾期未办结（执法一科）', ['支队长：', '下列抽查任务的办理期限为2024年3月15日，逾期后已向执法一科发出逾期告警；宽限期至2024年3月20日届满，该任务仍未办结，现提请督办。']],
  'unit-replacement-requested': ['【替换审批】抽中单位信阳市某某化工有限公司', ['陈志强、郑海燕同志：', '王建国报告', '原因：关停']],
  'recusal-decision-requested': ['【回避审批】李秀英申请回避信阳市某某化工有限公司检查任务', ['李秀英申请回避', '近亲属在该单位任职']],
  'recusal-rejected': ['【回避申请未获批准】信阳市某某化工有限公司', ['经陈志强审核未获批准', '不构成利害关系']],
  'handover-approval-requested': ['【移交审批请求】信阳市某某化工有限公司检查发现问题，拟以监察通知移交息县生态环境综合行政执法大队', ['执法一科在', '除尘设施未运行', '2024年3月22日']],
  'handover-approval-overdue': ['【督办】信阳市某某化工有限公司问题移交审批已超过期限', ['执法一科对信阳市某某化工有限公司', '2024年3月22日']],
  'request-approval-overdue': ['【督办】信阳市某某化工有限公司检查任务的回避申请审批已超过期限', ['支队长：', '李秀英申请回避', '应于2024年3月22日前由分管领导审批', '不能提交检查结果']],
  'approval-reminder': ['【审批提醒】信阳市某某化工有限公司问题移交今日审批到期', ['陈志强、郑海燕同志：', '执法一科对信阳市某某化工有限公司检查发现问题的移交，审批期限为今日（2024年3月22日）', '逾期仍未审批的，将报支队领导督办', 'ssj handover approve|reject']],
  'publication-late': ['【督办】2024年第一季度抽查结果未在2024年4月26日前公示', ['尚有3项检查未办结']],
  'step-parked': ['【待处理】2024年第一季度抽查信阳市某某化工有限公司的“移交文书制发”因登记信息不全已暂停', ['支队长、系统管理员：', '2024年3月25日10:00', '暂停原因：名录中没有负责该单位所在区域（xixian）的大队，请在名录中更正该单位的所属区域', 'ssj inspection resume']],
  'notice-refused': ['【邮件未送达】【抽取逾期告警】', ['未能送达部分收件人', '未送达：郑海燕（mgr2@bureau.example.cn，550', '已送达：mgr1@bureau.example.cn']],
};

describe('every notice kind', () => {
  it.each(Object.keys(NOTICE_CASES) as NoticeKind[])('%s: subject, names, facts in text and HTML, issuer', (kind) => {
    const n = render(kind);
    const [label, facts] = expected[kind];
    expect(n.subject.startsWith(label), n.subject).toBe(true);
    for (const f of facts) {
      expect(n.text).toContain(f);
      // The HTML sets a fact's label and value in two cells.
      for (const part of f.split('：').filter(Boolean)) expect(n.html).toContain(part.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(n.text).toContain(issuer);
    expect(n.html).toContain('<meta charset="utf-8">');
    // Names, not codes: no credit code, department id, person id or role id in the subject.
    for (const code of [UNIT.code, ...CODES]) expect(n.subject, `${kind} subject`).not.toContain(code);
  });

  it('督办 of a closed unit\'s replacement left undecided names the unit and the limit, not an inspector', () => {
    const n = renderNotice('request-approval-overdue', { unitId: NOTICE_CASES['request-approval-overdue'].params.unitId, request: 'replacement', by: 'S1', approvalDue: '2024-03-22' }, { roles: ['detachment-leader'] }, context);
    expect(n.subject).toBe('【督办】抽中单位信阳市某某化工有限公司的替换审批已超过期限');
    expect(n.text).toContain('王建国报告抽中单位信阳市某某化工有限公司无法检查、申请按规则替换，应于2024年3月22日前由分管领导审批，至今尚未审批。审批前，该检查任务不能提交检查结果，请督办。');
    expect(n.text).not.toContain('回避');
  });

  it('reminds of a recusal and of a replacement due today, saying the team cannot report meanwhile', () => {
    const unitId = NOTICE_CASES['approval-reminder'].params.unitId;
    const recusal = renderNotice('approval-reminder', { unitId, request: 'recusal', inspectorId: 'S2', approvalDue: '2024-03-22' }, { persons: ['MGR1'] }, context);
    expect(recusal.subject).toBe('【审批提醒】信阳市某某化工有限公司检查任务的回避申请今日审批到期');
    expect(recusal.text).toContain('李秀英对信阳市某某化工有限公司检查任务的回避申请，审批期限为今日（2024年3月22日），目前尚未审批。审批前，该检查任务不能提交检查结果。');
    expect(recusal.text).toContain('ssj recusal approve|reject');
    const replacement = renderNotice('approval-reminder', { unitId, request: 'replacement', by: 'S1', approvalDue: '2024-03-22' }, { persons: ['MGR1'] }, context);
    expect(replacement.subject).toBe('【审批提醒】信阳市某某化工有限公司的替换申请今日审批到期');
    expect(replacement.text).toContain('王建国报告抽中单位信阳市某某化工有限公司无法检查、申请按规则替换一事，审批期限为今日（2024年3月22日）');
    expect(replacement.text).toContain('ssj replacement approve|reject');
    expect(replacement.text).not.toContain('回避');
  });

  it('escapes markup in the HTML and keeps it verbatim in the text', () => {
    const hostile = { ...context, unit: () => ({ ...UNIT, name: '信阳市<某某>化工有限公司' }) };
    const n = renderNotice('inspection-reminder', NOTICE_CASES['inspection-reminder'].params, NOTICE_CASES['inspection-reminder'].to, hostile);
    expect(n.html).toContain('信阳市&lt;某某&gt;化工有限公司');
    expect(n.html).not.toContain('<某某>');
    expect(n.text).toContain('信阳市<某某>化工有限公司');
  });

  it('renders the same facts identically (a retried activity sends what the first attempt rendered)', () => {
    for (const kind of Object.keys(NOTICE_CASES) as NoticeKind[]) expect(render(kind)).toEqual(render(kind));
  });

  it('【待处理】 says in Chinese what to fix, the system\'s own record only beneath it', () => {
    const parked = (reason: string) => renderNotice('step-parked', { ...NOTICE_CASES['step-parked'].params, reason }, NOTICE_CASES['step-parked'].to, context).text;
    // The refusals of the document step (activities/steps/documents.ts) and of the approval step.
    const noAddress = parked("unit U1: the registry has no address for it, which the handover document needs; add the unit's address in the registry, then resume the inspection");
    expect(noAddress).toContain('暂停原因：名录中缺少该单位的地址（制发文书需要），请在名录中补充该单位地址\n');
    expect(noAddress).toContain("系统记录：unit U1: the registry has no address for it");
    expect(noAddress.indexOf('暂停原因：')).toBeLessThan(noAddress.indexOf('系统记录：'));
    expect(noAddress).not.toContain('原因（系统记录）');
    expect(parked("unit U1: the agency market to refer to is not in the registry's departments; add it to the registry, then resume the inspection")).toContain('暂停原因：移送的机关（market）不在名录的部门中，请在名录中补充\n');
    expect(parked('unit U1: no leader in charge (role manager) in the registry as of 2024-03-20 to decide the hand-over approval; give a person the role manager in the registry, then resume the inspection')).toContain(
      '暂停原因：人员名录中没有分管领导，无法审批移交，请在人员名录中登记分管领导（角色填“分管领导”）\n',
    );
    // The working-day calendar lacking a year: fixed in the calendar, so said so, subject and all.
    const calendar = renderNotice('step-parked', { ...NOTICE_CASES['step-parked'].params, step: 'approval-due', reason: calendarYearMissingReason(2025, 'approval-due') }, NOTICE_CASES['step-parked'].to, context);
    expect(calendar.subject).toBe('【待处理】2024年第一季度抽查信阳市某某化工有限公司的“审批期限计算”因工作日历缺少节假日安排已暂停');
    expect(calendar.text).toContain('请按下列原因在工作日历中录入该年节假日安排后恢复办理');
    expect(calendar.text).toContain('暂停原因：工作日历缺少2025年的节假日安排，无法计算审批期限。请在日历中录入该年安排后恢复。\n');
    expect(calendar.text).not.toContain('名录');
    // A refusal not recognised: said as such in Chinese, the record beside it.
    const other = parked('document input: unit.name: must not be empty');
    expect(other).toContain('暂停原因：登记信息不全或数据有误，详见系统记录\n');
    expect(other).toContain('系统记录：document input: unit.name: must not be empty');
  });

  it('督办 does not date the overdue alert on the time limit itself (it goes out after the limit has passed)', () => {
    const n = render('inspection-escalated');
    expect(n.text).not.toContain('2024年3月15日已向');
    expect(n.text).not.toMatch(/\d日已向执法一科发出逾期告警/);
  });

  it('逾期告警 with the escalation date pending (a Q4 quarter before next year\'s holidays are recorded) says so, no date', () => {
    const { escalateAfter: _pending, ...params } = NOTICE_CASES['inspection-overdue'].params;
    const n = renderNotice('inspection-overdue', params, NOTICE_CASES['inspection-overdue'].to, context);
    expect(n.text).toContain('宽限期届满后仍未办结的，将报支队长督办（宽限期截止日期待定（次年节假日安排录入后确定））。');
    expect(n.text).not.toMatch(/null|undefined|NaN/);
    expect(render('inspection-overdue').text).toContain('2024年3月20日后仍未办结的，将报支队长督办。');
    // The calendar's reason for parking the escalation date, in Chinese.
    const parked = renderNotice('step-parked', { ...NOTICE_CASES['step-parked'].params, step: 'escalation-date', reason: calendarYearMissingReason(2025, 'escalation-date') }, NOTICE_CASES['step-parked'].to, context);
    expect(parked.subject).toContain('的“督办日期计算”因工作日历缺少节假日安排已暂停');
    expect(parked.text).toContain('暂停原因：工作日历缺少2025年的节假日安排，无法计算逾期任务的升级督办日期。请在日历中录入该年安排后恢复。\n');
  });

  it('says who the notice is for by name and title', () => {
    expect(addresseeOf({ departments: ['section-1'], departmentRoles: { department: 'section-1', roles: ['brigade-leader'] } }, context)).toBe('执法一科');
    expect(addresseeOf({ departmentRoles: { department: 'brigade-shihe', roles: ['brigade-leader'] } }, context)).toBe('浉河大队大队长');
    expect(addresseeOf({ roles: ['detachment-leader', 'admin'], persons: ['MGR1'] }, context)).toBe('支队长、系统管理员、陈志强同志');
    expect(addresseeOf({}, context)).toBe('各位同志');
  });
});

describe('covering mails of documents', () => {
  it('a case document: the receiver, the number, the approval, the attachment', () => {
    const n = handoverNotice({
      issuer, kind: 'referral', receiver: '信阳市市场监督管理局', documentNumber: '信环执移〔2024〕第001号',
      unit: UNIT, findings: '无照经营', approval: { by: '陈志强', on: '2024-03-08' }, attachmentName: '信环执移〔2024〕第001号.html',
    });
    expect(n.subject).toBe('【移送函】关于信阳市某某化工有限公司的移送（信环执移〔2024〕第001号）');
    for (const f of ['信阳市市场监督管理局：', '经陈志强于2024年3月8日批准，现移送贵单位', '《信环执移〔2024〕第001号.html》']) expect(n.text).toContain(f);
    const unapproved = handoverNotice({ issuer, kind: 'transfer-form', receiver: '浉河大队', documentNumber: 'n', unit: UNIT, findings: 'x', approval: null, attachmentName: 'a' });
    expect(unapproved.text).toContain('发现下列问题，现移交你单位依法处理');
  });

  it('the annual plan to the office above', () => {
    const n = annualPlanNotice({ issuer, year: 2024, superior: '河南省生态环境厅', planName: '2024年度抽查计划', documentNumber: '信环执计〔2024〕第001号', attachmentName: '计划.html' });
    expect(n.subject).toBe(`【年度计划报送】${issuer}2024年度“双随机、一公开”抽查计划`);
    for (const f of ['河南省生态环境厅：', '《2024年度抽查计划》', '信环执计〔2024〕第001号', '《计划.html》']) expect(n.text).toContain(f);
  });
});

it('writes dates and Beijing times the Chinese way', () => {
  expect(dateCn('2023-01-05')).toBe('2023年1月5日');
  expect(dateCn('2023-01-05T09:30:00+08:00')).toBe('2023年1月5日09:30');
  expect(dateCn('下季度')).toBe('下季度');
});
