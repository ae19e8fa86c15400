// 检查: one inspection for its team — the unit, department, team, check method, due date and the
// programme's check items — and the result form shaped like the paper record (per item: checked,
// problem found, handling; how it was checked; the date; inspectors present; the outcome).
import { chineseDate, chineseDateTime } from '../../domain/documents/html';
import type { CheckItem, ReasonCodeEntry } from '../../domain/programme';
import type { Department, Unit } from '../../domain/registry';
import type { InspectionStatus } from '../../workflows/definitions';
import { DESCRIPTION_MAX, NOTE_MAX, type InspectionRecord } from '../../domain/outcomes';
import type { EvidenceFile } from '../../stores/result-drafts';
import { EVIDENCE_ACCEPT, EVIDENCE_LIMITS } from '../evidence';
import type { ResultFormValues } from '../inspection-form';
import { workingDaysLeft } from './home';
import { csrfField, html, message, page, type Html, type Viewer } from './layout';
import { outcomeLabel, RESULT_OUTCOMES } from './labels';
import { documentLinks } from '../documents';
import { documentsSection } from './approvals';

export const METHOD_LABELS: Record<string, string> = { onsite: '现场检查', offsite: '非现场检查' };

export interface InspectionView {
  status: InspectionStatus;
  unit: Unit | null;
  department: Department | null;
  /** The team as `name（id）`, in the status's order. */
  team: { id: string; label: string }[];
  checkItems: readonly CheckItem[];
  couldNotInspect: readonly ReasonCodeEntry[];
  agencies: readonly Department[];
  /** The programme's reason codes for the two requests to the managers; absent: no such forms. */
  requests?: { recusal: readonly ReasonCodeEntry[]; unitClosed: readonly ReasonCodeEntry[] };
  /** A request refused for its form (no reason chosen, a bad note): its values, kept to correct. */
  requestEntered?: RequestEntered | null;
}

export interface RequestEntered {
  kind: 'recusal' | 'unit-closed';
  reasonCode: string;
  note: string;
}

/** 申请回避 and 报告关停: the team's two requests to the managers, each its own small form. */
function requestForms(viewer: Viewer, v: InspectionView): Html | string {
  const s = v.status;
  if (!v.requests) return '';
  const hidden = html`${csrfField(viewer.csrfToken)}
  <input type="hidden" name="campaign" value="${s.campaignId}">
  <input type="hidden" name="unit" value="${s.unitId}">`;
  const entered = (kind: RequestEntered['kind']) => (v.requestEntered?.kind === kind ? v.requestEntered : null);
  const options = (list: readonly ReasonCodeEntry[], chosen: string | undefined) =>
    html`<option value="">（请选择）</option>${list.map((r) => (r.code === chosen ? html`<option value="${r.code}" selected>${r.label}</option>` : html`<option value="${r.code}">${r.label}</option>`))}`;
  const myRecusal = (s.pendingRecusals ?? []).some((r) => r.inspectorId === viewer.personId);
  return html`<section class="card requests">
  <h2>申请回避</h2>
  ${myRecusal
    ? html`<p class="notice" role="status">您的回避申请已提交，待分管领导决定。</p>`
    : html`<form method="post" action="/inspection/recusal">
  ${hidden}
  <p class="hint">与检查对象有利害关系的，应当申请回避；经分管领导同意后，系统随机抽取替补人员。</p>
  <label for="recusalReason">回避理由（必选）</label>
  <select id="recusalReason" name="reasonCode">${options(v.requests.recusal, entered('recusal')?.reasonCode)}</select>
  <label for="recusalNote">说明（内部留存，不公开）</label>
  <textarea id="recusalNote" name="note" rows="2" maxlength="${NOTE_MAX}">${entered('recusal')?.note ?? ''}</textarea>
  <button type="submit" class="secondary">申请回避（${viewer.name}）</button>
</form>`}
  <h2>报告检查对象关停</h2>
  ${s.closedReport
    ? html`<p class="notice" role="status">此检查对象已报告关停或无法检查，待分管领导作出替换决定。</p>`
    : html`<form method="post" action="/inspection/unit-closed">
  ${hidden}
  <p class="hint">检查对象已关停、取缔或无法检查的，报告后由分管领导决定是否替换。</p>
  <label for="closedReason">情况（必选）</label>
  <select id="closedReason" name="reasonCode">${options(v.requests.unitClosed, entered('unit-closed')?.reasonCode)}</select>
  <label for="closedNote">说明（内部留存，不公开）</label>
  <textarea id="closedNote" name="note" rows="2" maxlength="${NOTE_MAX}">${entered('unit-closed')?.note ?? ''}</textarea>
  <button type="submit" class="secondary">报告关停</button>
</form>`}
</section>`;
}

/** A request to the managers was sent, or was refused by the workflow. */
export function requestAnswerPage(viewer: Viewer, unitLabel: string, title: string, text: string): string {
  return page(title, html`<p class="notice" role="status">${unitLabel}：${text}</p>
<p><a href="/">返回工作台</a></p>`, viewer);
}

function facts(v: InspectionView): Html {
  const s = v.status;
  const left = workingDaysLeft(s.today, s.due);
  const overdue = s.due < s.today;
  return html`<section class="card">
  <table class="facts">
    <tr><th>检查对象</th><td>${v.unit?.name ?? ''} <span class="code">${s.unitId}</span></td></tr>
    <tr><th>地址</th><td>${v.unit?.address || '（名录中无地址）'}</td></tr>
    <tr><th>承办部门</th><td>${v.department?.name ?? s.department}</td></tr>
    <tr><th>检查组</th><td>${v.team.map((t) => t.label).join('、')}</td></tr>
    <tr><th>检查方式</th><td>${METHOD_LABELS[s.method] ?? s.method}</td></tr>
    <tr><th>完成期限</th><td class="${overdue ? 'overdue' : ''}">${chineseDate(s.due)}${left !== null ? html`（${overdue ? `已逾期${-left}个工作日` : left === 0 ? '今日到期' : `剩余${left}个工作日`}）` : ''}</td></tr>
  </table>
</section>
<section class="card">
  <h2>检查事项</h2>
  <ol class="check-items">
    ${v.checkItems.map((c) => html`<li><strong>${c.item}</strong>（${c.itemKind}，${c.method}）<br><span class="hint">检查依据：${c.basis}</span></li>`)}
  </ol>
</section>`;
}

function itemFields(values: ResultFormValues): Html[] {
  return values.items.map(
    (a) => html`<fieldset class="item">
  <legend>检查事项${a.seq}：${a.item}</legend>
  <label class="check"><input type="checkbox" name="item-${a.seq}-checked" value="1"${a.checked ? html` checked` : ''}> 已检查</label>
  <label class="check"><input type="checkbox" name="item-${a.seq}-problem" value="1"${a.problem ? html` checked` : ''}> 发现问题</label>
  <label for="item-${a.seq}-handling">处理情况</label>
  <input type="text" id="item-${a.seq}-handling" name="item-${a.seq}-handling" maxlength="${NOTE_MAX}" value="${a.handling}" placeholder="如：当场责令改正；已拍照取证">
</fieldset>`,
  );
}

/** Where an inspection's page, form and evidence live (campaign and unit in the query, so a route knows the inspection before it reads a body). */
export function inspectionUrl(path: string, s: { campaignId: string; unitId: string }, extra: Record<string, string> = {}): string {
  return `${path}?${new URLSearchParams({ campaign: s.campaignId, unit: s.unitId, ...extra }).toString()}`;
}

const sizeLabel = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** The draft's evidence files (each kept unless unticked) and the file input for more. */
function evidenceFields(s: InspectionStatus, files: readonly EvidenceFile[]): Html {
  return html`<fieldset class="evidence">
  <legend>证据材料（照片或 PDF）</legend>
  ${files.length
    ? html`<ul class="evidence-list">${files.map(
        (f) => html`<li><label class="check"><input type="checkbox" name="keepEvidence" value="${f.sha256}" checked> 保留</label>
      <a href="${inspectionUrl('/inspection/evidence', s, { file: f.sha256 })}">${f.fileName}</a> <span class="hint">${sizeLabel(f.size)}</span></li>`,
      )}</ul>`
    : html`<p class="hint">尚未上传证据材料。</p>`}
  <label for="evidence">上传文件（JPEG、PNG 或 PDF，每个不超过 ${EVIDENCE_LIMITS.maxBytes / 1024 / 1024} MB，合计不超过 ${EVIDENCE_LIMITS.maxFiles} 个）</label>
  <input type="file" id="evidence" name="evidence" multiple accept="${EVIDENCE_ACCEPT}">
</fieldset>`;
}

export interface DraftInfo {
  /** Drafts and evidence uploads are available (the console has the draft and blob stores). */
  enabled: boolean;
  evidence: readonly EvidenceFile[];
  /** `姓名（id）` of who saved it last, and when (ISO); null when there is no draft. */
  savedBy: string | null;
  savedAt: string | null;
}



/** Why the result cannot be submitted yet: a recusal or a closure report awaits the managers. */
function awaitingDecision(s: InspectionStatus): string | null {
  // The request's own approval limit, where it has one (request-approval-limits).
  const by = (due: string | undefined) => (due ? `（审批期限：${chineseDate(due)}）` : '');
  if (s.closedReport) return `此检查对象已报告关停或无法检查，正待分管领导作出替换决定${by(s.closedReport.due)}；决定前不能提交检查结果（可先保存草稿）。`;
  const recusals = s.pendingRecusals ?? [];
  if (recusals.length > 0) return `检查组有待分管领导决定的回避申请${by(recusals.find((r) => r.due)?.due)}；决定前不能提交检查结果（可先保存草稿）。`;
  return null;
}

export function inspectionPage(viewer: Viewer, v: InspectionView, values: ResultFormValues, error: string | null = null, draft: DraftInfo = { enabled: false, evidence: [], savedBy: null, savedAt: null }, notice: string | null = null): string {
  const s = v.status;
  const waiting = awaitingDecision(s);
  return page(
    `检查：${v.unit?.name ?? s.unitId}`,
    html`${message('error', error)}${message('notice', notice)}${message('notice', waiting)}
${facts(v)}
<form class="card record" method="post" action="${inspectionUrl('/inspection', s)}" enctype="multipart/form-data">
  ${csrfField(viewer.csrfToken)}
  <input type="hidden" name="campaign" value="${s.campaignId}">
  <input type="hidden" name="unit" value="${s.unitId}">
  <h2>检查记录</h2>
  ${draft.savedAt ? html`<p class="hint draft-saved">草稿保存于 ${chineseDateTime(draft.savedAt)}（北京时间），保存人：${draft.savedBy ?? ''}。</p>` : ''}
  ${itemFields(values)}
  <label for="howChecked">检查方式及过程</label>
  <textarea id="howChecked" name="howChecked" rows="2" maxlength="${NOTE_MAX}" placeholder="如：现场查看治污设施运行情况，查阅在线监测数据和台账">${values.howChecked}</textarea>
  <label for="checkedOn">检查日期</label>
  <input type="date" id="checkedOn" name="checkedOn" value="${values.checkedOn}" max="${s.today}">
  <fieldset>
    <legend>在场执法人员（至少两名）</legend>
    ${v.team.map((t) => html`<label class="check"><input type="checkbox" name="present" value="${t.id}"${values.present.includes(t.id) ? html` checked` : ''}> ${t.label}</label>`)}
  </fieldset>
  ${draft.enabled ? evidenceFields(s, draft.evidence) : ''}
  <fieldset>
    <legend>检查结论</legend>
    ${RESULT_OUTCOMES.map((o) => html`<label class="check"><input type="radio" name="outcome" value="${o.value}"${values.outcome === o.value ? html` checked` : ''}> ${o.label}</label>`)}
  </fieldset>
  <fieldset>
    <legend>发现问题时填写</legend>
    <label for="description">问题描述（必填，将随抽查结果公示）</label>
    <textarea id="description" name="description" rows="4" maxlength="${DESCRIPTION_MAX}">${values.description}</textarea>
    <label for="referTo">移送机关（不属生态环境部门职责时选择）</label>
    <select id="referTo" name="referTo">
      <option value="">（不移送）</option>
      ${v.agencies.map((d) => html`<option value="${d.id}"${values.referTo === d.id ? html` selected` : ''}>${d.name}</option>`)}
    </select>
  </fieldset>
  <fieldset>
    <legend>未能检查时填写</legend>
    <label for="reasonCode">原因（必选）</label>
    <select id="reasonCode" name="reasonCode">
      <option value="">（请选择）</option>
      ${v.couldNotInspect.map((r) => html`<option value="${r.code}"${values.reasonCode === r.code ? html` selected` : ''}>${r.label}</option>`)}
    </select>
    <label for="note">说明（内部留存，不公开）</label>
    <textarea id="note" name="note" rows="2" maxlength="${NOTE_MAX}">${values.note}</textarea>
  </fieldset>
  <p class="hint">提交人：${viewer.name}。${draft.enabled ? '草稿仅本检查组成员可见；' : ''}提交后不能修改。</p>
  ${draft.enabled ? html`<button type="submit" name="action" value="draft" class="secondary">保存草稿</button>` : ''}
  ${waiting ? html`<button type="submit" name="action" value="submit" disabled aria-describedby="awaiting">提交检查结果</button><p class="hint" id="awaiting">${waiting}</p>` : html`<button type="submit" name="action" value="submit">提交检查结果</button>`}
</form>
${requestForms(viewer, v)}`,
    viewer,
  );
}

/** The submitted result as the team and the managers read it: outcome, findings, the per-item record and the evidence files. */
export interface SubmittedResult {
  outcome: string;
  by: string;
  checkedOn: string;
  onTime: boolean;
  description: string | null;
  record: InspectionRecord | null;
  evidence: readonly { label: string; href: string | null }[];
}

export function submittedInspectionPage(viewer: Viewer, v: InspectionView, r: SubmittedResult, notice: string | null = null): string {
  const s = v.status;
  const itemOf = (seq: number) => v.checkItems.find((c) => c.seq === seq)?.item ?? '';
  return page(
    `检查结果：${v.unit?.name ?? s.unitId}`,
    html`${message('notice', notice)}
${facts(v)}
<section class="card record-view">
  <h2>检查结果</h2>
  <table class="facts">
    <tr><th>检查结论</th><td>${outcomeLabel(r.outcome)}${r.onTime ? '' : html`<span class="overdue">（逾期提交）</span>`}</td></tr>
    <tr><th>检查日期</th><td>${chineseDate(r.checkedOn)}</td></tr>
    <tr><th>提交人</th><td>${r.by}</td></tr>
    ${r.description !== null ? html`<tr><th>问题描述</th><td class="record-text">${r.description}</td></tr>` : ''}
    <tr><th>检查方式及过程</th><td class="record-text">${r.record?.howChecked || '（未记录）'}</td></tr>
  </table>
  ${r.record
    ? html`<h3>逐项检查记录</h3>
  <ol class="check-items item-answers">${r.record.items.map(
    (a) => html`<li><strong>${itemOf(a.seq)}</strong>：${a.checked ? '已检查' : '未检查'}，<span class="${a.problemFound ? 'overdue' : ''}">${a.problemFound ? '发现问题' : '未发现问题'}</span><br><span class="hint">处理情况：</span>${a.handling || '无'}</li>`,
  )}</ol>`
    : html`<p class="hint">此结果未附逐项检查记录（由命令行或旧版本提交）。</p>`}
  <h3>证据材料</h3>
  ${r.evidence.length
    ? html`<ul class="evidence-list">${r.evidence.map((e) => html`<li>${e.href ? html`<a href="${e.href}">${e.label}</a>` : e.label}</li>`)}</ul>`
    : html`<p class="hint">无。</p>`}
</section>
${documentsSection(documentLinks(s.campaignId, s.unitId, s.documents ?? []))}
<p><a href="/">返回工作台</a></p>`,
    viewer,
  );
}

/** Not on this inspection's team (or not an inspection at all): a plain refusal. */
export function notOnTeamPage(viewer: Viewer): string {
  return page('无权查看', html`<p class="error" role="alert">您不是此检查对象的检查组成员，不能查看或提交其检查结果。如有疑问请联系本部门负责人。</p><p><a href="/">返回工作台</a></p>`, viewer);
}

/** The result is in (from this form, the command line or a teammate): who submitted it, and when. */
export function alreadySubmittedPage(viewer: Viewer, unitLabel: string, by: string | null, checkedOn: string | null): string {
  return page(
    '已处理',
    html`<p class="notice" role="status">${unitLabel}的检查结果已提交${by ? html`，提交人：${by}` : ''}${checkedOn ? html`，检查日期：${chineseDate(checkedOn)}` : ''}。无需再次提交。</p>
<p><a href="/">返回工作台</a></p>`,
    viewer,
  );
}

/** The workflow refused for another reason (unit replaced, reported closed, recusal pending…). */
export function submitRefusedPage(viewer: Viewer, unitLabel: string, why: string): string {
  return page(
    '未能提交',
    html`<p class="notice" role="status">${unitLabel}的检查结果未能提交：${why}</p>
<p><a href="/">返回工作台</a></p>`,
    viewer,
  );
}

export { outcomeLabel };
