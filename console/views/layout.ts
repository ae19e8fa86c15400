// The page shell every console screen shares: Chinese, responsive, printable, no inline script or
// style (the CSP forbids both); htmx and the stylesheet come from /static. Every value reaches the
// page through domain/documents/html.ts's `html`, which escapes each interpolation.
import { html, Html } from '../../domain/documents/html';
import { roleLabel } from '../../domain/registry';

export { html, Html };

export interface Viewer {
  name: string;
  personId: string;
  roles: readonly string[];
  csrfToken: string;
}

// Role names are the domain's (the registry's own words), shared with the notices and public pages.
export { ROLE_LABELS, roleLabel } from '../../domain/registry';

/** The hidden CSRF field every POST form carries. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function nav(viewer: Viewer): Html {
  const links: Html[] = [html`<a href="/">工作台</a>`];
  if (viewer.roles.includes('manager')) links.push(html`<a href="/approvals">审批</a>`);
  if (viewer.roles.includes('admin') || viewer.roles.includes('discipline')) links.push(html`<a href="/ceremony">抽取见证</a>`);
  if (['admin', 'detachment-leader', 'manager'].some((r) => viewer.roles.includes(r))) links.push(html`<a href="/quarters">季度抽查</a>`, html`<a href="/programme">抽查计划</a>`, html`<a href="/year">年度统计</a>`);
  if (['admin', 'detachment-leader', 'brigade-leader'].some((r) => viewer.roles.includes(r))) links.push(html`<a href="/registries">名录管理</a>`);
  if (viewer.roles.includes('admin')) links.push(html`<a href="/accounts">用户管理</a>`);
  if (viewer.roles.includes('discipline')) links.push(html`<a href="/audit">审计日志</a>`);
  return html`<nav class="top">
  <a class="brand" href="/">双随机抽查工作台</a>
  <span class="links">${links}</span>
  <span class="who">${viewer.name}（${viewer.roles.map(roleLabel).join('、')}）
    <form method="post" action="/logout" class="inline">${csrfField(viewer.csrfToken)}<button type="submit" class="link">退出</button></form>
  </span>
</nav>`;
}

// htmx under a strict CSP: no inline indicator style, no eval; error pages (4xx, 5xx) are swapped
// in like any page, so a boosted form shows its refusal instead of silently doing nothing.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[2345]..', swap: true, error: false },
  ],
});

export function page(title: string, body: Html, viewer: Viewer | null = null): string {
  return (
    '<!DOCTYPE html>\n' +
    html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - 双随机抽查工作台</title>
<meta name="htmx-config" content="${HTMX_CONFIG}">
<link rel="stylesheet" href="/static/console.css">
<link rel="icon" href="data:,">
<script src="/static/htmx.min.js" defer></script>
</head>
<body hx-boost="true">
${viewer ? nav(viewer) : html`<nav class="top"><span class="brand">双随机抽查工作台</span></nav>`}
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value
  );
}

/** A message box: `error` is red, `notice` neutral. */
export function message(kind: 'error' | 'notice', text: string | null | undefined): Html {
  return text ? html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : html``;
}
