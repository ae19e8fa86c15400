// Notices lead to the page (issue 10 §3): a notice whose reader has something to do carries a link
// to the exact page in the console (SSJ_CONSOLE_PUBLIC_URL + path). The link only opens the page:
// the console asks for sign-in first and comes back to it (a local path only, console/auth.ts
// safeNext), and nothing is decided by opening it; the reader still signs in and submits the form.
// The path builder and `withConsoleLink` are pure (the notice activity renders with them); the
// route resolves a hand-over approval named by campaign and unit to its task page.
import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../domain/documents/html';
import type { RouteContext } from './approvals';

/** The hand-over approval of one unit, for the notice that asks the managers (no task key in the notice). */
export const HANDOVER_LINK = '/task/approve-handover';

const q = (v: unknown) => encodeURIComponent(String(v ?? ''));

/**
 * The console path where the reader of a notice does what it asks, or null when the notice asks
 * nothing of its reader there (an alert to leaders, a notice of a decision).
 */
export function noticeLinkPath(kind: string, params: Record<string, unknown>, campaignId: string): string | null {
  const unit = typeof params.unitId === 'string' && params.unitId !== '' ? params.unitId : null;
  switch (kind) {
    case 'inspection-assigned':
    case 'inspection-reminder':
    case 'recusal-rejected':
      return unit ? `/inspection?campaign=${q(campaignId)}&unit=${q(unit)}` : null;
    case 'handover-approval-requested':
      return unit ? `${HANDOVER_LINK}?campaign=${q(campaignId)}&unit=${q(unit)}` : null;
    case 'approval-reminder':
      // A hand-over's reminder leads where its request did; a recusal's or a replacement's to the
      // manager's list of open approvals, where it is decided.
      if (params.request !== 'handover') return '/approvals';
      return unit ? `${HANDOVER_LINK}?campaign=${q(campaignId)}&unit=${q(unit)}` : null;
    case 'draw-overdue':
    case 'ceremony-void':
      return `/ceremony?campaign=${q(campaignId)}`;
    default:
      return null;
  }
}

/** `base` (the console's public URL, without a trailing slash) + `path`. */
export function consoleUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const LABEL = '在工作台办理（登录后打开）';

/** The notice with a line pointing to `url`, in the text before the signature and in the HTML as a link. */
export function withConsoleLink<T extends Rendered>(n: T, url: string): T {
  const line = `　　${LABEL}：${url}`;
  // The text ends with a blank line, the issuer, a blank line and the footer: the link goes before them.
  const lines = n.text.replace(/\n$/, '').split('\n');
  const at = Math.max(0, lines.length - 4);
  const text = [...lines.slice(0, at), line, ...lines.slice(at)].join('\n') + '\n';
  const link = `<p style="text-indent:2em">${escapeHtml(LABEL)}：<a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`;
  const sign = n.html.lastIndexOf('<p style="text-align:right">');
  const html = sign >= 0 ? `${n.html.slice(0, sign)}${link}\n${n.html.slice(sign)}` : n.html.replace('</body>', `${link}</body>`);
  return { ...n, text, html };
}

/**
 * `/task/approve-handover?campaign=…&unit=…`: the unit's hand-over approval from the task
 * projection, for a signed-in manager (anyone else: sign-in first, or the role refusal).
 */
export function registerNoticeLinks(app: FastifyInstance, ctx: RouteContext): void {
  app.get(HANDOVER_LINK, async (req, reply) => {
    if (!(await ctx.requireRole(req, reply, ['manager']))) return;
    const { campaign, unit } = req.query as Record<string, unknown>;
    const tasks =
      typeof campaign === 'string' && campaign.length <= 200 && typeof unit === 'string' && unit.length <= 100
        ? await ctx.store.listTasksOfUnit(campaign, unit, ['open', 'done', 'cancelled'])
        : [];
    // The newest approval of the unit (a rejected one may be asked again after a new result).
    const task = tasks.filter((t) => t.kind === 'approve-handover' && t.unitId === unit).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
    if (!task) return reply.redirect('/approvals', 303);
    return reply.redirect(`/approval?task=${encodeURIComponent(task.key)}`, 303);
  });
}
