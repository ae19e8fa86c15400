// 检查: one inspection for its team — the unit, department, team, check method, due date and the
// programme's check items — and the result form shaped like the paper record (per item: checked,
// problem found, handling; how it was checked; the date; inspectors present; the outcome).
import { chineseDate } from '../../domain/documents/html';
import type { CheckItem, ReasonCodeEntry } from '../../domain/programme';
import type { Department, Unit } from '../../domain/registry';
import type { InspectionStatus } from '../../workflows/definitions';
import type { ResultFormValues } from '../inspection-form';
import { workingDaysLeft } from './home';
import { csrfField, html, message, page, type Html, type Viewer } from './layout';

export const METHOD_LABELS: Record<string, string> = { onsite: '现场检查', offsite: '非现场检查' };
const OUTCOMES = [
  { value: 'no-problem', label: '未发现问题' },
  { value: 'problems-found', label: '发现问题' },
  { value: 'could-not-inspect', label: '未能检查' },
] as const;

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
}

/** 申请回避 and 报告关停: the team's two requests to the managers, each its own small form. */
function requestForms(viewer: Viewer, v: InspectionView): Html | string {
  const s = v.status;
  if (!v.requests) return '';
  const hidden = html`${csrfField(viewer.csrfToken)}
  <input type="hidden" name="campaign" value="${s.campaignId}">
  <input type="hidden" name="unit" value="${s.unitId}">`;
  const options = (list: readonly ReasonCodeEntry[]) => html`<option value="">（请选择）</option>${list.map((r) => html`<option value="${r.code}">${r.label}</option>`)}`;
  const myRecusal = (s.pendingRecusals ?? []).some((r) => r.inspectorId === viewer.personId);
  return html`<section class="card requests">
  <h2>申请回避</h2>
  ${myRecusal
    ? html`<p class="notice" role="status">您的回避申请已提交，待分管领导决定。</p>`
    : html`<form method="post" action="/inspection/recusal">
  ${hidden}
  <p class="hint">与检查对象有利害关系的，应当申请回避；经分管领导同意后，系统随机抽取替补人员。</p>
  <label for="recusalReason">回避理由（必选）</label>
  <select id="recusalReason" name="reasonCode">${options(v.requests.recusal)}</select>
  <label for="recusalNote">说明（内部留存，不公开）</label>
  <textarea id="recusalNote" name="note" rows="2" maxlength="1000"></textarea>
  <button type="submit" class="secondary">申请回避（${viewer.name}）</button>
</form>`}
  <h2>报告检查对象关停</h2>
  ${s.closedReport
    ? html`<p class="notice" role="status">此检查对象已报告关停或无法检查，待分管领导作出替换决定。</p>`
    : html`<form method="post" action="/inspection/unit-closed">
  ${hidden}
  <p class="hint">检查对象已关停、取缔或无法检查的，报告后由分管领导决定是否替换。</p>
  <label for="closedReason">情况（必选）</label>
  <select id="closedReason" name="reasonCode">${options(v.requests.unitClosed)}</select>
  <label for="closedNote">说明（内部留存，不公开）</label>
  <textarea id="closedNote" name="note" rows="2" maxlength="1000"></textarea>
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
  <input type="text" id="item-${a.seq}-handling" name="item-${a.seq}-handling" maxlength="1000" value="${a.handling}" placeholder="如：当场责令改正；已拍照取证">
</fieldset>`,
  );
}

export function inspectionPage(viewer: Viewer, v: InspectionView, values: ResultFormValues, error: string | null = null): string {
  const s = v.status;
  return page(
    `检查：${v.unit?.name ?? s.unitId}`,
    html`${message('error', error)}
${facts(v)}
<form class="card record" method="post" action="/inspection">
  ${csrfField(viewer.csrfToken)}
  <input type="hidden" name="campaign" value="${s.campaignId}">
  <input type="hidden" name="unit" value="${s.unitId}">
  <h2>检查记录</h2>
  ${itemFields(values)}
  <label for="howChecked">检查方式及过程</label>
  <textarea id="howChecked" name="howChecked" rows="2" maxlength="1000" placeholder="如：现场查看治污设施运行情况，查阅在线监测数据和台账">${values.howChecked}</textarea>
  <label for="checkedOn">检查日期</label>
  <input type="date" id="checkedOn" name="checkedOn" value="${values.checkedOn}" max="${s.today}">
  <fieldset>
    <legend>在场执法人员（至少两名）</legend>
    ${v.team.map((t) => html`<label class="check"><input type="checkbox" name="present" value="${t.id}"${values.present.includes(t.id) ? html` checked` : ''}> ${t.label}</label>`)}
  </fieldset>
  <fieldset>
    <legend>检查结论</legend>
    ${OUTCOMES.map((o) => html`<label class="check"><input type="radio" name="outcome" value="${o.value}"${values.outcome === o.value ? html` checked` : ''}> ${o.label}</label>`)}
  </fieldset>
  <fieldset>
    <legend>发现问题时填写</legend>
    <label for="description">问题描述（必填，将随抽查结果公示）</label>
    <textarea id="description" name="description" rows="4" maxlength="4000">${values.description}</textarea>
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
    <textarea id="note" name="note" rows="2" maxlength="1000">${values.note}</textarea>
  </fieldset>
  <p class="hint">提交人：${viewer.name}。提交后不能修改。</p>
  <button type="submit">提交检查结果</button>
</form>
${requestForms(viewer, v)}`,
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

export function submittedPage(viewer: Viewer, unitLabel: string, outcomeLabel: string, recorded: string): string {
  return page(
    '检查结果已提交',
    html`<p class="notice" role="status">${unitLabel}：检查结果（${outcomeLabel}）已提交。</p>
<section class="card"><h2>提交内容</h2><pre class="record-text">${recorded}</pre></section>
<p><a href="/">返回工作台</a></p>`,
    viewer,
  );
}

export const outcomeLabel = (o: string): string => OUTCOMES.find((x) => x.value === o)?.label ?? o;
