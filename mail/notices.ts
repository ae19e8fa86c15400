// The e-mail notices the quarter sends: one renderer for every kind. The workflows name the kind
// and its parameters (ids, dates, codes: what their histories hold); the activity resolves the
// names as of the freeze into a NoticeContext, and renderNotice sets subject, text and HTML in the
// layout of mail/templates.ts. Units, departments and people appear by name.
// A reason appears as the programme's label only: a person's note stays in the campaign store
// (mail leaves the system, and may be forwarded).
import {
  approvalRequestNotice,
  dateCn,
  escalationNotice,
  names,
  overdueAlertNotice,
  reminderNotice,
  render,
  teamAssignedNotice,
  unitLine,
  type HandoverKind,
  type InspectorRef,
  type RenderedNotice,
  type UnitRef,
} from './templates';
import { roleLabel } from '../domain/registry';
import { consoleUrl, noticeLinkPath, withConsoleLink } from '../console/notice-links';
import { isCalendarYearMissingReason, knownParkedReason } from '../domain/parking';

export type NoticeKind =
  | 'change-list-reminder'
  | 'change-list-missing'
  | 'draw-overdue'
  | 'ceremony-void'
  | 'inspection-assigned'
  | 'inspection-reminder'
  | 'inspection-overdue'
  | 'inspection-escalated'
  | 'unit-replacement-requested'
  | 'recusal-decision-requested'
  | 'recusal-rejected'
  | 'handover-approval-requested'
  | 'handover-approval-overdue'
  | 'request-approval-overdue'
  | 'approval-reminder'
  | 'publication-late'
  | 'step-parked'
  | 'notice-refused';

export type NoticeParams = Record<string, string | number | string[] | undefined>;

/** Who a notice is for, as the workflows say it (ids and roles). */
export interface NoticeRecipients {
  persons?: string[];
  /** People holding any of these roles (anywhere). */
  roles?: string[];
  /** People of one department holding any of these roles. */
  departmentRoles?: { department: string; roles: string[] };
  /** Departments' own mailboxes. */
  departments?: string[];
}

/** The names behind the ids, as of the campaign's freeze; the activity builds it. */
export interface NoticeContext {
  /** The detachment that signs, e.g. 信阳市生态环境综合行政执法支队. */
  issuer: string;
  /** e.g. 2024年第一季度 */
  periodLabel: string;
  unit(id: string): UnitRef;
  person(id: string): InspectorRef;
  /** A department's name by id (a name passes through). */
  department(idOrName: string): string;
  /** The department an inspection belongs to (for the assignment). */
  inspectionDepartment(unitId: string): string;
  checkItems: string[];
  /** The document and receiving brigade a hand-over of this unit would take; null when none covers its area. */
  handoverOf(unitId: string): { kind: HandoverKind; receiver: string } | null;
  /** The console's public address (SSJ_CONSOLE_PUBLIC_URL) and the campaign: a notice that asks something then links to its page. */
  console?: { url: string; campaignId: string } | null;
}

/** Role titles as the registry writes them (domain ROLE_LABELS), as the console and public pages do. */
export function roleName(role: string): string {
  return roleLabel(role);
}

/** The greeting's addressee: departments, people by name, roles by title. */
export function addresseeOf(to: NoticeRecipients, ctx: NoticeContext): string {
  const parts: string[] = [];
  for (const d of to.departments ?? []) parts.push(ctx.department(d));
  if (to.departmentRoles && !(to.departments ?? []).includes(to.departmentRoles.department)) {
    parts.push(`${ctx.department(to.departmentRoles.department)}${to.departmentRoles.roles.map(roleName).join('、')}`);
  }
  parts.push(...(to.roles ?? []).map(roleName));
  const people = (to.persons ?? []).map((id) => ctx.person(id));
  if (people.length > 0) parts.push(`${names(people)}同志`);
  return [...new Set(parts)].join('、') || '各位同志';
}

function list(v: NoticeParams[string]): string[] {
  return Array.isArray(v) ? v : v === undefined || v === '' ? [] : [String(v)];
}

function str(v: NoticeParams[string]): string {
  return Array.isArray(v) ? v.join('、') : String(v ?? '');
}

/** The programme's label for a reason, or its code when the programme gives none. */
function reasonText(p: NoticeParams): string {
  return p.reasonLabel ? String(p.reasonLabel) : String(p.reasonCode ?? '');
}

/** `role personId` (how the workflow lists a witness) → 系统管理员张三. */
function witnessName(entry: string, ctx: NoticeContext): string {
  const m = /^(\S+) (\S+)$/.exec(entry);
  return m ? `${roleName(m[1]!)}${ctx.person(m[2]!).name}` : entry;
}

/** The steps a workflow parks (workflows/parking.ts), by their Chinese names. */
export const STEP_NAMES: Record<string, string> = {
  publication: '公示材料生成',
  'handover-approval': '移交审批',
  'handover-document': '移交文书制发',
  'referral-document': '移送函制发',
  'approval-due': '审批期限计算',
  'quarter-dates': '季度期限计算',
  'escalation-date': '督办日期计算',
};

const REPORT_HOW = (unitId: string) => `ssj report ${unitId} --as <本人编号> --present <两名以上检查人员编号> --checked-on <检查日期> --result <检查结果>`;

/** Renders any notice kind from the workflow's parameters and the names of `ctx`, with the console link when it has one. */
export function renderNotice(kind: NoticeKind, p: NoticeParams, to: NoticeRecipients, ctx: NoticeContext): RenderedNotice {
  const notice = renderNoticeBody(kind, p, to, ctx);
  const path = ctx.console ? noticeLinkPath(kind, p, ctx.console.campaignId) : null;
  return ctx.console && path ? withConsoleLink(notice, consoleUrl(ctx.console.url, path)) : notice;
}

function renderNoticeBody(kind: NoticeKind, p: NoticeParams, to: NoticeRecipients, ctx: NoticeContext): RenderedNotice {
  const issuer = ctx.issuer;
  const addressee = addresseeOf(to, ctx);
  const unitId = str(p.unitId);
  const unit = () => ctx.unit(unitId);
  const team = () => list(p.team).map((id) => ctx.person(id));
  switch (kind) {
    case 'change-list-reminder':
      return render({
        subject: `【名录变更提醒】请于${dateCn(str(p.windowCloses))}前报送${ctx.periodLabel}污染源名录变更清单`,
        greeting: `${ctx.department(str(p.brigade))}：`,
        paragraphs: [
          `本季度污染源名录更新窗口将于${dateCn(str(p.windowCloses))}关闭。你大队尚未报送新增、关停或取缔单位的变更清单，请及时通过系统报送；无变更的，也请报送“无变更”。`,
        ],
        closing: [],
        issuer,
      });
    case 'change-list-missing': {
      const missing = list(p.brigades).map((b) => ctx.department(b));
      return render({
        subject: `【督办】${missing.length}个大队未按期报送${ctx.periodLabel}污染源名录变更清单`,
        greeting: `${addressee}：`,
        paragraphs: [
          `污染源名录更新窗口已于${dateCn(str(p.windowCloses))}关闭，下列大队未报送变更清单：${missing.join('、')}。名录已按现有数据冻结，请督促相关大队说明情况。`,
        ],
        closing: [],
        issuer,
      });
    }
    case 'draw-overdue':
      return render({
        subject: `【抽取逾期告警】${ctx.periodLabel}抽查对象尚未在${dateCn(str(p.drawDue))}前抽取`,
        greeting: `${addressee}：`,
        paragraphs: [`${ctx.periodLabel}的随机抽取应于${dateCn(str(p.drawDue))}前由系统管理员和纪检人员共同见证完成，目前尚未完成。`],
        facts: [
          ['抽取期限', dateCn(str(p.drawDue))],
          ['尚待见证', list(p.waitingFor).map(roleName).join('、') || '—'],
        ],
        closing: ['请尽快组织抽取。'],
        issuer,
      });
    case 'ceremony-void':
      return render({
        subject: `【见证仪式作废】${ctx.periodLabel}第${str(p.ceremony)}次抽取见证仪式未按期完成揭示`,
        greeting: `${addressee}：`,
        paragraphs: [
          `${ctx.periodLabel}第${str(p.ceremony)}次随机抽取见证仪式中，下列见证人未在揭示期限（${dateCn(str(p.revealBy))}）前提交与承诺值一致的揭示：${list(p.failed)
            .map((f) => witnessName(f, ctx))
            .join('、')}。该次仪式已作废，并将随抽查结果一并公示。`,
          `请两名见证人重新生成随机数和盐值，参加第${str(p.next)}次见证仪式（先提交承诺值，再揭示）。`,
        ],
        closing: [],
        issuer,
      });
    case 'inspection-assigned':
      return teamAssignedNotice({
        issuer,
        periodLabel: ctx.periodLabel,
        department: ctx.inspectionDepartment(unitId),
        unit: unit(),
        team: team(),
        checkItems: ctx.checkItems,
        offSite: p.method === 'offsite',
        dueDate: str(p.due),
        reportHow: REPORT_HOW(unitId),
      });
    case 'inspection-reminder':
      return reminderNotice({
        issuer,
        unit: unit(),
        // A reminder names no team in its parameters: its recipients are the team.
        team: list(p.team).length > 0 ? team() : (to.persons ?? []).map((id) => ctx.person(id)),
        dueDate: str(p.due),
        daysLeft: Number(p.daysLeft),
        reportHow: REPORT_HOW(unitId),
      });
    case 'inspection-overdue':
      return overdueAlertNotice({
        issuer,
        addressee,
        task: { unit: unit(), team: team(), department: ctx.department(str(p.department)), dueDate: str(p.due) },
        // Absent: pending, in a year the recorded calendar lacked (Q4's January).
        escalateAfter: p.escalateAfter === undefined ? null : str(p.escalateAfter),
      });
    case 'inspection-escalated':
      return escalationNotice({
        issuer,
        addressee,
        firstAlertedTo: ctx.department(str(p.department)),
        escalateAfter: str(p.escalateAfter),
        task: { unit: unit(), team: team(), department: ctx.department(str(p.department)), dueDate: str(p.due) },
      });
    case 'unit-replacement-requested':
      return render({
        subject: `【替换审批】抽中单位${unit().name}报告无法检查，申请替换`,
        greeting: `${addressee}：`,
        paragraphs: [`${ctx.person(str(p.by)).name}报告抽中单位${unit().name}无法检查，原因：${reasonText(p)}。请审批是否按抽取规则替换（替换单位由系统按规则确定）。`],
        facts: [['监管对象', unitLine(unit())]],
        closing: [`审批方式：ssj replacement approve|reject ${unitId} --as <本人编号>`],
        issuer,
      });
    case 'recusal-decision-requested': {
      const inspector = ctx.person(str(p.inspectorId)).name;
      const who = p.by === p.inspectorId ? inspector : `${ctx.person(str(p.by)).name}代${inspector}`;
      return render({
        subject: `【回避审批】${inspector}申请回避${unit().name}检查任务`,
        greeting: `${addressee}：`,
        paragraphs: [
          `${who}申请回避对${unit().name}的检查任务，原因：${reasonText(p)}。批准后，系统按抽取规则重新选派一名执法人员；审批前，该检查任务不能提交检查结果。说明材料见系统内部记录。`,
        ],
        facts: [['监管对象', unitLine(unit())]],
        closing: [`审批方式：ssj recusal approve|reject ${unitId} --as <本人编号>`],
        issuer,
      });
    }
    case 'recusal-rejected':
      return render({
        subject: `【回避申请未获批准】${unit().name}检查任务`,
        greeting: `${addressee}：`,
        paragraphs: [
          `${ctx.person(str(p.inspectorId)).name}对${unit().name}检查任务的回避申请，经${ctx.person(str(p.by)).name}审核未获批准，原因：${reasonText(p)}。请按原检查组完成检查任务。`,
        ],
        closing: [],
        issuer,
      });
    case 'handover-approval-requested':
      return approvalRequestNotice({
        issuer,
        approver: addressee,
        section: ctx.department(str(p.department)),
        unit: unit(),
        findings: str(p.description),
        handover: ctx.handoverOf(unitId),
        dueDate: str(p.approvalDue),
        approveHow: `ssj handover approve|reject ${unitId} --as <本人编号>`,
      });
    case 'handover-approval-overdue':
      return render({
        subject: `【督办】${unit().name}问题移交审批已超过期限`,
        greeting: `${addressee}：`,
        paragraphs: [`${ctx.department(str(p.department))}对${unit().name}检查发现的问题，应于${dateCn(str(p.approvalDue))}前由分管领导审批是否移交，至今尚未审批，请督办。`],
        facts: [
          ['监管对象', unitLine(unit())],
          ['审批期限', dateCn(str(p.approvalDue))],
        ],
        closing: [],
        issuer,
      });
    case 'request-approval-overdue': {
      // A recusal or a closed unit's replacement left undecided past the approval limit: the team
      // cannot report until it is decided.
      const due = dateCn(str(p.approvalDue));
      const recusal = p.request === 'recusal';
      return render({
        subject: recusal ? `【督办】${unit().name}检查任务的回避申请审批已超过期限` : `【督办】抽中单位${unit().name}的替换审批已超过期限`,
        greeting: `${addressee}：`,
        paragraphs: [
          recusal
            ? `${ctx.person(str(p.inspectorId)).name}申请回避对${unit().name}的检查任务，应于${due}前由分管领导审批，至今尚未审批。审批前，该检查任务不能提交检查结果，请督办。`
            : `${ctx.person(str(p.by)).name}报告抽中单位${unit().name}无法检查、申请按规则替换，应于${due}前由分管领导审批，至今尚未审批。审批前，该检查任务不能提交检查结果，请督办。`,
        ],
        facts: [
          ['监管对象', unitLine(unit())],
          ['审批期限', due],
        ],
        closing: [],
        issuer,
      });
    }
    case 'approval-reminder': {
      // The first moment of an approval's last day, to whoever decides it, while it is undecided:
      // a hand-over (request 'handover'), a recusal or a closed unit's replacement.
      const due = dateCn(str(p.approvalDue));
      const request = str(p.request);
      const what =
        request === 'recusal'
          ? `${ctx.person(str(p.inspectorId)).name}对${unit().name}检查任务的回避申请`
          : request === 'replacement'
            ? `${ctx.person(str(p.by)).name}报告抽中单位${unit().name}无法检查、申请按规则替换一事`
            : `${ctx.department(str(p.department))}对${unit().name}检查发现问题的移交`;
      const subject = request === 'recusal' ? '检查任务的回避申请' : request === 'replacement' ? '的替换申请' : '问题移交';
      const command = request === 'recusal' ? 'recusal' : request === 'replacement' ? 'replacement' : 'handover';
      return render({
        subject: `【审批提醒】${unit().name}${subject}今日审批到期`,
        greeting: `${addressee}：`,
        paragraphs: [
          `${what}，审批期限为今日（${due}），目前尚未审批。${request === 'handover' ? '' : '审批前，该检查任务不能提交检查结果。'}请于今日内审批；逾期仍未审批的，将报支队领导督办。`,
        ],
        facts: [
          ['监管对象', unitLine(unit())],
          ['审批期限', due],
        ],
        closing: [`审批方式：ssj ${command} approve|reject ${unitId} --as <本人编号>`],
        issuer,
      });
    }
    case 'publication-late':
      return render({
        subject: `【督办】${ctx.periodLabel}抽查结果未在${dateCn(str(p.publicationDue))}前公示`,
        greeting: `${addressee}：`,
        paragraphs: [
          `${ctx.periodLabel}抽查结果应在检查结束后20个工作日内（${dateCn(str(p.publicationDue))}前）公示。目前尚有${str(p.open)}项检查未办结，公示已逾期，请督办。`,
        ],
        closing: [],
        issuer,
      });
    case 'step-parked': {
      const step = STEP_NAMES[str(p.step)] ?? str(p.step);
      const where = p.unitId ? `${unit().name}的` : '';
      // The calendar lacking a year is fixed in the calendar, not in the registry.
      const calendar = isCalendarYearMissingReason(str(p.reason));
      const cause = calendar ? '工作日历缺少节假日安排' : '登记信息不全';
      return render({
        subject: `【待处理】${ctx.periodLabel}抽查${where}“${step}”因${cause}已暂停`,
        greeting: `${addressee}：`,
        paragraphs: [
          calendar
            ? `${ctx.periodLabel}抽查中，${where}“${step}”步骤因${cause}已暂停办理。请按下列原因在工作日历中录入该年节假日安排后恢复办理。`
            : `${ctx.periodLabel}抽查中，${where}“${step}”步骤因登记信息不全或数据有误已暂停办理。请按下列原因补正名录或人员信息后恢复办理。`,
        ],
        facts: [
          ...(p.unitId ? ([['监管对象', unitLine(unit())]] as [string, string][]) : []),
          ['暂停步骤', step],
          ['暂停时间', dateCn(str(p.since))],
          // What to fix, in Chinese; the activity's own message stays beneath for whoever traces it.
          ['暂停原因', knownParkedReason(str(p.reason)) ?? '登记信息不全或数据有误，详见系统记录'],
          ['系统记录', str(p.reason)],
          // The workflow's command names the roles in English; the notice says who in Chinese.
          ['恢复方式', str(p.resumeHow).replace(/--as <[^>]*>/, '--as <本人编号>（支队长或系统管理员）')],
        ],
        closing: [],
        issuer,
      });
    }
    case 'notice-refused':
      return render({
        subject: `【邮件未送达】${str(p.subject)}`,
        greeting: `${addressee}：`,
        paragraphs: [
          `系统发出的通知“${str(p.subject)}”${list(p.sentTo).length > 0 ? '未能送达部分收件人' : '未能送达任何收件人'}。抽查工作照常进行，请核实登记信息中的邮箱地址，并以其他方式通知未收到的人员。`,
        ],
        facts: [
          ['未送达', list(p.refused).join('；')],
          ['已送达', list(p.sentTo).join('、') || '无'],
        ],
        closing: [],
        issuer,
      });
  }
}
