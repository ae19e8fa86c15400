// The programme's notices, in Chinese: pure functions from a notice's facts to its subject, plain
// text and HTML, all set in one layout. No I/O and no clock: the same facts always give the same
// mail (so a retried activity renders exactly what the first attempt rendered). Every notice kind
// the workflows send is rendered from these by mail/notices.ts; attachments (case
// documents, the annual plan) are added by the caller.
//
// Units, departments and people appear by name; a unit's credit code only as a detail after its
// name, never in a subject.
import { PENDING_DEADLINE_TEXT } from '../domain/calendar';
import { chineseDate, escapeHtml } from '../domain/documents/html';

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
  /** 统一社会信用代码 or registry id: a detail, shown after the name. */
  code: string;
  name: string;
  address?: string;
}

export interface InspectorRef {
  name: string;
  /** 执法证号 */
  certificate?: string;
}

// --- inspection teams -----------------------------------------------------------------------------

export interface TeamAssignedFacts extends Signature {
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
    subject: `【抽查任务通知】${f.periodLabel}${f.unit.name}${f.offSite ? '非现场检查' : '现场检查'}任务`,
    greeting: `${names(f.team)}同志：`,
    paragraphs: [
      `根据${f.periodLabel}“双随机、一公开”抽查计划，经随机抽取，由你们组成检查组，对下列监管对象开展${f.offSite ? '非现场检查（遥感监测、无人机巡查、排污口抽测等）' : '现场检查'}。检查组名单中第一位为组长。`,
      '现场检查人员不少于两人，并应出示执法证件；与检查对象存在利害关系的，应当主动申请回避。检查完成前，抽查名单须保密。',
    ],
    facts: [
      ['承办部门', f.department],
      ['监管对象', unitLine(f.unit)],
      ...(f.unit.address ? ([['地址', f.unit.address]] as [string, string][]) : []),
      ['检查组', teamLine(f.team)],
      ['抽查事项', f.checkItems.join('；')],
      ['检查方式', f.offSite ? '非现场检查' : '现场检查'],
      ['完成期限', dateCn(f.dueDate)],
    ],
    closing: [`检查完成后，请按时报送检查结果。报送方式：${f.reportHow}`],
    issuer: f.issuer,
  });
}

export interface ReminderFacts extends Signature {
  unit: UnitRef;
  team: InspectorRef[];
  dueDate: string;
  daysLeft: number;
  reportHow: string;
}

/** 到期提醒: the team is reminded that the result is due. */
export function reminderNotice(f: ReminderFacts): RenderedNotice {
  return render({
    subject: `【到期提醒】${f.unit.name}检查任务还有${f.daysLeft}天到期`,
    greeting: `${names(f.team)}同志：`,
    paragraphs: [`你们承办的下列抽查任务尚未报送检查结果，距完成期限（${dateCn(f.dueDate)}）还有${f.daysLeft}天，请抓紧办理。`],
    facts: [
      ['监管对象', unitLine(f.unit)],
      ['检查组', teamLine(f.team)],
      ['完成期限', dateCn(f.dueDate)],
    ],
    closing: [`报送方式：${f.reportHow}`],
    issuer: f.issuer,
  });
}

// --- overdue checks ------------------------------------------------------------------------------

export interface OverdueTask {
  unit: UnitRef;
  team: InspectorRef[];
  department: string;
  dueDate: string;
}

export interface OverdueAlertFacts extends Signature {
  /** The department (and its leaders) addressed, e.g. 浉河大队. */
  addressee: string;
  task: OverdueTask;
  /** After this date the overdue check goes to the detachment's leaders; null: pending (next year's holidays not yet recorded). */
  escalateAfter: string | null;
}

/** 逾期告警: the department learns that a check is past its deadline. */
export function overdueAlertNotice(f: OverdueAlertFacts): RenderedNotice {
  return render({
    subject: `【逾期告警】${f.task.unit.name}检查任务已超过完成期限`,
    greeting: `${f.addressee}：`,
    paragraphs: [
      f.escalateAfter
        ? `下列抽查任务已超过完成期限，检查结果仍未报送，已标记为逾期。请督促检查组尽快办结；${dateCn(f.escalateAfter)}后仍未办结的，将报支队长督办。`
        : `下列抽查任务已超过完成期限，检查结果仍未报送，已标记为逾期。请督促检查组尽快办结；宽限期届满后仍未办结的，将报支队长督办（宽限期截止日期${PENDING_DEADLINE_TEXT}）。`,
    ],
    table: overdueTable([f.task]),
    closing: [],
    issuer: f.issuer,
  });
}

export interface EscalationFacts extends Signature {
  addressee: string;
  /** Who was alerted first (when is not said: see escalationNotice). */
  firstAlertedTo: string;
  escalateAfter: string;
  task: OverdueTask;
}

/** 升级督办: after the grace period the overdue check goes to the detachment's leaders. */
export function escalationNotice(f: EscalationFacts): RenderedNotice {
  return render({
    subject: `【升级督办】${f.task.unit.name}检查任务逾期未办结（${f.task.department}）`,
    greeting: `${f.addressee}：`,
    // The alert goes out once the time limit has passed: from 00:00 the day after it, or later
    // (an inspection started late, a retried send), so the notice states the limit, not a day.
    paragraphs: [
      `下列抽查任务的办理期限为${dateCn(f.task.dueDate)}，逾期后已向${f.firstAlertedTo}发出逾期告警；宽限期至${dateCn(f.escalateAfter)}届满，该任务仍未办结，现提请督办。`,
    ],
    table: overdueTable([f.task]),
    closing: [],
    issuer: f.issuer,
  });
}

// --- hand-over ---------------------------------------------------------------------------------

export type HandoverKind = 'supervision-notice' | 'transfer-form' | 'referral';

const handoverNames: Record<HandoverKind, { doc: string; verb: string }> = {
  'supervision-notice': { doc: '监察通知', verb: '移交' },
  'transfer-form': { doc: '移交表', verb: '移交' },
  referral: { doc: '移送函', verb: '移送' },
};

export interface ApprovalRequestFacts extends Signature {
  /** The leaders in charge addressed (分管领导). */
  approver: string;
  section: string;
  unit: UnitRef;
  findings: string;
  /** The document and receiver the hand-over would take; null when no brigade covers the unit's area yet. */
  handover: { kind: HandoverKind; receiver: string } | null;
  dueDate: string;
  /** How to approve or reject, e.g. the ssj command. */
  approveHow: string;
}

/** 移交审批请求: a section's findings wait for the leader in charge to approve the hand-over. */
export function approvalRequestNotice(f: ApprovalRequestFacts): RenderedNotice {
  const h = f.handover ? handoverNames[f.handover.kind] : null;
  const how = f.handover && h ? `以${h.doc}${h.verb}${f.handover.receiver}` : '移交属地大队';
  return render({
    subject: `【移交审批请求】${f.unit.name}检查发现问题，拟${how}`,
    greeting: `${f.approver}：`,
    paragraphs: [`${f.section}在“双随机、一公开”抽查中发现下列问题，拟${how}依法处理，请于${dateCn(f.dueDate)}前审批。`],
    facts: [
      ['监管对象', unitLine(f.unit)],
      ['发现问题', f.findings],
      ['拟办方式', f.handover && h ? `${h.doc}，${h.verb}${f.handover.receiver}` : '移交属地大队（登记信息中尚无负责该区域的大队）'],
      ['审批期限', dateCn(f.dueDate)],
    ],
    closing: [`审批方式：${f.approveHow}`],
    issuer: f.issuer,
  });
}

export interface HandoverFacts extends Signature {
  kind: HandoverKind;
  receiver: string;
  documentNumber: string;
  unit: UnitRef;
  findings: string;
  /** The leader in charge's approval; null for a referral made without one. */
  approval: { by: string; on: string } | null;
  attachmentName: string;
}

/** 移交文书: the supervision notice, transfer form or referral goes to the receiver, attached. */
export function handoverNotice(f: HandoverFacts): RenderedNotice {
  const h = handoverNames[f.kind];
  const approved = f.approval ? `，经${f.approval.by}于${dateCn(f.approval.on)}批准` : '';
  // A brigade is ours (你大队/你单位); another agency is addressed as its 移送函 does (贵单位).
  const addressee = f.kind === 'referral' ? '贵单位' : '你单位';
  return render({
    subject: `【${h.doc}】关于${f.unit.name}的${h.verb}（${f.documentNumber}）`,
    greeting: `${f.receiver}：`,
    paragraphs: [`我支队在“双随机、一公开”抽查中发现下列问题${approved}，现${h.verb}${addressee}依法处理，请将处理结果及时反馈我支队。`],
    facts: [
      ['文书编号', f.documentNumber],
      ['监管对象', unitLine(f.unit)],
      ['发现问题', f.findings],
    ],
    closing: [`${h.doc}全文见附件《${f.attachmentName}》。`],
    issuer: f.issuer,
  });
}

// --- the annual plan -------------------------------------------------------------------------------

export interface AnnualPlanFacts extends Signature {
  year: number;
  /** The office above, e.g. 河南省生态环境厅. */
  superior: string;
  planName: string;
  documentNumber: string;
  attachmentName: string;
}

/** 年度计划报送: the annual plan goes to the office above, attached. */
export function annualPlanNotice(f: AnnualPlanFacts): RenderedNotice {
  return render({
    subject: `【年度计划报送】${f.issuer}${f.year}年度“双随机、一公开”抽查计划`,
    greeting: `${f.superior}：`,
    paragraphs: [`现将《${f.planName}》报送备案。计划包括随机抽查事项、抽查对象范围、执法人员要求、抽查比例和频次等内容。`],
    facts: [
      ['年度', `${f.year}年`],
      ['文书编号', f.documentNumber],
    ],
    closing: [`计划全文见附件《${f.attachmentName}》。`],
    issuer: f.issuer,
  });
}

// --- layout -----------------------------------------------------------------------------------

export interface Layout {
  subject: string;
  greeting: string;
  paragraphs: string[];
  facts?: [string, string][];
  table?: { head: string[]; rows: string[][] };
  closing: string[];
  issuer: string;
}

const FOOTER = '（本邮件由“双随机、一公开”抽查系统自动发送，请勿直接回复。）';

/** One notice in the shared layout: greeting, indented paragraphs, facts, table, closing, signature. */
export function render(l: Layout): RenderedNotice {
  const text: string[] = [l.greeting, '', ...l.paragraphs.map((p) => `　　${p}`), ''];
  if (l.facts) for (const [k, v] of l.facts) text.push(`${k}：${v}`);
  if (l.table) {
    text.push(l.table.head.join(' | '));
    for (const row of l.table.rows) text.push(row.join(' | '));
  }
  if (l.facts || l.table) text.push('');
  for (const c of l.closing) text.push(`　　${c}`);
  text.push('', l.issuer, '', FOOTER);

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
  html.push(`<p style="text-align:right">${esc(l.issuer)}</p>`, `<p style="color:#888;font-size:small">${esc(FOOTER)}</p>`, '</body></html>');
  return { subject: l.subject, text: `${text.join('\n')}\n`, html: html.join('\n') };
}

function overdueTable(tasks: OverdueTask[]): { head: string[]; rows: string[][] } {
  return {
    head: ['监管对象', '承办部门', '检查组', '完成期限'],
    rows: tasks.map((t) => [unitLine(t.unit), t.department, teamLine(t.team), dateCn(t.dueDate)]),
  };
}

export function names(people: InspectorRef[]): string {
  return people.map((p) => p.name).join('、');
}

function teamLine(team: InspectorRef[]): string {
  return team.map((p) => (p.certificate ? `${p.name}（执法证号：${p.certificate}）` : p.name)).join('、');
}

/** The unit by name, its code as a detail in brackets. */
export function unitLine(u: UnitRef): string {
  return u.code && u.code !== u.name ? `${u.name}（${u.code}）` : u.name;
}

/** 2023-03-31 → 2023年3月31日, 2023-03-31T10:00:00+08:00 → 2023年3月31日10:00 (Beijing time); anything else as given. */
export function dateCn(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?\+08:00)?$/.exec(iso);
  return m ? `${chineseDate(m[1]!)}${m[2] ?? ''}` : iso;
}

function esc(s: string): string {
  return escapeHtml(s);
}
