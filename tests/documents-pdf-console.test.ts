// An approved hand-over's document in the console, end to end on the dev server: the inspection's
// result with findings, a manager's approval, the worker issuing the 监察通知 or 移交表 with its PDF
// (real Chromium); then the decided approval shows it with 查看（HTML） and 下载 PDF, the PDF route
// answers the manager and the team with the stored A4 PDF, and refuses an inspector of another
// team as the HTML route does. Screens at 1280 px and 390 px go to test-output/console/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { addAccount } from '../console/accounts';
import { documentHref, storeDocuments } from '../console/documents';
import { resolveClock } from '../domain/programme-clock';
import type { Person } from '../domain/registry';
import { storedDocumentPdf } from '../files/documents/document-pdf';
import { DocumentPdfRenderer } from '../files/documents/pdf';
import { launchChromium } from '../scripts/browser';
import { SqlBlobStore } from '../stores/blob-store';
import { openStoreDatabase } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { campaignWorkflowId } from '../workflows/definitions';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, eventually, PEOPLE, recordingMail, report, withRegistry, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { freezeAndDraw, inspectionInputs } from './helpers/drawn-quarter';
import { inspectPdf } from './helpers/pdf-bytes';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';

const PASSWORD = 'documents password 1';
const programmeId = 'documents-pdf-console-2024';
const campaignId = campaignWorkflowId(programmeId, 2024, 1);
let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let db: SqlDatabase;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let c: RunningConsole;
let browser: Browser;
let renderer: DocumentPdfRenderer;
let people: Map<string, Person>;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture(programmeId);
  db = await openStoreDatabase({ dataDir: fx.dataDir, databaseUrl: null });
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
  people = new Map((await withRegistry(fx.dataDir, (reg) => reg.snapshotAt('2024-01-01'))).people.map((p) => [p.id, p]));
  const reasons = fx.programme.reasons!;
  c = await startConsole({
    personName: async (id) => people.get(id)?.name ?? null,
    temporal: client,
    rejectionReasons: reasons.rejection ?? [],
    // Registry facts are not what this test is about: the inspection page shows ids where names would be.
    inspections: { registry: { unit: () => null, department: () => null, agencies: () => [] }, checkItems: fx.programme.checkItems, couldNotInspect: reasons.couldNotInspect ?? [] },
    documents: storeDocuments(db),
  });
  browser = await launchChromium();
  renderer = new DocumentPdfRenderer();
}, 180_000);
afterAll(async () => {
  await renderer?.close();
  await browser?.close();
  await c?.stop();
  await db?.close();
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** A browser page signed in as `login`, for the screenshots. */
async function signedInPage(login: string) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${c.url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${c.url}/`);
  return page;
}

describe('an issued hand-over document in the console', () => {
  it('shows the document with 查看（HTML） and 下载 PDF, and serves each only to those allowed', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, consoleStore: c.store, documentPdf: renderer, allowRehearsalClock: true });
    try {
      await freezeAndDraw(acts, campaignId, programmeId, { admin: 'DocumentsAdmin2024', discipline: 'DocumentsDiscipl24' });
      const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2024-01-15', secondsPerDay: 86_400 }, Date.now());
      const section = (await inspectionInputs(acts, campaignId, 'section-1', clock))[0]!;
      const team = section.team as [string, string];
      const [m1] = PEOPLE.managers as [string, string];
      const other = [...people.values()].find((p) => p.roles.includes('inspector') && !section.team.includes(p.id) && !p.roles.includes('manager'))!;
      for (const [login, id] of [['insp1', team[0]], ['mgr1', m1], ['other', other.id]] as const) {
        await addAccount(c.store, { login, person: people.get(id)!, roles: [], password: PASSWORD, oidc: null, now: new Date() });
      }
      const wf = api.inspectionWorkflowIdFor(client, campaignId, section.unitId);
      const approvalUrl = `/approval?task=${encodeURIComponent(`${wf}/approve-handover`)}`;

      const taskQueue = uniqueTaskQueue('documents-pdf-console');
      const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities: acts });
      await worker.runUntil(async () => {
        await client.workflow.start('inspectionWorkflow', { workflowId: wf, taskQueue, args: [section] });
        await eventually(async () => (await c.store.getTask(`${wf}/result`))?.status === 'open', 'the result task');
        await api.submitResult(client, campaignId, section.unitId, report(team[0], team, { outcome: 'problems-found', description: '废气处理设施未运行' }, '2024-01-15'));
        await eventually(async () => (await c.store.getTask(`${wf}/approve-handover`))?.status === 'open', 'the hand-over task');
        await api.decideHandover(client, campaignId, section.unitId, { by: m1, decision: 'approve', reasonCode: null, note: '' });
        const status = await eventually(async () => {
          const s = await api.inspectionStatus(client, campaignId, section.unitId);
          return s.documents.length > 0 ? s : null;
        }, 'the issued document', 600);
        const doc = status.documents[0]!;
        const stored = await storedDocumentPdf(new SqlBlobStore(db), doc.number);
        expect(stored, 'the worker stored the PDF').not.toBeNull();

        // The decided approval shows the document first thing under the answer, with both links.
        const mgr = new ConsoleClient(c.app);
        await mgr.login('mgr1', PASSWORD);
        const decided = await mgr.get(approvalUrl);
        expect(decided.statusCode).toBe(200);
        expect(decided.body).toContain('已处理');
        expect(decided.body).toContain(doc.kind === 'supervision-notice' ? '监察通知' : '移交表');
        const htmlHref = documentHref(campaignId, section.unitId, doc.number, 'html');
        const pdfHref = documentHref(campaignId, section.unitId, doc.number, 'pdf');
        expect(decided.body).toContain(`href="${htmlHref.replace(/&/g, '&amp;')}"`);
        expect(decided.body).toContain(`href="${pdfHref.replace(/&/g, '&amp;')}"`);
        expect(decided.body).toContain('查看（HTML）');
        expect(decided.body).toContain('下载 PDF');

        const asHtml = await mgr.get(htmlHref);
        expect(asHtml.statusCode).toBe(200);
        expect(asHtml.headers['content-type']).toMatch(/^text\/html/);
        expect(asHtml.headers['cache-control']).toBe('private, no-store');
        expect(asHtml.body).toContain(doc.number);
        const asPdf = await mgr.get(pdfHref);
        expect(asPdf.statusCode).toBe(200);
        expect(asPdf.headers['content-type']).toBe('application/pdf');
        expect(asPdf.headers['cache-control']).toBe('private, no-store');
        expect(String(asPdf.headers['content-disposition'])).toContain(`filename*=UTF-8''${encodeURIComponent(`${doc.number}.pdf`)}`);
        expect(asPdf.rawPayload.equals(stored!.pdf)).toBe(true);
        for (const [w, h] of inspectPdf(asPdf.rawPayload).boxes) expect([Math.round(w!), Math.round(h!)]).toEqual([595, 842]);

        // The team may read its own inspection's document; another team's inspector may not, either format.
        const insp = new ConsoleClient(c.app);
        await insp.login('insp1', PASSWORD);
        expect((await insp.get(pdfHref)).statusCode).toBe(200);
        const inspectionUrl = `/inspection?${new URLSearchParams({ campaign: campaignId, unit: section.unitId }).toString()}`;
        const inspection = await insp.get(inspectionUrl);
        expect(inspection.statusCode).toBe(200);
        expect(inspection.body).toContain('已发文书');
        expect(inspection.body).toContain(`href="${pdfHref.replace(/&/g, '&amp;')}"`);
        const outsider = new ConsoleClient(c.app);
        await outsider.login('other', PASSWORD);
        expect((await outsider.get(pdfHref)).statusCode).toBe(403);
        expect((await outsider.get(htmlHref)).statusCode).toBe(403);
        // Not signed in: to the sign-in page, never the document.
        const anonymous = await new ConsoleClient(c.app).get(pdfHref);
        expect(anonymous.statusCode).not.toBe(200);
        expect(anonymous.headers['content-type']).not.toBe('application/pdf');
        // A number this inspection did not issue is not found, even for a manager.
        expect((await mgr.get(documentHref(campaignId, section.unitId, '信环执监〔2024〕第999号', 'pdf'))).statusCode).toBe(404);
        const audit = await c.store.listAudit({ action: 'document.viewed', limit: 10 });
        expect(audit.map((e) => e.target)).toContain(doc.number);

        const manager = await signedInPage('mgr1');
        await screenshotBoth(browser, manager, `${c.url}${approvalUrl}`, 'approval-handover-documents');
        await screenshotBoth(browser, manager, `${c.url}${htmlHref}`, 'document-html');
        await manager.context().close();
        const inspector = await signedInPage('insp1');
        await screenshotBoth(browser, inspector, `${c.url}${inspectionUrl}`, 'inspection-documents');
        await inspector.context().close();
      });
    } finally {
      mail.close();
      await acts.close();
    }
  }, 600_000);
});
