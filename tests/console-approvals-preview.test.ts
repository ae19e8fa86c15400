// The hand-over approval shows the document first (issue 10 §2 Approvals), end to end on the dev
// server: a section's result with findings (script among them) waits for the manager; the approval
// page frames the 监察通知 or 移交表 the approval will issue, marked 预览（未发文）, numbered
// （审批后编号）, the approval line pending; the manager approves in the console; the worker issues
// the document, and it is the preview's page but for the number and the approval line. A preview
// whose facts are missing says what is missing. Screens at 1280 px and 390 px go to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { addAccount } from '../console/accounts';
import { storeDocuments } from '../console/documents';
import { handoverPreview, storeHandoverPreview, type HandoverPreviewSource } from '../console/handover-preview';
import { formatDocumentNumber, PENDING_APPROVAL, PENDING_NUMBER } from '../domain/documents';
import { caseDocumentInput, caseDocumentRecipient, renderCaseDocument, type CaseDocumentFacts } from '../domain/documents/case-document';
import { resolveClock } from '../domain/programme-clock';
import type { Person, Unit } from '../domain/registry';
import { launchChromium } from '../scripts/browser';
import { openStoreDatabase } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { campaignWorkflowId } from '../workflows/definitions';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, report, withRegistry, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';

const PASSWORD = 'preview password 1';
const programmeId = 'approvals-preview-2024';
const campaignId = campaignWorkflowId(programmeId, 2024, 1);
const FINDINGS = '废气处理设施未运行<script>alert("preview")</script>';
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let db: SqlDatabase;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let browser: Browser;
let people: Map<string, Person>;
let units: Map<string, Unit>;
let departments: Map<string, string>;
let source: HandoverPreviewSource;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture(programmeId);
  db = await openStoreDatabase({ dataDir: fx.dataDir, databaseUrl: null });
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  const snapshot = await withRegistry(fx.dataDir, (reg) => reg.snapshotAt('2024-01-01'));
  people = new Map(snapshot.people.map((p) => [p.id, p]));
  units = new Map(snapshot.units.map((u) => [u.id, u]));
  departments = new Map(snapshot.departments.map((d) => [d.id, d.name]));
  source = storeHandoverPreview(db, { unit: (id) => units.get(id) ?? null, issuer: fx.programme.detachment.name });
  const reasons = fx.programme.reasons!;
  c = await startConsole({
    personName: async (id) => people.get(id)?.name ?? null,
    temporal: client,
    rejectionReasons: reasons.rejection ?? [],
    documents: { ...storeDocuments(db), handoverPreview: source },
  });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await db?.close();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** The lines of two pages that differ, paired. */
function differingLines(a: string, b: string): [string, string][] {
  const [la, lb] = [a.split('\n'), b.split('\n')];
  expect(la.length, 'the same number of lines').toBe(lb.length);
  return la.map((l, i) => [l, lb[i]!] as [string, string]).filter(([x, y]) => x !== y);
}

describe('the hand-over approval shows the document it will issue first', () => {
  it('previews the 监察通知 or 移交表 before the decision, and the issued one matches it but for the number and the approval line', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, consoleStore: c.store, allowRehearsalClock: true });
    try {
      await freezeAndDraw(acts, campaignId, programmeId, { admin: 'PreviewAdmin2024', discipline: 'PreviewDiscipl2024' });
      const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, Date.now());
      const section = (await inspectionInputs(acts, campaignId, 'section-1', clock))[0]!;
      const team = section.team as [string, string];
      const [m1] = PEOPLE.managers as [string, string];
      await addAccount(c.store, { login: 'mgr1', person: people.get(m1)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
      const wf = api.inspectionWorkflowIdFor(client, campaignId, section.unitId);
      const task = `${wf}/approve-handover`;
      const approvalUrl = `/approval?task=${encodeURIComponent(task)}`;
      const previewUrl = `/approval/preview?${new URLSearchParams({ task }).toString()}`;
      const unit = units.get(section.unitId)!;

      const taskQueue = uniqueTaskQueue('approvals-preview');
      const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities: acts });
      await worker.runUntil(async () => {
        await client.workflow.start('inspectionWorkflow', { workflowId: wf, taskQueue, args: [section] });
        await eventually(async () => (await c.store.getTask(`${wf}/result`))?.status === 'open', 'the result task');
        await api.submitResult(client, campaignId, section.unitId, report(team[0], team, { outcome: 'problems-found', description: FINDINGS }, '2024-01-15'));
        await eventually(async () => (await c.store.getTask(task))?.status === 'open', 'the hand-over task');

        // The approval page: the preview first, marked as not issued, framed from /approval/preview.
        const mgr = new ConsoleClient(c.app);
        await mgr.login('mgr1', PASSWORD);
        const page = await mgr.get(approvalUrl);
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain('预览（未发文）');
        expect(page.body).toContain(`<iframe class="document-preview" src="${previewUrl.replace(/&/g, '&amp;')}" sandbox`);
        expect(page.body.indexOf('预览（未发文）')).toBeLessThan(page.body.indexOf('name="decision"'));
        expect(String(page.headers['content-security-policy'])).toContain("frame-src 'self'");

        const preview = await mgr.get(previewUrl);
        expect(preview.statusCode).toBe(200);
        const csp = String(preview.headers['content-security-policy']);
        expect(csp).toContain('sandbox');
        expect(csp).toContain("frame-ancestors 'self'");
        expect(csp).not.toContain('script-src');
        const kind = preview.body.includes('环境监察通知') ? 'supervision-notice' : 'transfer-form';
        expect(preview.body).toContain(kind === 'supervision-notice' ? '环境监察通知' : '环境违法案件移交表');
        expect(page.body).toContain(kind === 'supervision-notice' ? '拟发监察通知' : '拟发移交表');
        // The unit, the findings and the recipient brigade; no number yet, the approval pending.
        expect(preview.body).toContain(unit.name);
        expect(preview.body).toContain(unit.address);
        expect(preview.body).toContain('废气处理设施未运行&lt;script&gt;alert(&quot;preview&quot;)&lt;/script&gt;');
        expect(preview.body).not.toContain('<script');
        expect(page.body).not.toContain('<script>alert');
        const brigade = [...departments.values()].find((name) => preview.body.includes(name) && /大队/.test(name));
        expect(brigade, 'the recipient brigade is named').toBeTruthy();
        expect(page.body).toContain(`送${brigade}`);
        expect(preview.body).toContain(PENDING_NUMBER);
        expect(preview.body).toContain('（审批后填写）');
        expect(preview.body).not.toMatch(/〔2024〕第\d+号/);
        expect((await c.store.listAudit({ action: 'document.previewed', limit: 5 })).map((e) => e.target)).toContain(task);

        // What cannot be found is said, never an error page.
        const status = await api.inspectionStatus(client, campaignId, section.unitId);
        const noUnit = await handoverPreview({ ...source, unit: () => null }, status);
        expect(noUnit.html).toBeNull();
        expect(noUnit.missing.join('')).toContain(`名录中找不到该单位（${section.unitId}）`);
        const noIssuer = await handoverPreview({ ...source, issuer: null }, status);
        expect(noIssuer.html).toContain('（发文机关未配置）');
        expect(noIssuer.missing.join('')).toContain('未配置发文机关名称');
        expect((await handoverPreview(null, status)).missing.join('')).toContain('未连接文书数据');

        const signedIn = await (await browser.newContext()).newPage();
        await signedIn.goto(`${c.url}/login`);
        await signedIn.fill('#login', 'mgr1');
        await signedIn.fill('#password', PASSWORD);
        await signedIn.click('button[type=submit]');
        await signedIn.waitForURL(`${c.url}/`);
        await screenshotBoth(browser, signedIn, async (p) => {
          await p.goto(`${c.url}${approvalUrl}`);
          // The frame loads under the page's policy (frame-src 'self') and shows the document.
          const frame = p.frameLocator('iframe.document-preview');
          await frame.getByText(PENDING_NUMBER).first().waitFor({ timeout: 30_000 });
        }, 'approval-handover-preview');
        await signedIn.context().close();

        // The manager approves in the console; the worker issues the document.
        const decided = await mgr.post('/approval', { task, decision: 'approve', reasonCode: '', note: '' });
        expect(decided.statusCode).toBe(200);
        const issued = await eventually(async () => {
          const s = await api.inspectionStatus(client, campaignId, section.unitId);
          return s.documents.length > 0 ? s.documents[0]! : null;
        }, 'the issued document', 600);
        expect(issued.kind).toBe(kind);
        const issuedHtml = (await storeDocuments(db).html(campaignId, issued.number))!;
        expect(issuedHtml).toBeTruthy();
        // The same page, but for the number and the approval line.
        const diff = differingLines(preview.body.replaceAll(PENDING_NUMBER, issued.number), issuedHtml);
        expect(diff).toHaveLength(1);
        expect(diff[0]![0]).toContain('（审批后填写）');
        expect(diff[0]![1]).toContain(people.get(m1)!.name);
        // Decided: no preview any more.
        expect((await mgr.get(previewUrl)).statusCode).toBe(404);
        expect((await mgr.get(approvalUrl)).body).not.toContain('预览（未发文）');
      });
    } finally {
      mail.close();
      await acts.close();
    }
  }, 600_000);
});

describe('the shared case-document builder', () => {
  const departments = [
    { id: 'sec-1', kind: 'section', name: '执法一科', jurisdiction: null },
    { id: 'county', kind: 'county-brigade', name: '息县大队', jurisdiction: 'xixian' },
    { id: 'direct', kind: 'direct-brigade', name: '直属一大队', jurisdiction: 'shihe' },
  ];
  const findings = { by: 'p1', present: ['p1', 'p2'], checkedOn: '2024-01-15', result: { outcome: 'problems-found' as const, description: FINDINGS, referTo: null }, evidence: ['照片.jpg sha256:' + 'a'.repeat(64)] };

  it('picks the 监察通知 for a county brigade, the 移交表 for a direct one, and names what is missing', () => {
    expect(caseDocumentRecipient('handover', findings, 'xixian', departments)).toMatchObject({ kind: 'supervision-notice', recipient: { id: 'county' } });
    expect(caseDocumentRecipient('handover', findings, 'shihe', departments)).toMatchObject({ kind: 'transfer-form', recipient: { id: 'direct' } });
    expect(caseDocumentRecipient('handover', findings, 'elsewhere', departments)).toMatchObject({ problem: 'no-brigade', area: 'elsewhere', brigades: [{ id: 'county' }, { id: 'direct' }] });
    expect(caseDocumentRecipient('referral', { ...findings, result: { ...findings.result, referTo: 'market' } }, 'xixian', departments)).toEqual({ problem: 'unknown-agency', agency: 'market' });
  });

  it('renders a 移交表 preview that differs from the issued one only in the number and the approval row', () => {
    const facts: CaseDocumentFacts = {
      kind: 'transfer-form',
      number: PENDING_NUMBER,
      issuer: '信阳市生态环境综合行政执法支队',
      office: '执法一科',
      recipient: { name: '直属一大队' },
      unit: { id: 'U1', name: '某化工有限公司', address: '浉河区某路1号' },
      campaign: { year: 2024, quarter: 1 },
      report: findings,
      method: 'onsite',
      people: [{ id: 'p1', name: '张三', certificateNo: 'C-1' }, { id: 'p2', name: '李四', certificateNo: null }, { id: 'm1', name: '王五', certificateNo: null }],
      approval: PENDING_APPROVAL,
      issuedOn: '2024-01-16',
    };
    const preview = renderCaseDocument('transfer-form', caseDocumentInput(facts)).html;
    const number = formatDocumentNumber('transfer-form', 2024, 3);
    const issued = renderCaseDocument('transfer-form', caseDocumentInput({ ...facts, number, approval: { by: 'm1', on: '2024-01-16' } })).html;
    expect(preview).toContain('&lt;script&gt;');
    expect(preview).toContain('照片.jpg');
    expect(preview).not.toContain('sha256');
    expect(preview).toContain('李四（执法证号：（未登记））');
    const diff = differingLines(preview.replaceAll(PENDING_NUMBER, number), issued);
    expect(diff).toEqual([['<tr><th scope="row">分管领导意见</th><td>（审批后填写）</td></tr>', '<tr><th scope="row">分管领导意见</th><td>同意移交。王五　2024年1月16日</td></tr>']]);
  });
});
