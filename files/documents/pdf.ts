// Official documents (监察通知, 移交表, 移送函, the annual plan) as A4 PDF with embedded fonts, for
// sending outside the bureau beside the HTML. Rendered by the machine's own Chromium through
// playwright-core (no browser download): the document's print CSS (@page A4 and margins) decides
// the layout, the CJK fonts installed on the host (fonts-noto-cjk) are embedded as subsets, and
// every network request is refused, so a PDF never depends on anything outside its HTML.
// One browser serves many documents; each document gets a fresh, offline, script-less context.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';

export class DocumentPdfError extends Error {
  override name = 'DocumentPdfError';
}

/** Chromium or playwright-core is missing: the message says what to install. */
export class ChromiumMissingError extends DocumentPdfError {
  override name = 'ChromiumMissingError';
}

const INSTALL_HINT = 'install it with `sudo apt-get install -y chromium fonts-noto-cjk` (Debian/Ubuntu) and run `npm run setup`, or set CHROMIUM_PATH to a Chromium executable';
const KNOWN_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/**
 * The Chromium executable: $CHROMIUM_PATH, else the one `npm run setup` recorded in
 * .tools/chromium-path.json (looked up from the working directory and from this file's project,
 * source or dist/), else a usual system location. Throws ChromiumMissingError naming what was tried.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  if (env.CHROMIUM_PATH) {
    if (fs.existsSync(env.CHROMIUM_PATH)) return env.CHROMIUM_PATH;
    throw new ChromiumMissingError(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist: ${INSTALL_HINT}`);
  }
  const roots = [process.cwd(), path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')];
  for (const root of roots) {
    const file = path.join(root, '.tools', 'chromium-path.json');
    if (!fs.existsSync(file)) continue;
    const recorded = (JSON.parse(fs.readFileSync(file, 'utf8')) as { path?: string }).path;
    if (recorded && fs.existsSync(recorded)) return recorded;
    if (recorded) tried.push(`${recorded} (from ${file})`);
  }
  for (const p of KNOWN_PATHS) {
    if (fs.existsSync(p)) return p;
    tried.push(p);
  }
  throw new ChromiumMissingError(`no Chromium to render PDF documents (tried ${tried.join(', ')}): ${INSTALL_HINT}`);
}

const NO_PLAYWRIGHT = 'playwright-core is not installed: PDF documents need it (`npm install playwright-core`; it downloads no browser)';

/**
 * Why this host cannot render PDFs (no Chromium, or no playwright-core: an install that left
 * it out), or null when it can, as far as can be told without starting the browser. For the
 * worker's start-up log; rendering reports the same problems itself.
 */
export function pdfRenderingProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    findChromium(env);
    require.resolve('playwright-core');
    return null;
  } catch (e) {
    return e instanceof ChromiumMissingError ? e.message : NO_PLAYWRIGHT;
  }
}

async function launch(executablePath: string): Promise<Browser> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new ChromiumMissingError(NO_PLAYWRIGHT);
  }
  try {
    // --no-sandbox: servers and containers often run as root, where Chromium's sandbox cannot start.
    return await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  } catch (e) {
    throw new ChromiumMissingError(`Chromium at ${executablePath} did not start (${(e as Error).message.split('\n')[0]}): ${INSTALL_HINT}`);
  }
}

// GB/T 9704: the page number centred at the foot as "— 1 —"; drawn in the @page bottom margin.
const FOOTER = '<div style="width:100%;text-align:center;font-size:10pt;font-family:serif;color:#000">— <span class="pageNumber"></span> —</div>';

export interface PdfOptions {
  /** Page numbers at the foot (default true). */
  pageNumbers?: boolean;
}

/**
 * Renders documents to PDF in one browser; call close() when done. Without `executablePath` the
 * browser is looked up (findChromium with `env`) when the first document is rendered, and again
 * after a failed start: a worker starts on a host without Chromium, each render then says what to
 * install, and installing it needs no restart.
 */
export class DocumentPdfRenderer {
  private browser: Promise<Browser> | null = null;

  constructor(
    private readonly executablePath?: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private getBrowser(): Promise<Browser> {
    if (!this.browser) {
      const starting = (async () => launch(this.executablePath ?? findChromium(this.env)))();
      this.browser = starting;
      starting.then(
        (b) => b.on('disconnected', () => {
          if (this.browser === starting) this.browser = null; // crashed or closed: the next render starts a new one
        }),
        () => {
          if (this.browser === starting) this.browser = null;
        },
      );
    }
    return this.browser;
  }

  /** The document's complete HTML page → A4 PDF bytes. Refuses HTML that fetches anything. */
  async render(html: string, options: PdfOptions = {}): Promise<Buffer> {
    const browser = await this.getBrowser();
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false, locale: 'zh-CN' });
    try {
      const fetched: string[] = [];
      await context.route('**/*', (route) => {
        fetched.push(route.request().url());
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      if (fetched.length) throw new DocumentPdfError(`the document must be self-contained, but it asks for ${fetched.join(', ')}`);
      const pdf = await page.pdf({
        format: 'A4',
        preferCSSPageSize: true, // the document's @page rules: margins, and landscape annexes
        printBackground: true,
        displayHeaderFooter: options.pageNumbers !== false,
        headerTemplate: '<span></span>',
        footerTemplate: FOOTER,
        tagged: true,
      });
      return Buffer.from(pdf);
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = null;
    if (b) await (await b.catch(() => null))?.close();
  }
}

let shared: DocumentPdfRenderer | null = null;

/**
 * An official document's HTML (OfficialDocument.html) → A4 PDF with embedded fonts. All calls in
 * a process share one browser, started on first use; closeDocumentPdfRenderer() ends it.
 */
export function renderDocumentPdf(html: string, options?: PdfOptions): Promise<Buffer> {
  shared ??= new DocumentPdfRenderer();
  return shared.render(html, options);
}

export async function closeDocumentPdfRenderer(): Promise<void> {
  const r = shared;
  shared = null;
  await r?.close();
}
