// 名录模板: one card per import kind with its columns (required ones marked) and the downloads.
import { importKinds, TEMPLATES } from '../../files/registry/templates';
import { html, page, type Viewer } from './layout';

export function registriesPage(viewer: Viewer): string {
  const cards = importKinds.map((kind) => {
    const t = TEMPLATES[kind];
    const href = (format: string) => `/registries/template?kind=${kind}&format=${format}`;
    return html`<section class="card ops-template">
  <h2>${t.title}</h2>
  <p class="hint">列（<span class="ops-required">*</span>为必填）：${t.columns.map((c, i) => html`${i ? '、' : ''}${c.heading}${c.required ? html`<span class="ops-required">*</span>` : ''}`)}</p>
  <p><a class="button" href="${href('xlsx')}" hx-boost="false" download>下载模板（XLSX）</a> <a class="button" href="${href('csv')}" hx-boost="false" download>下载模板（CSV）</a></p>
</section>`;
  });
  return page(
    '名录模板',
    html`<p class="hint">按模板填写后，用 <span class="code">ssj registry import --kind 类型 文件</span> 导入；导入前会逐行检查并列出所有错误，有错误时不写入任何数据。CSV 请保存为 UTF-8 编码。</p>
<div class="ops-forms">${cards}</div>`,
    viewer,
  );
}
