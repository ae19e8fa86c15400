// 用户管理 (admin): the accounts with their person, roles, sign-in method and state, 停用/启用 per
// account, and the invitation form (person, then the roles they hold) with the one-time link to
// hand over. No password or password hash is ever shown or asked for here.
import type { Person } from '../../domain/registry';
import type { Account } from '../../stores/console-store';
import type { Standing } from '../standing';
import { csrfField, html, message, page, roleLabel, type Viewer } from './layout';

export interface AccountRow {
  account: Account;
  /** The person's name from the registry, or null when unknown. */
  personName: string | null;
  /** The granted roles against today's registry; null when the console has no registry to consult. */
  standing: Standing | null;
  /** Yyyy-mm-dd, Beijing time. */
  created: string;
  /** Who set the account up: the login whose invitation made it, or null for one made on the server (`ssj user`). */
  setUpBy: string | null;
}

/** The person's registry mark: why none of the roles counts. */
const personMark = (s: Standing | null) =>
  s?.unusable === 'not-in-registry' ? html`<span class="not-in-effect">（名录中无此人）</span>` : s?.unusable === 'inactive' ? html`<span class="not-in-effect">（已不在职或已停用）</span>` : '';

/** Each granted role, those the person no longer holds marked (while the person is active: else the person's mark says it). */
function rolesCell(a: Account, s: Standing | null) {
  const gone = s?.unusable === 'not-in-registry' || s?.unusable === 'inactive';
  return a.roles.map((r, i) => html`${i ? '、' : ''}${roleLabel(r)}${!gone && s?.lost.includes(r) ? html`<span class="not-in-effect">（名录中已无此角色，不再生效）</span>` : ''}`);
}

/** 启用/停用, and for an enabled account the registry no longer backs, that it cannot be used and why. */
function stateCell(a: Account, s: Standing | null) {
  if (a.disabled) return '停用';
  const why = s?.unusable === 'not-in-registry' ? '名录中无此人' : s?.unusable === 'inactive' ? '人员已不在职或已停用' : s?.unusable === 'no-roles' ? '所授角色均已不再担任' : null;
  return why ? html`启用<br><span class="not-in-effect">不能使用：${why}</span>` : '启用';
}

const signInMethod = (a: Account): string =>
  [a.passwordHash ? '密码' : null, a.oidcSubject ? '统一身份认证' : null].filter(Boolean).join('、') || '未设置';

function personForm(viewer: Viewer, personId = '', error: string | null = null) {
  return html`<form method="get" action="/accounts/invite" class="card">
  <h2>邀请新用户</h2>
  ${message('error', error)}
  <label>人员编号（须为名录中在职人员） <input type="text" name="person" value="${personId}" required maxlength="40" autocomplete="off"></label>
  <button type="submit">下一步：选择角色</button>
  <p class="hint">被邀请人通过一次性链接自行设置登录名和密码。</p>
</form>`;
}

/** An invitation neither used nor expired; times are Beijing minutes. */
export interface OpenInvitationRow {
  tokenHash: string;
  personId: string;
  personName: string | null;
  roles: readonly string[];
  createdAt: string;
  /** The login of the admin who made it; null when made by `ssj user invite`. */
  createdBy: string | null;
  expiresAt: string;
}

function invitationsTable(viewer: Viewer, rows: readonly OpenInvitationRow[]) {
  if (!rows.length) return html`<p class="hint">没有待使用的邀请。</p>`;
  return html`<table class="cards" id="open-invitations"><thead><tr><th>人员</th><th>角色</th><th>邀请时间</th><th>邀请人</th><th>有效期至</th><th>操作</th></tr></thead><tbody>${rows.map(
    (i) => html`<tr><td data-label="人员">${i.personId}${i.personName ? html` ${i.personName}` : ''}</td><td data-label="角色">${i.roles.map(roleLabel).join('、')}</td><td data-label="邀请时间" class="nowrap">${i.createdAt}</td><td data-label="邀请人">${i.createdBy ?? '命令行'}</td><td data-label="有效期至" class="nowrap">${i.expiresAt}</td><td data-label="操作"><form method="post" action="/accounts/revoke-invitation" class="inline">${csrfField(viewer.csrfToken)}<input type="hidden" name="invitation" value="${i.tokenHash}"><button type="submit">撤销</button></form></td></tr>`,
  )}</tbody></table>`;
}

export function accountsPage(viewer: Viewer, rows: readonly AccountRow[], invitations: readonly OpenInvitationRow[], notice: string | null = null, error: string | null = null): string {
  const table = rows.length
    ? html`<table class="cards"><thead><tr><th>登录名</th><th>人员</th><th>角色</th><th>登录方式</th><th>状态</th><th>开通</th><th>操作</th></tr></thead><tbody>${rows.map((r) => {
        const a = r.account;
        const self = a.personId === viewer.personId;
        const action = a.disabled ? 'enable' : 'disable';
        return html`<tr><td data-label="登录名">${a.login}</td><td data-label="人员">${a.personId}${r.personName ? html` ${r.personName}` : ''}${personMark(r.standing)}</td><td data-label="角色">${rolesCell(a, r.standing)}</td><td data-label="登录方式">${signInMethod(a)}</td><td data-label="状态">${stateCell(a, r.standing)}</td><td data-label="开通">${html`<span class="nowrap">${r.created}</span>`}<br><span class="hint">${r.setUpBy ? html`由 ${r.setUpBy} 邀请` : '服务器上开通'}</span></td><td data-label="操作" class="nowrap">${
          self && !a.disabled
            ? html`<span class="hint">本人账户</span>`
            : html`<form method="post" action="/accounts/${action}" class="inline">${csrfField(viewer.csrfToken)}<input type="hidden" name="account" value="${a.id}"><button type="submit">${a.disabled ? '启用' : '停用'}</button></form>`
        }</td></tr>`;
      })}</tbody></table>`
    : html`<p class="hint">尚无账户。</p>`;
  return page(
    '用户管理',
    html`${message('notice', notice)}${message('error', error)}
<h2>账户</h2>
${table}
<p class="hint">停用账户会立即结束其所有登录会话；停用后无法登录，启用后恢复。“开通”列注明账号由谁邀请开通：两名抽取见证人的账号不能一方由另一方开通，也不能由同一人开通。</p>
<p class="hint">角色以名录为准：名录中已不再担任的角色不再生效，恢复担任后重新生效；人员不在职、已停用或名录中无此人，或所授角色均已不再担任的，账户不能登录。</p>
<h2>待使用的邀请</h2>
${invitationsTable(viewer, invitations)}
<p class="hint">邀请链接只显示一次，此处不再显示；撤销后链接即时失效。时间为北京时间。</p>
${personForm(viewer)}`,
    viewer,
  );
}

/** Step 1 again, with the refusal: the person id was unknown or not active. */
export function invitePersonPage(viewer: Viewer, personId: string, error: string): string {
  return page('邀请新用户', html`${personForm(viewer, personId, error)}<p><a href="/accounts">返回用户管理</a></p>`, viewer);
}

/** For a witness (纪检人员, 系统管理员): whoever sets up their account cannot witness beside them (console/witness-ties.ts). */
function witnessTieHint(person: Person) {
  return person.roles.some((r) => r === 'discipline' || r === 'admin')
    ? html`<p class="hint">此人员可担任抽取见证人。两名见证人的账号不能一方由另一方开通，也不能由同一人开通（直接，或经由其开通的账号），以防一人掌握两份见证秘密：由您开通的账号，不能与您、也不能与其他由您开通的账号共同见证。纪检人员的账号宜由运维人员在服务器上用 ssj user invite 开通。</p>`
    : '';
}

/** Step 2: the roles the person holds in the registry; none ticked grants all of them. */

export function inviteRolesPage(viewer: Viewer, person: Person, error: string | null = null, ticked: readonly string[] = [], existing: readonly string[] = []): string {
  return page(
    '邀请新用户',
    html`<form method="post" action="/accounts/invite" class="card">${csrfField(viewer.csrfToken)}
  ${message('error', error)}
  <input type="hidden" name="person" value="${person.id}">
  <p>人员：${person.id} ${person.name}</p>
  ${existing.length ? html`<p class="hint">此人员已有账户：${existing.join('、')}。本人用新链接开户后，原账户即停用并退出登录（适用于忘记或泄露密码时重新开户）。</p>` : ''}
  <fieldset><legend>授予角色（均不勾选即授予其在名录中担任的全部角色）</legend>
  ${person.roles.map((r) => html`<label><input type="checkbox" name="role" value="${r}"${ticked.includes(r) ? html` checked` : ''}> ${roleLabel(r)}</label>`)}
  </fieldset>
  ${witnessTieHint(person)}
  <button type="submit">生成邀请链接</button>
</form>
<p><a href="/accounts">返回用户管理</a></p>`,
    viewer,
  );
}

export function invitedPage(viewer: Viewer, person: Person, roles: readonly string[], link: string, expires: string): string {
  return page(
    '邀请链接已生成',
    html`<p class="notice" role="status">已为 ${person.id} ${person.name} 生成邀请（角色：${roles.map(roleLabel).join('、')}）。</p>
<p>请将以下链接交给本人（仅可使用一次，北京时间${expires}前有效）：</p>
<p><textarea class="invite-link" readonly rows="3" aria-label="邀请链接">${link}</textarea></p>
<p class="hint">链接即凭证，请当面或通过内部渠道交付，勿公开转发。</p>
${witnessTieHint(person)}
<p><a href="/accounts">返回用户管理</a></p>`,
    viewer,
  );
}

/** A repeated or stale 停用/启用: nothing to do. */
export function accountDonePage(viewer: Viewer, login: string, disabled: boolean): string {
  return page('已处理', html`<p class="notice" role="status">账户 ${login} 已是${disabled ? '停用' : '启用'}状态，无需再次操作。</p><p><a href="/accounts">返回用户管理</a></p>`, viewer);
}

/** A repeated 撤销, or one for a link already used or expired: nothing to do. */
export function invitationDonePage(viewer: Viewer, personId: string, state: string): string {
  return page('已处理', html`<p class="notice" role="status">给 ${personId} 的邀请${state}，无需撤销。</p><p><a href="/accounts">返回用户管理</a></p>`, viewer);
}
