// The audit log for discipline officers: who, what, when, from where. Read-only.
import type { AuditEntry } from '../../stores/console-store';
import { chineseQuarter } from '../../domain/documents/html';
import { TEMPLATES } from '../../files/registry/templates';
import { campaignPhaseLabel, parkedStepLabel } from './labels';
import { html, Html, page, roleLabel, type Viewer } from './layout';

/** 2026-03-02 10:00:05, Beijing time, to the second (the audit log's reader compares times). */
export function beijingClock(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Every action the console writes to the audit log (ctx.audit / audit in console/*.ts), by the words
 * the discipline officer reads. tests/console-audit-labels.test.ts fails on an action written
 * without a label here; an entry whose action is not listed (an older one) shows its code.
 */
export const AUDIT_LABELS: Record<string, string> = {
  // Sign-in and sessions (console/server.ts, console/oidc.ts)
  'login.ok': '登录成功',
  'login.failed': '登录失败',
  'login.locked': '账户锁定',
  'login.refused-locked': '锁定期间尝试登录',
  'login.refused-unusable': '拒绝登录（人员或角色已失效）',
  'login.oidc-failed': '统一身份认证登录失败',
  'login.oidc-unknown': '统一身份认证登录失败（无对应账户）',
  logout: '退出登录',
  'session.expired': '会话超时',
  'session.ended': '会话终止（人员或角色已失效）',
  'csrf.refused': '拒绝（表单令牌无效）',
  'role.refused': '拒绝（无权访问）',
  'invitation.accepted': '接受邀请并设置密码',
  'invitation.refused': '邀请链接无效',
  'invitation.refused-unusable': '邀请不能使用（人员或角色已失效）',
  'audit.viewed': '查看审计日志',
  // User management (console/accounts-page.ts)
  'account.invited': '发出邀请',
  'account.invitation-revoked': '撤销邀请',
  'account.disabled': '停用账户',
  'account.enabled': '启用账户',
  // Registries (console/registry-upload.ts)
  'registry.previewed': '名录导入预览',
  'registry.imported': '名录导入',
  'registry.import-repeat': '名录导入（重复确认，未重复写入）',
  'registry.import-refused': '名录导入被拒绝',
  'registry.upload-refused': '名录文件被拒收',
  // The annual plan, the quarters, the year (console/programme-page.ts, quarter.ts, year.ts)
  'plan.start': '提交年度抽查计划备案',
  'plan.start-exists': '提交年度抽查计划（已提交过，未重复提交）',
  'plan.refused': '年度抽查计划备案被拒绝（不在该年度内）',
  'plan.failed': '年度抽查计划未能备案',
  'plan.schedule': '创建季度自动启动定时任务',
  'plan.schedule-exists': '创建季度定时任务（均已存在，未作更改）',
  'quarter.start': '启动季度抽查',
  'quarter.start-exists': '启动季度抽查（已启动过，未重复启动）',
  'year.export': '导出年度统计表',
  // The witnessed draw (console/ceremony.ts)
  'ceremony.commit': '见证人提交承诺',
  'ceremony.reveal': '见证人揭示',
  'ceremony.refused': '见证操作被拒绝',
  'ceremony.stale-click': '见证操作（已处理或仪式已作废）',
  // Brigades' change lists (console/change-list.ts)
  'change-list.submit': '提交名录变更清单',
  'change-list.refused': '名录变更清单提交被拒绝',
  'change-list.stale-click': '提交名录变更清单（已提交或已截止）',
  // Inspections (console/inspection.ts, inspection-requests.ts, documents.ts)
  'inspection.refused': '查看检查事项被拒绝（非本检查组成员）',
  'inspection.draft-saved': '保存检查结果草稿',
  'inspection.result': '提交检查结果',
  'inspection.submit-refused': '检查结果提交被拒绝',
  'inspection.stale-submit': '提交检查结果（已由他人提交）',
  'inspection.evidence-downloaded': '下载证据文件',
  'inspection.evidence-refused': '证据文件被拒收',
  'inspection.recusal-declared': '申请回避',
  'inspection.recusal-declared.refused': '回避申请被拒绝',
  'inspection.unit-closed-reported': '报告检查对象关停',
  'inspection.unit-closed-reported.refused': '检查对象关停报告被拒绝',
  'document.viewed': '查看文书',
  'document.refused': '查看文书被拒绝（非本检查组成员）',
  // Approvals (console/approvals.ts, APPROVAL_KINDS)
  'document.previewed': '预览拟发文书',
  'approval.handover': '审批移交',
  'approval.recusal': '审批回避申请',
  'approval.replacement': '审批替换检查对象',
  'approval.refused': '审批被拒绝',
  'approval.stale-click': '审批（已由他人处理）',
  // Resuming parked steps (console/resume.ts, publication.ts)
  'resume.campaign': '恢复执行（季度抽查）',
  'resume.inspection': '恢复执行（检查事项）',
  'resume.refused': '恢复执行被拒绝',
  'resume.stale': '恢复执行（已无暂停步骤）',
  'publication.resume': '恢复执行（结果公示）',
  'publication.resume-refused': '恢复执行结果公示被拒绝',
  'publication.resume-stale': '恢复执行结果公示（已无暂停步骤）',
  // The payload codec for the Temporal Web UI (console/codec.ts)
  'codec.encode': '加密工作流数据（编解码服务）',
  'codec.decode': '解密工作流数据（编解码服务）',
  'codec.refused': '编解码服务拒绝访问',
};

/** The detail's keys the officer reads in Chinese; any other key is shown as written. */
export const AUDIT_DETAIL_KEYS: Record<string, string> = {
  method: '方式',
  issuer: '身份提供方',
  subject: '统一身份标识',
  roles: '角色',
  role: '角色',
  needs: '所需角色',
  reason: '原因',
  why: '原因',
  message: '系统信息',
  error: '错误',
  campaignId: '季度',
  unitId: '单位',
  personId: '人员',
  accountId: '账户',
  account: '账户',
  login: '登录名',
  lockedUntil: '锁定至',
  failures: '失败次数',
  knownLogin: '登录名存在',
  passwordOk: '密码正确',
  malformed: '登录名格式无效',
  unrecordedBefore: '此前未记录次数',
  before: '早于序号',
  superseded: '停用旧账户',
  expiresAt: '有效期至',
  createdAt: '创建时间',
  sessionsEnded: '结束会话数',
  invitationsEnded: '撤销邀请数',
  year: '年度',
  quarter: '季度',
  rehearsalSecondsPerDay: '演练每日秒数',
  schedules: '定时任务',
  created: '新建',
  existing: '已有',
  asOf: '统计截至',
  ceremony: '仪式次数',
  commitment: '承诺值',
  step: '步骤',
  tie: '关联',
  by: '操作人',
  at: '时间',
  phase: '阶段',
  current: '当前仪式',
  brigade: '大队',
  batchId: '批次',
  on: '日期',
  kind: '类型',
  fileName: '文件名',
  sha256: 'SHA-256',
  rows: '行数',
  problems: '问题数',
  outOfScope: '超出范围',
  alreadyImported: '已导入批次',
  added: '新增',
  changed: '变更',
  unchanged: '未变',
  retired: '退出',
  applied: '已写入',
  effectiveDate: '生效日期',
  evidence: '证据文件',
  outcome: '检查结论',
  checkedOn: '检查日期',
  present: '在场人员',
  submittedBy: '提交人',
  parkedSince: '暂停起始',
  format: '格式',
  decision: '决定',
  decidedBy: '决定人',
  reasonCode: '理由代码',
  origin: '来源网址',
  status: '状态码',
  payloads: '数据条数',
  keyIds: '密钥',
};

/** Codes some detail values carry (reasons, methods, decisions), in Chinese; others as written. */
const DETAIL_VALUES: Record<string, Record<string, string>> = {
  method: { password: '密码', oidc: '统一身份认证' },
  decision: { approve: '同意', reject: '不同意' },
  outcome: { 'no-problem': '未发现问题', 'problems-found': '发现问题', 'could-not-inspect': '未能检查' },
  reason: {
    idle: '长时间未操作',
    lifetime: '超过会话最长时限',
    'not-in-registry': '人员不在名录中',
    inactive: '人员已不在岗',
    'no-roles': '人员已不担任所授角色',
    'bad-form': '提交内容无效',
    'not-on-team': '非本检查组成员',
    'no-brigade': '名录中未登记所属大队',
    'witness-tie': '见证人之间存在关联',
    origin: '来源网址不允许',
    'no-session': '未登录',
    role: '角色无权',
  },
  kind: {
    ...Object.fromEntries(Object.entries(TEMPLATES).map(([k, t]) => [k, t.title])),
    drawn: '已完成抽取',
    voided: '仪式已作废',
    done: '已提交',
    'supervision-notice': '监察通知',
    'transfer-form': '移交表',
    referral: '移送函',
  },
  tie: { 'set-up': '其账户由另一见证人开通', common: '两见证人的账户由同一人开通' },
};
const ROLE_KEYS = new Set(['roles', 'role', 'needs']);
/** A map's own entry (never one of Object's: a detail key is data). */
const own = (map: Readonly<Record<string, string>> | undefined, k: string): string | undefined => (map && Object.hasOwn(map, k) ? map[k] : undefined);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
/** The longest value shown in full; a longer one is cut with … (the whole of it in the title). */
export const DETAIL_VALUE_MAX = 80;

function detailValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return '无';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.length ? v.map((x) => detailValue(key, x)).join('、') : '无';
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number') return key === 'quarter' && [1, 2, 3, 4].includes(v) ? chineseQuarter(v) : String(v);
  const s = String(v);
  if (ROLE_KEYS.has(key)) return roleLabel(s);
  if (key === 'phase') return campaignPhaseLabel(s);
  if (key === 'step') return s === 'commit' ? '提交承诺' : s === 'reveal' ? '揭示' : parkedStepLabel(s);
  if (ISO_INSTANT.test(s)) return beijingClock(new Date(s));
  return own(Object.hasOwn(DETAIL_VALUES, key) ? DETAIL_VALUES[key] : undefined, s) ?? s;
}

/** A pair “key：value” shorter than this (in characters, at most a phone card's width in Chinese) is not broken. */
const SHORT_PAIR = 16;
/** Up to this many characters a code (a date, a number, an id) is kept on one line. */
const SHORT_CODE = 24;
/**
 * How a value is set: Chinese a person reads as text; a short code (a time, a number) in monospace
 * on one line; a longer code, hash or system message in monospace, broken anywhere (as is Chinese
 * holding a long unbroken run of other characters), so that no value is wider than a phone.
 */
const LONG_RUN = new RegExp(`[^\\s\\u3000-\\u9fff\\uff00-\\uffef]{${SHORT_CODE + 1}}`);
function valueClass(s: string): string | null {
  if (/[\u4e00-\u9fff]/.test(s) && !LONG_RUN.test(s)) return null;
  return s.length <= SHORT_CODE ? 'code nowrap' : 'code';
}

/** An entry's detail as “key：value” pairs, one a line, every key and value escaped; empty for none. */
export function auditDetail(detail: Readonly<Record<string, unknown>>): Html {
  const pairs = Object.entries(detail).map(([key, v]) => {
    const full = detailValue(key, v);
    const shown = full.length > DETAIL_VALUE_MAX ? `${full.slice(0, DETAIL_VALUE_MAX - 1)}…` : full;
    const cls = valueClass(shown);
    const value = shown === full ? (cls ? html`<span class="${cls}">${full}</span>` : html`${full}`) : html`<span${cls ? html` class="${cls}"` : ''} title="${full}">${shown}</span>`;
    const name = own(AUDIT_DETAIL_KEYS, key) ?? key;
    // A short pair stays on one line (the column is at least that wide; a phone's card is wider).
    return name.length + shown.length < SHORT_PAIR ? html`<span class="nowrap">${name}：${value}</span>` : html`${name}：${value}`;
  });
  return html`${pairs.map((p, i) => (i ? html`<br>${p}` : p))}`;
}

export function auditPage(viewer: Viewer, entries: readonly AuditEntry[], nextBefore: number | null): string {
  const rows = entries.map(
    (e) => html`<tr>
  <td data-label="时间" class="nowrap">${beijingClock(e.at)}</td>
  <td data-label="人员">${e.personId ?? '—'}</td>
  <td data-label="操作">${own(AUDIT_LABELS, e.action) ?? e.action}</td>
  <td data-label="对象">${e.target ?? ''}</td>
  <td data-label="来源" class="audit-source">${e.ip ?? ''}<br><span class="hint">${e.userAgent ?? ''}</span></td>
  <td data-label="详情">${auditDetail(e.detail)}</td>
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
