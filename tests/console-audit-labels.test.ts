// Every action the console writes to its audit log has a Chinese label on the 审计日志 page
// (console/views/audit.ts AUDIT_LABELS), and no label is kept for an action nothing writes. The
// actions are read from the console's source: each audit(req, <action>, …) call, its action a
// string literal, a ternary of literals, or one of the dynamic forms resolved below (a same-file
// constant, the approvals' and requests' `action: '…'` kinds, the resume forms'
// `actions: { done, refused, stale }`, `codec.${action}`); a form the scan cannot resolve fails the
// test, so a new way of naming an action is taught here rather than missed. The 详情 column's
// rendering is checked too: Chinese key names, every key and value escaped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_DETAIL_KEYS, AUDIT_LABELS, auditDetail, auditPage, DETAIL_VALUE_MAX } from '../console/views/audit';
import type { AuditEntry } from '../stores/console-store';

const ROOT = path.resolve(__dirname, '..');
const CONSOLE = path.join(ROOT, 'console');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') ? [p] : [];
  });
}

const literals = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!);

/** The actions one audit call's first argument can name, or null when the scan cannot tell. */
function actionsOf(expr: string, text: string, resumeActions: readonly string[]): string[] | null {
  const literal = /^'([^'\\]+)'$/.exec(expr);
  if (literal) return [literal[1]!];
  const ternary = /^[\w.!]+\s*\?\s*'([^']+)'\s*:\s*'([^']+)'$/.exec(expr);
  if (ternary) return [ternary[1]!, ternary[2]!];
  // A constant of the same file: const SUBMITTED = 'inspection.result'.
  if (/^[A-Za-z_]\w*$/.test(expr)) {
    const c = new RegExp(`\\bconst ${expr}\\s*=\\s*'([^']+)'`).exec(text);
    return c ? [c[1]!] : null;
  }
  // The resume forms' actions object (console/resume.ts answerResume): every such object literal in the console.
  if (/^\w+\.actions\.(done|refused|stale)$/.test(expr)) return resumeActions.length ? [...resumeActions] : null;
  // A kind's action (console/approvals.ts APPROVAL_KINDS, console/inspection-requests.ts kinds): the file's `action: '…'` literals.
  const kinds = literals(text, /\baction:\s*'([^']+)'/g);
  if (/^\w+\.action$/.test(expr)) return kinds.length ? kinds : null;
  const kindSuffix = /^`\$\{\w+\.action\}([^`$]*)`$/.exec(expr);
  if (kindSuffix) return kinds.length ? kinds.map((k) => `${k}${kindSuffix[1]}`) : null;
  // `codec.${action}`: the values the file compares that variable with (action !== 'encode' && …).
  const templ = /^`([^`$]*)\$\{(\w+)\}([^`$]*)`$/.exec(expr);
  if (templ) {
    const values = literals(text, new RegExp(`\\b${templ[2]}\\s*[!=]==\\s*'([^']+)'`, 'g'));
    return values.length ? values.map((v) => `${templ[1]}${v}${templ[3]}`) : null;
  }
  return null;
}

interface Written {
  actions: Map<string, string[]>;
  unresolved: string[];
  calls: number;
}

function writtenActions(): Written {
  const files = sourceFiles(CONSOLE);
  const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const resumeActions = [...texts.values()].flatMap((t) =>
    [...t.matchAll(/\bactions:\s*\{\s*done:\s*'([^']+)',\s*refused:\s*'([^']+)',\s*stale:\s*'([^']+)'\s*\}/g)].flatMap((m) => [m[1]!, m[2]!, m[3]!]),
  );
  const actions = new Map<string, string[]>();
  const unresolved: string[] = [];
  let calls = 0;
  const add = (action: string, where: string) => actions.set(action, [...(actions.get(action) ?? []), where]);
  for (const [file, text] of texts) {
    const rel = path.relative(ROOT, file);
    // ctx.audit(req, …), d.audit(req, …), await audit(req, …): the first argument after the request, up to its comma.
    for (const m of text.matchAll(/\baudit\(\s*\w+\s*,\s*((?:'[^']*'|`[^`]*`|[^,()'`])+?)\s*[,)]/g)) {
      calls++;
      const expr = m[1]!.trim();
      const found = actionsOf(expr, text, resumeActions);
      if (found) for (const a of found) add(a, rel);
      else unresolved.push(`${rel}: ${expr}`);
    }
    // A direct appendAudit outside the helper (console/server.ts) names its action as a literal.
    for (const m of text.matchAll(/\bappendAudit\(\{([\s\S]*?)\}\)/g)) {
      const named = /\baction:\s*'([^']+)'/.exec(m[1]!);
      if (named) add(named[1]!, rel);
      else if (!(rel === path.join('console', 'server.ts') && /\baction,/.test(m[1]!))) unresolved.push(`${rel}: appendAudit without a literal action`);
    }
  }
  return { actions, unresolved, calls };
}

describe('the audit log labels', () => {
  const written = writtenActions();

  it('resolves every audit call in console/ to the actions it can write', () => {
    expect(written.unresolved).toEqual([]);
    // The scan finds the calls at all (a broken regex would find nothing and pass everything).
    expect(written.calls).toBeGreaterThan(60);
    expect([...written.actions.keys()]).toEqual(
      expect.arrayContaining([
        'login.ok',
        'account.invited',
        'account.disabled',
        'account.enabled',
        'inspection.result',
        'approval.handover',
        'approval.recusal',
        'approval.replacement',
        'resume.campaign',
        'resume.stale',
        'publication.resume-refused',
        'inspection.recusal-declared.refused',
        'inspection.unit-closed-reported',
        'codec.encode',
        'codec.decode',
      ]),
    );
  });

  it('labels every action written, and only those', () => {
    const missing = [...written.actions].filter(([a]) => !Object.hasOwn(AUDIT_LABELS, a)).map(([a, where]) => `${a} (${[...new Set(where)].join(', ')})`);
    expect(missing).toEqual([]);
    const unwritten = Object.keys(AUDIT_LABELS).filter((a) => !written.actions.has(a));
    expect(unwritten).toEqual([]);
    for (const label of Object.values(AUDIT_LABELS)) expect(label).toMatch(/[\u4e00-\u9fff]/);
  });

  it('writes audit entries only through the console (no other writer outside the stores)', () => {
    const others = ['activities', 'worker', 'workflows', 'scripts', 'client', 'domain', 'mail', 'files', 'codec']
      .map((d) => path.join(ROOT, d))
      .filter((d) => fs.existsSync(d))
      .flatMap(sourceFiles)
      .filter((f) => /\bappendAudit\(/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT, f));
    expect(others).toEqual([]);
  });
});

describe('the 详情 column', () => {
  const text = (detail: Record<string, unknown>) => auditDetail(detail).value;

  it('names the common keys in Chinese, the others as written, one pair a line', () => {
    // A short pair is kept on one line; a short code is set in monospace.
    const one = (pair: string) => `<span class="nowrap">${pair}</span>`;
    const code = (value: string) => `<span class="code nowrap">${value}</span>`;
    expect(text({ method: 'password' })).toBe(one('方式：密码'));
    expect(text({ method: 'oidc', issuer: 'https://sso.example' })).toBe(`${one('方式：统一身份认证')}<br>身份提供方：${code('https://sso.example')}`);
    expect(text({ roles: ['inspector', 'discipline'] })).toBe(one('角色：执法人员、纪检人员'));
    expect(text({ reason: 'not-on-team', campaignId: 'c-2026q1', unitId: 'U0101' })).toBe(`${one('原因：非本检查组成员')}<br>${one(`季度：${code('c-2026q1')}`)}<br>${one(`单位：${code('U0101')}`)}`);
    expect(text({ message: 'no such step in campaign' })).toBe(`系统信息：${code('no such step in campaign')}`);
    expect(text({ somethingNew: 3 })).toBe(one(`somethingNew：${code('3')}`));
    expect(text({ knownLogin: false, failures: 2 })).toBe(`${one('登录名存在：否')}<br>${one(`失败次数：${code('2')}`)}`);
    expect(text({ by: null, created: [] })).toBe(`${one('操作人：无')}<br>${one('新建：无')}`);
    expect(text({ lockedUntil: '2026-03-02T02:15:00.000Z' })).toBe(`锁定至：${code('2026-03-02 10:15:00')}`);
    expect(text({ year: 2026, quarter: 1 })).toBe(`${one(`年度：${code('2026')}`)}<br>${one('季度：第一季度')}`);
    expect(text({ step: 'commit', phase: 'inspection' })).toBe(`${one('步骤：提交承诺')}<br>${one('阶段：实施检查')}`);
    expect(text({})).toBe('');
    // Keys and values are data: never read from Object's own properties.
    expect(text({ constructor: 'toString', reason: 'constructor' })).toBe(`constructor：${code('toString')}<br>${one(`原因：${code('constructor')}`)}`);
    for (const k of ['method', 'roles', 'reason', 'message', 'campaignId', 'unitId']) expect(AUDIT_DETAIL_KEYS[k]).toMatch(/[\u4e00-\u9fff]/);
  });

  it('escapes every key and value', () => {
    const out = text({ message: '<script>alert(1)</script>', '<img src=x onerror=alert(1)>': '"><b>', roles: ['<i>x</i>'] });
    expect(out).not.toMatch(/<script|<img|<b>|<i>/);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;：<span class="code nowrap">&quot;&gt;&lt;b&gt;</span>');
    expect(out).toContain('<span class="nowrap">角色：<span class="code nowrap">&lt;i&gt;x&lt;/i&gt;</span></span>');
    expect(out).toContain('&lt;i&gt;x&lt;/i&gt;');
  });

  it('cuts a long value with …, the whole of it (escaped) in the title; a long code may break anywhere', () => {
    const long = `"<x>${'a'.repeat(200)}`;
    const esc = (s: string) => s.replace('"', '&quot;').replace('<', '&lt;').replace('>', '&gt;');
    expect(text({ message: long })).toBe(`系统信息：<span class="code" title="${esc(long)}">${esc(`${long.slice(0, DETAIL_VALUE_MAX - 1)}…`)}</span>`);
    // A SHA-256 (64 hex digits) is shown whole.
    expect(text({ sha256: 'f'.repeat(64) })).toBe(`SHA-256：<span class="code">${'f'.repeat(64)}</span>`);
    // Chinese with a long run of other characters breaks anywhere too (no value wider than a phone).
    expect(text({ fileName: `名录${'x'.repeat(30)}.xlsx` })).toBe(`文件名：<span class="code">名录${'x'.repeat(30)}.xlsx</span>`);
  });

  it('renders the page: labels, an unknown action as its code, the detail escaped', () => {
    const entry = (action: string, detail: Record<string, unknown>, seq: number): AuditEntry => ({
      seq,
      accountId: 'a1',
      personId: 'P0005',
      action,
      target: '<t>',
      detail,
      at: new Date('2026-03-02T02:00:05Z'),
      ip: '127.0.0.1',
      userAgent: 'Mozilla <script>',
    });
    const body = auditPage({ name: '李纪检', personId: 'P0005', roles: ['discipline'], csrfToken: 't' }, [
      entry('ceremony.commit', { role: 'admin', ceremony: 1, commitment: 'ab'.repeat(32) }, 3),
      entry('approval.stale-click', { decidedBy: 'P0020' }, 2),
      entry('some.future-action', { message: '<script>alert(1)</script>' }, 1),
      entry('toString', {}, 0),
    ], null);
    expect(body).toContain('<td data-label="操作">见证人提交承诺</td>');
    expect(body).toContain('<td data-label="操作">审批（已由他人处理）</td>');
    expect(body).toContain('<td data-label="操作">some.future-action</td>');
    expect(body).toContain('<td data-label="操作">toString</td>');
    expect(body).toContain(`<span class="nowrap">角色：系统管理员</span><br><span class="nowrap">仪式次数：<span class="code nowrap">1</span></span><br>承诺值：<span class="code">${'ab'.repeat(32)}</span>`);
    expect(body).toContain('<td data-label="详情"><span class="nowrap">决定人：<span class="code nowrap">P0020</span></span></td>');
    expect(body).toContain('2026-03-02 10:00:05');
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('{"');
  });
});
