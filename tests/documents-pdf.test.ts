// Official documents as A4 PDF in the machine's Chromium: the bytes are a PDF, every page is A4
// (portrait 595×842 pt; the annual plan's annexes landscape), the CJK fonts are embedded, the text
// is really there (a font's ToUnicode map), nothing outside the HTML is fetched, one browser serves
// many documents, and a missing Chromium says what to install. Screenshots of the documents at A4
// size in print media go to .data/test-output/documents (test-output/ is not git-ignored).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChromiumMissingError, closeDocumentPdfRenderer, DocumentPdfError, DocumentPdfRenderer, findChromium, pdfRenderingProblem, renderDocumentPdf } from '../files/documents/pdf';
import { annualPlan, referralLetter, supervisionNotice, transferForm, type CaseDocumentInput } from '../domain/documents';
import { sampleCaseDocument } from './helpers/case-document';
import { launchChromium } from '../scripts/browser';
import { inspectPdf } from './helpers/pdf-bytes';

const OUT = path.resolve(__dirname, '..', '.data', 'test-output', 'documents');

const base: CaseDocumentInput = sampleCaseDocument;

const documents = {
  'supervision-notice': supervisionNotice(base),
  'transfer-form': transferForm({ ...base, number: '信环执交〔2023〕第003号', recipient: { name: '信阳市生态环境综合行政执法支队浉河区直属大队' } }),
  referral: referralLetter({ ...base, number: '信环执移〔2023〕第001号', recipient: { name: '信阳市自然资源和规划局' }, requestedAction: '依法处理' }),
};

/**
 * Whether every character of `text` is in the ToUnicode maps, compared after NFKC: Skia names one
 * code point per glyph, and Noto CJK draws 山 and the Kangxi radical ⼭ (U+2F2D) with one glyph, so
 * the map may say ⼭ (a known weakness: copying such text from the PDF gives the radical).
 */
const hasChars = (unicode: Set<number>, text: string) => {
  const normalised = new Set([...unicode].map((u) => String.fromCodePoint(u).normalize('NFKC')));
  return [...text].every((c) => normalised.has(c));
};

afterAll(async () => {
  await closeDocumentPdfRenderer();
});

describe('renderDocumentPdf', () => {
  it('renders each hand-over document as A4 PDF with its CJK fonts embedded', async () => {
    fs.mkdirSync(OUT, { recursive: true });
    for (const [kind, doc] of Object.entries(documents)) {
      const pdf = await renderDocumentPdf(doc.html);
      fs.writeFileSync(path.join(OUT, `${kind}.pdf`), pdf);
      expect(pdf.subarray(0, 5).toString('latin1'), kind).toBe('%PDF-');
      expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
      const p = inspectPdf(pdf);
      expect(p.pages, kind).toBeGreaterThanOrEqual(1);
      expect(p.boxes.length, kind).toBeGreaterThanOrEqual(p.pages);
      for (const [w, h] of p.boxes) {
        expect(w).toBeGreaterThan(594.5);
        expect(w).toBeLessThan(596.5);
        expect(h).toBeGreaterThan(841);
        expect(h).toBeLessThan(843);
      }
      const fonts = p.fontInfo.map((f) => `${f.subtype} ${f.name}${f.embedded ? '' : ' (NOT embedded)'}`).join(', ');
      expect(p.fontInfo.length, kind).toBeGreaterThanOrEqual(1);
      expect(p.fontInfo.every((f) => f.embedded), `${kind}: ${fonts}`).toBe(true);
      expect(p.fontInfo.some((f) => /Noto(Serif|Sans)CJK/.test(f.name)), `${kind}: ${fonts}`).toBe(true);
      // subsets (ABCDEF+Name): only the glyphs used, so the files stay small
      expect(p.fontInfo.every((f) => /^[A-Z]{6}\+/.test(f.name)), fonts).toBe(true);
      expect(hasChars(p.unicode, doc.title), `${kind}: the title's characters are in the text`).toBe(true);
      expect(hasChars(p.unicode, '罗山县某某建材有限公司'), kind).toBe(true);
      // no link to anything outside the file
      expect(p.raw).not.toMatch(/\/URI\s*\(/);
      expect(pdf.length).toBeLessThan(1_500_000);
    }
  }, 180_000);

  it('sets the annual plan on A4 with its annexes in landscape', async () => {
    const plan = annualPlan({
      year: 2023,
      number: '信环计〔2023〕第001号',
      bureauName: '信阳市生态环境局',
      issuer: '信阳市生态环境综合行政执法支队',
      body: ['一、总体要求', '按照“双随机、一公开”监管要求，制定本计划。'],
      checkItems: [{ department: '执法一科', item: '排污许可执行情况检查', basis: '《排污许可管理条例》', subject: '生态环境部门', itemClass: '一般检查事项', targets: '重点排污单位', ratio: '5%', frequency: '每季度', method: '现场检查', remarks: '' }],
      quarterPlans: [{ planName: '2023年第一季度抽查计划', taskName: '污染源日常监管', directed: false, itemClass: '一般检查事项', joint: false, item: '排污许可执行情况检查', scope: '全市重点排污单位', ratio: '5%', period: '2023年1月至3月', department: '执法一科' }],
      issuedOn: '2023-01-20',
    });
    const pdf = await renderDocumentPdf(plan.html);
    fs.writeFileSync(path.join(OUT, 'annual-plan.pdf'), pdf);
    const { boxes } = inspectPdf(pdf);
    const portrait = boxes.filter(([w, h]) => Math.round(w!) === 595 && Math.round(h!) === 842).length;
    const landscape = boxes.filter(([w, h]) => Math.round(w!) === 842 && Math.round(h!) === 595).length;
    expect(portrait).toBeGreaterThanOrEqual(1);
    expect(landscape).toBeGreaterThanOrEqual(1);
    expect(portrait + landscape).toBe(boxes.length);
  }, 120_000);

  it('refuses HTML that would fetch anything, naming the address', async () => {
    const withImage = documents.referral.html.replace('</body>', '<img src="http://127.0.0.1:9/seal.png" alt=""></body>');
    await expect(renderDocumentPdf(withImage)).rejects.toThrow(DocumentPdfError);
    await expect(renderDocumentPdf(withImage)).rejects.toThrow(/self-contained.*http:\/\/127\.0\.0\.1:9\/seal\.png/);
    const withCss = documents.referral.html.replace('</head>', '<link rel="stylesheet" href="https://fonts.example.com/a.css"></head>');
    await expect(renderDocumentPdf(withCss)).rejects.toThrow(/fonts\.example\.com/);
    // and the renderer still works after a refusal
    expect((await renderDocumentPdf(documents.referral.html)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 120_000);

  it('reuses one browser for many documents, in parallel too', async () => {
    const renderer = new DocumentPdfRenderer();
    try {
      const pdfs = await Promise.all(Object.values(documents).map((d) => renderer.render(d.html)));
      const again = await renderer.render(documents['supervision-notice'].html);
      expect(pdfs.every((p) => p.subarray(0, 5).toString('latin1') === '%PDF-')).toBe(true);
      expect(again.length).toBeGreaterThan(1000);
      const browsers = (renderer as unknown as { browser: Promise<unknown> | null }).browser;
      expect(browsers).not.toBeNull();
    } finally {
      await renderer.close();
    }
  }, 120_000);

  it('says what to install when Chromium is missing', async () => {
    expect(() => findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(ChromiumMissingError);
    expect(() => findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(/CHROMIUM_PATH=\/nonexistent\/chromium does not exist: install it with `sudo apt-get install -y chromium fonts-noto-cjk`/);
    expect(pdfRenderingProblem({ CHROMIUM_PATH: '/nonexistent/chromium' })).toMatch(/CHROMIUM_PATH=\/nonexistent\/chromium does not exist/);
    expect(pdfRenderingProblem({ CHROMIUM_PATH: findChromium() }), 'this machine renders PDFs').toBeNull();
    const notChromium = new DocumentPdfRenderer('/bin/false');
    await expect(notChromium.render('<p>x</p>')).rejects.toThrow(/Chromium at \/bin\/false did not start.*apt-get install -y chromium fonts-noto-cjk/);
    await notChromium.close();
  }, 60_000);

  it('screenshots each document at the printable width of A4 in print media, to look at', async () => {
    const browser = await launchChromium();
    try {
      // A4 at 96 dpi is 794 × 1123 CSS px; the documents' @page margins (25/22/25/25 mm) leave 617 × 934.
      const ctx = await browser.newContext({ viewport: { width: 617, height: 934 }, deviceScaleFactor: 1, offline: true });
      const page = await ctx.newPage();
      await page.emulateMedia({ media: 'print' });
      for (const [kind, doc] of Object.entries(documents)) {
        await page.setContent(doc.html);
        await page.screenshot({ path: path.join(OUT, `${kind}-a4.png`), fullPage: true });
        // nothing wider than the printable width
        expect(await page.evaluate('document.documentElement.scrollWidth <= 617'), kind).toBe(true);
      }
      await ctx.close();
    } finally {
      await browser.close();
    }
  }, 120_000);
});
