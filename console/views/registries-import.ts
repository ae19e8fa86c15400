// 名录导入: the upload's preview (what the file would change, the row problems, nothing written
// yet), the page after 确认导入, and the 已处理 answer to a second confirm.
import type { ImportKind } from '../../files/registry/templates';
import type { BatchInfo, EntityKind } from '../../stores/registry-store';
import type { ChangeKind, ImportCounts } from '../registry-counts';
import type { ShownProblem } from '../registry-problems';
import { csrfField, html, message, page, type Html, type Viewer } from './layout';
import { beijingRecorded, ENTITY_LABELS, importKindLabel, shownDate } from './registries-labels';

export interface PreviewChange {
  kind: ChangeKind;
  entityKind: EntityKind;
  entityId: string;
  name: string;
  details: string[];
}

export interface PreviewView {
  kind: ImportKind;
  fileName: string;
  sha256: string;
  rows: number;
  effectiveDate: string | null;
  counts: ImportCounts | null;
  /** The problems listed (the first ones). */
  problems: ShownProblem[];
  /** Every problem found, listed or not. */
  totalProblems: number;
  /** This very file was imported before. */
  previous: BatchInfo | null;
  /** The one-time token of 确认导入; null when there is nothing to commit. */
  token: string | null;
  changes: PreviewChange[];
  totalChanges: number;
  /** The problems were found at 确认导入, checking a brigade leader's reach again. */
  atCommit?: boolean;
}

export const CHANGE_LABELS: Record<ChangeKind, string> = { added: '新增', changed: '变更', retired: '注销/移除' };

function countsList(c: ImportCounts): Html {
  const item = (label: string, n: number) => html`<div><dt>${label}</dt><dd>${n}</dd></div>`;
  return html`<dl class="ops-counts">${item('新增', c.added)}${item('变更', c.changed)}${item('未变', c.unchanged)}${item('注销/移除', c.retired)}</dl>`;
}

function fileFacts(v: { kind: ImportKind; fileName: string; sha256: string; rows: number; effectiveDate: string | null }): Html {
  return html`<table class="facts">
<tr><th>名录类型</th><td>${importKindLabel(v.kind)}</td></tr>
<tr><th>文件</th><td>${v.fileName}</td></tr>
<tr><th>数据行数</th><td>${v.rows}</td></tr>
<tr><th>生效日期</th><td>${v.effectiveDate ? shownDate(v.effectiveDate) : '—'}</td></tr>
<tr><th>文件摘要</th><td class="code registry-hash">SHA-256 ${v.sha256}</td></tr>
</table>`;
}

function problemsTable(problems: readonly ShownProblem[], total: number): Html {
  const rows = problems.map(
    (p) => html`<tr>
  <td data-label="文件">${p.file}</td>
  <td data-label="行" class="nowrap">${p.row > 0 ? `第${p.row}行` : '整个文件'}</td>
  <td data-label="列">${p.column || '—'}</td>
  <td data-label="问题">${p.rule}</td>
</tr>`,
  );
  return html`<table class="cards registry-problems"><thead><tr><th>文件</th><th>行</th><th>列</th><th>问题</th></tr></thead><tbody>${rows}</tbody></table>
${total > problems.length ? html`<p class="hint registry-problems-more">……另有 ${total - problems.length} 处问题未列出。请先改正以上问题后重新上传，其余问题将在下次检查时列出。</p>` : ''}`;
}

function changesTable(changes: readonly PreviewChange[], total: number): Html {
  const rows = changes.map(
    (c) => html`<tr>
  <td data-label="变化" class="nowrap">${CHANGE_LABELS[c.kind]}</td>
  <td data-label="对象">${ENTITY_LABELS[c.entityKind]} <span class="code">${c.entityId}</span><br>${c.name}</td>
  <td data-label="内容">${c.details.map((d, i) => html`${i ? html`<br>` : ''}${d}`)}</td>
</tr>`,
  );
  return html`<h2>将写入的变化${total > changes.length ? html`（前 ${changes.length} 条，共 ${total} 条）` : ''}</h2>
<table class="cards"><thead><tr><th>变化</th><th>对象</th><th>内容</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function previewPage(viewer: Viewer, v: PreviewView): string {
  let body: Html;
  if (v.previous) {
    body = html`${message('notice', `此文件已于${beijingRecorded(v.previous.recordedAt)}导入（批次 ${v.previous.id}，生效日期${shownDate(v.previous.effectiveDate)}），不会重复导入。`)}
${fileFacts(v)}
<p><a class="button" href="/registries/state?date=${v.previous.effectiveDate}">查看该日名录</a> <a href="/registries">返回名录管理</a></p>`;
  } else if (v.totalProblems > 0) {
    body = html`${message(
      'error',
      v.atCommit
        ? `确认时按名录现状重新核对，有 ${v.totalProblems} 处超出您的报送范围（预览之后名录或您的所属部门已有变化），未导入任何数据。请核对后重新上传。`
        : `文件有 ${v.totalProblems} 处问题，未导入任何数据。请按下表逐一改正后重新上传。`,
    )}
${fileFacts(v)}
<h2>问题清单${v.totalProblems > v.problems.length ? `（前 ${v.problems.length} 处，共 ${v.totalProblems} 处）` : ''}</h2>
${problemsTable(v.problems, v.totalProblems)}
<p><a class="button" href="/registries">重新上传</a></p>`;
  } else {
    body = html`${message('notice', '检查通过。以下是导入后将发生的变化；此时尚未写入任何数据，确认后一次性写入。')}
${fileFacts(v)}
<h2>导入后的变化</h2>
${v.counts ? countsList(v.counts) : ''}
<form method="post" action="/registries/commit" class="inline registry-confirm" hx-boost="false">${csrfField(viewer.csrfToken)}<input type="hidden" name="token" value="${v.token ?? ''}"><button type="submit">确认导入</button> <a href="/registries">放弃</a></form>
${v.changes.length ? changesTable(v.changes, v.totalChanges) : html`<p class="hint">文件中的各行与名录现有内容一致，导入只记录本次核对。</p>`}`;
  }
  return page('导入预览', body, viewer);
}

export function importedPage(viewer: Viewer, v: { kind: ImportKind; fileName: string; sha256: string; rows: number; batch: BatchInfo; counts: ImportCounts; by: string; again: boolean; carried?: number }): string {
  const extra = v.carried ?? 0;
  const carried = extra > 0 ? `其中有早于已登记变更日期的变更，另补记 ${extra} 条记录，使其在之后的登记中继续有效。` : '';
  return page(
    v.again ? '已处理' : '导入完成',
    html`${message('notice', v.again ? `此导入已由${v.by}确认，已于${beijingRecorded(v.batch.recordedAt)}写入，未重复导入。` : `已导入 ${v.batch.changeCount - extra} 条变化（批次 ${v.batch.id}）。${carried}`)}
${fileFacts({ ...v, effectiveDate: v.batch.effectiveDate })}
<h2>导入的变化</h2>
${countsList(v.counts)}
<p><a class="button" href="/registries/state?date=${v.batch.effectiveDate}">查看该日名录</a> <a href="/registries">返回名录管理</a></p>`,
    viewer,
  );
}
