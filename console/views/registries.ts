// 名录管理: the upload form (checked and previewed before anything is written), the registries at
// a date, the latest imports, and one card per import template with its columns and downloads.
import { importKinds, TEMPLATES, type ImportKind } from '../../files/registry/templates';
import type { BatchInfo } from '../../stores/registry-store';
import { csrfField, html, message, page, type Viewer } from './layout';
import { beijingRecorded, ENTITY_LABELS, importKindLabel, shownDate } from './registries-labels';
import { LISTED_KINDS } from './registries-state';

export interface RegistriesView {
  /** False when this console has no registry store: the templates only. */
  canImport: boolean;
  today: string;
  recent: readonly BatchInfo[];
  accept: string;
  maxMegabytes: number;
  /** The kinds this viewer may import: the form's choices and the templates listed. */
  kinds: readonly ImportKind[];
  /** What a brigade leader may hand in (none for operations and the detachment). */
  scopeNote?: string | null;
  /** Why this viewer can import nothing now: the form is not offered. */
  blocked?: string | null;
  error?: string | null;
  /** The kind and date of a refused upload, kept in the form (a file input cannot be refilled). */
  sent?: UploadSent;
}

/** What an upload sent besides its file, as sent. */
export interface UploadSent {
  kind?: string;
  date?: string;
}

const kindTitle = (k: string) => ((importKinds as readonly string[]).includes(k) ? importKindLabel(k as (typeof importKinds)[number]) : k);

export function registriesPage(viewer: Viewer, v: RegistriesView): string {
  const cards = v.kinds.map((kind) => {
    const t = TEMPLATES[kind];
    const href = (format: string) => `/registries/template?kind=${kind}&format=${format}`;
    return html`<section class="card ops-template">
  <h2>${t.title}</h2>
  <p class="hint">列（<span class="ops-required">*</span>为必填）：${t.columns.map((c, i) => html`${i ? '、' : ''}${c.heading}${c.required ? html`<span class="ops-required">*</span>` : ''}`)}</p>
  <p><a class="button" href="${href('xlsx')}" hx-boost="false" download>下载模板（XLSX）</a> <a class="button" href="${href('csv')}" hx-boost="false" download>下载模板（CSV）</a></p>
</section>`;
  });
  const upload = v.blocked
    ? html`<section class="card registry-upload">
  <h2>导入名录</h2>
  ${message('error', v.blocked)}
</section>`
    : html`<form method="post" action="/registries/preview" enctype="multipart/form-data" class="card registry-upload" hx-boost="false">${csrfField(viewer.csrfToken)}
  <h2>导入名录</h2>
  ${message('error', v.error)}
  <label>名录类型 <select name="kind" required>${v.kinds.map((k) => html`<option value="${k}"${k === v.sent?.kind ? html` selected` : ''}>${TEMPLATES[k].title}</option>`)}</select></label>
  <label>生效日期（可不填：取文件中最晚的日期${v.kinds.includes('departments') ? '；部门、监管对象、人员名录须填写' : ''}） <input type="date" name="date" value="${v.sent?.date ?? ''}"></label>
  <label>文件（.csv 或 .xlsx，不超过 ${v.maxMegabytes} MB） <input type="file" name="file" accept="${v.accept}" required></label>
  <button type="submit">检查并预览</button>
  <p class="hint">上传后先逐行检查并列出所有问题和将发生的变化，确认后才写入；有问题时不写入任何数据。</p>
</form>`;
  const importing = v.canImport
    ? html`${message('notice', v.scopeNote)}
<div class="ops-forms">
${upload}
<form method="get" action="/registries/state" class="card">
  <h2>查看名录</h2>
  <label>名录 <select name="kind">${LISTED_KINDS.map((k) => html`<option value="${k}">${ENTITY_LABELS[k]}</option>`)}</select></label>
  <label>日期 <input type="date" name="date" value="${v.today}" required></label>
  <button type="submit">查看该日名录</button>
</form>
</div>
<h2>最近导入</h2>
${
  v.recent.length
    ? html`<table class="cards"><thead><tr><th>批次</th><th>名录类型</th><th>文件</th><th>生效日期</th><th>变化条数</th><th>记录时间（北京时间）</th></tr></thead><tbody>${v.recent.map(
        (b) => html`<tr><td data-label="批次">${b.id}</td><td data-label="名录类型">${kindTitle(b.kind)}</td><td data-label="文件">${b.fileName ?? b.source}</td><td data-label="生效日期"><a href="/registries/state?date=${b.effectiveDate}">${shownDate(b.effectiveDate)}</a></td><td data-label="变化条数">${b.changeCount}</td><td data-label="记录时间" class="nowrap">${beijingRecorded(b.recordedAt)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="hint">尚无导入记录。</p>`
}`
    : html`<p class="hint">按模板填写后，用 <span class="code">ssj registry import --kind 类型 文件</span> 导入；导入前会逐行检查并列出所有错误，有错误时不写入任何数据。</p>`;
  return page(
    '名录管理',
    html`${importing}
<h2>导入模板</h2>
<p class="hint">CSV 请保存为 UTF-8 编码。</p>
<div class="ops-forms">${cards}</div>`,
    viewer,
  );
}
