// The audit log for discipline officers: who, what, when, from where. Read-only.
import type { AuditEntry } from '../../stores/console-store';
import { html, page, type Viewer } from './layout';

/** 2026-03-02 10:00:05, Beijing time, to the second (the audit log's reader compares times). */
export function beijingClock(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export const AUDIT_LABELS: Record<string, string> = {
  'login.ok': '登录成功',
  'login.failed': '登录失败',
  'login.locked': '账户锁定',
  'login.refused-locked': '锁定期间尝试登录',
  'login.oidc': '统一身份认证登录',
  'login.oidc-unknown': '统一身份认证登录失败（无对应账户）',
  logout: '退出登录',
  'session.expired': '会话超时',
  'csrf.refused': '拒绝（表单令牌无效）',
  'role.refused': '拒绝（无权访问）',
  'invitation.created': '发出邀请',
  'invitation.accepted': '接受邀请并设置密码',
  'invitation.refused': '邀请链接无效',
  'account.created': '创建账户',
  'audit.viewed': '查看审计日志',
  'registry.previewed': '名录导入预览',
  'registry.imported': '名录导入',
  'registry.import-repeat': '名录导入（重复确认，未重复写入）',
  'registry.import-refused': '名录导入被拒绝',
  'registry.upload-refused': '名录文件被拒收',
};

export function auditPage(viewer: Viewer, entries: readonly AuditEntry[], nextBefore: number | null): string {
  const rows = entries.map(
    (e) => html`<tr>
  <td data-label="时间" class="nowrap">${beijingClock(e.at)}</td>
  <td data-label="人员">${e.personId ?? '—'}</td>
  <td data-label="操作">${AUDIT_LABELS[e.action] ?? e.action}</td>
  <td data-label="对象">${e.target ?? ''}</td>
  <td data-label="来源">${e.ip ?? ''}<br><span class="hint">${e.userAgent ?? ''}</span></td>
  <td data-label="详情" class="code">${Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}</td>
</tr>`,
  );
  return page(
    '审计日志',
    html`<p class="hint">审计日志只增不改，记录每次登录、退出、失败、锁定和操作。</p>
<table class="cards"><thead><tr><th>时间（北京）</th><th>人员</th><th>操作</th><th>对象</th><th>来源</th><th>详情</th></tr></thead>
<tbody>${rows}</tbody></table>
<p><a href="/audit">最新</a>${nextBefore !== null ? html` · <a href="/audit?before=${nextBefore}">更早的记录</a>` : ''}</p>`,
    viewer,
  );
}
