// 审批: the manager's approvals (hand-overs, recusals, unit replacements; from the task
// projection), one approval's page with the inspection's facts and the decision form, and the
// "已处理" answer to a stale click.
import { chineseDate, type Html } from '../../domain/documents/html';
import { NOTE_MAX } from '../../domain/outcomes';
import type { DecisionKind, ReasonCodeEntry } from '../../domain/programme';
import type { TaskRow } from '../../stores/console-store';
import type { DocumentRef, InspectionStatus } from '../../workflows/definitions';
import { documentLinks } from '../documents';
import type { HandoverPreview } from '../handover-preview';
import { rowOnce, TASK_LABELS, taskHref, workingDaysLeft } from './home';
import { departmentLabel, outcomeLabel } from './labels';
import { csrfField, html, message, page, type Viewer } from './layout';

const DOCUMENT_LABELS: Record<string, string> = { 'supervision-notice': '监察通知', 'transfer-form': '移交表', referral: '移送函' };

/** The official documents an inspection issued, each to view as issued (HTML) or download as A4 PDF. */
export function documentsSection(docs: readonly { ref: DocumentRef; html: string; pdf: string }[]): Html | string {
  if (!docs.length) return '';
  return html`<section class="card documents">
  <h2>已发文书</h2>
  <ul>
    ${docs.map((d) => html`<li>${DOCUMENT_LABELS[d.ref.kind] ?? d.ref.kind} <span class="code">${d.ref.number}</span>：<a href="${d.html}" target="_blank" rel="noopener">查看（HTML）</a> <a href="${d.pdf}" download>下载 PDF</a></li>`)}
  </ul>
</section>`;
}

/**
 * The document a hand-over's approval would issue, before the decision: framed from
 * /approval/preview (sandboxed, no script), marked 预览（未发文）, with what could not be found.
 */
function previewSection(t: TaskRow, p: HandoverPreview): Html {
  const label = p.kind ? (DOCUMENT_LABELS[p.kind] ?? p.kind) : '移交文书';
  const href = `/approval/preview?${new URLSearchParams({ task: t.key }).toString()}`;
  return html`<section class="card document-preview">
  <h2>拟发${label}　<span class="preview-mark">预览（未发文）</span></h2>
  <p class="hint">同意移交后，系统按此内容编号发文${p.recipient ? html`，送${p.recipient}` : ''}；文号在批准后编定，分管领导意见在批准后填入。</p>
  ${p.missing.length ? html`<ul class="missing">${p.missing.map((m) => html`<li>${m}</li>`)}</ul>` : ''}
  ${p.html ? html`<iframe class="document-preview" src="${href}" sandbox title="${label}预览（未发文）"></iframe>
  <p><a href="${href}" target="_blank" rel="noopener">在新窗口中查看预览</a></p>` : ''}
</section>`;
}

const approvalRows = new WeakMap<TaskRow, { today: string; html: Html }>();

/** `rehearsalToday`: as on 工作台 (views/home.ts homePage), a rehearsal quarter's own programme date. */
export function approvalsPage(viewer: Viewer, tasks: readonly TaskRow[], today: string, more = false, rehearsalToday: ReadonlyMap<string, string> = new Map()): string {
  const rows = tasks.map((t) => {
    const taskToday = rehearsalToday.get(t.campaignId) ?? today;
    return rowOnce(approvalRows, t, taskToday, () => {
      const overdue = t.deadline !== null && t.deadline < taskToday;
      const left = t.deadline ? workingDaysLeft(taskToday, t.deadline) : null;
      return html`<tr class="${overdue ? 'overdue' : ''}">
  <td data-label="事项"><a href="${taskHref(t) ?? '#'}">${TASK_LABELS[t.kind] ?? t.kind}</a></td>
  <td data-label="检查对象">${t.unitName ?? ''} <span class="code">${t.unitId ?? ''}</span></td>
  <td data-label="所属">${departmentLabel(t.department, t.detail)}</td>
  <td data-label="期限">${t.deadline ? chineseDate(t.deadline) : '—'}${left !== null ? html`（${overdue ? `已逾期${-left}个工作日` : `剩余${left}个工作日`}）` : ''}</td>
</tr>`;
    });
  });
  return page(
    '待审批事项',
    rows.length
      ? html`<table class="cards"><thead><tr><th>事项</th><th>检查对象</th><th>所属</th><th>期限</th></tr></thead><tbody>${rows}</tbody></table>
${more ? html`<p class="hint">仅显示期限最近的${tasks.length}项；处理后其余事项将依次显示。</p>` : ''}`
      : html`<p class="empty">目前没有待审批事项。</p>`,
    viewer,
  );
}

/** Per approval kind: what approving does, and the words on the buttons and pages. */
const KIND_TEXT: Record<string, { explain: string; approve: string; reject: string; approved: string; rejected: string }> = {
  'approve-handover': {
    explain: '同意后，系统按规定生成监察通知或移交表并送达承办单位。',
    approve: '同意移交',
    reject: '不同意',
    approved: '已同意移交，移交文书生成后将自动送达承办单位。',
    rejected: '已不同意移交，检查组将收到通知。',
  },
  'approve-recusal': {
    explain: '同意后，该检查人员回避，系统从执法人员名录中随机抽取替补人员并通知检查组。',
    approve: '同意回避',
    reject: '不同意回避',
    approved: '已同意回避，替补检查人员抽取后将通知检查组。',
    rejected: '已不同意回避，申请人将收到通知。',
  },
  'approve-replacement': {
    explain: '同意后，本检查对象不再检查，系统从同一抽取名录中按规则抽取替补检查对象。',
    approve: '同意替换',
    reject: '不同意替换',
    approved: '已同意替换，替补检查对象及检查组将另行通知。',
    rejected: '已不同意替换，检查组须继续检查此对象。',
  },
};
const textOf = (kind: string) => KIND_TEXT[kind] ?? KIND_TEXT['approve-handover']!;

const DECISION_OF_TASK: Record<string, DecisionKind> = { 'approve-handover': 'handover', 'approve-recusal': 'recusal', 'approve-replacement': 'replacement' };
/** The rejection reasons this approval's 不同意 offers: those that fit its decision (programme `decisions`; none given: all). */
export function reasonsFor(taskKind: string, reasons: readonly ReasonCodeEntry[]): readonly ReasonCodeEntry[] {
  const decision = DECISION_OF_TASK[taskKind];
  return decision ? reasons.filter((r) => !r.decisions || r.decisions.includes(decision)) : reasons;
}

export function approvalPage(
  viewer: Viewer,
  t: TaskRow,
  status: InspectionStatus | null,
  teamNames: readonly string[],
  reasons: readonly ReasonCodeEntry[],
  error: string | null = null,
  subject: { inspector: string | null; requestedBy: string | null } = { inspector: null, requestedBy: null },
  preview: HandoverPreview | null = null,
  /** What the manager sent, kept when the decision is refused (the choice and the note to correct, not retype). */
  entered: { reasonCode: string | null; note: string } | null = null,
): string {
  const result = status?.result;
  const text = textOf(t.kind);
  // The request's own words (internal): the recusing inspector's note, or the closure report's.
  const inspectorId = typeof t.detail.inspectorId === 'string' ? t.detail.inspectorId : null;
  const requestNote =
    t.kind === 'approve-recusal' ? (status?.pendingRecusals?.find((r) => r.inspectorId === inspectorId)?.note ?? '') : t.kind === 'approve-replacement' ? (status?.closedReport?.note ?? '') : '';
  const reasonCode = typeof t.detail.reasonCode === 'string' ? t.detail.reasonCode : null;
  const requestedOn = typeof t.detail.requestedOn === 'string' ? t.detail.requestedOn : null;
  return page(
    `${TASK_LABELS[t.kind] ?? t.kind}：${t.unitName ?? t.unitId ?? ''}`,
    html`${message('error', error)}
${status ? documentsSection(documentLinks(status.campaignId, status.unitId, status.documents)) : ''}
${preview ? previewSection(t, preview) : ''}
<section class="card">
  <table class="facts">
    <tr><th>检查对象</th><td>${t.unitName ?? ''} <span class="code">${t.unitId ?? ''}</span></td></tr>
    <tr><th>所属</th><td>${departmentLabel(t.department, t.detail)}</td></tr>
    ${t.deadline ? html`<tr><th>审批期限</th><td>${chineseDate(t.deadline)}</td></tr>` : ''}
    ${subject.inspector ? html`<tr><th>申请回避人员</th><td>${subject.inspector}</td></tr>` : ''}
    ${subject.requestedBy ? html`<tr><th>${t.kind === 'approve-replacement' ? '报告人' : '申请人'}</th><td>${subject.requestedBy}${requestedOn ? html`（${chineseDate(requestedOn)}）` : ''}</td></tr>` : ''}
    ${reasonCode && t.kind !== 'approve-handover' ? html`<tr><th>理由</th><td>${typeof t.detail.reasonLabel === 'string' ? t.detail.reasonLabel : reasonCode}</td></tr>` : ''}
    ${requestNote ? html`<tr><th>${t.kind === 'approve-replacement' ? '报告说明' : '申请说明'}</th><td class="pre-line">${requestNote}</td></tr>` : ''}
    ${status ? html`<tr><th>检查组</th><td>${teamNames.join('、')}</td></tr>` : ''}
    ${result ? html`<tr><th>检查结果</th><td>${outcomeLabel(result.outcome)}（${chineseDate(result.checkedOn)}，报送人 ${teamNames[status!.team.indexOf(result.by)] ?? result.by}） <a href="/inspection?${new URLSearchParams({ campaign: status!.campaignId, unit: status!.unitId }).toString()}">查看检查记录及证据材料</a></td></tr>` : ''}
  </table>
</section>
<form class="card" method="post" action="/approval">
  ${csrfField(viewer.csrfToken)}
  <input type="hidden" name="task" value="${t.key}">
  <p>${text.explain}</p>
  <button type="submit" name="decision" value="approve">${text.approve}</button>
  <label for="reasonCode">不同意的理由</label>
  <select id="reasonCode" name="reasonCode">
    <option value="">（不同意时必选）</option>
    ${reasonsFor(t.kind, reasons).map((r) => (r.code === entered?.reasonCode ? html`<option value="${r.code}" selected>${r.label}</option>` : html`<option value="${r.code}">${r.label}</option>`))}
  </select>
  <label for="note">说明（内部留存，不公开）</label>
  <textarea id="note" name="note" rows="3" maxlength="${NOTE_MAX}">${entered?.note ?? ''}</textarea>
  <button type="submit" name="decision" value="reject" class="secondary">${text.reject}</button>
</form>`,
    viewer,
  );
}

/** A click that came after the matter was decided: a plain answer, never an error page. */
export function alreadyDecidedPage(viewer: Viewer, t: TaskRow, decidedBy: string | null, decidedAt: Date | null, status: InspectionStatus | null = null): string {
  const when = decidedAt ? chineseDate(new Date(decidedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)) : null;
  return page(
    '已处理',
    html`<p class="notice" role="status">此事项（${t.unitName ?? t.unitId ?? t.key}）已处理${decidedBy ? html`，处理人：${decidedBy}` : ''}${when ? html`，处理日期：${when}` : ''}。无需再次操作。</p>
${status ? documentsSection(documentLinks(status.campaignId, status.unitId, status.documents)) : ''}
<p><a href="/approvals">返回待审批事项</a></p>`,
    viewer,
  );
}

export function decidedPage(viewer: Viewer, t: TaskRow, approved: boolean): string {
  return page(
    approved ? textOf(t.kind).approve.replace(/^同意/, '已同意') : '已退回',
    html`<p class="notice" role="status">${t.unitName ?? t.unitId ?? ''}：${approved ? textOf(t.kind).approved : textOf(t.kind).rejected}</p>
<p><a href="/approvals">返回待审批事项</a></p>`,
    viewer,
  );
}
