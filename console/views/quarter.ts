// 季度抽查 for operations: the list of quarters with the start form and the annual plan; one
// quarter's page (the phases on a timeline with the programme's dates, then a fragment that htmx
// reloads every 30 s: progress counts, the three charts, overdue and parked items); one inspection
// as operations see it; and the answers to a start (started, or 已存在 naming the campaign).
import { PENDING_DEADLINE_TEXT } from '../../domain/calendar';
import { chineseDate, chineseQuarter } from '../../domain/documents/html';
import type { CampaignRow, InspectionRow, TaskRow } from '../../stores/console-store';
import type { AnnualPlanStatus } from '../../workflows/definitions';
import { departmentChart, findingsChart, progressChart, type DepartmentProgress, type FindingsCounts, type ProgressChartInput } from '../charts';
import type { QuarterCounts, QuarterDates } from '../quarter-figures';
import { TASK_LABELS } from './home';
import { campaignResumeForm, mayResume, resumeForm } from './resume';
import { CAMPAIGN_PHASES, campaignPhaseLabel, departmentLabel, handlingLabel, inspectionPhaseLabel, parkedText, taskStatusLabel } from './labels';
import { csrfField, html, type Html, message, page, type Viewer } from './layout';

// Re-exported: publication.ts reads the phase names from here.
export { campaignPhaseLabel, inspectionPhaseLabel, parkedText };

const quarterName = (c: Pick<CampaignRow, 'year' | 'quarter'>) => `${c.year}年${chineseQuarter(c.quarter)}`;
export const quarterHref = (campaignId: string) => `/quarter?campaign=${encodeURIComponent(campaignId)}`;
const dateText = (d: string | null | undefined) => (d ? chineseDate(d) : '—');

export interface QuartersView {
  programme: { id: string; name: string; year: number };
  campaigns: readonly CampaignRow[];
  /** Null when the plan workflow has not been started (or Temporal does not know it). */
  plan: AnnualPlanStatus | null;
  /** Why the year's plan filing failed (its workflow ended without filing), or null. */
  planFailed?: string | null;
  canStart: boolean;
  canPlan: boolean;
  rehearsalSecondsPerDay: number;
  notice?: string | null;
  error?: string | null;
  /** The start form as sent, kept when refused (the quarter chosen, rehearsal, its seconds). */
  entered?: { quarter: number; rehearsal: boolean; secondsPerDay: string } | null;
}

export function quartersPage(viewer: Viewer, v: QuartersView): string {
  const rows = v.campaigns.map(
    (c) => html`<tr>
  <td data-label="季度"><a href="${quarterHref(c.campaignId)}">${quarterName(c)}</a></td>
  <td data-label="阶段">${campaignPhaseLabel(c.phase)}</td>
  <td data-label="抽查批次"><span class="code">${c.campaignId}</span></td>
  <td data-label="公示"><a href="/publication?campaign=${encodeURIComponent(c.campaignId)}">公示</a></td>
</tr>`,
  );
  const started = new Set(v.campaigns.filter((c) => c.year === v.programme.year && c.programmeId === v.programme.id).map((c) => c.quarter));
  // Offered first: the quarter sent (when refused), else the first not yet started.
  const chosen = v.entered?.quarter ?? [1, 2, 3, 4].find((q) => !started.has(q)) ?? 4;
  const plan = v.plan;
  return page(
    '季度抽查',
    html`${message('notice', v.notice)}${message('error', v.error)}
<p class="hint">${v.programme.name}（${v.programme.year}年度）。各季度进度由抽查流程实时更新。 <a href="/year?year=${v.programme.year}">年度统计</a></p>
${rows.length ? html`<table class="cards"><thead><tr><th>季度</th><th>阶段</th><th>抽查批次</th><th>公示</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="empty">尚未启动任何季度抽查。</p>`}
<div class="ops-forms">
${
  v.canStart
    ? html`<form class="card" method="post" action="/quarter/start">
  ${csrfField(viewer.csrfToken)}
  <h2>启动季度抽查</h2>
  <p class="hint">启动后依次进行名录更新、冻结、见证抽取、检查和公示。每个季度只能启动一次。</p>
  <label for="quarter">季度（${v.programme.year}年）</label>
  <select id="quarter" name="quarter">
    ${[1, 2, 3, 4].map((q) => html`<option value="${q}"${q === chosen ? html` selected` : ''}>${chineseQuarter(q)}${started.has(q) ? '（已启动）' : ''}</option>`)}
  </select>
  <label class="check"><input type="checkbox" name="rehearsal" value="1"${v.entered?.rehearsal ? html` checked` : ''}> 演练模式（压缩时间，仅限允许演练的环境）</label>
  <label for="secondsPerDay">演练：每个计划日折合秒数</label>
  <input type="text" id="secondsPerDay" name="secondsPerDay" inputmode="decimal" value="${v.entered?.secondsPerDay ?? v.rehearsalSecondsPerDay}">
  <button type="submit">启动</button>
</form>`
    : ''
}
<section class="card ops-plan">
  <h2>年度抽查计划备案</h2>
  ${
    plan
      ? html`<table class="facts">
    <tr><th>状态</th><td>${plan.filed ? '已备案' : v.planFailed ? html`<span class="overdue">未能备案</span>：${v.planFailed}` : '待备案'}</td></tr>
    <tr><th>备案期限</th><td>${dateText(plan.due)}</td></tr>
    ${plan.filed ? html`<tr><th>备案编号</th><td>${plan.filed.number}</td></tr><tr><th>备案日期</th><td>${dateText(plan.filed.on)}${plan.filed.late ? html` <span class="overdue">（逾期）</span>` : ''}</td></tr>` : ''}
  </table>`
      : html`<p>${v.programme.year}年度计划尚未提交备案。</p>
  ${
    v.canPlan
      ? html`<form method="post" action="/plan/start">${csrfField(viewer.csrfToken)}<button type="submit">提交年度计划备案</button></form>`
      : html`<p class="hint">由系统管理员或支队长提交。</p>`
  }`
  }
</section>
</div>`,
    viewer,
  );
}

/** The phases in order, each with its programme date; the current one marked. */
export function phaseTimeline(phase: string, dates: QuarterDates | null): Html {
  const due: Record<string, string> = dates
    ? {
        'update-window': `截至${dateText(dates.windowCloses)}`,
        draw: `${dateText(dates.drawDue)}前`,
        inspection: `${dateText(dates.inspectionDue)}前（${dates.escalateAfter ? `${dateText(dates.escalateAfter)}起督办` : `督办日期${PENDING_DEADLINE_TEXT}`}）`,
        publication: dates.publicationDue ? `${dateText(dates.publicationDue)}前` : `公示期限${PENDING_DEADLINE_TEXT}`,
      }
    : {};
  const at = CAMPAIGN_PHASES.findIndex((p) => p.phase === phase);
  return html`<ol class="ops-timeline" aria-label="抽查阶段">
${CAMPAIGN_PHASES.map((p, i) => {
  const state = at < 0 ? '' : i < at ? 'past' : i === at ? 'now' : '';
  return html`<li class="${state}"${state === 'now' ? html` aria-current="step"` : ''}><span class="ops-step">${p.label}</span>${due[p.phase] ? html`<span class="ops-date">${due[p.phase]}</span>` : ''}</li>`;
})}
</ol>`;
}

export interface QuarterView {
  campaign: CampaignRow;
  dates: QuarterDates | null;
  parked: { step: string; reason: string } | null;
  live: Html;
}

export function quarterPage(viewer: Viewer, v: QuarterView): string {
  const c = v.campaign;
  return page(
    `${quarterName(c)}抽查`,
    html`<p class="hint"><span class="code">${c.campaignId}</span> · 当前阶段：<strong>${campaignPhaseLabel(c.phase)}</strong> · <a href="/publication?campaign=${encodeURIComponent(c.campaignId)}">公示</a> · <a href="/quarters">全部季度</a></p>
${v.parked ? html`<p class="error" role="alert">${parkedText(v.parked.step, v.parked.reason)}。数据补正后由支队长或系统管理员恢复（公示步骤在“结果公示”页面恢复）。</p>` : ''}
${phaseTimeline(c.phase, v.dates)}
${v.parked && v.parked.step !== 'publication' && mayResume(viewer.roles) ? campaignResumeForm(viewer, c.campaignId) : ''}
${v.live}`,
    viewer,
  );
}

export interface QuarterLiveView {
  campaignId: string;
  counts: QuarterCounts;
  today: string;
  updatedAt: Date;
  overdue: readonly InspectionRow[];
  parked: readonly InspectionRow[];
  progress: ProgressChartInput | null;
  departments: readonly DepartmentProgress[];
  findings: FindingsCounts;
}

function itemRows(rows: readonly InspectionRow[], campaignId: string, reason: (r: InspectionRow) => string): Html {
  return html`<table class="cards"><thead><tr><th>检查对象</th><th>所属</th><th>状态</th><th>期限</th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr class="${r.overdue && !r.parked ? 'overdue' : ''}">
  <td data-label="检查对象"><a href="/quarter/inspection?campaign=${encodeURIComponent(campaignId)}&amp;unit=${encodeURIComponent(r.unitId)}">${r.unitName}</a> <span class="code">${r.unitId}</span></td>
  <td data-label="所属">${departmentName(r)}</td>
  <td data-label="状态">${reason(r)}</td>
  <td data-label="期限">${dateText(r.deadline)}</td>
</tr>`,
)}
</tbody></table>`;
}
const departmentName = (r: InspectionRow) => departmentLabel(r.department, r.detail);

/** The part of the quarter page htmx reloads every 30 seconds (without JavaScript: reload the page). */
export function quarterLive(v: QuarterLiveView): Html {
  const k = v.counts;
  const figures: Array<[string, number, string]> = [
    ['已抽取', k.drawn, ''],
    ['已报送结果', k.resultIn, ''],
    ['已逾期', k.overdue, k.overdue ? 'bad' : ''],
    ['暂停待处理', k.parked, k.parked ? 'bad' : ''],
    ['已移交移送', k.handedOver, ''],
    ['已办结', k.done, ''],
  ];
  const time = new Date(v.updatedAt.getTime() + 8 * 3_600_000).toISOString().slice(11, 16);
  return html`<div id="ops-live" hx-get="/quarter/live?campaign=${encodeURIComponent(v.campaignId)}" hx-trigger="every 30s" hx-swap="outerHTML">
<p class="hint" role="status">数据更新至北京时间 ${time}（每30秒自动刷新）。</p>
<dl class="ops-counts">
${figures.map(([label, n, cls]) => html`<div class="${cls}"><dt>${label}</dt><dd>${n}</dd></div>`)}
</dl>
<section class="ops-charts">
${v.progress ? html`<figure>${progressChart(v.progress, { id: 'ops-progress' })}</figure>` : ''}
${v.departments.length ? html`<figure>${departmentChart(v.departments, { id: 'ops-departments', title: '各单位检查进度' })}</figure>` : ''}
${k.resultIn ? html`<figure>${findingsChart(v.findings, { id: 'ops-findings' })}</figure>` : ''}
</section>
<h2>逾期未完成（${v.overdue.length}）</h2>
${v.overdue.length ? itemRows(v.overdue, v.campaignId, (r) => inspectionPhaseLabel(r.phase)) : html`<p class="empty">没有逾期事项。</p>`}
<h2>暂停待处理（${v.parked.length}）</h2>
${v.parked.length ? itemRows(v.parked, v.campaignId, (r) => parkedText((r.detail as { parkedStep?: string }).parkedStep, r.parkedReason)) : html`<p class="empty">没有暂停事项。</p>`}
</div>`;
}

/** One inspection as operations see it: the projection row and its tasks, read only. */
export function quarterInspectionPage(viewer: Viewer, r: InspectionRow, tasks: readonly TaskRow[], names: (id: string) => string): string {
  const d = r.detail as { handling?: string | null; parkedStep?: string | null; replacedBy?: string | null; approvalDue?: string | null };
  return page(
    `检查事项：${r.unitName}`,
    html`<section class="card"><table class="facts">
  <tr><th>检查对象</th><td>${r.unitName} <span class="code">${r.unitId}</span></td></tr>
  <tr><th>所属</th><td>${departmentName(r)}</td></tr>
  <tr><th>检查组</th><td>${r.team.map(names).join('、') || '—'}</td></tr>
  <tr><th>状态</th><td class="${r.overdue && r.phase !== 'done' ? 'overdue' : ''}">${inspectionPhaseLabel(r.phase)}${r.overdue ? '（逾期）' : ''}</td></tr>
  <tr><th>检查期限</th><td>${dateText(r.deadline)}</td></tr>
  ${d.handling ? html`<tr><th>处理方式</th><td>${handlingLabel(d.handling)}</td></tr>` : ''}
  ${d.approvalDue ? html`<tr><th>审批期限</th><td>${dateText(d.approvalDue)}</td></tr>` : ''}
  ${r.parked ? html`<tr><th>暂停原因</th><td>${parkedText(d.parkedStep, r.parkedReason)}（数据补正后由支队长或系统管理员恢复）</td></tr>` : ''}
  ${d.replacedBy ? html`<tr><th>替换为</th><td class="code">${d.replacedBy}</td></tr>` : ''}
</table></section>
${r.parked && mayResume(viewer.roles) ? resumeForm(viewer, r.campaignId, r.unitId) : ''}
<h2>相关事项</h2>
${
  tasks.length
    ? html`<table class="cards"><thead><tr><th>事项</th><th>状态</th><th>期限</th><th>处理人</th></tr></thead><tbody>${tasks.map(
        (t) => html`<tr><td data-label="事项">${TASK_LABELS[t.kind] ?? t.kind}</td><td data-label="状态">${taskStatusLabel(t.status)}</td><td data-label="期限">${dateText(t.deadline)}</td><td data-label="处理人">${t.decidedBy ? names(t.decidedBy) : '—'}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">没有相关事项。</p>`
}
<p><a href="${quarterHref(r.campaignId)}">返回季度抽查</a></p>`,
    viewer,
  );
}

/** The answer to a start: started, or (a second start) the quarter's existing campaign. Never an error page. */
export function quarterStartedPage(viewer: Viewer, o: { year: number; quarter: number; campaignId: string; existed: boolean }): string {
  const name = `${o.year}年${chineseQuarter(o.quarter)}`;
  return page(
    o.existed ? '已存在' : '已启动',
    html`<p class="notice" role="status">${o.existed ? html`${name}抽查已启动过（抽查批次 <span class="code">${o.campaignId}</span>），每个季度只启动一次，无需再次操作。` : html`${name}抽查已启动（抽查批次 <span class="code">${o.campaignId}</span>）。`}</p>
<p><a href="${quarterHref(o.campaignId)}">查看${name}抽查</a> · <a href="/quarters">返回季度抽查</a></p>`,
    viewer,
  );
}

export function planStartedPage(viewer: Viewer, o: { year: number; workflowId: string; existed: boolean; filed?: { number: string; on: string; late: boolean } | null }): string {
  const text = o.existed
    ? `${o.year}年度抽查计划已提交过备案，无需再次操作`
    : o.filed
      ? `${o.year}年度抽查计划已备案，文号${o.filed.number}，${chineseDate(o.filed.on)}印发${o.filed.late ? '（已过备案期限）' : ''}`
      : `${o.year}年度抽查计划已提交，正在印发备案；稍后可在“季度抽查”页查看备案状态`;
  return page(
    o.existed ? '已存在' : o.filed ? '已备案' : '已提交',
    html`<p class="notice" role="status">${text}（<span class="code">${o.workflowId}</span>）。</p>
<p><a href="/quarters">返回季度抽查</a></p>`,
    viewer,
  );
}
