// 名录模板 in the console: the registry import templates, described and downloadable as CSV and
// XLSX with exactly the headings the import reads (read back with exceljs, and through the
// import's own reader); other roles refused and audited. Screenshots at 1280 and 390 px.
import ExcelJS from 'exceljs';
import type { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProgramme } from '../config/programme';
import { readTable } from '../files/registry/read-table';
import { importKinds, TEMPLATES } from '../files/registry/templates';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { ConsoleClient } from './helpers/console-client';
import { devServerClient } from './helpers/temporal';
import { addAccounts, operationsOf, signedInPage } from './console-quarter-fixture';

const PASSWORD = 'operations password 1';
let client: Client;
let connection: Connection;
let c: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  ({ client, connection } = await devServerClient());
  c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: operationsOf({ ...loadProgramme(), id: 'console-registries' }, { taskQueue: 'console-registries-unused', dataDir: null }) });
  await addAccounts(c.store, PASSWORD, [
    ['admin1', 'ADM1', ['admin']],
    ['insp', 'S1', ['inspector']],
  ]);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await connection?.close();
});

describe('名录模板', () => {
  it('refuses other roles, audited', async () => {
    const u = new ConsoleClient(c.app);
    await u.login('insp', PASSWORD);
    expect((await u.get('/registries')).statusCode).toBe(403);
    expect((await u.get('/registries/template?kind=units&format=csv')).statusCode).toBe(403);
    expect((await c.store.listAudit({ action: 'role.refused', personId: 'S1' })).map((e) => e.target)).toEqual(['/registries/template?kind=units&format=csv', '/registries']);
  });

  it('offers every template with the headings the import reads, as CSV and XLSX', async () => {
    const u = new ConsoleClient(c.app);
    await u.login('admin1', PASSWORD);
    const page = await u.get('/registries');
    expect(page.statusCode).toBe(200);
    for (const kind of importKinds) {
      const headings = TEMPLATES[kind].columns.map((col) => col.heading);
      expect(page.body).toContain(`<h2>${TEMPLATES[kind].title}</h2>`);
      const csv = await u.get(`/registries/template?kind=${kind}&format=csv`);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
      expect((await readTable(`${kind}.csv`, csv.rawPayload)).headers).toEqual(headings);
      const xlsx = await u.get(`/registries/template?kind=${kind}&format=xlsx`);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(headings);
      expect((await readTable(`${kind}.xlsx`, xlsx.rawPayload)).headers).toEqual(headings);
    }
    expect((await u.get('/registries/template?kind=../../etc&format=csv')).statusCode).toBe(404);
    expect((await u.get('/registries/template?kind=units&format=exe')).statusCode).toBe(404);
  });

  it('looks right at desktop and phone sizes', async () => {
    const pw = await signedInPage(browser, c.url, 'admin1', PASSWORD);
    await screenshotBoth(browser, pw, `${c.url}/registries`, 'registries');
    await pw.context().close();
  }, 60_000);
});
