// The operations page's SVG charts: structure (elements, counts, Chinese labels, accessibility),
// escaping of hostile names, and a real render in Chromium at desktop and phone widths, with
// screenshots in .data/test-output/charts (test-output/ is not git-ignored) to look at.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departmentChart, departmentProgress, findingsChart, findingsFromStats, progressChart, progressStateOf, type DepartmentProgress, type ProgressChartInput } from '../console/charts';
import { launchChromium } from '../scripts/browser';
import { PENDING_DEADLINE_TEXT } from '../domain/calendar';
import { quarterDates } from '../console/quarter-figures';
import { phaseTimeline } from '../console/views/quarter';
import type { CampaignRow } from '../stores/console-store';

const OUT = path.resolve(__dirname, '..', '.data', 'test-output', 'charts');
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

const progressInput: ProgressChartInput = {
  total: 120,
  finishedPerDay: [
    { date: '2023-01-16', count: 4 },
    { date: '2023-02-01', count: 10 },
    { date: '2023-02-01', count: 2 },
    { date: '2023-02-20', count: 25 },
    { date: '2023-03-06', count: 30 },
    { date: '2023-03-14', count: 11 },
    { date: '2023-03-20', count: 9 }, // after today: not drawn
  ],
  dates: { drawDue: '2023-01-10', inspectionDue: '2023-03-31', escalateAfter: '2023-04-07', publicationDue: '2023-04-28' },
  drawnOn: '2023-01-05',
  today: '2023-03-15',
};

const HOSTILE = '<script>alert("x")</script>执法&二科';
const departments: DepartmentProgress[] = [
  { department: 'section-1', name: '执法一科', doneOnTime: 12, doneLate: 2, open: 5, overdue: 3, parked: 1 },
  { department: 'section-2', name: HOSTILE, doneOnTime: 6, doneLate: 0, open: 9, overdue: 0, parked: 0 },
  { department: 'brigade-shihe', name: '信阳市生态环境综合行政执法支队浉河区直属大队', doneOnTime: 20, doneLate: 4, open: 1, overdue: 6, parked: 2 },
  { department: 'brigade-pingqiao', name: '平桥大队', doneOnTime: 0, doneLate: 0, open: 0, overdue: 0, parked: 0 },
];
const stats = { inspected: 80, findings: 21, ownCases: 9, handedOver: 7, referred: 3, notInspected: 4 };

describe('progress against the programme dates', () => {
  const svg = progressChart(progressInput).value;
  it('is an accessible SVG that scales (viewBox, width 100%, title, desc, aria)', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toMatch(/viewBox="0 0 480 \d+(\.\d)?"/);
    expect(svg).toContain('width="100%"');
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="检查进度与计划时间节点"');
    expect(svg).toContain('aria-describedby="chart-progress-desc"');
    expect(svg).toContain('<desc id="chart-progress-desc">截至2023年3月15日，已检查82家，应检查120家（68%）。');
    expect(svg).not.toMatch(/style=/);
  });
  it('marks the draw, the due dates and today with labelled lines', () => {
    for (const label of ['抽取 1月5日', '检查期限 3月31日', '逾期督办 4月7日', '公示期限 4月28日', '今天 3月15日']) expect(svg).toContain(`>${label}</text>`);
    expect(count(svg, /<g class="markers">/g)).toBe(1);
    expect(count(svg, /<g><title>[^<]+<\/title><line /g)).toBe(5);
    // the cumulative line stops at today: five steps, the finishes of 20 March are not in it
    const line = /<path d="([^"]+)" fill="none"/.exec(svg)![1]!;
    expect(count(line, /V/g)).toBe(5);
    expect(svg).toContain('累计已检查（82家）');
    expect(svg).toContain('应检查120家');
    // month ticks January to April
    for (const m of ['1月', '2月', '3月', '4月']) expect(svg).toContain(`>${m}</text>`);
  });
  it('marks the draw due date before the draw, and the publication once published', () => {
    const before = progressChart({ ...progressInput, drawnOn: null, finishedPerDay: [], today: '2023-01-03' }).value;
    expect(before).toContain('>抽取期限 1月10日</text>');
    const after = progressChart({ ...progressInput, publishedOn: '2023-04-20', today: '2023-04-20' }).value;
    expect(after).toContain('>已公示 4月20日</text>');
    expect(after).not.toContain('公示期限');
  });
  it('leaves out the January deadlines of a Q4 quarter while they are pending (next year\'s holidays not yet recorded)', () => {
    const pending = progressChart({ ...progressInput, dates: { ...progressInput.dates, escalateAfter: null, publicationDue: null } }).value;
    expect(count(pending, /<g><title>[^<]+<\/title><line /g)).toBe(3);
    expect(pending).not.toContain('逾期督办');
    expect(pending).not.toContain('公示期限');
    expect(pending).not.toMatch(/null|NaN|undefined/);
    // The campaign row's pending dates still make a timeline, which says they are pending.
    const row = (dates: Record<string, unknown>) => ({ detail: { dates } }) as unknown as CampaignRow;
    const q4 = { windowCloses: '2024-09-30', drawDue: '2024-10-10', inspectionDue: '2024-12-31', escalateAfter: null, publicationDue: null };
    const dates = quarterDates(row(q4));
    expect(dates).toEqual(q4);
    expect(quarterDates(row({ ...q4, drawDue: null }))).toBeNull();
    const timeline = phaseTimeline('inspection', dates).value;
    expect(timeline).toContain(`2024年12月31日前（督办日期${PENDING_DEADLINE_TEXT}）`);
    expect(timeline).toContain(`公示期限${PENDING_DEADLINE_TEXT}`);
    expect(timeline).not.toMatch(/null|—/);
  });
  it('refuses nonsense with a message naming the field', () => {
    expect(() => progressChart({ ...progressInput, total: -1 })).toThrow(/total must be a whole number/);
    expect(() => progressChart({ ...progressInput, finishedPerDay: [{ date: '2023-02-30', count: 1 }] })).toThrow(/2023-02-30/);
    expect(() => progressChart({ ...progressInput, finishedPerDay: [{ date: '2023-02-03', count: 1.5 }] })).toThrow(/count on 2023-02-03/);
  });
});

describe('by department', () => {
  const svg = departmentChart(departments).value;
  it('draws one stacked bar per department with a segment per non-zero state', () => {
    expect(count(svg, /<g class="bar-row">/g)).toBe(4);
    const segments = departments.reduce((a, d) => a + [d.doneOnTime, d.doneLate, d.open, d.overdue, d.parked].filter((n) => n > 0).length, 0);
    expect(count(svg, /<g><title>[^<]*：[^<]* \d+<\/title><rect /g)).toBe(segments);
    for (const label of ['按期完成', '逾期完成', '进行中', '已逾期未完成', '暂停待处理']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('>共23</text>');
    // five patterns: states differ in texture, not only in colour
    expect(count(svg, /<pattern id="chart-departments-/g)).toBe(5);
    expect(svg).toContain('fill="url(#chart-departments-overdue)"');
  });
  it('escapes a department name holding markup, everywhere it appears', () => {
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;执法&amp;二科');
  });
  it('shortens a long name with … and keeps it whole in the title', () => {
    expect(svg).toMatch(/>信阳市[^<]*…<\/text>/);
    expect(svg).toContain('<title>信阳市生态环境综合行政执法支队浉河区直属大队：按期完成 20');
  });
  it('sums inspections by state from their status', () => {
    expect(progressStateOf({ phase: 'done', overdue: false, onTime: true })).toBe('doneOnTime');
    expect(progressStateOf({ phase: 'done', overdue: true, onTime: false })).toBe('doneLate');
    expect(progressStateOf({ phase: 'inspection', overdue: true })).toBe('overdue');
    expect(progressStateOf({ phase: 'handover-approval', overdue: false })).toBe('open');
    expect(progressStateOf({ phase: 'inspection', overdue: true, parked: true })).toBe('parked');
    expect(progressStateOf({ phase: 'replaced', overdue: false })).toBeNull();
    const rows = departmentProgress(
      [{ id: 'a', name: '执法一科' }, { id: 'b', name: '执法二科' }],
      [
        { department: 'a', phase: 'done', overdue: false, onTime: true },
        { department: 'a', phase: 'done', overdue: false, onTime: false },
        { department: 'a', phase: 'replaced', overdue: false },
        { department: 'c', phase: 'parked', overdue: false },
      ],
    );
    expect(rows).toEqual([
      { department: 'a', name: '执法一科', doneOnTime: 1, doneLate: 1, open: 0, overdue: 0, parked: 0 },
      { department: 'b', name: '执法二科', doneOnTime: 0, doneLate: 0, open: 0, overdue: 0, parked: 0 },
      { department: 'c', name: 'c', doneOnTime: 0, doneLate: 0, open: 0, overdue: 0, parked: 1 },
    ]);
  });
  it('says so when there is nothing yet', () => {
    expect(departmentChart([]).value).toContain('>尚无检查任务</text>');
  });
});

describe('findings by kind', () => {
  const counts = findingsFromStats(stats);
  const svg = findingsChart(counts).value;
  it('derives the kinds from the quarter statistics', () => {
    expect(counts).toEqual({ noProblem: 59, problemsFound: 21, ownCase: 9, handedOver: 7, referred: 3, pendingOrRejected: 2, couldNotInspect: 4 });
  });
  it('draws a bar per kind with count and share', () => {
    expect(count(svg, /<g class="bar-row">/g)).toBe(7);
    for (const [label, note] of [
      ['未发现问题', '59（70%）'],
      ['发现问题', '21（25%）'],
      ['其中：自行查处', '9（11%）'],
      ['移交属地大队', '7（8%）'],
      ['移送其他部门', '3（4%）'],
      ['待审批或不予移交', '2（2%）'],
      ['未能检查', '4（5%）'],
    ]) {
      expect(svg).toContain(`>${label}</text>`);
      expect(svg).toContain(`>${note}</text>`);
    }
    expect(svg).toContain('<desc id="chart-findings-desc">共84家：未发现问题59家，发现问题21家（自行查处9家，移交属地大队7家，移送其他部门3家，待审批或不予移交2家），未能检查4家。</desc>');
  });
  it('leaves out the pending row when none are pending', () => {
    const svg2 = findingsChart(findingsFromStats({ ...stats, ownCases: 11 })).value;
    expect(count(svg2, /<g class="bar-row">/g)).toBe(6);
  });
});

describe('in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    fs.mkdirSync(OUT, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const charts = () => ({
    progress: progressChart(progressInput).value,
    departments: departmentChart(departments).value,
    findings: findingsChart(findingsFromStats(stats)).value,
  });

  it('parses each chart as well-formed SVG and renders it at desktop and phone widths', async () => {
    const all = charts();
    for (const [size, viewport] of Object.entries({ desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } })) {
      const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', offline: true });
      const page = await ctx.newPage();
      for (const [name, svg] of Object.entries(all)) {
        // (browser-side code as text: the test's TypeScript has no DOM types)
        const parseError = await page.evaluate(`new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml').querySelector('parsererror')?.textContent ?? null`);
        expect(parseError, name).toBeNull();
        // A page as the console would hold it: the chart in a section of the main column.
        await page.setContent(
          `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
            `<style>body{margin:0;padding:16px;font-family:sans-serif}main{max-width:760px}figure{margin:0}.ssj-chart{max-width:720px;height:auto}</style></head>` +
            `<body><main><h2>图表</h2><figure>${svg}</figure></main></body></html>`,
        );
        const box = await page.locator('svg.ssj-chart').boundingBox();
        expect(box, name).not.toBeNull();
        // fits the column: no sideways scrolling on a phone
        expect(box!.width).toBeLessThanOrEqual(viewport.width - 32 + 0.5);
        expect(box!.height).toBeGreaterThan(80);
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
        // the hostile department name is text, not a script element
        expect(await page.locator('svg script').count()).toBe(0);
        await page.locator('svg.ssj-chart').screenshot({ path: path.join(OUT, `${name}-${size}.png`) });
      }
      await ctx.close();
    }
    expect(fs.readdirSync(OUT).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(6);
  }, 120_000);
});
