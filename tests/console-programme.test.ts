// 抽查计划与名额 (/programme) against the real dev server: the programme's year, dates and ratios;
// a quarter's quotas equal computeQuotas on the same registry snapshot (as `ssj quotas`); bad
// query values are refused naming the field; only the operations roles get in; the quarterly
// Schedules are created from the console as `ssj plan schedule` creates them (a second click
// answers 已存在), only by admin and detachment leader, with the CSRF token. Screenshots at
// 1280 and 390 px go to test-output/console/programme-*.png.
import * as fs from 'node:fs';
import { ScheduleNotFoundError, type Client, type Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignScheduleId } from '../client/temporal';
import { computeQuotas } from '../domain/quotas';
import { launchChromium } from '../scripts/browser';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, PEOPLE, type Fixture } from './helpers/campaign-fixture';
import { signedInClient } from './helpers/console-client';
import { devServerClient, uniqueTaskQueue } from './helpers/temporal';
import { addAccounts, operationsOf, signedInPage } from './console-quarter-fixture';

const PASSWORD = 'programme password 1';
let fx: Fixture;
let client: Client;
let connection: Connection;
let registry: RegistryStore;
let c: RunningConsole;
const taskQueue = uniqueTaskQueue('console-programme');
const scheduleIds = () => [1, 2, 3, 4].map((q) => campaignScheduleId(fx.programme.id, fx.programme.year, q));
const deleteSchedules = async () => {
  for (const id of scheduleIds()) await client.schedule.getHandle(id).delete().catch(() => undefined);
};

const signIn = (login: string) => signedInClient(c.app, login, PASSWORD);

beforeAll(async () => {
  fx = await createFixture(`console-programme-${process.pid}`);
  ({ client, connection } = await devServerClient());
  registry = await openRegistryStore({ dataDir: fx.dataDir, databaseUrl: null });
  c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: { ...operationsOf(fx.programme, { taskQueue, dataDir: fx.dataDir }), config: fx.programme, registry } });
  await addAccounts(c.store, PASSWORD, [
    ['admin1', PEOPLE.admin, ['admin']],
    ['leader', PEOPLE.detachmentLeader, ['detachment-leader']],
    ['mgr1', PEOPLE.managers[0]!, ['manager']],
    ['insp', PEOPLE.sectionInspectors[0]!, ['inspector']],
  ]);
  await deleteSchedules();
}, 120_000);

afterAll(async () => {
  if (client) await deleteSchedules();
  await c?.stop();
  await registry?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('the programme page', () => {
  it('shows the programme: year, dates, ratios, check items', async () => {
    const u = await signIn('mgr1');
    const res = await u.get('/programme');
    expect(res.statusCode).toBe(200);
    const p = fx.programme;
    expect(res.body).toContain(`${p.year}年度`);
    expect(res.body).toContain(`${p.id}q2`);
    expect(res.body).toContain('2024年4月' + p.deadlines.drawByDayOfFirstMonth + '日'); // Q2 draw due
    expect(res.body).toContain('2024年6月30日'); // Q2 checks end
    expect(res.body).toContain(`1：${p.ratios.general.quarterly[1]}`);
    expect(res.body).toContain(`${p.ratios.key.sectionPercent}%`);
    expect(res.body).toContain(p.checkItems[0]!.item.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
    expect(res.body).toContain('href="/programme"'); // in the nav
  });

  it('computes the quotas as `ssj quotas` does, for the same snapshot', async () => {
    const u = await signIn('leader');
    const res = await u.get('/programme?quarter=2&date=2024-03-31');
    expect(res.statusCode).toBe(200);
    const report = computeQuotas(await registry.snapshotAt('2024-03-31'), fx.programme, 2);
    expect(report.pools.length).toBeGreaterThan(0);
    const shown = Object.fromEntries([...res.body.matchAll(/<tr data-pool="([^"]+)">[\s\S]*?<td data-label="候选单位" class="num">(\d+)<\/td>[\s\S]*?class="num quota">(\d+)<\/td>/g)].map((m) => [m[1], [Number(m[2]), Number(m[3])]]));
    expect(shown).toEqual(Object.fromEntries(report.pools.map((q) => [q.poolId, [q.candidates, q.quota]])));
    expect(res.body).toContain(`id="quota-total">${report.pools.reduce((a, q) => a + q.quota, 0)}<`);
    // Pools and departments by name, not by code (一般单位·浉河大队, not general.brigade-shihe).
    const poolCells = [...res.body.matchAll(/<td data-label="抽取池">([^<]*)<\/td>/g)].map((m) => m[1]!);
    expect(poolCells.length).toBe(report.pools.length);
    for (const cell of poolCells) expect(cell).toMatch(/^(重点|一般|特殊)单位·[^a-z]+$/);
    expect(res.body).not.toMatch(/<td data-label="部门">[^<]*（[a-z]/);
    expect(res.body).toContain('名录截至2024年3月31日');
    expect(res.body).toContain('name="date" value="2024-03-31"');
    // Without a date, as `ssj quotas`: the registry on the quarter's freeze date (the day before it).
    const byDefault = await u.get('/programme?quarter=2');
    expect(byDefault.body).toContain('名录截至2024年3月31日');
    expect(byDefault.body).toContain('name="date" value=""');
    expect(byDefault.body.match(/id="quota-total">\d+</)?.[0]).toBe(res.body.match(/id="quota-total">\d+</)?.[0]);
  });

  it('refuses bad query values naming the field, and other roles', async () => {
    const u = await signIn('admin1');
    for (const q of ['5', '0', 'x']) {
      const res = await u.get(`/programme?quarter=${q}`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('季度');
    }
    const d = await u.get('/programme?quarter=1&date=2024-02-30');
    expect(d.statusCode).toBe(400);
    expect(d.body).toContain('名录日期');
    const i = await signIn('insp');
    expect((await i.get('/programme')).statusCode).toBe(403);
    expect((await i.post('/programme/schedule', {})).statusCode).toBe(403);
  });

  it('creates the quarterly Schedules whose start day is ahead, not those past (they would never fire); again answers 已存在', async () => {
    // The console as of 20 May 2024: Q1's and Q2's update windows have opened, Q3's and Q4's are ahead.
    const may = await startConsole({
      personName: async (id) => `人员${id}`,
      temporal: client,
      operations: { ...operationsOf(fx.programme, { taskQueue, dataDir: fx.dataDir }), config: fx.programme, registry },
      now: () => new Date('2024-05-20T02:00:00Z'),
    });
    try {
      await addAccounts(may.store, PASSWORD, [
        ['admin1', PEOPLE.admin, ['admin']],
        ['leader', PEOPLE.detachmentLeader, ['detachment-leader']],
        ['mgr1', PEOPLE.managers[0]!, ['manager']],
      ]);
      const m = await signedInClient(may.app, 'mgr1', PASSWORD);
      const seen = await m.get('/programme');
      expect(seen.body).toContain('季度自动启动（Schedule）');
      expect(seen.body).toContain(scheduleIds()[0]);
      expect(seen.body).toContain('未创建（启动日已过，请在“季度抽查”手动启动）');
      expect(seen.body).not.toContain('action="/programme/schedule"');
      expect((await m.post('/programme/schedule', {})).statusCode).toBe(403);

      const a = await signedInClient(may.app, 'admin1', PASSWORD);
      const form = (await a.get('/programme')).body;
      expect(form).toContain('action="/programme/schedule"');
      expect(form).toContain('创建2024年第三季度、第四季度的自动启动定时任务；已存在的保持不变，启动日已过的季度不再创建。');
      const forged = await a.post('/programme/schedule', { _csrf: null });
      expect(forged.statusCode).toBe(403);
      await expect(client.schedule.getHandle(scheduleIds()[2]!).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);

      const ok = await a.post('/programme/schedule', {});
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('已创建季度定时任务');
      for (const id of scheduleIds().slice(2)) {
        const d = await client.schedule.getHandle(id).describe();
        expect(d.action.type).toBe('startWorkflow');
        expect(d.action.type === 'startWorkflow' ? d.action.taskQueue : null).toBe(taskQueue);
      }
      for (const id of scheduleIds().slice(0, 2)) await expect(client.schedule.getHandle(id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      expect((await may.store.listAudit({ action: 'plan.schedule' })).some((e) => e.personId === PEOPLE.admin)).toBe(true);

      const l = await signedInClient(may.app, 'leader', PASSWORD);
      await l.get('/programme');
      const again = await l.post('/programme/schedule', {});
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('已存在');
      expect(again.body).toContain('2024年没有需要创建的季度定时任务');
      expect((await may.store.listAudit({ action: 'plan.schedule-exists' })).some((e) => e.personId === PEOPLE.detachmentLeader)).toBe(true);
      const after = (await m.get('/programme')).body;
      expect(after).toContain('已存在（待启动）');
      expect(after).not.toContain('action="/programme/schedule"');
    } finally {
      await may.stop();
    }
    // Today, past the programme's year: nothing left to create, no button.
    expect((await (await signIn('admin1')).get('/programme')).body).not.toContain('action="/programme/schedule"');
  });

  it('screenshots the page at desktop and phone sizes', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const pw = await signedInPage(browser, c.url, 'leader', PASSWORD);
      await screenshotBoth(browser, pw, `${c.url}/programme?quarter=2&date=2024-03-31`, 'programme');
    } finally {
      await browser?.close();
    }
  }, 120_000);
});
