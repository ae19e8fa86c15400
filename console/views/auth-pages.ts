// Sign-in, invitation and error pages.
import type { Unusable } from '../standing';
import { csrfField, html, message, page, type Viewer, type Html } from './layout';

/** Why an account cannot be used, in the sign-in page's address (`/login?ended=…`): the person, or the roles. */
export type EndedCause = 'person' | 'roles';
export const endedCause = (reason: Unusable): EndedCause => (reason === 'no-roles' ? 'roles' : 'person');

/** The sign-in page's explanation for an account the registry no longer backs. */
export function unusableAccountText(cause: EndedCause): string {
  return cause === 'roles'
    ? '您在名录中已不再担任此账号被授予的任何角色，账号已不能使用，请联系系统管理员。'
    : '您的账号对应的人员在名录中已不在职或已停用，账号已不能使用，请联系系统管理员。';
}

/** The invitation page's explanation when the registry no longer backs the invited person or roles. */
export function unusableInvitationText(cause: EndedCause): string {
  return cause === 'roles'
    ? '受邀人员在名录中已不再担任此邀请授予的任何角色，邀请已不能使用。请联系系统管理员按名录现状重新邀请。'
    : '受邀人员在名录中已不在职或已停用，邀请已不能使用。如有误，请联系系统管理员更正名录后重新邀请。';
}

export function loginPage(o: { csrf: string; error?: string | null; notice?: string | null; login?: string; oidc: boolean; next?: string }): string {
  return page(
    '登录',
    html`${message('error', o.error)}${message('notice', o.notice)}
<form class="card" method="post" action="/login">
  ${csrfField(o.csrf)}
  <input type="hidden" name="next" value="${o.next ?? '/'}">
  <label for="login">登录名</label>
  <input type="text" id="login" name="login" value="${o.login ?? ''}" autocomplete="username" autocapitalize="none" required>
  <label for="password">密码</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <button type="submit">登录</button>
  ${o.oidc ? html`<p class="or">或</p><a class="button" href="${o.next && o.next !== '/' ? `/login/oidc?next=${encodeURIComponent(o.next)}` : '/login/oidc'}">使用单位统一身份认证登录</a>` : html``}
</form>
<p class="hint">连续多次输错密码，账户将被临时锁定。忘记密码请联系系统管理员重新发送邀请链接。</p>`,
  );
}

export function invitationPage(o: { csrf: string; token: string; personName: string; personId: string; roles: string; error?: string | null; login?: string }): string {
  return page(
    '设置登录密码',
    html`${message('error', o.error)}
<form class="card" method="post" action="/invite/${o.token}">
  ${csrfField(o.csrf)}
  <p>${o.personName}（${o.personId}），您被邀请以<strong>${o.roles}</strong>身份使用本系统。请设置登录名和密码；此链接只能使用一次。</p>
  <label for="login">登录名</label>
  <input type="text" id="login" name="login" value="${o.login ?? ''}" autocomplete="username" autocapitalize="none" required pattern="[A-Za-z0-9._-]{3,40}">
  <p class="hint">3至40位字母、数字或“._-”。</p>
  <label for="password">密码</label>
  <input type="password" id="password" name="password" autocomplete="new-password" required minlength="10">
  <label for="password2">再次输入密码</label>
  <input type="password" id="password2" name="password2" autocomplete="new-password" required minlength="10">
  <button type="submit">设置并启用账户</button>
</form>`,
  );
}

/** A POST whose CSRF token is missing or wrong: nothing was done. */
export function csrfRefusedPage(viewer: Viewer | null): string {
  return problemPage('请求被拒绝', '表单已失效或来源不明（安全令牌不符）。请返回上一页刷新后重试。', viewer);
}

export function problemPage(title: string, text: string, viewer: Viewer | null, extra: Html = html``): string {
  return page(title, html`${message('error', text)}${extra}<p><a href="/">返回工作台</a></p>`, viewer);
}
