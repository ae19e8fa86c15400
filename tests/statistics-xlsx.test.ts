// The year's statistics across quarters: the rows and the total, refusals that name the quarter and
// field, and the XLSX read back with exceljs (title, headings, frozen header, values, widths), with
// the same bytes for the same input.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { YEAR_STATS_HEADINGS, yearStatisticsXlsx } from '../console/statistics/xlsx';
import { type QuarterStatsInput, yearStatistics, YearStatisticsError } from '../console/statistics/year';

const P = 'xinyang-2023';
const q = (quarter: number, stats: QuarterStatsInput['stats'], phase: string | null = 'closed'): QuarterStatsInput => ({ programmeId: P, year: 2023, quarter, stats, phase });
const quarters: QuarterStatsInput[] = [
  q(2, { drawn: 60, inspected: 55, onTime: 50, findings: 8, handedOver: 3, referred: 1, publishedOnTime: false }),
  q(1, { drawn: 40, inspected: 40, onTime: 38, findings: 6, handedOver: 2, referred: 0, publishedOnTime: true }),
  q(3, null, 'inspection'),
];
const OPTIONS = { programmeName: '信阳市污染源日常监管“双随机、一公开”抽查', publisher: '信阳市生态环境综合行政执法支队', asOf: '2023-09-15' };

describe('yearStatistics', () => {
  const s = yearStatistics(P, 2023, quarters);
  it('gives four quarters in order, empty ones noted, and the total of those with statistics', () => {
    expect(s.rows.map((r) => [r.label, r.counts?.drawn ?? null, r.publishedOnTime, r.note])).toEqual([
      ['第一季度', 40, true, ''],
      ['第二季度', 60, false, ''],
      ['第三季度', null, null, '检查进行中'],
      ['第四季度', null, null, '未开展'],
    ]);
    expect(s.total).toEqual({ drawn: 100, inspected: 95, onTime: 88, findings: 14, handedOver: 5, referred: 1 });
    expect(s.published).toEqual({ onTime: 1, of: 2 });
  });
  it('refuses other programmes or years, a quarter twice, and bad counts, naming them', () => {
    expect(() => yearStatistics(P, 2023, [{ ...quarters[0]!, year: 2022 }])).toThrow(YearStatisticsError);
    expect(() => yearStatistics(P, 2023, [{ ...quarters[0]!, programmeId: 'other' }])).toThrow(/other 2023 Q2: not of programme xinyang-2023, year 2023/);
    expect(() => yearStatistics(P, 2023, [quarters[0]!, quarters[0]!])).toThrow(/Q2: given twice/);
    expect(() => yearStatistics(P, 2023, [q(5, null)])).toThrow(/Q5: quarter must be 1–4/);
    expect(() => yearStatistics(P, 2023, [q(1, { ...quarters[1]!.stats!, referred: -1 })])).toThrow(/Q1: referred must be a whole number ≥ 0, got -1/);
    expect(() => yearStatistics(P, 2023, [q(1, { ...quarters[1]!.stats!, findings: 41 })])).toThrow(/Q1: findings \(41\) exceed inspected \(40\)/);
  });
});

describe('yearStatisticsXlsx', () => {
  it('writes a titled sheet with Chinese headings, frozen header, widths and the values', async () => {
    const bytes = await yearStatisticsXlsx(yearStatistics(P, 2023, quarters), OPTIONS);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('统计')!;
    expect(ws).toBeDefined();
    expect(ws.getCell('A1').value).toBe('2023年度信阳市污染源日常监管“双随机、一公开”抽查统计表');
    expect(ws.getCell('A1').isMerged).toBe(true);
    expect(ws.getCell('J1').master.address).toBe('A1');
    expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual([...YEAR_STATS_HEADINGS]);
    expect(ws.getRow(2).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.getColumn(1).width).toBe(12);
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(values(3)).toEqual(['第一季度', 40, 40, 38, 0.95, 6, 2, 0, '是', '']);
    expect(values(4)).toEqual(['第二季度', 60, 55, 50, 0.833, 8, 3, 1, '否', '']);
    expect(values(5)).toEqual(['第三季度', '', '', '', '', '', '', '', '', '检查进行中']);
    expect(values(6)).toEqual(['第四季度', '', '', '', '', '', '', '', '', '未开展']);
    expect(values(7)).toEqual(['全年合计', 100, 95, 88, 0.88, 14, 5, 1, '1/2', '2个季度已公示']);
    expect(ws.getCell('E3').numFmt).toBe('0.0%');
    expect(ws.rowCount).toBe(7);
    expect(wb.creator).toBe(OPTIONS.publisher);
  });
  it('gives the same bytes for the same input, different bytes for different data', async () => {
    const a = await yearStatisticsXlsx(yearStatistics(P, 2023, quarters), OPTIONS);
    await new Promise((r) => setTimeout(r, 1100)); // a second later: any wall-clock stamp would show
    const b = await yearStatisticsXlsx(yearStatistics(P, 2023, [...quarters].reverse()), OPTIONS);
    expect(b.equals(a)).toBe(true);
    const c = await yearStatisticsXlsx(yearStatistics(P, 2023, quarters.slice(1)), OPTIONS);
    expect(c.equals(a)).toBe(false);
  });
  it('writes an empty year with zero totals and no rate', async () => {
    const bytes = await yearStatisticsXlsx(yearStatistics(P, 2023, []), OPTIONS);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('统计')!;
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(['第一季度', '', '', '', '', '', '', '', '', '未开展']);
    expect((ws.getRow(7).values as unknown[]).slice(1)).toEqual(['全年合计', 0, 0, 0, '—', 0, 0, 0, '—', '']);
  });
});
