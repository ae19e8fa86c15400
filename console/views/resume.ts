// Resuming a step parked for data: the form (a note, then the button) on the quarter's inspection
// page for operators, and the answer: resumed, 已处理 when the step was no longer parked, or why
// the resume was refused (the step still parked).
import { beijingDate } from '../../domain/calendar';
import { chineseDate } from '../../domain/documents/html';
import { NOTE_MAX } from '../../domain/outcomes';
import { OPERATOR_ROLES } from '../../domain/parking';
import { csrfField, html, type Html, message, page, type Viewer } from './layout';

/** Whether the viewer may resume a parked step (the workflow checks the frozen roster again). */
export const mayResume = (roles: readonly string[]): boolean => roles.some((r) => (OPERATOR_ROLES as readonly string[]).includes(r));

/** The resume form for an inspection's parked step (operators only: the caller decides). */
export function resumeForm(viewer: Viewer, campaignId: string, unitId: string): Html {
  return html`<form method="post" action="/resume" class="card">${csrfField(viewer.csrfToken)}<input type="hidden" name="campaign" value="${campaignId}"><input type="hidden" name="unit" value="${unitId}">
  <h2>恢复暂停的步骤</h2>
  <p class="hint">请先补正数据（如名录中的辖区、分管领导），再恢复。恢复后该步骤立即重新执行；数据仍有问题的，将再次暂停并通知。</p>
  <label for="note">补正说明（内部留存，不公开）</label><textarea id="note" name="note" rows="2" maxlength="${NOTE_MAX}"></textarea>
  <button type="submit">补正完毕，恢复执行</button>
</form>`;
}

/**
 * The quarter's own parked step (not the publication, resumed on 结果公示): e.g. its deadlines,
 * parked while the working-day calendar lacks next year. The same Update as `ssj quarter resume`.
 */
export function campaignResumeForm(viewer: Viewer, campaignId: string): Html {
  return html`<form method="post" action="/quarter/resume" class="card">${csrfField(viewer.csrfToken)}<input type="hidden" name="campaign" value="${campaignId}">
  <h2>恢复暂停的步骤</h2>
  <p class="hint">请先补正暂停原因所指的数据（如在工作日历中录入次年节假日安排），再恢复。恢复后该步骤立即重新执行；仍有问题的，将再次暂停并通知。</p>
  <label for="note">补正说明（内部留存，不公开）</label><textarea id="note" name="note" rows="2" maxlength="${NOTE_MAX}"></textarea>
  <button type="submit">补正完毕，恢复执行</button>
</form>`;
}

/** After a resume: done (the step and since when it was parked), or 已处理 (not parked any more). */
export function resumedPage(
  viewer: Viewer,
  back: string,
  done: { step: string; parkedSince: string } | null,
  resumedBy: { name: string; at: Date } | null = null,
  backLabel = '返回检查事项',
): string {
  const stale = resumedBy ? `该步骤已由${resumedBy.name}于${chineseDate(beijingDate(resumedBy.at.getTime()))}恢复，当前未处于暂停状态，无需再次操作。` : '该步骤当前未处于暂停状态（可能已由他人恢复或已继续执行），无需再次操作。';
  return page(
    done ? '已恢复执行' : '已处理',
    html`<p class="notice" role="status">${done ? `已恢复执行暂停的步骤（自${done.parkedSince.slice(0, 10)}起暂停）；如数据仍有问题，将再次暂停并通知。` : stale}</p>
<p><a href="${back}">${backLabel}</a></p>`,
    viewer,
  );
}

/** A resume refused (the note, or the workflow's refusal): why, the step still parked, and the way back to the form. */
export function resumeRefusedPage(viewer: Viewer, back: string, backLabel: string, why: string): string {
  return page('未能恢复', html`${message('error', why)}
<p><a href="${back}">${backLabel}</a></p>`, viewer);
}
