// 审批: the manager's hand-over approvals (from the task projection), one approval's page with
// the inspection's result and the decision form, and the "已处理" answer to a stale click.
import { chineseDate } from '../../domain/documents/html';
import type { ReasonCodeEntry } from '../../domain/programme';
import type { TaskRow } from '../../stores/console-store';
import type { InspectionStatus } from '../../workflows/definitions';
import { TASK_LABELS, taskHref, workingDaysLeft } from './home';
import { csrfField, html, message, page, type Viewer } from './layout';

const OUTCOME_LABELS: Record<string, string> = { 'no-problem': '未发现问题', 'problems-found': '发现问题', 'could-not-inspect': '未能检查' };

export function approvalsPage(viewer: Viewer, tasks: readonly TaskRow[], today: string): string {
  const rows = tasks.map((t) => {
    const overdue = t.deadline !== null && t.deadline < today;
    const left = t.deadline ? workingDaysLeft(today, t.deadline) : null;
    return html`<tr class="${overdue ? 'overdue' : ''}">
  <td data-label="事项"><a href="${taskHref(t) ?? '#'}">${TASK_LABELS[t.kind] ?? t.kind}</a></td>
  <td data-label="检查对象">${t.unitName ?? ''} <span class="code">${t.unitId ?? ''}</span></td>
  <td data-label="所属">${t.department ?? ''}</td>
  <td data-label="期限">${t.deadline ? chineseDate(t.deadline) : '—'}${left !== null ? html`（${overdue ? `已逾期${-left}个工作日` : `剩余${left}个工作日`}）` : ''}</td>
</tr>`;
  });
  return page(
    '待审批事项',
    rows.length
      ? html`<table class="cards"><thead><tr><th>事项</th><th>检查对象</th><th>所属</th><th>期限</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<p class="empty">目前没有待审批事项。</p>`,
    viewer,
  );
}

export function approvalPage(viewer: Viewer, t: TaskRow, status: InspectionStatus | null, teamNames: readonly string[], reasons: readonly ReasonCodeEntry[], error: string | null = null): string {
  const result = status?.result;
  return page(
    `${TASK_LABELS[t.kind] ?? t.kind}：${t.unitName ?? t.unitId ?? ''}`,
    html`${message('error', error)}
<section class="card">
  <table class="facts">
    <tr><th>检查对象</th><td>${t.unitName ?? ''} <span class="code">${t.unitId ?? ''}</span></td></tr>
    <tr><th>所属</th><td>${t.department ?? ''}</td></tr>
    <tr><th>审批期限</th><td>${t.deadline ? chineseDate(t.deadline) : '—'}</td></tr>
    ${status ? html`<tr><th>检查组</th><td>${teamNames.join('、')}</td></tr>` : ''}
    ${result ? html`<tr><th>检查结果</th><td>${OUTCOME_LABELS[result.outcome] ?? result.outcome}（${chineseDate(result.checkedOn)}，报送人 ${teamNames[status!.team.indexOf(result.by)] ?? result.by}）</td></tr>` : ''}
  </table>
</section>
<form class="card" method="post" action="/approval">
  ${csrfField(viewer.csrfToken)}
  <input type="hidden" name="task" value="${t.key}">
  <p>同意后，系统按规定生成监察通知或移交表并送达承办单位。</p>
  <button type="submit" name="decision" value="approve">同意移交</button>
  <label for="reasonCode">不同意的理由</label>
  <select id="reasonCode" name="reasonCode">
    <option value="">（不同意时必选）</option>
    ${reasons.map((r) => html`<option value="${r.code}">${r.label}</option>`)}
  </select>
  <label for="note">说明（内部留存，不公开）</label>
  <textarea id="note" name="note" rows="3" maxlength="1000"></textarea>
  <button type="submit" name="decision" value="reject" class="secondary">不同意</button>
</form>`,
    viewer,
  );
}

/** A click that came after the matter was decided: a plain answer, never an error page. */
export function alreadyDecidedPage(viewer: Viewer, t: TaskRow, decidedBy: string | null, decidedAt: Date | null): string {
  const when = decidedAt ? chineseDate(new Date(decidedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)) : null;
  return page(
    '已处理',
    html`<p class="notice" role="status">此事项（${t.unitName ?? t.unitId ?? t.key}）已处理${decidedBy ? html`，处理人：${decidedBy}` : ''}${when ? html`，处理日期：${when}` : ''}。无需再次操作。</p>
<p><a href="/approvals">返回待审批事项</a></p>`,
    viewer,
  );
}

export function decidedPage(viewer: Viewer, t: TaskRow, approved: boolean): string {
  return page(
    approved ? '已同意移交' : '已退回',
    html`<p class="notice" role="status">${t.unitName ?? t.unitId ?? ''}：${approved ? '已同意移交，移交文书生成后将自动送达承办单位。' : '已不同意移交，检查组将收到通知。'}</p>
<p><a href="/approvals">返回待审批事项</a></p>`,
    viewer,
  );
}
