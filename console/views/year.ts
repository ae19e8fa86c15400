// 年度统计: the year's quarters in one table (the XLSX export's rows and headings), a year chooser
// that works without JavaScript (a GET form) and the download link.
import { chineseDate } from '../../domain/documents/html';
import { YEAR_STATS_HEADINGS, yearStatsTitle } from '../statistics/xlsx';
import { COUNT_FIELDS, percent, type YearStatistics, type YearStatsCounts } from '../statistics/year';
import { html, type Html, page, type Viewer } from './layout';

const rateText = (c: YearStatsCounts) => {
  const p = percent(c.onTime, c.drawn);
  return p === null ? '—' : `${p}%`;
};
const publishedText = (v: boolean | null) => (v === null ? '—' : v ? '是' : '否');

function countCells(c: YearStatsCounts | null): Html[] {
  if (!c) return [...COUNT_FIELDS, 'rate'].map((_, i) => html`<td data-label="${YEAR_STATS_HEADINGS[i + 1]}" class="num">—</td>`);
  const values = [c.drawn, c.inspected, c.onTime, rateText(c), c.findings, c.handedOver, c.referred];
  return values.map((v, i) => html`<td data-label="${YEAR_STATS_HEADINGS[i + 1]}" class="num">${v}</td>`);
}

export function yearPage(viewer: Viewer, s: YearStatistics, programmeName: string, today: string): string {
  const h = YEAR_STATS_HEADINGS;
  const rows = s.rows.map(
    (r) => html`<tr class="${r.counts ? '' : 'ops-none'}">
  <th scope="row" data-label="${h[0]}">${r.label}</th>
  ${countCells(r.counts)}
  <td data-label="${h[8]}">${r.counts ? publishedText(r.publishedOnTime) : '—'}</td>
  <td data-label="${h[9]}">${r.note}</td>
</tr>`,
  );
  return page(
    `${s.year}年度统计`,
    html`<p class="hint">${yearStatsTitle(s, programmeName)}，截至${chineseDate(today)}。已结束的季度为流程最终统计；进行中的季度为目前进度，公示后定稿。</p>
<form class="ops-year" method="get" action="/year">
  <label for="year">年份</label>
  <input type="text" id="year" name="year" inputmode="numeric" pattern="[0-9]{4}" value="${s.year}">
  <button type="submit">查看</button>
  <a class="button" href="/year.xlsx?year=${s.year}" download hx-boost="false">导出 Excel（XLSX）</a>
</form>
<table class="cards ops-stats">
<thead><tr>${h.map((x) => html`<th scope="col">${x}</th>`)}</tr></thead>
<tbody>${rows}
<tr class="total">
  <th scope="row" data-label="${h[0]}">全年合计</th>
  ${countCells(s.total)}
  <td data-label="${h[8]}">${s.published.of ? `${s.published.onTime}/${s.published.of}` : '—'}</td>
  <td data-label="${h[9]}">${s.published.of ? `${s.published.of}个季度已公示` : ''}</td>
</tr>
</tbody>
</table>
<p><a href="/quarters">返回季度抽查</a></p>`,
    viewer,
  );
}
