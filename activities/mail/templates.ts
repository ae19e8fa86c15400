// The programme's notices, in Chinese: pure functions from a notice's facts to its subject, plain
// text and HTML. No I/O and no clock: the same facts always give the same mail (so a retried
// activity renders exactly what the first attempt rendered). Attachments (hand-over documents,
// the annual plan) are added by the caller.

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** Who the notice is signed by, e.g. 信阳市生态环境综合行政执法支队. */
export interface Signature {
  issuer: string;
}

export interface UnitRef {
  /** 统一社会信用代码 or registry id. */
  code: string;
  name: string;
  address?: string;
}

export interface InspectorRef {
  name: string;
  /** 执法证号 */
  certificate?: string;
}

// --- the notices ------------------------------------------------------------------------------

export interface TeamAssignedFacts extends Signature {
  campaignCode: string;
  /** e.g. 2023年第一季度 */
  periodLabel: string;
  department: string;
  unit: UnitRef;
  team: InspectorRef[];
  checkItems: string[];
  /** Off-site check (positive-list unit): remote sensing, drones, outfall sampling. */
  offSite: boolean;
  dueDate: string;
  /** How to report the result, e.g. the ssj command. */
  reportHow: string;
}

/** 抽查任务通知: the drawn team learns its unit, items and deadline. */
export function teamAssignedNotice(f: TeamAssignedFacts): RenderedNotice {
  return render({
    subject: `【抽查任务通知】${f.periodLabel} ${f.unit.name}（${f.campaignCode}）`,
    greeting: `${names(f.team)}同志：`,
    paragraphs: [
      `根据“双随机、一公开”抽查计划（${f.campaignCode}），经随机抽取，由你们组成检查组，对下列监管对象开展${f.offSite ? '非现场检查（遥感、无人机巡查、排污口抽测等）' : '现场检查'}。`,
      '检查人员不少于两人，须出示执法证件；与检查对象存在利害关系的，应当主动申请回避。抽查名单在检查完成前保密。',
    ],
    facts: [
      ['抽查批次', f.campaignCode],
      ['承办部门', f.department],
      ['监管对象', unitLine(f.unit)],
      ...(f.unit.address ? ([['地址', f.unit.address]] as [string, string][]) : []),
      ['检查组', teamLine(f.team)],
      ['抽查事项', f.checkItems.join('；')],
      ['检查方式', f.offSite ? '非现场检查' : '现场检查'],
      ['完成期限', dateCn(f.dueDate)],
    ],
    closing: [`检查完成后请按时报送检查结果：${f.reportHow}`],
    issuer: f.issuer,
  });
}

export interface ReminderFacts extends Signature {
  campaignCode: string;
  unit: UnitRef;
  team: InspectorRef[];
  dueDate: string;
  daysLeft: number;
  reportHow: string;
}

/** 到期提醒: the team is reminded that the result is due. */
export function reminderNotice(f: ReminderFacts): RenderedNotice {
  return render({
    subject: `【到期提醒】${f.unit.name} 检查结果还剩${f.daysLeft}天到期（${dateCn(f.dueDate)}）`,
    greeting: `${names(f.team)}同志：`,
    paragraphs: [`你们承办的抽查任务尚未报送检查结果，距完成期限还有${f.daysLeft}天，请抓紧办理。`],
    facts: [
      ['抽查批次', f.campaignCode],
      ['监管对象', unitLine(f.unit)],
      ['检查组', teamLine(f.team)],
      ['完成期限', dateCn(f.dueDate)],
    ],
    closing: [`报送方式：${f.reportHow}`],
    issuer: f.issuer,
  });
}

export interface OverdueTask {
  unit: UnitRef;
  team: InspectorRef[];
  department: string;
  dueDate: string;
  daysOverdue: number;
}

export interface OverdueAlertFacts extends Signature {
  campaignCode: string;
  /** The leaders addressed, e.g. 张科长. */
  addressee: string;
  tasks: OverdueTask[];
}

/** 逾期告警: the department's leaders learn which checks are past their deadline. */
export function overdueAlertNotice(f: OverdueAlertFacts): RenderedNotice {
  return render({
    subject: `【逾期告警】${f.campaignCode} 有${f.tasks.length}项抽查任务逾期未报结果`,
    greeting: `${f.addressee}：`,
    paragraphs: [`下列抽查任务已超过完成期限，检查结果仍未报送，请督促检查组尽快办结。`],
    table: overdueTable(f.tasks),
    closing: ['逾期仍未办结的，将按规定升级督办。'],
    issuer: f.issuer,
  });
}

export interface EscalationFacts extends Signature {
  campaignCode: string;
  addressee: string;
  /** Who was alerted first and when. */
  firstAlertedTo: string;
  firstAlertedOn: string;
  graceWorkingDays: number;
  tasks: OverdueTask[];
}

/** 升级督办: after the grace period the overdue checks go to the next level up. */
export function escalationNotice(f: EscalationFacts): RenderedNotice {
  return render({
    subject: `【升级督办】${f.campaignCode} 有${f.tasks.length}项抽查任务逾期${f.graceWorkingDays}个工作日仍未办结`,
    greeting: `${f.addressee}：`,
    paragraphs: [
      `${dateCn(f.firstAlertedOn)}已向${f.firstAlertedTo}发出逾期告警，${f.graceWorkingDays}个工作日后下列任务仍未办结，现提请督办。`,
    ],
    table: overdueTable(f.tasks),
    closing: [],
    issuer: f.issuer,
  });
}

export type HandoverKind = 'supervision-notice' | 'transfer-form' | 'referral';

const handoverNames: Record<HandoverKind, { doc: string; verb: string }> = {
  'supervision-notice': { doc: '监察通知', verb: '移交' },
  'transfer-form': { doc: '移交表', verb: '移交' },
  referral: { doc: '移送函', verb: '移送' },
};

export interface ApprovalRequestFacts extends Signature {
  campaignCode: string;
  /** The leader in charge (分管领导). */
  approver: string;
  section: string;
  unit: UnitRef;
  findings: string;
  kind: HandoverKind;
  /** The receiving brigade or agency. */
  receiver: string;
  dueDate: string;
  /** How to approve or reject, e.g. the ssj command. */
  approveHow: string;
}

/** 移交审批请求: a section's findings wait for the leader in charge to approve the hand-over. */
export function approvalRequestNotice(f: ApprovalRequestFacts): RenderedNotice {
  const h = handoverNames[f.kind];
  return render({
    subject: `【移交审批请求】${f.unit.name} 拟${h.verb}${f.receiver}（${f.campaignCode}）`,
    greeting: `${f.approver}：`,
    paragraphs: [`${f.section}在“双随机”抽查中发现下列问题，拟以${h.doc}${h.verb}${f.receiver}处理，请审批。`],
    facts: [
      ['抽查批次', f.campaignCode],
      ['监管对象', unitLine(f.unit)],
      ['发现问题', f.findings],
      ['拟办方式', `${h.doc}，${h.verb}${f.receiver}`],
      ['审批期限', dateCn(f.dueDate)],
    ],
    closing: [`审批方式：${f.approveHow}`],
    issuer: f.issuer,
  });
}

export interface HandoverFacts extends Signature {
  campaignCode: string;
  kind: HandoverKind;
  receiver: string;
  documentNumber: string;
  unit: UnitRef;
  findings: string;
  approvedBy: string;
  approvedOn: string;
  attachmentName: string;
}

/** 移交文书: the supervision notice, transfer form or referral goes to the receiver, attached. */
export function handoverNotice(f: HandoverFacts): RenderedNotice {
  const h = handoverNames[f.kind];
  return render({
    subject: `【${h.doc}】${f.documentNumber} 关于${f.unit.name}的${h.verb}`,
    greeting: `${f.receiver}：`,
    paragraphs: [`我支队在“双随机、一公开”抽查中发现下列问题，经${f.approvedBy}于${dateCn(f.approvedOn)}批准，现${h.verb}你单位依法处理，请将处理结果及时反馈。`],
    facts: [
      ['文书编号', f.documentNumber],
      ['抽查批次', f.campaignCode],
      ['监管对象', unitLine(f.unit)],
      ['发现问题', f.findings],
    ],
    closing: [`${h.doc}见附件《${f.attachmentName}》。`],
    issuer: f.issuer,
  });
}

export interface AnnualPlanFacts extends Signature {
  year: number;
  /** The office above, e.g. 河南省生态环境厅. */
  superior: string;
  planName: string;
  dueDate: string;
  attachmentName: string;
}

/** 年度计划报送: the annual plan goes to the office above before 25 January, attached. */
export function annualPlanNotice(f: AnnualPlanFacts): RenderedNotice {
  return render({
    subject: `【年度计划报送】${f.issuer}${f.year}年度“双随机、一公开”抽查计划`,
    greeting: `${f.superior}：`,
    paragraphs: [
      `现将《${f.planName}》报送备案。计划包括随机抽查事项、抽查对象范围、执法人员要求、抽查比例和频次等内容。`,
    ],
    facts: [
      ['年度', `${f.year}年`],
      ['报送期限', dateCn(f.dueDate)],
    ],
    closing: [`计划全文见附件《${f.attachmentName}》。`],
    issuer: f.issuer,
  });
}

export interface DrawOverdueFacts extends Signature {
  campaignCode: string;
  periodLabel: string;
  addressee: string;
  drawBy: string;
  /** What is missing, e.g. 纪检监察员的见证随机数. */
  missing: string[];
}

/** 抽取逾期告警: the quarter's draw has not happened by its deadline. */
export function drawOverdueNotice(f: DrawOverdueFacts): RenderedNotice {
  return render({
    subject: `【抽取逾期告警】${f.periodLabel}抽查对象尚未抽取（期限${dateCn(f.drawBy)}）`,
    greeting: `${f.addressee}：`,
    paragraphs: [`${f.periodLabel}的随机抽取应于${dateCn(f.drawBy)}前由系统管理员和纪检监察员共同完成，目前尚未完成。`],
    facts: [
      ['抽查批次', f.campaignCode],
      ['抽取期限', dateCn(f.drawBy)],
      ['尚缺', f.missing.length > 0 ? f.missing.join('；') : '—'],
    ],
    closing: ['请尽快组织抽取。'],
    issuer: f.issuer,
  });
}

export interface PublicationFacts extends Signature {
  campaignCode: string;
  periodLabel: string;
  addressee: string;
  inspected: number;
  withProblems: number;
  publishBy: string;
  /** Where the package is: a URL or a folder. */
  location: string;
}

/** 公示通知: the quarter's results are ready to publish on the bureau's website. */
export function publicationNotice(f: PublicationFacts): RenderedNotice {
  return render({
    subject: `【公示通知】${f.periodLabel}“双随机、一公开”抽查结果待公示（${f.campaignCode}）`,
    greeting: `${f.addressee}：`,
    paragraphs: [`${f.periodLabel}抽查已全部办结，公示材料已生成，请于${dateCn(f.publishBy)}前在门户网站公示。`],
    facts: [
      ['抽查批次', f.campaignCode],
      ['抽查对象数', `${f.inspected}家`],
      ['发现问题', `${f.withProblems}家`],
      ['公示期限', dateCn(f.publishBy)],
      ['公示材料', f.location],
    ],
    closing: [],
    issuer: f.issuer,
  });
}

// --- layout -----------------------------------------------------------------------------------

interface Layout {
  subject: string;
  greeting: string;
  paragraphs: string[];
  facts?: [string, string][];
  table?: { head: string[]; rows: string[][] };
  closing: string[];
  issuer: string;
}

function render(l: Layout): RenderedNotice {
  const text: string[] = [l.greeting, '', ...l.paragraphs.map((p) => `　　${p}`), ''];
  if (l.facts) for (const [k, v] of l.facts) text.push(`${k}：${v}`);
  if (l.table) {
    text.push(l.table.head.join(' | '));
    for (const row of l.table.rows) text.push(row.join(' | '));
  }
  if (l.facts || l.table) text.push('');
  for (const c of l.closing) text.push(`　　${c}`);
  text.push('', l.issuer, '', '（本邮件由双随机抽查系统自动发送。）');

  const html: string[] = [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;line-height:1.6">',
    `<p>${esc(l.greeting)}</p>`,
    ...l.paragraphs.map((p) => `<p style="text-indent:2em">${esc(p)}</p>`),
  ];
  if (l.facts) {
    html.push('<table style="border-collapse:collapse" cellpadding="4">');
    for (const [k, v] of l.facts) html.push(`<tr><th style="text-align:left;white-space:nowrap">${esc(k)}</th><td>${esc(v)}</td></tr>`);
    html.push('</table>');
  }
  if (l.table) {
    html.push('<table border="1" style="border-collapse:collapse" cellpadding="4">');
    html.push(`<tr>${l.table.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`);
    for (const row of l.table.rows) html.push(`<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
    html.push('</table>');
  }
  html.push(...l.closing.map((c) => `<p style="text-indent:2em">${esc(c)}</p>`));
  html.push(`<p style="text-align:right">${esc(l.issuer)}</p>`, '<p style="color:#888;font-size:small">（本邮件由双随机抽查系统自动发送。）</p>', '</body></html>');
  return { subject: l.subject, text: `${text.join('\n')}\n`, html: html.join('\n') };
}

function overdueTable(tasks: OverdueTask[]): { head: string[]; rows: string[][] } {
  return {
    head: ['监管对象', '承办部门', '检查组', '完成期限', '逾期天数'],
    rows: tasks.map((t) => [unitLine(t.unit), t.department, teamLine(t.team), dateCn(t.dueDate), `${t.daysOverdue}天`]),
  };
}

function names(team: InspectorRef[]): string {
  return team.map((p) => p.name).join('、');
}

function teamLine(team: InspectorRef[]): string {
  return team.map((p) => (p.certificate ? `${p.name}（执法证号${p.certificate}）` : p.name)).join('、');
}

function unitLine(u: UnitRef): string {
  return `${u.name}（${u.code}）`;
}

/** 2023-03-31 → 2023年3月31日; anything else is shown as given. */
export function dateCn(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
