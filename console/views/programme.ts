// 抽查计划与名额: the programme as config/programme.json sets it (what `ssj programme check` prints),
// a quarter's quotas per draw pool with the numbers each comes from (as `ssj quotas`), and the
// quarterly Schedules (as `ssj plan schedule`), with the answer to a schedule click.
import { chineseDate, chineseQuarter } from '../../domain/documents/html';
import type { Programme, Quarter } from '../../domain/programme';
import type { QuotaReport } from '../../domain/quotas';
import { csrfField, html, type Html, message, page, type Viewer } from './layout';
import { poolLabel, warningText, type WarningNames } from './warning-text';

export interface QuarterDatesRow {
  quarter: Quarter;
  code: string;
  registryAsOf: string;
  drawDue: string;
  inspectionDue: string;
  /** Null past the holiday calendar's years. */
  publicationDue: string | null;
}

export interface ScheduleRow {
  quarter: Quarter;
  scheduleId: string;
  /** The day its campaign starts, 08:00 Beijing. */
  opens: string;
  exists: boolean;
  /** Starts it may still make (Temporal's remainingActions); null when it does not exist. */
  remaining: number | null;
}

export interface ProgrammeView {
  programme: Programme;
  dates: readonly QuarterDatesRow[];
  warnings: readonly string[];
  quarter: Quarter;
  date: string;
  /** Whether the date was asked for (else it is the quarter's freeze date, and the field stays empty). */
  dateGiven: boolean;
  /** Null when the registry is not available to the console. */
  quotas: QuotaReport | null;
  quotaProblem?: string | null;
  schedules: readonly ScheduleRow[];
  today: string;
  canSchedule: boolean;
  error?: string | null;
  /** Department names of the registry at the date, for warnings naming a department or pool by code. */
  departmentNames?: ReadonlyMap<string, string>;
}

/** The quarters a schedule click would create: not there yet, and their start day not past (a past one never fires). */
export function schedulableQuarters(schedules: readonly ScheduleRow[], today: string): Quarter[] {
  return schedules.filter((s) => !s.exists && s.opens >= today).map((s) => s.quarter);
}

const dateText = (d: string) => chineseDate(d);
/** Departments by name: the registry's at the date, else the quota report's own. */
const namesOf = (v: ProgrammeView): WarningNames => ({
  department: (id) => v.departmentNames?.get(id) ?? v.quotas?.pools.find((q) => q.department === id)?.departmentName ?? null,
});

function quotaRule(q: QuotaReport['pools'][number]): string {
  return q.rule === 'percent' ? `${q.candidates}家的${q.percent}%，向上取整` : `1：${q.ratio} × ${q.inspectors}名执法人员`;
}

export function programmePage(viewer: Viewer, v: ProgrammeView): string {
  const p = v.programme;
  const r = p.ratios;
  const total = v.quotas?.pools.reduce((a, q) => a + q.quota, 0) ?? 0;
  const schedulable = schedulableQuarters(v.schedules, v.today);
  return page(
    '抽查计划与名额',
    html`${message('error', v.error)}
<p class="hint">${p.name}（<span class="code">${p.id}</span>，${p.year}年度），${p.issuer}；${p.detachment.name}。</p>
${
  v.warnings.length
    ? html`<section class="card" id="programme-warnings"><h2>配置提示（${v.warnings.length}）</h2><ul class="missing">${v.warnings.map((w) => html`<li>${warningText(w, namesOf(v))}</li>`)}</ul></section>`
    : html`<p class="notice" role="status">抽查计划配置检查通过，无提示。</p>`
}
<h2>各季度日期</h2>
<table class="cards" id="programme-dates">
<thead><tr><th>季度</th><th>抽查批次</th><th>名录截至</th><th>抽取截止</th><th>检查截止</th><th>公示截止</th></tr></thead>
<tbody>${v.dates.map(
      (d) => html`<tr>
  <td data-label="季度">${chineseQuarter(d.quarter)}</td>
  <td data-label="抽查批次"><span class="code">${d.code}</span></td>
  <td data-label="名录截至">${dateText(d.registryAsOf)}</td>
  <td data-label="抽取截止">${dateText(d.drawDue)}</td>
  <td data-label="检查截止">${dateText(d.inspectionDue)}</td>
  <td data-label="公示截止">${d.publicationDue ? dateText(d.publicationDue) : '—'}</td>
</tr>`,
    )}</tbody>
</table>
<p class="hint">年度计划报送截止：${p.year}年${p.deadlines.annualPlanBy.month}月${p.deadlines.annualPlanBy.day}日；检查结束后${p.deadlines.publicationWorkingDays}个工作日内公示。</p>
<h2>抽查比例</h2>
<table class="cards" id="programme-ratios">
<thead><tr><th>类别</th><th>第一季度</th><th>第二季度</th><th>第三季度</th><th>第四季度</th></tr></thead>
<tbody>
<tr><td data-label="类别">重点单位（科室，全市）</td>${[0, 1, 2, 3].map((i) => html`<td data-label="${chineseQuarter(i + 1)}">${r.key.sectionPercent}%</td>`)}</tr>
<tr><td data-label="类别">重点单位（直属大队）</td>${[0, 1, 2, 3].map((i) => html`<td data-label="${chineseQuarter(i + 1)}">${r.key.brigadePercent}%</td>`)}</tr>
<tr><td data-label="类别">一般单位（每名执法人员）</td>${r.general.quarterly.map((n, i) => html`<td data-label="${chineseQuarter(i + 1)}">1：${n}</td>`)}</tr>
<tr><td data-label="类别">特殊单位（有问题的）</td>${[0, 1, 2, 3].map((i) => html`<td data-label="${chineseQuarter(i + 1)}">${r.special.problemPercent}%</td>`)}</tr>
</tbody>
</table>
<p class="hint">一般单位全年不少于1：${r.general.annualUnitsPerInspector}。每组${p.draw.teamSize}名执法人员；${p.draw.exclusive ? '一个单位最多被一个抽取池抽中' : '抽取池之间不互斥'}。排除：${p.exclusions.recentlyInspectedQuarters === 0 ? '不排除近期已检查单位' : `近${p.exclusions.recentlyInspectedQuarters}个季度内已检查的单位`}。</p>
<h2>检查事项（${p.checkItems.length}）</h2>
<table class="cards" id="programme-items">
<thead><tr><th>序号</th><th>部门</th><th>抽查事项</th><th>类别</th><th>检查对象</th><th>频次</th><th>检查方式</th></tr></thead>
<tbody>${p.checkItems.map(
      (c) => html`<tr>
  <td data-label="序号">${c.seq}</td>
  <td data-label="部门">${c.department}</td>
  <td data-label="抽查事项">${c.item}<details><summary>抽查比例（原文）</summary>${c.ratio}</details></td>
  <td data-label="类别">${c.itemKind}</td>
  <td data-label="检查对象">${c.targets}</td>
  <td data-label="频次">${c.frequency}</td>
  <td data-label="检查方式">${c.method}</td>
</tr>`,
    )}</tbody>
</table>
<h2 id="quotas">本季度名额</h2>
<form class="ops-year" method="get" action="/programme">
  <label for="quarter">季度</label>
  <select id="quarter" name="quarter">${([1, 2, 3, 4] as const).map((q) => html`<option value="${q}"${q === v.quarter ? html` selected` : html``}>${chineseQuarter(q)}</option>`)}</select>
  <label for="date">名录日期</label>
  <input type="date" id="date" name="date" value="${v.dateGiven ? v.date : ''}" aria-describedby="date-hint">
  <button type="submit">计算名额</button>
</form>
<p class="hint" id="date-hint">名录日期留空时，按该季度冻结名录的日期（上季度最后一天）计算，与抽取时一致。</p>
${quotaSection(v, total)}
<h2>季度自动启动（Schedule）</h2>
<p class="hint">每个季度一个定时任务：在名录更新窗口开启当天北京时间8:00自动启动该季度抽查（只启动一次）。</p>
<table class="cards" id="programme-schedules">
<thead><tr><th>季度</th><th>定时任务</th><th>启动时间</th><th>状态</th></tr></thead>
<tbody>${v.schedules.map(
      (s) => html`<tr>
  <td data-label="季度">${chineseQuarter(s.quarter)}</td>
  <td data-label="定时任务"><span class="code">${s.scheduleId}</span></td>
  <td data-label="启动时间">${dateText(s.opens)} 8:00</td>
  <td data-label="状态">${scheduleState(s, v.today)}</td>
</tr>`,
    )}</tbody>
</table>
${
  v.canSchedule && schedulable.length
    ? html`<form class="card" method="post" action="/programme/schedule">
  ${csrfField(viewer.csrfToken)}
  <p class="hint">创建${p.year}年${schedulable.map(chineseQuarter).join('、')}的自动启动定时任务；已存在的保持不变，启动日已过的季度不再创建。</p>
  <button type="submit">创建季度定时任务</button>
</form>`
    : html``
}
<p><a href="/quarters">返回季度抽查</a></p>`,
    viewer,
  );
}

function scheduleState(s: ScheduleRow, today: string): string {
  if (!s.exists) return s.opens < today ? '未创建（启动日已过，请在“季度抽查”手动启动）' : '未创建';
  if (s.remaining === 0) return '已存在（已启动）';
  return s.opens < today ? '已存在（启动日已过，需手动触发）' : '已存在（待启动）';
}

function quotaSection(v: ProgrammeView, total: number): Html {
  if (v.quotaProblem) return html`<p class="error" role="alert">${v.quotaProblem}</p>`;
  const rep = v.quotas;
  if (!rep) return html`<p class="empty">本工作台未连接名录数据库，无法计算名额。请用命令行 ssj quotas 计算。</p>`;
  // The programme's own warnings are in the box above; here only the registry's.
  const quotaWarnings = rep.warnings.filter((w) => !v.warnings.includes(w));
  const names = namesOf(v);
  return html`<p class="hint">抽查批次 <span class="code">${rep.campaign}</span>，名录截至${dateText(rep.asOf)}；每组${rep.teamSize}人，${rep.exclusive ? '抽取池互斥' : '抽取池不互斥'}。</p>
${
  rep.pools.length
    ? html`<table class="cards ops-stats" id="programme-quotas">
<thead><tr><th>抽取池</th><th>部门</th><th>候选单位</th><th>计算方法</th><th>名额</th></tr></thead>
<tbody>${rep.pools.map(
        (q) => html`<tr data-pool="${q.poolId}">
  <td data-label="抽取池">${poolLabel(q.poolId, names)}</td>
  <td data-label="部门">${q.departmentName}</td>
  <td data-label="候选单位" class="num">${q.candidates}</td>
  <td data-label="计算方法">${quotaRule(q)}</td>
  <td data-label="名额" class="num quota">${q.quota}</td>
</tr>`,
      )}
<tr class="total"><th scope="row" data-label="抽取池">合计</th><td data-label="部门"></td><td data-label="候选单位"></td><td data-label="计算方法"></td><td data-label="名额" class="num" id="quota-total">${total}</td></tr>
</tbody>
</table>`
    : html`<p class="empty">该日期的名录中没有可抽取的单位。</p>`
}
${quotaWarnings.length ? html`<ul class="missing">${quotaWarnings.map((w) => html`<li>${warningText(w, names)}</li>`)}</ul>` : html``}`;
}

/** The answer to a schedule click: created, or 已存在 (none left to create: there already, or its day past). */
export function scheduledPage(viewer: Viewer, o: { year: number; created: readonly string[]; existing: readonly string[] }): string {
  const done = o.created.length === 0;
  return page(
    done ? '已存在' : '已创建季度定时任务',
    html`<p class="notice" role="status">${
      done ? `${o.year}年没有需要创建的季度定时任务：已存在的保持不变，启动日已过的季度请在“季度抽查”手动启动。` : `已创建${o.year}年季度定时任务：${o.created.join('、')}。`
    }</p>
${!done && o.existing.length ? html`<p class="hint">已存在、保持不变：${o.existing.join('、')}</p>` : html``}
<p><a href="/programme">返回抽查计划</a></p>`,
    viewer,
  );
}
