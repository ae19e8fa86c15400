// The Chinese notice templates: each names its kind in the subject, carries its facts in both
// the text and the HTML, escapes what it is given, and renders the same facts identically.
import { describe, expect, it } from 'vitest';
import {
  annualPlanNotice,
  approvalRequestNotice,
  dateCn,
  drawOverdueNotice,
  escalationNotice,
  handoverNotice,
  overdueAlertNotice,
  publicationNotice,
  reminderNotice,
  teamAssignedNotice,
  type RenderedNotice,
} from '../activities/mail/templates';

const issuer = '信阳市生态环境综合行政执法支队';
const unit = { code: '91411500MA44XXXX1K', name: '信阳市<某某>化工有限公司', address: '浉河区工业园路8号' };
const team = [{ name: '王建国', certificate: '豫环执1501001' }, { name: '李秀英' }];
const overdue = [{ unit, team, department: '直属一大队', dueDate: '2023-03-31', daysOverdue: 4 }];

const cases: [string, RenderedNotice, string, string[]][] = [
  [
    'team assigned',
    teamAssignedNotice({
      issuer, campaignCode: '2023Q1-ZS1', periodLabel: '2023年第一季度', department: '直属一大队', unit, team,
      checkItems: ['排污许可制度执行情况'], offSite: true, dueDate: '2023-03-31', reportHow: 'ssj inspection report',
    }),
    '【抽查任务通知】',
    ['王建国、李秀英同志：', '非现场检查', '2023年3月31日', '豫环执1501001', '排污许可制度执行情况'],
  ],
  [
    'reminder',
    reminderNotice({ issuer, campaignCode: '2023Q1-ZS1', unit, team, dueDate: '2023-03-31', daysLeft: 7, reportHow: 'ssj inspection report' }),
    '【到期提醒】',
    ['还有7天', '2023年3月31日'],
  ],
  [
    'overdue alert',
    overdueAlertNotice({ issuer, campaignCode: '2023Q1-ZS1', addressee: '张大队长', tasks: overdue }),
    '【逾期告警】',
    ['张大队长：', '4天', '直属一大队'],
  ],
  [
    'escalation',
    escalationNotice({
      issuer, campaignCode: '2023Q1-ZS1', addressee: '刘支队长', firstAlertedTo: '张大队长', firstAlertedOn: '2023-04-03',
      graceWorkingDays: 3, tasks: overdue,
    }),
    '【升级督办】',
    ['2023年4月3日已向张大队长发出逾期告警', '3个工作日'],
  ],
  [
    'approval request',
    approvalRequestNotice({
      issuer, campaignCode: '2023Q1-KS', approver: '陈副支队长', section: '执法一科', unit, findings: '雨污未分流',
      kind: 'supervision-notice', receiver: '罗山县大队', dueDate: '2023-04-10', approveHow: 'ssj approval approve 0001',
    }),
    '【移交审批请求】',
    ['监察通知', '罗山县大队', '雨污未分流', 'ssj approval approve 0001'],
  ],
  [
    'hand-over',
    handoverNotice({
      issuer, campaignCode: '2023Q1-KS', kind: 'referral', receiver: '信阳市水利局', documentNumber: '信环执移〔2023〕1号',
      unit, findings: '违规取水', approvedBy: '陈副支队长', approvedOn: '2023-04-08', attachmentName: '移送函.pdf',
    }),
    '【移送函】',
    ['信阳市水利局：', '现移送你单位', '《移送函.pdf》', '信环执移〔2023〕1号'],
  ],
  [
    'annual plan',
    annualPlanNotice({ issuer, year: 2023, superior: '河南省生态环境厅', planName: '2023年度抽查计划', dueDate: '2023-01-25', attachmentName: '计划.xlsx' }),
    '【年度计划报送】',
    ['河南省生态环境厅：', '2023年1月25日', '《计划.xlsx》'],
  ],
  [
    'draw overdue',
    drawOverdueNotice({
      issuer, campaignCode: '2023Q2', periodLabel: '2023年第二季度', addressee: '系统管理员、纪检监察员', drawBy: '2023-04-10',
      missing: ['纪检监察员的见证随机数'],
    }),
    '【抽取逾期告警】',
    ['2023年4月10日', '纪检监察员的见证随机数'],
  ],
  [
    'publication',
    publicationNotice({
      issuer, campaignCode: '2023Q1', periodLabel: '2023年第一季度', addressee: '办公室', inspected: 57, withProblems: 6,
      publishBy: '2023-04-28', location: 'https://example.org/gs/2023Q1',
    }),
    '【公示通知】',
    ['57家', '6家', '2023年4月28日'],
  ],
];

describe('notice templates', () => {
  it.each(cases)('%s: subject, facts in text and HTML, issuer', (_name, n, label, facts) => {
    expect(n.subject.startsWith(label)).toBe(true);
    for (const f of facts) {
      expect(n.text).toContain(f);
      expect(n.html).toContain(f.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(n.text).toContain(issuer);
    expect(n.html).toContain('<meta charset="utf-8">');
  });

  it('escapes markup in the HTML and keeps it verbatim in the text', () => {
    const n = reminderNotice({ issuer, campaignCode: 'c', unit, team, dueDate: '2023-03-31', daysLeft: 1, reportHow: 'x' });
    expect(n.html).toContain('信阳市&lt;某某&gt;化工有限公司');
    expect(n.html).not.toContain('<某某>');
    expect(n.text).toContain('信阳市<某某>化工有限公司');
  });

  it('renders the same facts identically (a retried activity sends what the first attempt rendered)', () => {
    const a = overdueAlertNotice({ issuer, campaignCode: 'c', addressee: 'x', tasks: overdue });
    const b = overdueAlertNotice({ issuer, campaignCode: 'c', addressee: 'x', tasks: overdue });
    expect(a).toEqual(b);
  });

  it('writes dates the Chinese way', () => {
    expect(dateCn('2023-01-05')).toBe('2023年1月5日');
    expect(dateCn('下季度')).toBe('下季度');
  });
});
