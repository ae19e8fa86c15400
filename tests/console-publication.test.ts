// 结果公示 in the console against a real quarter on the dev server (a compressed clock, a real
// worker whose projector writes into the console's store): before publication the page says what
// will be published and by when (publication is automatic in the workflow); once the quarter has
// closed it lists the package's files and serves them (the 公示 page sandboxed, nothing outside the
// package); the year's table takes a closed quarter's figures from the workflow's statistics.
// Other roles are refused and audited. Screenshots at 1280 and 390 px.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, screenshotCurrent, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { finishInspections, holdDraw, PATIENT, startQuarter } from './helpers/crash-quarter';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';
import { addAccounts, operationsOf, signedInPage } from './console-quarter-fixture';

const PASSWORD = 'operations password 1';
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let browser: Browser;
const taskQueue = uniqueTaskQueue('console-publication');

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture('console-publication-2024');
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: operationsOf(fx.programme, { taskQueue, dataDir: fx.dataDir }) });
  await addAccounts(c.store, PASSWORD, [
    ['leader', PEOPLE.detachmentLeader, ['detachment-leader']],
    ['insp', PEOPLE.sectionInspectors[0]!, ['inspector']],
  ]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('结果公示', () => {
  it('previews, then lists and serves the published package; the year table has the quarter’s own statistics', async () => {
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), allowRehearsalClock: true, consoleStore: c.store });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    try {
      await worker.runUntil(async () => {
        // The compressed update window closes in seconds: the change lists and the draw first.
        const { campaignId } = await startQuarter(client, fx, taskQueue);
        const q = encodeURIComponent(campaignId);
        await holdDraw(client, campaignId);
        await eventually(() => c.store.getCampaign(campaignId), 'the campaign row', PATIENT.tries, PATIENT.everyMs);
        const leader = new ConsoleClient(c.app);
        await leader.login('leader', PASSWORD);

        // Only operations.
        const insp = new ConsoleClient(c.app);
        await insp.login('insp', PASSWORD);
        expect((await insp.get(`/publication?campaign=${q}`)).statusCode).toBe(403);
        expect((await insp.get(`/publication/file?campaign=${q}&path=index.html`)).statusCode).toBe(403);
        expect((await c.store.listAudit({ action: 'role.refused', personId: PEOPLE.sectionInspectors[0] })).length).toBe(2);

        // Before: what will be published, and by when; automatic, so no publish button.
        const before = await leader.get(`/publication?campaign=${q}`);
        expect(before.statusCode).toBe(200);
        expect(before.body).toContain('尚未公示');
        expect(before.body).toContain('系统自动生成公示包并发布');
        expect(before.body).toMatch(/公示期限<\/th><td>2024年\d+月\d+日/);
        for (const part of ['index.html', 'results.csv', 'draw-record.json', 'SHA256SUMS']) expect(before.body).toContain(`>${part}</td>`);
        expect((await leader.get(`/publication/file?campaign=${q}&path=index.html`)).statusCode).toBe(404);
        // Resuming what is not parked: a note on two lines as the browser sends it (CRLF) reaches the
        // workflow, which answers nothing is parked (已处理), never a 500; one over 1000 characters is refused naming the field.
        const notParked = await leader.post('/publication/resume', { campaign: campaignId, note: '名录已恢复\r\n请重新生成' });
        expect(notParked.statusCode).toBe(200);
        expect(notParked.body).toContain('公示当前未处于暂停状态');
        const longNote = await leader.post('/publication/resume', { campaign: campaignId, note: '长'.repeat(1001) });
        expect(longNote.statusCode).toBe(400);
        expect(longNote.body).toContain('“补正说明”最多 1000 个字符，现有 1001 个');
        expect((await c.store.listAudit({ action: 'publication.resume-stale' })).map((a) => a.detail.message)).toEqual([`resumeParkedStep: nothing is parked in campaign ${campaignId}`]);
        const pw = await signedInPage(browser, c.url, 'leader', PASSWORD);
        await screenshotBoth(browser, pw, `${c.url}/publication?campaign=${q}`, 'publication-preview');

        // The quarter runs to its end.
        await finishInspections(client, campaignId, fx.dataDir);
        const status = await eventually(async () => {
          const s = await api.campaignStatus(client, campaignId);
          return s.phase === 'closed' && s;
        }, 'the quarter closed', PATIENT.tries * 2, PATIENT.everyMs);
        const pub = status.publication!;
        await eventually(async () => (await c.store.getCampaign(campaignId))?.phase === 'closed', 'the projection closed', PATIENT.tries, PATIENT.everyMs);

        const after = await leader.get(`/publication?campaign=${q}`);
        expect(after.body).toContain(`已于${pub.publishedOn.slice(0, 4)}年`);
        expect(after.body).toContain(pub.late ? '（逾期）' : '（按期）');
        expect(after.body).toContain(pub.location.replace(/&/g, '&amp;'));
        const onDisk = fs.readdirSync(pub.location);
        for (const f of onDisk.filter((f) => fs.statSync(path.join(pub.location, f)).isFile())) expect(after.body).toContain(`>${f}</a>`);
        // The 总指纹 to publish beside the page: the SHA-256 of SHA256SUMS, as verify.html and verify.py compute it.
        const fingerprint = createHash('sha256').update(fs.readFileSync(path.join(pub.location, 'SHA256SUMS'))).digest('hex');
        expect(after.body).toContain(`<span class="code fingerprint">${fingerprint}</span>`);
        expect(before.body).not.toContain('总指纹');

        // The files as published, byte for byte; the 公示 page sandboxed.
        const page = await leader.get(`/publication/file?campaign=${q}&path=index.html`);
        expect(page.statusCode).toBe(200);
        expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(String(page.headers['content-security-policy'])).toMatch(/^sandbox; default-src 'none'/);
        expect(page.body).toBe(fs.readFileSync(path.join(pub.location, 'index.html'), 'utf8'));
        const csv = await leader.get(`/publication/file?campaign=${q}&path=results.csv`);
        expect(csv.rawPayload.equals(fs.readFileSync(path.join(pub.location, 'results.csv')))).toBe(true);
        // Nothing outside the package, however the path is spelled.
        for (const bad of ['../../registry.db', '/etc/passwd', 'manifest/../../../registry.db', 'index.html/']) {
          expect((await leader.get(`/publication/file?campaign=${q}&path=${encodeURIComponent(bad)}`)).statusCode, bad).toBe(404);
          expect((await leader.get(`/publication/files/${q}/${encodeURIComponent(bad)}`)).statusCode, bad).toBe(404);
        }
        // The listing links path-style, the folder's own layout, so the page's relative links work:
        // verify.html beside index.html, and verify.html may run its own verify.js, nothing else.
        const base = `/publication/files/${q}/`;
        expect(after.body).toContain(`href="${base}index.html"`);
        expect((await leader.get(`${base}index.html`)).body).toBe(page.body);
        const verifyPage = await leader.get(`${base}verify.html`);
        expect(verifyPage.statusCode).toBe(200);
        expect(String(verifyPage.headers['content-security-policy'])).toBe("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        expect((await leader.get(`${base}verify.js`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
        expect((await leader.get(`${base}manifest/units.csv`)).rawPayload.equals(fs.readFileSync(path.join(pub.location, 'manifest', 'units.csv')))).toBe(true);
        expect((await insp.get(`${base}verify.html`)).statusCode).toBe(403);
        // In Chromium: from the 公示 page (sandboxed) its 复核 link opens verify.html, which re-checks the draw here.
        const vp = await signedInPage(browser, c.url, 'leader', PASSWORD);
        await vp.goto(`${c.url}${base}index.html`);
        await Promise.all([vp.waitForURL(`${c.url}${base}verify.html`), vp.click('a[href="verify.html"] >> nth=0')]);
        await vp.waitForSelector('body:not([data-verification="pending"])', { timeout: 120_000 }); // a selector: the page's CSP allows no eval
        expect(await vp.getAttribute('body', 'data-verification'), await vp.innerText('body')).toBe('verified');
        await screenshotCurrent(vp, 'publication-verify');
        await vp.context().close();

        // The year's table: a closed quarter reports the workflow's own statistics.
        const st = status.stats!;
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load((await leader.get('/year.xlsx?year=2024')).rawPayload as unknown as ArrayBuffer);
        const row = (wb.getWorksheet('统计')!.getRow(3).values as unknown[]).slice(1);
        expect(row.slice(0, 4)).toEqual(['第一季度', st.drawn, st.inspected, st.onTime]);
        expect(row.slice(5)).toEqual([st.findings, st.handedOver, st.referred, st.publishedOnTime ? '是' : '否', '']);
        expect(st.drawn).toBeGreaterThan(0);
        expect(st.handedOver + st.referred).toBeGreaterThan(0);

        // Screens: the published package, the year, the closed quarter.
        await screenshotBoth(browser, pw, `${c.url}/publication?campaign=${q}`, 'publication');
        await screenshotBoth(browser, pw, `${c.url}/quarter?campaign=${q}`, 'quarter-closed');
        await screenshotBoth(browser, pw, `${c.url}/year?year=2024`, 'year-closed');
      });
    } finally {
      await activities.close();
    }
  }, 600_000);
});
