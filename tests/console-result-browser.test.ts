// One inspection's whole path in real Chromium, on the dev server with the real projection: the
// inspector finds it on 工作台, fills the paper record and saves a draft with a photo (stored in
// the blob store, listed in the draft, shown again on reload), has a wrong-type, a disguised and
// an oversized upload refused in place, submits the findings (per-item record and the evidence
// reference in the Update, the draft deleted); the workflow raises the hand-over, and a manager in
// a second browser context reads the record, downloads the photo and approves it. Another team's
// inspector gets neither the page, the draft, nor the evidence; script typed into every field
// shows as text. Screens at 1280 px and 390 px go to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { addAccount } from '../console/accounts';
import { inspectionRegistry } from '../console/inspection-registry';
import { resolveClock } from '../domain/programme-clock';
import type { Person } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { SqlBlobStore, sha256 } from '../stores/blob-store';
import { openStoreDatabase } from '../stores/open';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { ResultDraftStore } from '../stores/result-drafts';
import type { SqlDatabase } from '../stores/sql';
import { campaignWorkflowId } from '../workflows/definitions';
import { screenshotBoth, screenshotCurrent, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, type Fixture } from './helpers/campaign-fixture';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';

const PASSWORD = 'result path password 1';
const SCRIPT = '<script>alert("x")</script>';
const programmeId = 'console-result-2024';
const campaignId = campaignWorkflowId(programmeId, 2024, 1);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF 现场照片 evidence bytes')]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let browser: Browser;
let people: Map<string, Person>;
let registryStore: RegistryStore;
let db: SqlDatabase;
let drafts: ResultDraftStore;
let blobs: SqlBlobStore;
const dialogs: string[] = [];

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture(programmeId);
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  registryStore = await openRegistryStore({ dataDir: fx.dataDir, databaseUrl: null });
  people = new Map((await registryStore.snapshotAt('2024-01-01')).people.map((p) => [p.id, p]));
  db = await openStoreDatabase({ dataDir: fx.dataDir, databaseUrl: null });
  drafts = new ResultDraftStore(db);
  blobs = new SqlBlobStore(db);
  const reasons = fx.programme.reasons!;
  c = await startConsole({
    personName: async (id) => people.get(id)?.name ?? null,
    temporal: client,
    rejectionReasons: reasons.rejection ?? [],
    inspections: {
      registry: await inspectionRegistry(registryStore),
      checkItems: fx.programme.checkItems,
      couldNotInspect: reasons.couldNotInspect ?? [],
      requests: { recusal: reasons.recusal ?? [], unitClosed: reasons.unitClosed ?? [] },
      results: { drafts, blobs },
    },
  });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await db?.close();
  await registryStore?.close();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

async function signedIn(login: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })).newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${c.url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${c.url}/`);
  return page;
}

/** Script typed as text: shown back as text, never as an element of the page. */
async function expectEscaped(page: Page): Promise<void> {
  expect(await page.content()).toContain('&lt;script&gt;alert("x")&lt;/script&gt;');
  expect(await page.locator('main script').count()).toBe(0);
  expect(dialogs).toEqual([]);
}

describe('an inspection result from the browser to the approved hand-over', () => {
  it('goes from 工作台 through a draft with evidence to a submitted finding and the manager’s approval; others are refused', async () => {
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb), consoleStore: c.store, allowRehearsalClock: true });
    await freezeAndDraw(acts, campaignId, programmeId, { admin: 'ResultPathAdmin2024', discipline: 'ResultPathDiscip24' });
    const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, Date.now());
    const section = (await inspectionInputs(acts, campaignId, 'section-1', clock))[0]!;
    const [lead, mate] = section.team as [string, string];
    const manager = PEOPLE.managers[0]!;
    const outsider = PEOPLE.sectionInspectors.find((id) => !section.team.includes(id))!;
    for (const [login, id] of [['lead', lead], ['mgr', manager], ['other', outsider]] as const) {
      await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
    }
    const wf = api.inspectionWorkflowIdFor(client, campaignId, section.unitId);
    const q = `campaign=${encodeURIComponent(campaignId)}&unit=${encodeURIComponent(section.unitId)}`;
    const url = `${c.url}/inspection?${q}`;
    const evidenceUrl = `${c.url}/inspection/evidence?${q}&file=${sha256(JPEG)}`;
    const items = fx.programme.checkItems;

    const taskQueue = uniqueTaskQueue('console-result');
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities: acts });
    await worker.runUntil(async () => {
      await client.workflow.start('inspectionWorkflow', { workflowId: wf, taskQueue, args: [section] });
      await eventually(async () => (await c.store.getTask(`${wf}/result`))?.status === 'open', 'the result task');
      const today = (await api.inspectionStatus(client, campaignId, section.unitId)).today;

      // 工作台: the inspector's task leads to the inspection page.
      const page = await signedIn('lead');
      await page.click(`main a[href*="unit=${encodeURIComponent(section.unitId)}"]`);
      await page.waitForURL(/\/inspection\?/);

      // The paper record with script in every field, and a photo: saved as a draft.
      for (const ci of items) {
        await page.check(`input[name=item-${ci.seq}-checked]`);
        await page.fill(`#item-${ci.seq}-handling`, `${SCRIPT}当场责令改正`);
      }
      await page.check('input[name=item-1-problem]');
      // Two lines: Chromium sends the line break as CRLF, the console reads it as LF.
      await page.fill('#howChecked', `${SCRIPT}现场查看治污设施\n查阅在线监测数据`);
      await page.fill('#checkedOn', today);
      await page.check(`input[name=present][value="${lead}"]`);
      await page.check(`input[name=present][value="${mate}"]`);
      await page.check('input[name=outcome][value=problems-found]');
      await page.fill('#description', `${SCRIPT}废水超标排放`);
      await page.fill('#note', `${SCRIPT}内部说明`);
      await page.setInputFiles('#evidence', { name: '现场照片.jpg', mimeType: 'image/jpeg', buffer: JPEG });
      await page.click('form.record button[value=draft]');
      await page.waitForURL(/saved=1/);
      await page.getByText('草稿已保存').first().waitFor();
      await page.getByRole('link', { name: '现场照片.jpg' }).waitFor();
      const saved = await drafts.get(campaignId, section.unitId);
      expect(saved).toMatchObject({ updatedBy: lead, values: { howChecked: `${SCRIPT}现场查看治污设施\n查阅在线监测数据` }, evidence: [{ fileName: '现场照片.jpg', sha256: sha256(JPEG), contentType: 'image/jpeg', size: JPEG.length, uploadedBy: lead }] });
      expect(await blobs.get(sha256(JPEG))).toEqual(JPEG);
      // The form comes back from the draft, script shown as text.
      expect(await page.inputValue('#description')).toBe(`${SCRIPT}废水超标排放`);
      expect(await page.inputValue('#note')).toBe(`${SCRIPT}内部说明`);
      expect(await page.inputValue('#howChecked')).toBe(`${SCRIPT}现场查看治污设施\n查阅在线监测数据`);
      expect(await page.inputValue('#item-1-handling')).toBe(`${SCRIPT}当场责令改正`);
      expect(await page.isChecked('input[name=item-1-problem]')).toBe(true);
      await expectEscaped(page);
      await screenshotBoth(browser, page, url, 'inspection-draft');

      // Refused uploads, each in place with what was typed, nothing stored, the draft unchanged.
      const refusedUploads = [
        { file: { name: '说明.html', mimeType: 'text/html', buffer: Buffer.from(`<html>${SCRIPT}</html>`) }, text: '不是 JPEG、PNG 照片或 PDF 文件', status: 400 },
        { file: { name: '伪装.jpg', mimeType: 'image/jpeg', buffer: PNG }, text: '内容与其类型不符', status: 400 },
        { file: { name: '超大照片.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([JPEG, Buffer.alloc(10 * 1024 * 1024)]) }, text: '单个文件不能超过 10 MB', status: 413 },
      ];
      for (const r of refusedUploads) {
        await page.goto(url);
        await page.setInputFiles('#evidence', r.file);
        const [answer] = await Promise.all([page.waitForResponse((res) => res.request().method() === 'POST'), page.click('form.record button[value=draft]')]);
        expect(answer.status()).toBe(r.status);
        await page.getByText(r.text).waitFor();
        expect(await page.inputValue('#description')).toBe(`${SCRIPT}废水超标排放`);
        expect(await blobs.has(sha256(r.file.buffer))).toBe(false);
        expect((await drafts.get(campaignId, section.unitId))?.evidence.map((e) => e.fileName)).toEqual(['现场照片.jpg']);
      }
      await screenshotCurrent(page, 'inspection-upload-refused');
      // Past the inspection's 20 files (the draft's one kept, 20 new): refused before any is stored.
      const many = Array.from({ length: 20 }, (_, i) => ({ name: `照片${i + 1}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.concat([JPEG, Buffer.from(`photo ${i + 1}`)]) }));
      await page.goto(url);
      await page.setInputFiles('#evidence', many);
      const [tooMany] = await Promise.all([page.waitForResponse((res) => res.request().method() === 'POST'), page.click('form.record button[value=draft]')]);
      expect(tooMany.status()).toBe(400);
      await page.getByText('每项检查最多 20 个证据文件').waitFor();
      for (const f of many) expect(await blobs.has(sha256(f.buffer))).toBe(false);
      expect((await drafts.get(campaignId, section.unitId))?.evidence.map((e) => e.fileName)).toEqual(['现场照片.jpg']);
      // A multipart form without its token: refused before any file is read.
      const noToken = await page.request.post(url, { multipart: { action: 'draft', howChecked: '无令牌', evidence: { name: 'x.jpg', mimeType: 'image/jpeg', buffer: JPEG } } });
      expect(noToken.status()).toBe(403);
      expect(await noToken.text()).toContain('安全令牌不符');

      // Another team's inspector: not the page, not the draft, not the evidence; a manager not the draft's evidence before submission.
      const other = await signedIn('other');
      expect((await other.goto(url))!.status()).toBe(403);
      await other.getByText('您不是此检查对象的检查组成员').waitFor();
      expect(await other.content()).not.toContain('废水超标排放');
      const otherToken = await other.locator('input[name=_csrf]').first().inputValue();
      const overwrite = await other.request.post(url, { multipart: { _csrf: otherToken, action: 'draft', howChecked: '越权改写', evidence: { name: 'x.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([JPEG, Buffer.from('other')]) } } });
      expect(overwrite.status()).toBe(403);
      expect((await other.request.get(evidenceUrl)).status()).toBe(403);
      expect((await drafts.get(campaignId, section.unitId))?.updatedBy).toBe(lead);
      const mgr = await signedIn('mgr');
      expect((await mgr.request.get(evidenceUrl)).status()).toBe(403);

      // Submitted from the draft: the findings, the per-item record and the photo's reference.
      await page.goto(url);
      await page.click('form.record button[value=submit]');
      await page.getByText('检查结果（发现问题）已提交').waitFor();
      await expectEscaped(page);
      expect(await page.locator('ol.item-answers li').count()).toBe(items.length);
      const status = await api.inspectionStatus(client, campaignId, section.unitId);
      expect(status.result).toMatchObject({ outcome: 'problems-found', by: lead, checkedOn: today, description: `${SCRIPT}废水超标排放`, evidence: [`现场照片.jpg sha256:${sha256(JPEG)}`] });
      expect(status.result?.record).toEqual({ howChecked: `${SCRIPT}现场查看治污设施\n查阅在线监测数据`, items: items.map((ci) => ({ seq: ci.seq, checked: true, problemFound: ci.seq === 1, handling: `${SCRIPT}当场责令改正` })) });
      expect(await drafts.get(campaignId, section.unitId)).toBeNull();
      // The campaign store's result row (what the statistics and the publication read) holds the record beside the result.
      const row = await db.get<{ report_json: string }>('SELECT report_json FROM results WHERE campaign_id = ? AND unit_id = ?', [campaignId, section.unitId]);
      expect(JSON.parse(row!.report_json)).toMatchObject({ record: status.result!.record, evidence: status.result!.evidence });
      await screenshotBoth(browser, page, url, 'inspection-result');
      const download = await page.request.get(evidenceUrl);
      expect(download.status()).toBe(200);
      expect(download.headers()['content-type']).toBe('image/jpeg');
      expect(download.headers()['content-disposition']).toBe(`attachment; filename="____.jpg"; filename*=UTF-8''${encodeURIComponent('现场照片.jpg')}`);
      expect(download.headers()['x-content-type-options']).toBe('nosniff');
      expect(Buffer.from(await download.body())).toEqual(JPEG);
      expect((await other.request.get(evidenceUrl)).status()).toBe(403);
      expect((await other.goto(url))!.status()).toBe(403);

      // The hand-over the workflow raises, approved by the manager after reading the record.
      const key = `${wf}/approve-handover`;
      await eventually(async () => (await c.store.getTask(key))?.status === 'open', 'the hand-over task');
      await mgr.goto(`${c.url}/approvals`);
      await mgr.click(`a[href="/approval?task=${encodeURIComponent(key)}"]`);
      await mgr.getByRole('link', { name: '查看检查记录及证据材料' }).click();
      await mgr.getByText('检查方式及过程').first().waitFor();
      await expectEscaped(mgr);
      expect(await mgr.locator('ol.item-answers li').count()).toBe(items.length);
      expect((await mgr.request.get(evidenceUrl)).status()).toBe(200);
      await screenshotBoth(browser, mgr, url, 'inspection-result-manager');
      await mgr.goBack();
      await mgr.click('button[name=decision][value=approve]');
      await mgr.getByRole('heading', { name: '已同意移交' }).waitFor();
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase !== 'handover-approval', 'hand-over decided');
      await eventually(async () => (await c.store.getTask(key))?.status === 'done', 'the task closed by the projection');
      expect((await c.store.getTask(key))?.decidedBy).toBe(manager);
      const final = await api.inspectionStatus(client, campaignId, section.unitId);
      expect(final.handling).not.toBe('handover-rejected');
      await mgr.goto(`${c.url}/approval?task=${encodeURIComponent(key)}`);
      await mgr.getByText('已处理').first().waitFor();

      const audit = (await c.store.listAudit({ action: 'inspection.' })).map((e) => `${e.action} ${e.personId}`);
      expect(audit).toEqual(expect.arrayContaining([`inspection.draft-saved ${lead}`, `inspection.evidence-refused ${lead}`, `inspection.refused ${outsider}`, `inspection.result ${lead}`, `inspection.evidence-downloaded ${manager}`]));
    });
  }, 420_000);
});
