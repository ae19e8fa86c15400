// Issuing a hand-over's 监察通知 with the worker's activities, real Chromium and a real SMTP
// catcher: the document's A4 PDF (fonts embedded) is stored once in the blob store and goes to
// the county brigade as an application/pdf attachment beside the HTML; a retried activity renders
// nothing, stores nothing and mails nothing again; on a host without Chromium the document still
// goes (HTML only) and the missing PDF is recorded, with the install hint, for `ssj quarter status`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type CampaignActivities } from '../activities';
import { formatCampaignStatus } from '../client/commands/quarter';
import { documentPdfPackageName, storedDocumentPdf, type DocumentPdfRendering } from '../files/documents/document-pdf';
import { DocumentPdfRenderer } from '../files/documents/pdf';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import { createMailer, type Mailer } from '../mail/mailer';
import { readMessage } from '../mail/mime-read';
import { campaignNoticeProblems } from '../mail/problems';
import { openStoreDatabase } from '../stores/open';
import { SqlBlobStore } from '../stores/blob-store';
import type { ResultReport } from '../domain/outcomes';
import type { CampaignStatus } from '../workflows/definitions';
import { campaignWorkflowId } from '../workflows/definitions';
import { createFixture, report, type Fixture } from './helpers/campaign-fixture';
import { freezeAndDraw } from './helpers/drawn-quarter';
import { inspectPdf } from './helpers/pdf-bytes';

let fx: Fixture;
let catcher: MailCatcher;
let mailer: Mailer;
let browser: DocumentPdfRenderer;
let acts: CampaignActivities & { close(): Promise<void> };
let campaignId: string;
/** Counts renderings, so a retry that rendered again shows. */
const counting: DocumentPdfRendering & { renders: number } = {
  renders: 0,
  render(html) {
    counting.renders++;
    return browser.render(html);
  },
};

beforeAll(async () => {
  fx = await createFixture('documents-pdf-issue');
  catcher = await startMailCatcher({ dir: path.join(fx.dir, 'mail') });
  mailer = createMailer({ smtp: { host: catcher.host, port: catcher.port, secure: false, user: null, pass: null }, mailFrom: { name: '测试支队', address: 'ssj@bureau.example.cn' } }, fx.dataDir);
  browser = new DocumentPdfRenderer();
  acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: mailer, documentPdf: counting });
  campaignId = campaignWorkflowId(fx.programme.id, 2024, 1);
  await freezeAndDraw(acts, campaignId, fx.programme.id, { admin: 'PdfIssueAdmin2024', discipline: 'PdfIssueDiscipline24' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await acts?.close();
  await mailer?.close();
  await catcher?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** A hand-over of `unitId` (a unit in xixian: the county brigade gets a 监察通知), approved. */
const handover = (unitId: string) => ({
  key: `${campaignId}.unit.${unitId}/handover`,
  campaignId,
  unitId,
  department: 'section-1',
  what: 'handover' as const,
  report: { ...report('S1', ['S1', 'S2'], { outcome: 'problems-found', description: '废气处理设施未运行，危险废物贮存场所未设置标识。', referTo: null }), record: null } as ResultReport,
  method: 'onsite' as const,
  approval: { by: 'MGR1', on: '2024-02-05' },
  issuedOn: '2024-02-05',
});

async function withBlobs<T>(use: (blobs: SqlBlobStore) => Promise<T>): Promise<T> {
  const db = await openStoreDatabase({ dataDir: fx.dataDir, databaseUrl: null });
  try {
    return await use(new SqlBlobStore(db));
  } finally {
    await db.close();
  }
}

const caught = (key: string) => catcher.messages().filter((m) => m.noticeKey === key);

describe('issuing a case document with its PDF', () => {
  it('stores the 监察通知 as A4 PDF with embedded fonts and mails it to the brigade beside the HTML, once', async () => {
    const a = handover('K05');
    const issued = await acts.issueCaseDocument(a);
    expect(issued).toMatchObject({ kind: 'supervision-notice', to: 'county-xixian' });
    expect(counting.renders).toBe(1);

    const stored = await withBlobs((blobs) => storedDocumentPdf(blobs, issued.number));
    expect(stored, 'the PDF is in the blob store').not.toBeNull();
    const pdf = stored!.pdf;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const p = inspectPdf(pdf);
    expect(p.boxes.length).toBeGreaterThanOrEqual(1);
    for (const [w, h] of p.boxes) {
      expect(Math.abs(w! - 595)).toBeLessThanOrEqual(1);
      expect(Math.abs(h! - 842)).toBeLessThanOrEqual(1);
    }
    // Embedded: TrueType as /FontFile2, CFF as /FontFile3, or Noto CJK as Type3 glyph programs (CharProcs).
    expect(p.fontInfo.length).toBeGreaterThanOrEqual(1);
    expect(p.fontInfo.every((f) => f.embedded), p.fontInfo.map((f) => `${f.subtype} ${f.name} ${f.embedded}`).join(', ')).toBe(true);
    expect(p.raw).toMatch(/\/FontFile[23]\s|\/CharProcs/);

    const mails = caught(a.key);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.envelope.to).toContain('county-xixian@bureau.example.cn');
    const message = readMessage(fs.readFileSync(path.join(catcher.dir, mails[0]!.file)));
    const attached = message.attachments.find((x) => x.filename === `${issued.number}.pdf`);
    expect(attached?.contentType).toMatch(/^application\/pdf/);
    expect(attached!.content.equals(pdf), 'the mailed PDF is the stored one').toBe(true);
    expect(message.attachments.some((x) => x.filename === `${issued.number}.html` && /^text\/html/.test(x.contentType))).toBe(true);

    // The retried activity: same number, no rendering, the same blob, no second mail.
    const again = await acts.issueCaseDocument(a);
    expect(again).toEqual(issued);
    expect(counting.renders).toBe(1);
    const pkg = await withBlobs((blobs) => blobs.package(documentPdfPackageName(issued.number)));
    expect(pkg!.entries).toEqual([{ path: `${issued.number}.pdf`, digest: stored!.digest, size: pdf.length }]);
    expect(caught(a.key)).toHaveLength(1);
    expect(await campaignNoticeProblems({ dataDir: fx.dataDir, databaseUrl: null }, campaignId)).toEqual([]);
  }, 180_000);

  it('sends the document as HTML and records the missing PDF with the install hint when the host has no Chromium', async () => {
    const missing = path.join(fx.dir, 'no-such-chromium');
    const noChromium = new DocumentPdfRenderer(undefined, { CHROMIUM_PATH: missing });
    const hostWithout = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: mailer, documentPdf: noChromium });
    try {
      const a = handover('K06');
      const issued = await hostWithout.issueCaseDocument(a);
      expect(issued.kind).toBe('supervision-notice');
      const mails = caught(a.key);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.attachments).toEqual([`${issued.number}.html`]);
      expect(await withBlobs((blobs) => storedDocumentPdf(blobs, issued.number))).toBeNull();

      await hostWithout.issueCaseDocument(a); // a retry records nothing twice
      const problems = await campaignNoticeProblems({ dataDir: fx.dataDir, databaseUrl: null }, campaignId);
      expect(problems).toHaveLength(1);
      const [problem] = problems;
      expect(problem).toMatchObject({ key: `${a.key}/pdf`, kind: 'supervision-notice-pdf', unitId: 'K06', status: 'partly-sent', sentTo: ['cc1@bureau.example.cn', 'county-xixian@bureau.example.cn'] });
      expect(problem!.refused).toHaveLength(1);
      expect(problem!.refused[0]).toMatchObject({ code: 'pdf-missing', department: { id: 'county-xixian', name: '息县大队' } });
      expect(problem!.refused[0]!.reason).toContain(`${issued.number}仅以HTML发出，未附PDF`);
      expect(problem!.refused[0]!.reason).toContain(`CHROMIUM_PATH=${missing} does not exist`);
      expect(problem!.refused[0]!.reason).toContain('apt-get install -y chromium fonts-noto-cjk');

      // `ssj quarter status` lists it among the notice problems, with the hint.
      const status = formatCampaignStatus(minimalStatus(campaignId), { problems });
      expect(status).toContain('notice problems');
      expect(status).toMatch(/supervision-notice-pdf.*pdf-missing: .*apt-get install -y chromium fonts-noto-cjk/);
    } finally {
      await noChromium.close();
      await hostWithout.close();
    }
  }, 120_000);
});

/** The least of a campaign status that `formatCampaignStatus` prints: the problems are what is checked. */
function minimalStatus(id: string): CampaignStatus {
  return {
    campaignId: id,
    phase: 'inspection',
    parked: null,
    today: '2024-02-05',
    dates: { windowCloses: '2024-01-10', drawDue: '2024-01-15', inspectionDue: '2024-03-31', escalateAfter: '2024-04-03', publicationDue: '2024-04-20' },
    manifest: null,
    drawSpec: 'ssj-draw/2',
    witnesses: [],
    ceremony: null,
    voidCeremonies: [],
    sealed: null,
    inspections: { total: 0, finished: 0, batches: 0 },
    publication: null,
    updateWindow: { submitted: [], waitingFor: [] },
    stats: null,
    overdue: [],
    waitingOn: [],
  } as unknown as CampaignStatus;
}
