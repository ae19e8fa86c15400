// The year's statistics as a workbook, in the house style of results.xlsx: a merged title row,
// Chinese headings (bold, shaded, bordered), frozen under the heading, set column widths, and the
// same bytes for the same input (fixed metadata dates, zip entry times normalised).
import ExcelJS from 'exceljs';
import { normalizeZipTimes } from '../../files/publication/zip-times';
import { beijingMidnightMs } from '../../domain/calendar';
import { COUNT_FIELDS, percent, type YearStatistics, type YearStatsCounts } from './year';

export const YEAR_STATS_HEADINGS = ['季度', '抽取数（家）', '已检查（家）', '按期完成（家）', '按期完成率', '发现问题（家）', '移交（家）', '移送（家）', '按期公示', '备注'] as const;
const WIDTHS = [12, 13, 13, 14, 12, 14, 11, 11, 10, 20];
const BORDER = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } } as const;

export interface YearStatsXlsxOptions {
  /** The programme's name for the title, e.g. 信阳市污染源日常监管“双随机、一公开”抽查. */
  programmeName: string;
  /** Who the workbook says made it, e.g. the detachment. */
  publisher: string;
  /**
   * The workbook's date (YYYY-MM-DD): its created/modified stamp and the zip entries' times.
   * Give the statistics' as-of date; the same input and date give the same bytes.
   */
  asOf: string;
}

const publishedText = (v: boolean | null): string => (v === null ? '—' : v ? '是' : '否');

function countCells(c: YearStatsCounts): Array<number | string> {
  const rate = percent(c.onTime, c.drawn);
  return [c.drawn, c.inspected, c.onTime, rate === null ? '—' : rate / 100, c.findings, c.handedOver, c.referred];
}

// A programme named with its year (config: 2023年度污染源…计划) does not say the year twice.
export const yearStatsTitle = (s: Pick<YearStatistics, 'year'>, programmeName: string): string => `${s.year}年度${programmeName.replace(/^\d{4}年度/, '')}统计表`;

/** The workbook's bytes. Sheet 统计; rows: title, headings, 第一季度 … 第四季度, 全年合计. */
export async function yearStatisticsXlsx(s: YearStatistics, o: YearStatsXlsxOptions): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const stamp = new Date(beijingMidnightMs(o.asOf));
  const title = yearStatsTitle(s, o.programmeName);
  wb.creator = o.publisher;
  wb.lastModifiedBy = o.publisher;
  wb.created = stamp;
  wb.modified = stamp;
  wb.title = title;
  const ws = wb.addWorksheet('统计', { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.mergeCells(1, 1, 1, YEAR_STATS_HEADINGS.length);
  const titleCell = ws.getCell(1, 1);
  titleCell.value = title; // starts with the year: never read as a formula
  titleCell.font = { bold: true, size: 14 };
  titleCell.alignment = { horizontal: 'center' };
  const header = ws.addRow([...YEAR_STATS_HEADINGS]);
  header.font = { bold: true };
  header.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  header.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } };
    c.border = BORDER;
  });
  for (const r of s.rows) {
    const cells = r.counts ? countCells(r.counts) : COUNT_FIELDS.map(() => '').concat(['']);
    ws.addRow([r.label, ...cells, r.counts ? publishedText(r.publishedOnTime) : '', r.note]);
  }
  const total = ws.addRow(['全年合计', ...countCells(s.total), s.published.of ? `${s.published.onTime}/${s.published.of}` : '—', s.published.of ? `${s.published.of}个季度已公示` : '']);
  total.font = { bold: true };
  for (let n = 3; n <= ws.rowCount; n++) {
    const row = ws.getRow(n);
    row.eachCell({ includeEmpty: true }, (c, col) => {
      c.border = BORDER;
      c.alignment = { horizontal: col === 1 || col === YEAR_STATS_HEADINGS.length ? 'left' : 'right', vertical: 'middle' };
    });
    row.getCell(5).numFmt = '0.0%';
    row.getCell(9).alignment = { horizontal: 'center', vertical: 'middle' };
  }
  WIDTHS.forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  return normalizeZipTimes(Buffer.from(await wb.xlsx.writeBuffer()), o.asOf);
}
