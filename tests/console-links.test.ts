// Notices lead to the page: a notice that asks its reader to act links to the exact console page
// (SSJ_CONSOLE_PUBLIC_URL + path); the link opens it after sign-in (login comes back to it, and
// only to a local path: no open redirect, also through single sign-on); nothing is decided by
// opening a link. Real console (fastify inject) on a temporary SQLite store, real dev server client.
import type { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNotice, type NoticeKind } from '../mail/notices';
import { addAccount } from '../console/accounts';
import { noticeLinkPath } from '../console/notice-links';
import { loginPage } from '../console/views/auth-pages';
import type { Person } from '../domain/registry';
import type { TaskRow } from '../stores/console-store';
import { startConsole, type RunningConsole } from './helpers/browser-console';
import { ConsoleClient } from './helpers/console-client';
import { context, NOTICE_CASES, UNIT } from './helpers/notice-context';
import { devServerClient } from './helpers/temporal';

const BASE = 'https://ssj.bureau.example.cn/console';
const CAMPAIGN = 'campaign-xinyang-2024q1';
const linked = { ...context, console: { url: `${BASE}/`, campaignId: CAMPAIGN } };
const q = encodeURIComponent;

describe('notice links', () => {
  const expected: Partial<Record<NoticeKind, string>> = {
    'inspection-assigned': `/inspection?campaign=${CAMPAIGN}&unit=${UNIT.code}`,
    'inspection-reminder': `/inspection?campaign=${CAMPAIGN}&unit=${UNIT.code}`,
    'recusal-rejected': `/inspection?campaign=${CAMPAIGN}&unit=${UNIT.code}`,
    'handover-approval-requested': `/task/approve-handover?campaign=${CAMPAIGN}&unit=${UNIT.code}`,
    'approval-reminder': `/task/approve-handover?campaign=${CAMPAIGN}&unit=${UNIT.code}`, // a hand-over's (NOTICE_CASES)
    'draw-overdue': `/ceremony?campaign=${CAMPAIGN}`,
    'ceremony-void': `/ceremony?campaign=${CAMPAIGN}`,
  };

  it('puts the page of the task in the notices that ask something, before the signature, and in no other', () => {
    for (const kind of Object.keys(NOTICE_CASES) as NoticeKind[]) {
      const { params, to } = NOTICE_CASES[kind];
      const plain = renderNotice(kind, params, to, context);
      const n = renderNotice(kind, params, to, linked);
      const path = expected[kind];
      if (!path) {
        expect(n, kind).toEqual(plain);
        continue;
      }
      const url = `${BASE}${path}`;
      const textLines = n.text.split('\n');
      const at = textLines.indexOf(`　　在工作台办理（登录后打开）：${url}`);
      expect(at, `${kind}: ${n.text}`).toBeGreaterThan(0);
      expect(textLines[at + 2]).toBe(context.issuer); // the link, a blank line, then the signature
      expect(n.html).toContain(`<a href="${url.replace(/&/g, '&amp;')}">`);
      expect(n.html.indexOf(url.replace(/&/g, '&amp;'))).toBeLessThan(n.html.indexOf('<p style="text-align:right">'));
      // Nothing else changes.
      expect(n.subject).toBe(plain.subject);
      expect(n.text.replace(`　　在工作台办理（登录后打开）：${url}\n`, '')).toBe(plain.text);
    }
  });

  it('encodes what it puts in the path', () => {
    expect(noticeLinkPath('inspection-assigned', { unitId: 'U 1&x=<b>' }, 'c?1')).toBe('/inspection?campaign=c%3F1&unit=U%201%26x%3D%3Cb%3E');
    expect(noticeLinkPath('inspection-assigned', {}, 'c1')).toBeNull();
    expect(noticeLinkPath('publication-late', { unitId: 'U1' }, 'c1')).toBeNull();
    // A recusal's or a replacement's reminder leads to the manager's open approvals.
    expect(noticeLinkPath('approval-reminder', { unitId: 'U1', request: 'recusal' }, 'c1')).toBe('/approvals');
    expect(noticeLinkPath('approval-reminder', { unitId: 'U1', request: 'replacement' }, 'c1')).toBe('/approvals');
    expect(noticeLinkPath('approval-reminder', { request: 'handover' }, 'c1')).toBeNull();
  });

  it('keeps the page through single sign-on', () => {
    const page = loginPage({ csrf: 'x', oidc: true, next: '/inspection?campaign=c1&unit=U1' });
    expect(page).toContain(`href="/login/oidc?next=${q('/inspection?campaign=c1&unit=U1')}"`);
    expect(loginPage({ csrf: 'x', oidc: true, next: '/' })).toContain('href="/login/oidc"');
  });
});

describe('opening a link in the console', () => {
  let c: RunningConsole;
  let connection: Connection;
  const PASSWORD = 'links password 1';
  const person = (id: string, roles: Person['roles']): Person => ({ id, name: `人员${id}`, department: 'section-1', roles, email: null, inspector: null, active: true });
  const task: TaskRow = {
    key: `${CAMPAIGN}.insp.x1/approve-handover`,
    kind: 'approve-handover',
    campaignId: CAMPAIGN,
    inspectionWorkflowId: `${CAMPAIGN}.insp.x1`,
    unitId: 'U0101',
    unitName: '信阳市某化工有限公司',
    department: '执法一科',
    assignees: ['MGR1'],
    role: null,
    roleDepartment: null,
    deadline: '2024-02-20',
    status: 'open',
    decidedBy: null,
    decidedAt: null,
    detail: {},
    revision: 1,
    updatedAt: new Date(),
  };

  beforeAll(async () => {
    let client;
    ({ client, connection } = await devServerClient());
    c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client });
    await addAccount(c.store, { login: 'mgr', person: person('MGR1', ['manager']), roles: [], password: PASSWORD, oidc: null, now: new Date() });
    await addAccount(c.store, { login: 'insp', person: person('S1', ['inspector']), roles: [], password: PASSWORD, oidc: null, now: new Date() });
    await c.store.upsertTask(task);
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
    await connection?.close();
  });

  it('asks for sign-in, then opens the linked page', async () => {
    const browser = new ConsoleClient(c.app);
    const link = `/task/approve-handover?campaign=${q(CAMPAIGN)}&unit=U0101`;
    const first = await browser.get(link);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/login?next=${q(link)}`);
    const form = await browser.get(first.headers.location as string);
    expect(form.body).toContain(`name="next" value="${link.replace(/&/g, '&amp;')}"`);
    const signed = await browser.post('/login', { login: 'mgr', password: PASSWORD, next: link });
    expect(signed.statusCode).toBe(303);
    expect(signed.headers.location).toBe(link);
    const opened = await browser.get(link);
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe(`/approval?task=${q(task.key)}`);
    // Opening the page decides nothing, whatever the link carries.
    const page = await browser.get(`/approval?task=${q(task.key)}&decision=approve`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('同意移交');
    expect((await c.store.getTask(task.key))?.status).toBe('open');
    expect(await c.store.listAudit({ action: 'approval.handover' })).toEqual([]);
    // An approval no longer in the projection: the manager's list.
    expect((await browser.get(`/task/approve-handover?campaign=${q(CAMPAIGN)}&unit=U9999`)).headers.location).toBe('/approvals');
  });

  it('refuses the link to someone without the role', async () => {
    const browser = new ConsoleClient(c.app);
    await browser.login('insp', PASSWORD);
    expect((await browser.get(`/task/approve-handover?campaign=${q(CAMPAIGN)}&unit=U0101`)).statusCode).toBe(403);
  });

  it('goes back only to a local path after sign-in: no open redirect', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/%0d%0aSet-Cookie:x', 'javascript:alert(1)', '/ok\nLocation: //evil', ' /x']) {
      const browser = new ConsoleClient(c.app);
      await browser.get('/login');
      const res = await browser.post('/login', { login: 'mgr', password: PASSWORD, next });
      expect(res.statusCode, next).toBe(303);
      const location = String(res.headers.location);
      expect(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `${next} → ${location}`).toBe(true);
      expect(location === '/' || location === '/%0d%0aSet-Cookie:x', `${next} → ${location}`).toBe(true);
      // Signed in already: the same check.
      const again = await browser.get(`/login?next=${q(next)}`);
      expect(again.headers.location === '/' || again.headers.location === '/%0d%0aSet-Cookie:x', next).toBe(true);
    }
  });
});
