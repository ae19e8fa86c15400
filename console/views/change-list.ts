// 变更清单: a brigade leader says the quarter's registry change list is in (the batch imported
// under 名录管理), or that there is none; then what was recorded, or 已处理 when it already was.
import { chineseDate, chineseQuarter } from '../../domain/documents/html';
import type { BatchInfo } from '../../stores/registry-store';
import type { CampaignStatus, ChangeListAck } from '../../workflows/definitions';
import { TEMPLATES, type ImportKind } from '../../files/registry/templates';
import { campaignPhaseLabel } from './labels';
import { csrfField, html, page, type Viewer } from './layout';

export interface Submitted {
  by: string;
  byName: string;
  batchId: string | null;
  on: string;
}

export interface ChangeListView {
  status: CampaignStatus;
  brigade: string;
  brigadeName: string;
  submitted: Submitted | null;
  /** The newest batches a change list can name, newest first. */
  batches: readonly BatchInfo[];
  /** Why the last submit was refused (the form again, the choice to make). */
  error?: string | null;
}

const quarterText = (st: CampaignStatus) => `${st.year}年${chineseQuarter(st.quarter)}`;
const back = html`<p><a href="/">返回工作台</a></p>`;
const submittedText = (s: Submitted) => `${s.byName}已于${chineseDate(s.on)}提交（${s.batchId ? `名录批次 ${s.batchId}` : '本季度无变更'}）。`;

function facts(st: CampaignStatus, brigadeName: string) {
  return html`<table class="facts">
<tr><th>抽查季度</th><td>${quarterText(st)}</td></tr>
<tr><th>大队</th><td>${brigadeName}</td></tr>
<tr><th>当前阶段</th><td>${campaignPhaseLabel(st.phase)}</td></tr>
<tr><th>名录更新截止</th><td>${chineseDate(st.dates.windowCloses)}</td></tr>
</table>`;
}

export function changeListPage(viewer: Viewer, v: ChangeListView): string {
  const st = v.status;
  const hidden = html`${csrfField(viewer.csrfToken)}<input type="hidden" name="campaign" value="${st.campaignId}">`;
  let body;
  if (v.submitted) body = html`<p class="notice" role="status">本大队的变更清单${submittedText(v.submitted)}</p>${back}`;
  else if (st.phase !== 'update-window') body = html`<p class="notice" role="status">名录更新期已结束，不能再提交变更清单。</p>${back}`;
  else
    body = html`<p class="hint">请先在“名录管理 → 导入名录”中导入本大队本季度的新增单位、关停单位和人员变动，再选择导入的批次提交；本季度没有变化的，提交“本季度无变更”。截止前五个工作日仍未提交的，系统将发送提醒。</p>
<div class="ops-forms">
<form method="post" action="/change-list" class="card">${hidden}
  <h2>提交变更清单</h2>
  <label for="batch">已导入的名录批次</label>
  <select id="batch" name="batch" required>
    <option value="">请选择</option>
    ${v.batches.map((b) => html`<option value="${b.key}">${TEMPLATES[b.kind as ImportKind]?.title ?? b.kind}：${b.fileName ?? b.source}（批次 ${b.id}，生效日期${chineseDate(b.effectiveDate)}，${b.changeCount}项变化）</option>`)}
  </select>
  <p class="hint">${v.batches.length ? '列出最近导入的新增污染源清单、关停取缔污染源清单和人员变动清单；批次也可用命令 ssj registry batches 查看。' : '尚未导入新增污染源清单、关停取缔污染源清单或人员变动清单。'}</p>
  <button type="submit">提交变更清单</button>
</form>
<form method="post" action="/change-list" class="card">${hidden}<input type="hidden" name="none" value="1">
  <h2>本季度无变更</h2>
  <p class="hint">本大队本季度名录没有任何变化。</p>
  <button type="submit">确认本季度无变更</button>
</form>
</div>`;
  return page('提交变更清单', html`${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}${facts(st, v.brigadeName)}${body}`, viewer);
}

export function changeListDonePage(viewer: Viewer, st: CampaignStatus, brigadeName: string, ack: ChangeListAck): string {
  const waiting = ack.waitingFor.length ? `尚未提交的大队：${ack.waitingFor.length}个。` : '全部大队均已提交。';
  return page(
    '变更清单已提交',
    html`${facts(st, brigadeName)}<p class="notice" role="status">${brigadeName}的变更清单已记录（${ack.batchId ? `名录批次 ${ack.batchId}` : '本季度无变更'}，${chineseDate(ack.on)}）。${waiting}</p>${back}`,
    viewer,
  );
}

/** A submit that came after the list was in, or after the window closed. */
export function changeListStalePage(viewer: Viewer, st: CampaignStatus, brigadeName: string, submitted: Submitted | null): string {
  const text = submitted ? `${brigadeName}的变更清单${submittedText(submitted)}无需再次提交。` : `名录更新期已于${chineseDate(st.dates.windowCloses)}结束，当前阶段为${campaignPhaseLabel(st.phase)}，不能再提交变更清单。`;
  return page('已处理', html`<p class="notice" role="status">${text}</p>${back}`, viewer);
}
