// 工作台: my tasks for my roles, each with its deadline and the working days left; overdue in red.
import { workingDaysBetween } from '../../domain/calendar';
import { chineseDate } from '../../domain/documents/html';
import type { TaskRow } from '../../stores/console-store';
import { departmentLabel } from './labels';
import { html, page, type Html, type Viewer } from './layout';

export const TASK_LABELS: Record<string, string> = {
  result: '提交检查结果',
  'inspection-result': '提交检查结果',
  'approve-handover': '移交审批',
  'approve-replacement': '替换审批',
  'approve-recusal': '回避审批',
  'recusal-decision': '回避审批',
  'replacement-decision': '替换审批',
  'unit-replacement-decision': '替换审批',
  'handover-decision': '移交审批',
  'witness-commit': '抽取见证：提交承诺',
  'witness-reveal': '抽取见证：揭示',
  'change-list': '提交变更清单',
  publication: '公示发布',
  parked: '暂停待处理（补正数据后恢复）',
};

/** Working days from `today` to `deadline` (negative when past); null when the calendar does not cover them. */
export function workingDaysLeft(today: string, deadline: string): number | null {
  // Remembered per pair: a list's rows share a few deadlines, and counting walks every day between.
  const key = `${today} ${deadline}`;
  const known = daysLeftCache.get(key);
  if (known !== undefined) return known;
  let left: number | null;
  try {
    left = workingDaysBetween(today, deadline);
  } catch {
    left = null;
  }
  if (daysLeftCache.size >= 10_000) daysLeftCache.clear();
  daysLeftCache.set(key, left);
  return left;
}
const daysLeftCache = new Map<string, number | null>();

/**
 * A list row's HTML, rendered once per row object and day: the task-list cache
 * (console/task-list-cache.ts) hands out the same frozen rows until the list changes, so a
 * repeated view renders none of them again. Rows made per request (witness tasks) are not kept.
 */
export function rowOnce(rendered: WeakMap<TaskRow, { today: string; html: Html }>, t: TaskRow, today: string, render: () => Html): Html {
  if (!Object.isFrozen(t)) return render();
  const known = rendered.get(t);
  if (known?.today === today) return known.html;
  const fresh = render();
  rendered.set(t, { today, html: fresh });
  return fresh;
}
const homeRows = new WeakMap<TaskRow, { today: string; html: Html }>();

/** The page where the task is done, when the console has it yet. */
export function taskHref(t: TaskRow): string | null {
  if (t.kind === 'approve-handover' || t.kind === 'approve-recusal' || t.kind === 'approve-replacement') return `/approval?task=${encodeURIComponent(t.key)}`;
  if ((t.kind === 'result' || t.kind === 'inspection-result') && t.unitId) return `/inspection?campaign=${encodeURIComponent(t.campaignId)}&unit=${encodeURIComponent(t.unitId)}`;
  if (t.kind === 'witness-commit' || t.kind === 'witness-reveal') return `/ceremony?campaign=${encodeURIComponent(t.campaignId)}`;
  if (t.kind === 'change-list') return `/change-list?campaign=${encodeURIComponent(t.campaignId)}`;
  return null;
}
function taskLink(t: TaskRow) {
  const label = TASK_LABELS[t.kind] ?? t.kind;
  const href = taskHref(t);
  return href ? html`<a href="${href}">${label}</a>` : label;
}

function daysText(left: number | null, overdue: boolean): string {
  if (left === null) return '—';
  if (overdue) return `已逾期${Math.abs(left)}个工作日`;
  return left === 0 ? '今日到期' : `剩余${left}个工作日`;
}

/**
 * `today` is the real Beijing date; `rehearsalToday` gives, for a task of a rehearsal quarter
 * (演练, whose programme dates run ahead of the calendar), that quarter's own programme date, so
 * its deadlines are counted on the quarter's clock rather than shown years overdue.
 */
export function homePage(viewer: Viewer, tasks: readonly TaskRow[], today: string, rehearsalToday: ReadonlyMap<string, string> = new Map()): string {
  const rows = [...tasks]
    .sort((a, b) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999') || a.key.localeCompare(b.key))
    .map((t) => {
      const taskToday = rehearsalToday.get(t.campaignId) ?? today;
      return rowOnce(homeRows, t, taskToday, () => {
        const left = t.deadline ? workingDaysLeft(taskToday, t.deadline) : null;
        const overdue = t.deadline !== null && t.deadline < taskToday;
        return html`<tr class="${overdue ? 'overdue' : ''}">
  <td data-label="事项">${taskLink(t)}</td>
  <td data-label="检查对象">${t.unitName ?? ''}${t.unitId ? html` <span class="code">${t.unitId}</span>` : ''}</td>
  <td data-label="所属">${departmentLabel(t.department, t.detail)}</td>
  <td data-label="期限">${t.deadline ? chineseDate(t.deadline) : '—'}</td>
  <td data-label="剩余">${daysText(left, overdue)}</td>
</tr>`;
      });
    });
  const body =
    rows.length === 0
      ? html`<p class="empty">目前没有待办事项。</p>`
      : html`<table class="cards">
<thead><tr><th>事项</th><th>检查对象</th><th>所属</th><th>期限</th><th>剩余</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
  return page('我的待办', html`<p class="hint">今天是${chineseDate(today)}${rehearsalToday.size ? '（演练季度的期限按其演练日期计算）' : ''}。共${tasks.length}项待办，逾期事项以红色标出。</p>${body}`, viewer);
}
