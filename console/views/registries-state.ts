// 名录状态 at a date (one page of units, people or departments, searched) and one entity's
// history (each dated change: when, from which import, what changed).
import type { BatchInfo, EntityKind } from '../../stores/registry-store';
import { html, page, type Html, type Viewer } from './layout';
import { beijingRecorded, ENTITY_LABELS, entityFields, fieldChanges, shownDate } from './registries-labels';

export type ListedKind = Extract<EntityKind, 'unit' | 'person' | 'department'>;
export const LISTED_KINDS: readonly ListedKind[] = ['unit', 'person', 'department'];

/** The columns a list shows (the rest are on the history page). */
const LIST_COLUMNS: Record<ListedKind, string[]> = {
  unit: ['统一社会信用代码', '单位名称', '类别', '所在辖区', '行业', '状态'],
  person: ['人员编号', '姓名', '部门', '角色', '在职'],
  department: ['部门编码', '部门名称', '部门类型', '辖区', '电子邮箱'],
};

export interface StateView {
  kind: ListedKind;
  date: string;
  q: string;
  page: number;
  pages: number;
  total: number;
  /** All of this kind on the date, before the search. */
  all: number;
  items: unknown[];
  departmentName: (id: string) => string;
}

const historyHref = (kind: EntityKind, id: string, date: string) => `/registries/history?kind=${kind}&id=${encodeURIComponent(id)}&date=${date}`;

export function statePage(viewer: Viewer, v: StateView): string {
  const cols = LIST_COLUMNS[v.kind];
  const rows = v.items.map((item) => {
    const fields = new Map(entityFields(v.kind, item, v.departmentName));
    const id = cols.map((c) => fields.get(c) ?? '')[0]!;
    return html`<tr>${cols.map((c, i) => html`<td data-label="${c}">${i === 0 ? html`<a href="${historyHref(v.kind, id, v.date)}" class="code">${id}</a>` : (fields.get(c) ?? '')}</td>`)}</tr>`;
  });
  const link = (p: number) => `/registries/state?kind=${v.kind}&date=${v.date}&q=${encodeURIComponent(v.q)}&page=${p}`;
  const paging: Html[] = [];
  if (v.page > 1) paging.push(html`<a href="${link(1)}">第一页</a>`, html`<a href="${link(v.page - 1)}">上一页</a>`);
  if (v.page < v.pages) paging.push(html`<a href="${link(v.page + 1)}">下一页</a>`, html`<a href="${link(v.pages)}">最后一页</a>`);
  return page(
    '名录状态',
    html`<form method="get" action="/registries/state" class="card registry-filter">
  <label>名录 <select name="kind">${LISTED_KINDS.map((k) => html`<option value="${k}"${k === v.kind ? html` selected` : ''}>${ENTITY_LABELS[k]}</option>`)}</select></label>
  <label>日期 <input type="date" name="date" value="${v.date}" required></label>
  <label>查找 <input type="text" name="q" value="${v.q}" placeholder="编号或名称" maxlength="100"></label>
  <button type="submit">查看</button>
</form>
<p class="hint">截至${shownDate(v.date)}（当日终了）的${ENTITY_LABELS[v.kind]}名录：共 ${v.all} 条${v.q ? html`，其中符合“${v.q}”的 ${v.total} 条` : ''}${v.pages > 1 ? html`；第 ${v.page}/${v.pages} 页` : ''}。点击编号查看历次变化。</p>
${v.items.length ? html`<table class="cards"><thead><tr>${cols.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${rows}</tbody></table>` : html`<p>没有符合条件的记录。</p>`}
${paging.length ? html`<p class="paging">${paging.map((a, i) => html`${i ? ' · ' : ''}${a}`)}</p>` : ''}
<p><a href="/registries">返回名录管理</a></p>`,
    viewer,
  );
}

export interface HistoryRow {
  effectiveDate: string;
  recordedAt: string;
  source: string;
  reason: string;
  batch: BatchInfo | null;
  before: unknown;
  after: unknown;
}

export function historyPage(viewer: Viewer, v: { kind: EntityKind; id: string; date: string; current: unknown; entries: HistoryRow[]; departmentName: (id: string) => string }): string {
  const rows = v.entries.map(
    (e) => html`<tr>
  <td data-label="生效日期" class="nowrap">${shownDate(e.effectiveDate)}</td>
  <td data-label="变化">${e.before === null && e.after !== null ? html`<strong>纳入名录</strong><br>` : ''}${fieldChanges(v.kind, e.before, e.after, v.departmentName).map((d, i) => html`${i ? html`<br>` : ''}${d}`)}</td>
  <td data-label="来源">${e.source}${e.batch?.fileName && e.batch.fileName !== e.source ? html`<br><span class="hint">文件：${e.batch.fileName}</span>` : ''}</td>
  <td data-label="原因">${e.reason}</td>
  <td data-label="记录时间" class="nowrap">${beijingRecorded(e.recordedAt)}${e.batch ? html`<br><span class="hint">批次 ${e.batch.id}</span>` : ''}</td>
</tr>`,
  );
  const facts = entityFields(v.kind, v.current, v.departmentName);
  return page(
    `${ENTITY_LABELS[v.kind]}变化记录`,
    html`<section class="card">
  <h2>截至${shownDate(v.date)}的状态</h2>
  <form method="get" action="/registries/history" class="inline"><input type="hidden" name="kind" value="${v.kind}"><input type="hidden" name="id" value="${v.id}"><label>查看其他日期 <input type="date" name="date" value="${v.date}" required></label> <button type="submit">查看</button></form>
  ${facts.length ? html`<table class="facts">${facts.map(([h, val]) => html`<tr><th>${h}</th><td>${val || '—'}</td></tr>`)}</table>` : html`<p>此日不在名录中（尚未纳入或已移除）。编号：<span class="code">${v.id}</span></p>`}
</section>
<h2>历次变化</h2>
${v.entries.length ? html`<table class="cards"><thead><tr><th>生效日期</th><th>变化</th><th>来源</th><th>原因</th><th>记录时间（北京时间）</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>名录中没有此编号的记录。</p>`}
<p><a href="/registries/state?kind=${v.kind}&date=${v.date}">返回名录状态</a></p>`,
    viewer,
  );
}
