// The draw ceremony in the console, in real Chromium against a real quarter on the dev server: two
// witnesses (系统管理员 and 纪检人员) in two browser contexts commit and reveal through the same
// Updates as `ssj witness commit|reveal`, the salt and entropy made in the browser (only the
// commitment leaves before the reveal), the projector view following along to the seed
// commitment. Refused: a non-witness, a missing CSRF token, a stale commit or reveal (已处理).
// The published state of the projector view is rendered from a real ssj-draw/2 record.
// Screenshots of every ceremony screen at 1280 and 390 px go to test-output/console/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { witnessSecretSchema } from '../client/witness-secret';
import { addAccount } from '../console/accounts';
import { readPublishedRecord } from '../console/ceremony';
import { hashPassword } from '../console/passwords';
import { picksAfterDraw, picksBeforeDraw } from '../scripts/demo-console';
import { ceremonyScreenLive, ceremonyScreenPage } from '../console/views/ceremony';
import { witnessCommitment } from '../domain/draw/commitment';
import type { Person } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { campaignWorkflowId, type CampaignStatus } from '../workflows/definitions';
import { screenshotBoth, SCREENSHOTS, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, withRegistry, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient, signedInClient } from './helpers/console-client';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';

const PASSWORD = 'witness password 1';
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let browser: Browser;
let people: Map<string, Person>;
const outside: string[] = [];
/** How far the console's clock runs ahead of the real one (the projector's session through a long ceremony). */
let clockShift = 0;
const cspErrors: string[] = [];

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture('console-ceremony-2024');
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  people = new Map((await withRegistry(fx.dataDir, (reg) => reg.snapshotAt('2024-01-01'))).people.map((p) => [p.id, p]));
  // Many sign-ins from one address within a minute (each witness's 工作台 is checked too): the
  // login rate limit is tested in console-auth.test.ts, not here.
  c = await startConsole({ env: { SSJ_CONSOLE_LOGIN_PER_MINUTE: '100' }, personName: async (id) => people.get(id)?.name ?? null, temporal: client, now: () => new Date(Date.now() + clockShift) });
  for (const [login, id] of [['adm', PEOPLE.admin], ['dis', PEOPLE.discipline], ['adm2', PEOPLE.admin2], ['mgr', PEOPLE.managers[0]!]] as const) {
    await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
  }
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

async function signedIn(login: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(c.url) && !r.url().startsWith('blob:')) outside.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) cspErrors.push(m.text());
  });
  await page.goto(`${c.url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${c.url}/`), page.click('button[type=submit]')]);
  return { ctx, page };
}
const text = (page: Page, sel: string) => page.locator(sel).first().innerText();

describe('the draw ceremony in the console', () => {
  it('two witnesses commit and reveal in their browsers; the projector follows; intruders and late clicks are refused', async () => {
    const taskQueue = uniqueTaskQueue('console-ceremony');
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), allowRehearsalClock: true, consoleStore: c.store });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 1);
    const status = () => api.campaignStatus(client, campaignId);
    const ceremonyUrl = `${c.url}/ceremony?campaign=${encodeURIComponent(campaignId)}`;
    const screenUrl = `${c.url}/ceremony/screen?campaign=${encodeURIComponent(campaignId)}`;

    await worker.runUntil(async () => {
      // The start stands for 2024-01-01, after the update window: the freeze comes at once. A
      // programme day lasts 120 s, so the reveals (48 programme hours) have 4 minutes.
      await api.startCampaign(client, { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2024-01-01', secondsPerDay: 120 } }, { taskQueue });
      const drawing = await eventually(async () => ((await status()).phase === 'draw' ? status() : null), 'draw phase', 900);
      const digest = drawing.manifest!.digest;

      // A non-witness is refused the page and the Update, and it is audited.
      const mgr = new ConsoleClient(c.app);
      await mgr.login('mgr', PASSWORD);
      expect((await mgr.get(`/ceremony?campaign=${encodeURIComponent(campaignId)}`)).statusCode).toBe(403);
      const intrusion = await mgr.post('/ceremony/commit', { campaign: campaignId, ceremony: '1', role: 'admin', commitment: 'a'.repeat(64) });
      expect(intrusion.statusCode).toBe(403);

      // A projector nobody touches stays signed in through the ceremony: its polls count as activity
      // while the quarter is in the draw phase (polls elsewhere do not: console-session-polling.test.ts).
      const projector = await signedInClient(c.app, 'mgr', PASSWORD);
      const liveUrl = `/ceremony/screen/live?campaign=${encodeURIComponent(campaignId)}`;
      try {
        for (let i = 0; i < 3; i++) {
          clockShift += (c.settings.idleMinutes - 1) * 60_000;
          const live = await projector.get(liveUrl, { 'hx-request': 'true', 'hx-trigger': 'ceremony-live' });
          expect(live.statusCode, `poll ${i + 1}`).toBe(200);
          expect(live.headers['hx-redirect'], `poll ${i + 1}`).toBeUndefined();
          expect(live.body).toContain('等待见证人提交承诺值');
        }
      } finally {
        clockShift = 0;
      }

      // The projector, on the room's computer (any signed-in staff member: nothing on it is secret).
      const room = await signedIn('mgr');
      await room.page.goto(screenUrl);
      await expect(text(room.page, '.ceremony-stage')).resolves.toContain('等待见证人提交承诺值');
      await expect(text(room.page, '.ceremony-screen .ceremony-hash')).resolves.toBe(digest.replace(/(.{8})(?=.)/g, '$1 '));
      await screenshotBoth(browser, room.page, screenUrl, 'ceremony-screen-waiting');

      // Without JavaScript the secret cannot be made in the browser: the form cannot be sent, and
      // the page names the command that does it on the witness's own machine.
      const noScript = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', javaScriptEnabled: false });
      const plain = await noScript.newPage();
      await plain.goto(`${c.url}/login`);
      await plain.fill('#login', 'adm');
      await plain.fill('#password', PASSWORD);
      await Promise.all([plain.waitForURL(`${c.url}/`), plain.click('button[type=submit]')]);
      await plain.goto(ceremonyUrl);
      await expect(plain.locator('form.ceremony-commit button[type=submit]').isDisabled()).resolves.toBe(true);
      await expect(text(plain, 'form.ceremony-commit noscript')).resolves.toContain(`ssj witness commit --campaign ${campaignId} --role admin --as ${PEOPLE.admin}`);
      // The entropy field has no name: a form sent any other way carries no secret.
      await expect(plain.locator('.ceremony-entropy').getAttribute('name')).resolves.toBeNull();
      await plain.screenshot({ path: path.join(SCREENSHOTS, 'ceremony-no-script-desktop.png'), fullPage: true });
      await noScript.close();

      const admin = await signedIn('adm');
      const discipline = await signedIn('dis');
      // 工作台: each witness sees the commit step, with its deadline, linking to the ceremony page
      // (once the projection has the quarter in the draw phase); a manager does not.
      const homeClients = new Map<string, ConsoleClient>();
      const homeBodies = new Map<string, string>();
      const homeTasks = async (login: string) => {
        let u = homeClients.get(login);
        if (!u) {
          u = new ConsoleClient(c.app);
          await u.login(login, PASSWORD);
          homeClients.set(login, u);
        }
        const body = (await u.get('/')).body;
        homeBodies.set(login, body);
        return [...body.matchAll(/<a href="([^"]+)">(抽取见证：[^<]+)<\/a>/g)].map((m) => `${m[2]} ${m[1]!.replace(/&amp;/g, '&')}`);
      };
      const ceremonyPath = `/ceremony?campaign=${encodeURIComponent(campaignId)}`;
      await eventually(async () => ((await homeTasks('adm')).length > 0 ? true : null), 'the witness task on 工作台', 300);
      expect(await homeTasks('adm')).toEqual([`抽取见证：提交承诺 ${ceremonyPath}`]);
      expect(await homeTasks('dis')).toEqual([`抽取见证：提交承诺 ${ceremonyPath}`]);
      expect(await homeTasks('mgr')).toEqual([]);
      await admin.page.reload();
      await expect(admin.page.locator('main table').innerText()).resolves.toMatch(new RegExp(`抽取见证：提交承诺[\\s\\S]*${drawing.dates.drawDue.slice(0, 4)}年`));
      await screenshotBoth(browser, admin.page, `${c.url}/`, 'home-witness-commit');
      await admin.page.click('nav a:has-text("抽取见证")');
      await admin.page.waitForURL(`${c.url}/ceremony`);
      await expect(admin.page.locator('tbody tr').first().innerText()).resolves.toContain('随机抽取');
      await screenshotBoth(browser, admin.page, `${c.url}/ceremony`, 'ceremony-list');
      await admin.page.goto(ceremonyUrl);
      // The manifest digest comes first, before any form.
      const cards = await admin.page.locator('main .card').evaluateAll((els) => els.map((e) => e.className));
      expect(cards[0]).toContain('ceremony-digest');
      await expect(text(admin.page, '#manifest-digest')).resolves.toBe(digest.replace(/(.{8})(?=.)/g, '$1 '));
      await screenshotBoth(browser, admin.page, ceremonyUrl, 'ceremony-commit');

      // The admin types dice digits; the page sends only the commitment.
      const sent: string[] = [];
      admin.page.on('request', (r) => {
        if (r.method() === 'POST') sent.push(r.postData() ?? '');
      });
      const dice = '3141592653589793238462';
      await admin.page.fill('.ceremony-entropy', dice);
      await admin.page.check('input[name=digestChecked]');
      await Promise.all([admin.page.waitForURL(ceremonyUrl), admin.page.click('form.ceremony-commit button[type=submit]')]);
      await expect(text(admin.page, '.ceremony-mine h2')).resolves.toContain('已提交承诺值');
      const commitPost = new URLSearchParams(sent.find((b) => b.includes('commitment='))!);
      expect([...commitPost.keys()].sort()).toEqual(['_csrf', 'campaign', 'ceremony', 'commitment', 'digestChecked', 'role']);
      expect(sent.join('\n')).not.toContain(dice);
      const salt = await admin.page.locator('.ceremony-code dd').nth(0).innerText();
      expect(salt).toMatch(/^[0-9a-f]{32}$/);
      await expect(admin.page.locator('.ceremony-code dd').nth(1).innerText()).resolves.toBe(dice);
      // The browser computed DRAW-SPEC section 11's commitment, and the workflow recorded it.
      const afterAdmin = await status();
      const adminCommitment = afterAdmin.ceremony!.witnesses.find((w) => w.role === 'admin')!.commitment;
      expect(adminCommitment).toBe(witnessCommitment(digest, 'admin', PEOPLE.admin, salt, dice));
      expect(commitPost.get('commitment')).toBe(adminCommitment);
      // The backup file is the one `ssj witness commit` writes, under its default name.
      const [download] = await Promise.all([admin.page.waitForEvent('download'), admin.page.click('a.ceremony-download')]);
      expect(download.suggestedFilename()).toBe(`${campaignId}.c1.admin.${PEOPLE.admin}.json`);
      const backup = witnessSecretSchema.parse(JSON.parse(fs.readFileSync((await download.path())!, 'utf8')));
      expect(backup).toMatchObject({ salt, entropy: dice, commitment: adminCommitment, manifestDigest: digest, ceremony: 1 });
      await admin.page.screenshot({ path: path.join(SCREENSHOTS, 'ceremony-committed-desktop.png'), fullPage: true });
      await admin.page.setViewportSize({ width: 390, height: 844 });
      await admin.page.screenshot({ path: path.join(SCREENSHOTS, 'ceremony-committed-phone.png'), fullPage: true });
      await admin.page.setViewportSize({ width: 1280, height: 800 });

      // 工作台 after the admin's commit: the admin now has the reveal step; another admin who is also
      // a discipline officer has only the discipline role's commit left; the discipline officer
      // still has the commit step.
      expect(await homeTasks('adm')).toEqual([`抽取见证：揭示 ${ceremonyPath}`]);
      expect(await homeTasks('adm2')).toEqual([`抽取见证：提交承诺 ${ceremonyPath}`]);
      expect(homeBodies.get('adm2')).toContain('纪检人员见证');
      expect(homeBodies.get('adm2')).not.toContain('系统管理员见证');
      expect(await homeTasks('dis')).toEqual([`抽取见证：提交承诺 ${ceremonyPath}`]);
      await screenshotBoth(browser, admin.page, `${c.url}/`, 'home-witness-reveal');

      // A late commit for the same role (another admin) is answered 已处理 with who committed.
      const adm2 = new ConsoleClient(c.app);
      await adm2.login('adm2', PASSWORD);
      await adm2.get(`/ceremony?campaign=${encodeURIComponent(campaignId)}`);
      const late = await adm2.post('/ceremony/commit', { campaign: campaignId, ceremony: '1', role: 'admin', commitment: 'b'.repeat(64) });
      expect(late.statusCode).toBe(200);
      expect(late.body).toContain('已处理');
      expect(late.body).toContain(`${people.get(PEOPLE.admin)!.name}（${PEOPLE.admin}）已于`);
      // CSRF: a commit without the session's token changes nothing.
      const dis = new ConsoleClient(c.app);
      await dis.login('dis', PASSWORD);
      const forged = await dis.post('/ceremony/commit', { _csrf: 'not-the-token', campaign: campaignId, ceremony: '1', role: 'discipline', commitment: 'c'.repeat(64) });
      expect(forged.statusCode).toBe(403);
      expect((await status()).ceremony!.witnesses.map((w) => w.role)).toEqual(['admin']);

      await room.page.locator('.ceremony-screen td.ceremony-done', { hasText: '已提交' }).first().waitFor({ timeout: 30_000 });
      await screenshotBoth(browser, room.page, screenUrl, 'ceremony-screen-committing');

      // The discipline officer lets the browser make the entropy.
      await discipline.page.goto(ceremonyUrl);
      await discipline.page.check('input[name=digestChecked]');
      await Promise.all([discipline.page.waitForURL(ceremonyUrl), discipline.page.click('form.ceremony-commit button[type=submit]')]);
      // Both committed: the reveal form, filled from this browser's storage.
      // The commit's redirect lands on the same address: wait for the new page, not the URL.
      await discipline.page.locator('.ceremony-found').waitFor({ state: 'visible', timeout: 30_000 });
      await expect(discipline.page.locator('.ceremony-found').isVisible()).resolves.toBe(true);
      await expect(discipline.page.locator('input[name=entropy]').inputValue()).resolves.toMatch(/^[0-9A-Za-z]{32}$/);
      await screenshotBoth(browser, discipline.page, ceremonyUrl, 'ceremony-reveal');
      await room.page.locator('.ceremony-stage', { hasText: '等待揭示' }).waitFor({ timeout: 30_000 });
      await screenshotBoth(browser, room.page, screenUrl, 'ceremony-screen-revealing');

      // The admin reveals from the browser that committed.
      await admin.page.goto(ceremonyUrl);
      // The commit's redirect lands on the same address: wait for the new page, not the URL.
      await admin.page.locator('.ceremony-found').waitFor({ state: 'visible', timeout: 30_000 });
      await expect(admin.page.locator('.ceremony-found').isVisible()).resolves.toBe(true);
      await Promise.all([admin.page.waitForURL(ceremonyUrl), admin.page.click('form.ceremony-reveal button[type=submit]')]);
      await expect(text(admin.page, '.ceremony-mine[data-revealed=yes]')).resolves.toContain('您已于');
      await screenshotBoth(browser, admin.page, ceremonyUrl, 'ceremony-revealed');
      // Accepted: the secret leaves this browser's storage.
      const kept = () => Object.keys((globalThis as unknown as { localStorage: Record<string, string> }).localStorage).filter((k) => k.startsWith('ssj-witness:')).length;
      await expect(admin.page.evaluate(kept)).resolves.toBe(0);

      // The discipline officer has the page open twice; the second click comes after the first.
      const second = await discipline.ctx.newPage();
      await second.goto(ceremonyUrl);
      // The commit's redirect lands on the same address: wait for the new page, not the URL.
      await second.locator('.ceremony-found').waitFor({ state: 'visible', timeout: 30_000 });
      await expect(second.locator('.ceremony-found').isVisible()).resolves.toBe(true);
      await Promise.all([discipline.page.waitForURL(ceremonyUrl), discipline.page.click('form.ceremony-reveal button[type=submit]')]);
      await Promise.all([second.waitForURL(`${c.url}/ceremony/reveal`), second.click('form.ceremony-reveal button[type=submit]')]);
      await expect(text(second, 'h1')).resolves.toBe('已处理');
      await expect(text(second, 'main')).resolves.toMatch(/已于|抽取已进行/);
      await second.screenshot({ path: path.join(SCREENSHOTS, 'ceremony-stale-desktop.png'), fullPage: true });

      // The draw ran: the projector shows the seed commitment; the list stays sealed.
      const drawn = await eventually(async () => ((await status()).sealed ? status() : null), 'the draw', 600);
      await room.page.locator('.ceremony-stage', { hasText: '名单密封' }).waitFor({ timeout: 30_000 });
      await expect(room.page.locator('.ceremony-big .ceremony-hash').nth(1).innerText()).resolves.toBe(drawn.sealed!.seedCommitment.replace(/(.{8})(?=.)/g, '$1 '));
      await screenshotBoth(browser, room.page, screenUrl, 'ceremony-screen-drawn');
      await screenshotBoth(browser, discipline.page, ceremonyUrl, 'ceremony-drawn');
      // Done: the witness tasks have left 工作台.
      expect(await homeTasks('adm')).toEqual([]);
      expect(await homeTasks('dis')).toEqual([]);

      // The demo's accounts (scripts/demo-console.ts) for this real quarter: before the draw, active
      // holders of the witness roles; once drawn, the inspector with the most open results (on their
      // 工作台) and a leader in charge.
      const registryPeople = [...people.values()];
      const before = picksBeforeDraw(registryPeople, { brigadeName: (id) => id });
      expect(before.find((p) => p.role === 'admin')?.person.roles).toContain('admin');
      expect(before.find((p) => p.role === 'discipline')?.person.roles).toContain('discipline');
      expect(new Set(before.map((p) => p.person.id)).size).toBe(before.length);
      const open = await eventually(async () => {
        const tasks = await c.store.listTasksOfCampaign(campaignId, ['open']);
        return tasks.some((t) => t.kind === 'result') ? tasks : null;
      }, 'open result tasks of the drawn quarter', 300);
      const after = picksAfterDraw(registryPeople, open);
      const inspector = after.find((p) => p.role === 'inspector')!;
      const results = open.filter((t) => t.kind === 'result');
      const countOf = (id: string) => results.filter((t) => t.assignees.includes(id)).length;
      expect(countOf(inspector.person.id)).toBe(Math.max(...results.flatMap((t) => t.assignees).map(countOf)));
      expect(inspector.can).toContain(`${countOf(inspector.person.id)}项`);
      expect(after.find((p) => p.role === 'manager')?.person.roles).toContain('manager');
      await c.store.createAccount({ login: 'demo.inspector', personId: inspector.person.id, roles: inspector.person.roles, passwordHash: await hashPassword(PASSWORD), now: new Date() });
      const mine = await homeTasks('demo.inspector');
      expect(mine).toEqual([]);
      expect(homeBodies.get('demo.inspector')).toContain(`共${countOf(inspector.person.id)}项待办`);

      // The audit log: every step by its person; never a salt or an entropy.
      const entries = await c.store.listAudit({ limit: 200 });
      const actions = entries.map((e) => `${e.action} ${e.personId}`);
      expect(actions).toEqual(
        expect.arrayContaining([
          `ceremony.commit ${PEOPLE.admin}`,
          `ceremony.commit ${PEOPLE.discipline}`,
          `ceremony.reveal ${PEOPLE.admin}`,
          `ceremony.reveal ${PEOPLE.discipline}`,
          `ceremony.stale-click ${PEOPLE.admin2}`,
          `ceremony.stale-click ${PEOPLE.discipline}`,
          `csrf.refused ${PEOPLE.discipline}`,
          `role.refused ${PEOPLE.managers[0]}`,
        ]),
      );
      expect(JSON.stringify(entries)).not.toContain(dice);
      expect(JSON.stringify(entries)).not.toContain(salt);
      expect(outside).toEqual([]);
      expect(cspErrors).toEqual([]);
      await Promise.all([room.ctx.close(), admin.ctx.close(), discipline.ctx.close()]);
    });
  }, 600_000);

  it('shows the published draw record on the projector: digest, seed, counts', async () => {
    // A real ssj-draw/2 record in a publication folder, and a campaign status after publication.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-ceremony-publication-'));
    const recordText = fs.readFileSync(path.join(__dirname, 'fixtures', 'draw-vectors', 'small-v2', 'record.json'), 'utf8');
    fs.writeFileSync(path.join(folder, 'draw-record.json'), recordText);
    const record = readPublishedRecord(folder)!;
    const json = JSON.parse(recordText) as { seed: string; manifest_digest: string; assignments: unknown[]; witnesses: { role: 'admin' | 'discipline'; person_id: string; commitment: string }[] };
    expect(record).toMatchObject({ seed: json.seed, manifestDigest: json.manifest_digest, spec: 'ssj-draw/2', drawn: json.assignments.length });
    expect(readPublishedRecord(path.join(folder, 'missing'))).toBeNull();

    const st: CampaignStatus = {
      campaignId: 'campaign-published-2024q1',
      programmeId: 'published',
      year: 2024,
      quarter: 1,
      phase: 'closed',
      today: '2024-04-20',
      dates: { windowCloses: '2023-12-31', drawDue: '2024-01-10', inspectionDue: '2024-03-31', escalateAfter: '2024-04-03', publicationDue: '2024-04-29' },
      updateWindow: { submitted: [], waitingFor: [] },
      manifest: { digest: json.manifest_digest, units: 12, inspectors: 6, pools: 3 },
      witnesses: json.witnesses.map((w) => ({ role: w.role, personId: w.person_id })),
      drawSpec: 'ssj-draw/2',
      ceremony: { number: 1, startedAt: '2024-01-02T09:00:00+08:00', revealBy: '2024-01-04T10:00:00+08:00', witnesses: json.witnesses.map((w) => ({ role: w.role, personId: w.person_id, commitment: w.commitment, committedAt: '2024-01-02T10:00:00+08:00', revealedAt: '2024-01-02T10:30:00+08:00' })) },
      voidCeremonies: [],
      sealed: { seedCommitment: 'f'.repeat(64), manifestDigest: json.manifest_digest, drawn: json.assignments.length },
      inspections: { batches: 3, finished: json.assignments.length, total: json.assignments.length },
      publication: { location: folder, publishedOn: '2024-04-18', late: false },
      overdue: [],
      waitingOn: [],
      stats: { drawn: json.assignments.length, inspected: 5, onTime: 4, overdue: 1, escalated: 0, findings: 2, ownCases: 0, handedOver: 1, handoverRejected: 0, referred: 1, notInspected: 0, replacedUnits: 0, replacedInspectors: 0, failed: 0, drawOverdue: false, publishedOnTime: true, changeListsMissing: [] },
      parked: null,
    };
    const pageHtml = ceremonyScreenPage(st, {}, record);
    // Served in place of the console's answer, so the real stylesheet and CSP apply.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.route(`${c.url}/ceremony/screen?campaign=published`, (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: pageHtml }));
    await page.route(`${c.url}/ceremony/screen/live?**`, (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: ceremonyScreenLive(st, {}, record).value }));
    await page.goto(`${c.url}/ceremony/screen?campaign=published`);
    await expect(text(page, '.ceremony-stage')).resolves.toBe('结果已公示');
    const big = await page.locator('.ceremony-big').allInnerTexts();
    expect(big.join('\n')).toContain(json.seed.replace(/(.{8})(?=.)/g, '$1 '));
    expect(big.join('\n')).toContain(json.manifest_digest.replace(/(.{8})(?=.)/g, '$1 '));
    await expect(text(page, 'table.ceremony-counts')).resolves.toMatch(/抽中\s+\d+家/);
    // Units counted as units (家) throughout, as 年度统计 counts them.
    await expect(text(page, 'table.ceremony-counts')).resolves.toMatch(/移交\s+(\d+|—)家\s+移送\s+(\d+|—)家/);
    for (const [size, viewport] of Object.entries({ desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } })) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: path.join(SCREENSHOTS, `ceremony-screen-published-${size}.png`), fullPage: true });
    }
    await ctx.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }, 60_000);

  it('refuses witnesses of whom one set up the other\'s account: at commit, either way round, and again at reveal', async () => {
    const taskQueue = uniqueTaskQueue('console-ceremony-ties');
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), allowRehearsalClock: true, consoleStore: c.store });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    const campaignId = campaignWorkflowId(fx.programme.id, 2024, 2);
    const status = () => api.campaignStatus(client, campaignId);
    // The administrator ADM1 invites the discipline officer DIS1, and that link is used (by DIS1, or
    // by ADM1 themselves: the console cannot tell, which is the point).
    const adm = (await c.store.getAccountByLogin('adm'))!;
    await c.store.createInvitation({ tokenHash: 'f'.repeat(64), personId: PEOPLE.discipline, roles: ['discipline'], expiresAt: new Date(Date.now() + 3_600_000), createdBy: adm.id, now: new Date() });
    const made = await c.store.consumeInvitation('f'.repeat(64), { login: 'dis.invited', passwordHash: await hashPassword(PASSWORD), now: new Date() });
    expect(made.ok).toBe(true);

    await worker.runUntil(async () => {
      await api.startCampaign(client, { programmeId: fx.programme.id, year: 2024, quarter: 2, clock: { mode: 'rehearsal', programmeStart: '2024-04-01', secondsPerDay: 120 } }, { taskQueue });
      const drawing = await eventually(async () => ((await status()).phase === 'draw' ? status() : null), 'draw phase', 900);
      const digest = drawing.manifest!.digest;
      const form = (role: string, commitment: string) => ({ campaign: campaignId, ceremony: String(drawing.ceremony!.number), role, commitment });
      const ceremonyPath = `/ceremony?campaign=${encodeURIComponent(campaignId)}`;
      const dis = new ConsoleClient(c.app);
      await dis.login('dis.invited', PASSWORD);
      await dis.get(ceremonyPath);
      const disSecret = { salt: '0123456789abcdef0123456789abcdef', entropy: '27182818284590452353' };
      const disCommitment = witnessCommitment(digest, 'discipline', PEOPLE.discipline, disSecret.salt, disSecret.entropy);
      // The first witness has nobody to be tied to yet.
      expect((await dis.post('/ceremony/commit', form('discipline', disCommitment))).statusCode).toBe(303);

      // ADM1 set up the committed discipline witness's account: refused, nothing recorded.
      const admin = new ConsoleClient(c.app);
      await admin.login('adm', PASSWORD);
      // The page says so instead of offering the commit form; a commit sent all the same is refused.
      const pageBody = (await admin.get(ceremonyPath)).body;
      expect(pageBody).toContain('不能担任系统管理员见证人');
      expect(pageBody).not.toContain('ceremony-commit');
      const admPage = await signedIn('adm');
      await screenshotBoth(browser, admPage.page, `${c.url}${ceremonyPath}`, 'ceremony-tied');
      await admPage.ctx.close();
      const refused = await admin.post('/ceremony/commit', form('admin', 'a'.repeat(64)));
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain(`另一名见证人、纪检人员${people.get(PEOPLE.discipline)!.name}（${PEOPLE.discipline}）的工作台账号由您开通`);
      expect(refused.body).toContain('ssj user invite');
      expect((await status()).ceremony!.witnesses.map((w) => w.role)).toEqual(['discipline']);

      // A commit that reached the workflow without the console's check (here `ssj witness commit`
      // on the server; or two consoles at once): the reveal is refused all the same.
      await api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, commitment: 'b'.repeat(64) });
      // Both pages offer no reveal form, and say why.
      for (const who of [dis, admin]) {
        const body = (await who.get(ceremonyPath)).body;
        expect(body).toContain('不能担任');
        expect(body).not.toContain('ceremony-reveal');
      }
      const reveal = await dis.post('/ceremony/reveal', { campaign: campaignId, ceremony: String(drawing.ceremony!.number), role: 'discipline', ...disSecret });
      expect(reveal.statusCode).toBe(409);
      expect(reveal.body).toContain(`您的工作台账号由本次仪式的另一名见证人、系统管理员${people.get(PEOPLE.admin)!.name}（${PEOPLE.admin}）开通`);
      expect(reveal.body).toContain('不能揭示');
      expect((await status()).ceremony!.witnesses.find((w) => w.role === 'discipline')!.revealedAt).toBeNull();

      // The two refusals as a witness sees them (served in place of the POST's answer, with the real stylesheet).
      const blank = await browser.newContext();
      const blankPage = await blank.newPage();
      for (const [name, body] of [['ceremony-tie-commit', refused.body], ['ceremony-tie-reveal', reveal.body]] as const) {
        await screenshotBoth(browser, blankPage, async (page) => {
          await page.route(`${c.url}/ceremony/refused`, (r) => r.fulfill({ status: 409, contentType: 'text/html; charset=utf-8', body }));
          await page.goto(`${c.url}/ceremony/refused`);
        }, name);
      }
      await blank.close();

      const ties = (await c.store.listAudit({ action: 'ceremony.refused', target: campaignId })).filter((e) => e.detail.reason === 'witness-tie');
      expect(ties.map((e) => [e.personId, e.detail.step, e.detail.tie, e.detail.account, e.detail.by])).toEqual([
        [PEOPLE.discipline, 'reveal', 'set-up', made.ok ? made.account.id : null, PEOPLE.admin],
        [PEOPLE.admin, 'commit', 'set-up', made.ok ? made.account.id : null, PEOPLE.admin],
      ]);
    });
  }, 600_000);
});
