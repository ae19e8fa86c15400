// 年度统计 in the console: the year's quarters from the campaign and inspection projections
// (a closed quarter with the workflow's own statistics is in console-publication.test.ts), the
// page and its XLSX export read back with exceljs, the figures as the rows give them; other roles
// refused and audited; the export audited. Screenshots at 1280 and 390 px.
import ExcelJS from 'exceljs';
import type { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProgramme } from '../config/programme';
import { YEAR_STATS_HEADINGS } from '../console/statistics/xlsx';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { ConsoleClient } from './helpers/console-client';
import { devServerClient } from './helpers/temporal';
import { addAccounts, DEMO_YEAR, operationsOf, signedInPage, writeDemoQuarter } from './console-quarter-fixture';

const PASSWORD = 'operations password 1';
const programme = { ...loadProgramme(), id: 'console-year-2024', year: 2024 };
let client: Client;
let connection: Connection;
let c: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  ({ client, connection } = await devServerClient());
  // Nothing is started here: no worker, no task queue, no data folder.
  c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: operationsOf(programme, { taskQueue: 'console-year-unused', dataDir: null }) });
  await addAccounts(c.store, PASSWORD, [
    ['admin1', 'ADM1', ['admin']],
    ['insp', 'S1', ['inspector']],
  ]);
  // Q2 in mid-inspection (twelve rows); Q3 still in its update window, no inspections yet.
  await writeDemoQuarter(c.store, { programmeId: programme.id, year: 2024, quarter: 2 });
  await c.store.upsertCampaign({ campaignId: `campaign-${programme.id}-2024q3`, programmeId: programme.id, year: 2024, quarter: 3, phase: 'update-window', detail: {}, revision: 1, updatedAt: new Date() });
  // Another programme's quarter and another year's: not in this table.
  await writeDemoQuarter(c.store, { programmeId: 'other-programme', year: 2024, quarter: 1 });
  await writeDemoQuarter(c.store, { programmeId: programme.id, year: 2023, quarter: 4, units: 3 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await connection?.close();
});

describe('年度统计', () => {
  it('refuses other roles, and audits the refusal', async () => {
    const u = new ConsoleClient(c.app);
    await u.login('insp', PASSWORD);
    for (const url of ['/year', '/year.xlsx?year=2024']) {
      const res = await u.get(url);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('text/html');
    }
    expect((await c.store.listAudit({ action: 'role.refused', personId: 'S1' })).map((e) => e.target)).toEqual(['/year.xlsx?year=2024', '/year']);
  });

  it('shows the quarters of the year, and exports the same figures as XLSX', async () => {
    const u = new ConsoleClient(c.app);
    await u.login('admin1', PASSWORD);
    const page = await u.get('/year?year=2024');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('2024年度统计');
    expect(page.body).toContain('尚未公示');
    expect(page.body).toContain('名录更新期');
    expect(page.body).toContain('href="/year.xlsx?year=2024"');
    expect((await u.get('/year?year=20x4')).statusCode).toBe(400);
    // The refusal states the rule applied: four digits, 2000 to 2100 (both accepted).
    for (const bad of ['1999', '2101', '20x4', '02024']) {
      for (const path of ['/year', '/year.xlsx']) {
        const res = await u.get(`${path}?year=${bad}`);
        expect(res.statusCode, `${path}?year=${bad}`).toBe(400);
        expect(res.body).toContain('年份须为2000至2100之间的四位数字，例如2023。');
      }
    }
    for (const edge of ['2000', '2100']) expect((await u.get(`/year?year=${edge}`)).statusCode, edge).toBe(200);

    const res = await u.get('/year.xlsx?year=2024');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('2024年度统计表.xlsx')}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('统计')!;
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(programme.name).toMatch(/^\d{4}年度/); // the configured name carries a year: said once in the title
    expect(ws.getCell('A1').value).toBe(`2024年度${programme.name.replace(/^\d{4}年度/, '')}统计表`);
    expect(values(2)).toEqual([...YEAR_STATS_HEADINGS]);
    const d = DEMO_YEAR;
    const rate = Math.round((1000 * d.onTime) / d.drawn) / 1000;
    expect(values(3)).toEqual(['第一季度', '', '', '', '', '', '', '', '', '未开展']);
    expect(values(4)).toEqual(['第二季度', d.drawn, d.inspected, d.onTime, rate, d.findings, d.handedOver, d.referred, '—', '尚未公示']);
    expect(values(5)).toEqual(['第三季度', '', '', '', '', '', '', '', '', '名录更新期']);
    expect(values(6)).toEqual(['第四季度', '', '', '', '', '', '', '', '', '未开展']);
    expect(values(7)).toEqual(['全年合计', d.drawn, d.inspected, d.onTime, rate, d.findings, d.handedOver, d.referred, '—', '']);
    const exported = (await c.store.listAudit({ action: 'year.export' }))[0]!;
    expect(exported).toMatchObject({ personId: 'ADM1', target: `${programme.id}/2024` });

    // The other year has its own table.
    const y2023 = new ExcelJS.Workbook();
    await y2023.xlsx.load((await u.get('/year.xlsx?year=2023')).rawPayload as unknown as ArrayBuffer);
    expect((y2023.getWorksheet('统计')!.getRow(6).values as unknown[]).slice(1, 3)).toEqual(['第四季度', 3]);
  });

  it('looks right at desktop and phone sizes', async () => {
    const pw = await signedInPage(browser, c.url, 'admin1', PASSWORD);
    await screenshotBoth(browser, pw, `${c.url}/year?year=2024`, 'year');
    // The download link delivers the workbook to the browser.
    await pw.goto(`${c.url}/year?year=2024`);
    const [download] = await Promise.all([pw.waitForEvent('download'), pw.click('a[href="/year.xlsx?year=2024"]')]);
    expect(download.suggestedFilename()).toBe('2024年度统计表.xlsx');
    await pw.context().close();
  }, 60_000);
});
