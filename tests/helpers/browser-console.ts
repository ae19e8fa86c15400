// A real console for browser tests: listening on loopback with a temporary SQLite store, and the
// screenshot folder (test-output/console, ignored by git) every screen is saved to at desktop and
// phone sizes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { buildConsole, type ConsoleDeps } from '../../console/server';
import { loadConsoleSettings, type ConsoleSettings } from '../../console/settings';
import type { ConsoleStore } from '../../stores/console-store';
import { openConsoleStore } from '../../stores/open';

export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-output', 'console');
export const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

export interface RunningConsole {
  app: FastifyInstance;
  store: ConsoleStore;
  settings: ConsoleSettings;
  url: string;
  stop(): Promise<void>;
}

/** Without `people` the accounts' roles stand as stored (ConsoleDeps.people): most pages' tests have no registry. */
export async function startConsole(opts: { env?: Record<string, string>; personName: (id: string) => Promise<string | null>; now?: () => Date } & Partial<Pick<ConsoleDeps, 'people'>> & Pick<ConsoleDeps, 'temporal' | 'rejectionReasons' | 'inspections' | 'operations' | 'registry' | 'documents'>): Promise<RunningConsole> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-console-browser-'));
  // The public URL (cookies, the OIDC redirect) must name the port, so find a free one first.
  const port = await freePort();
  const settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_PORT: String(port), ...opts.env } });
  const store = await openConsoleStore(settings.store);
  const app = await buildConsole({ settings, store, personName: opts.personName, people: opts.people ?? null, temporal: opts.temporal ?? null, rejectionReasons: opts.rejectionReasons ?? [], inspections: opts.inspections ?? null, operations: opts.operations ?? null, registry: opts.registry ?? null, documents: opts.documents ?? null, ...(opts.now ? { now: opts.now } : {}) });
  await app.listen({ host: '127.0.0.1', port });
  return {
    app,
    store,
    settings,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await app.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves the page at both sizes as `<name>-desktop.png` and `<name>-phone.png` (full page): `url`, or where `open` leads (e.g. a form submitted). */
export async function screenshotBoth(browser: Browser, cookiesFrom: Page, open: string | ((page: Page) => Promise<void>), name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const cookies = await cookiesFrom.context().cookies();
  for (const [size, viewport] of Object.entries(SIZES)) {
    const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN' });
    await ctx.addCookies(cookies);
    const page = await ctx.newPage();
    if (typeof open === 'string') await page.goto(open);
    else await open(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
    await ctx.close();
  }
}

/** The page as it is now (a POST's answer cannot be fetched again by URL) at both sizes, then back to desktop. */
export async function screenshotCurrent(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(SIZES.desktop);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
