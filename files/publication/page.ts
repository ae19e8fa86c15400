// index.html of the disclosure package: a printable Chinese 公示 page in the style of a bureau's
// website notice. Self-contained (inline CSS, system CJK fonts, no scripts, no external links).
// It names the inspecting department, never an inspector: names, certificate numbers and
// e-mail addresses are personal data and are not in the page's input at all.
import { FONT_SANS, FONT_SERIF, FONT_TITLE, Html, chineseDate, chineseDateTime, html, htmlPage, joinHtml } from '../../domain/documents/html';
import type { DrawRecord, Replacement } from '../../domain/draw/record';
import { MANIFEST_FILES } from '../../domain/draw/digest';
import type { ReasonCodes } from '../../domain/programme';
import { METHOD_LABELS, WITNESS_ROLE_LABELS, type PublicRow, handlingText, publicReasonLabel, replacementReasonKind, resultText, statusText } from './rows';

/** Run in the disclosure folder; SSJ_DIR is where the ssj software is checked out. */
export const VERIFY_COMMAND = 'npm --prefix "$SSJ_DIR" run --silent ssj -- verify --manifest manifest --record draw-record.json --replacements replacements.json';

export interface PageInput {
  title: string;
  bureauName: string;
  publisher: string;
  publishedOn: string;
  periodText: string;
  intro: string | null;
  contact: string | null;
  /** Where to get the verifying software; absent: ask the publisher. */
  softwareSource?: string | null;
  rows: PublicRow[];
  record: DrawRecord;
  replacements: readonly Replacement[];
  seedCommitment: string;
  /** The programme's reason codes: the page prints their labels, never a person's words. */
  reasons?: Partial<ReasonCodes>;
  /** The sentence on the ssj-draw/2 witness ceremonies ('' when there were none). */
  ceremonies?: string;
  unitNames: ReadonlyMap<string, string>;
  /** Files of the package other than index.html and SHA256SUMS, for the list at the end. */
  files: string[];
}

const CSS = `
@page { size: A4 landscape; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f4; color: #222; font-family: ${FONT_SANS}; font-size: 14px; line-height: 1.7; }
.banner { background: #1a5c9e; color: #fff; padding: 14px 24px; font-family: ${FONT_TITLE}; font-size: 22px; letter-spacing: 2px; }
main { max-width: 1160px; margin: 0 auto; background: #fff; padding: 28px 36px 40px; }
h1 { font-family: ${FONT_TITLE}; font-weight: bold; font-size: 22px; text-align: center; line-height: 1.5; margin: 8px 0 6px; }
.meta { text-align: center; color: #666; font-size: 13px; border-bottom: 1px solid #ddd; padding-bottom: 10px; margin-bottom: 18px; }
.meta span + span { margin-left: 2em; }
h2 { font-size: 16px; border-left: 4px solid #1a5c9e; padding-left: 8px; margin: 26px 0 10px; }
p { margin: 6px 0; }
.lead { font-family: ${FONT_SERIF}; font-size: 16px; text-indent: 2em; }
table { border-collapse: collapse; width: 100%; font-size: 13px; line-height: 1.5; }
th, td { border: 1px solid #999; padding: 5px 6px; vertical-align: top; text-align: left; }
thead th { background: #e8eef5; text-align: center; white-space: nowrap; }
td.num { text-align: center; white-space: nowrap; }
td.code, .hash { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace; word-break: break-all; }
.results td.code { white-space: nowrap; font-size: 12px; }
td.date { white-space: nowrap; }
tr.replaced td { color: #777; }
tr.replaced td.status { color: #a33; }
.summary td, .summary th { text-align: center; }
.verify th { width: 13em; background: #f6f6f6; }
code, pre { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace; font-size: 12px; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 8px 10px; white-space: pre-wrap; word-break: break-all; }
.signoff { text-align: right; margin-top: 28px; font-family: ${FONT_SERIF}; font-size: 16px; }
.note { color: #555; font-size: 13px; }
/* A table wider than the screen scrolls sideways inside this box, not the page; shadows at the
   edges (CSS only: the cover gradients scroll with the table) show there is more to either side. */
.table-scroll {
  overflow-x: auto;
  background:
    linear-gradient(to right, #fff 30%, rgba(255, 255, 255, 0)) left / 24px 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255, 255, 255, 0)) right / 24px 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, 0.22), rgba(0, 0, 0, 0)) left / 10px 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, 0.22), rgba(0, 0, 0, 0)) right / 10px 100% no-repeat scroll;
}
@media screen and (max-width: 640px) {
  body { font-size: 15px; }
  .banner { padding: 10px 14px; font-size: 17px; letter-spacing: 1px; }
  main { padding: 14px 12px 28px; }
  h1 { font-size: 19px; }
  .meta span { display: block; }
  .meta span + span { margin-left: 0; }
  h2 { margin: 22px 0 8px; }
  .lead { font-size: 15px; }
  table { font-size: 12px; }
  th, td { padding: 4px 5px; }
  .summary thead th { white-space: normal; padding: 4px 2px; }
  .results { min-width: 1000px; }
  .replacements { min-width: 680px; }
  .verify th { width: 8em; }
  .signoff { font-size: 15px; }
}
@media print {
  body { background: #fff; font-size: 11px; }
  .banner { background: none; color: #000; border-bottom: 2px solid #000; padding: 0 0 6px; font-size: 16px; }
  main { max-width: none; padding: 0; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  .verify-section { break-before: page; }
  pre { background: none; }
  .table-scroll { overflow: visible; background: none; }
}
`;

function dateCell(d: string | null): string {
  return d ? chineseDate(d) : '—';
}

export function renderPage(p: PageInput): string {
  const inRows = p.rows.filter((r) => r.status.kind !== 'replaced');
  const count = (f: (r: PublicRow) => boolean) => inRows.filter(f).length;
  const inspected = count((r) => r.outcome?.result?.outcome === 'no-problem' || r.outcome?.result?.outcome === 'problems-found');
  const problems = count((r) => r.outcome?.result?.outcome === 'problems-found');
  const handedOver = count((r) => ['supervision-notice', 'transfer-form', 'own-case'].includes(r.outcome?.handling ?? ''));
  const referred = count((r) => r.outcome?.handling === 'referral');
  const replacedUnits = p.rows.length - inRows.length;
  const inspectorChanges = p.replacements.filter((r) => r.kind === 'inspector').length;

  const intro =
    p.intro ??
    `根据“双随机、一公开”监管工作要求，${p.publisher}于${p.periodText}随机抽取检查对象${inRows.length}家` +
      `${replacedUnits ? `（其中按规则替换${replacedUnits}家）` : ''}，随机选派执法人员开展检查。现将抽查结果公示如下。`;

  const resultRows = joinHtml(
    p.rows.map(
      (r) => html`<tr${r.status.kind === 'replaced' ? new Html(' class="replaced"') : ''}>
<td class="num">${r.no}</td><td>${r.unitName}</td><td class="code">${r.unitId}</td><td>${r.address || '—'}</td><td>${r.category}</td>
<td>${METHOD_LABELS[r.method]}</td><td>${r.department}</td><td class="date">${dateCell(r.outcome?.checkedOn ?? null)}</td>
<td>${resultText(r.outcome, r.status, p.reasons)}</td><td>${handlingText(r.outcome, r.status)}</td><td class="status">${statusText(r.status, p.unitNames)}</td>
</tr>`,
    ),
    '\n',
  );

  const witnesses = joinHtml(
    p.record.witnesses.map((w) => html`<tr><td>${WITNESS_ROLE_LABELS[w.role] ?? w.role}（${w.role}）</td><td class="code">${w.person_id}</td><td class="code">${w.entropy}</td></tr>`),
    '\n',
  );
  const fileDigests = joinHtml(
    MANIFEST_FILES.map((f) => html`<tr><th scope="row">manifest/${f}</th><td class="hash">${p.record.manifest[f]}</td></tr>`),
    '\n',
  );
  const replacementRows = p.replacements.length
    ? html`<div class="table-scroll"><table class="replacements">
<thead><tr><th>序号</th><th>类型</th><th>单位</th><th>调整内容</th><th>原因</th><th>批准人编号</th><th>时间（北京时间）</th></tr></thead>
<tbody>
${joinHtml(
  [...p.replacements]
    .sort((a, b) => a.seq - b.seq)
    .map(
      (r) => html`<tr><td class="num">${r.seq}</td><td>${r.kind === 'unit' ? '检查对象替换' : '执法人员调整'}</td><td>${p.unitNames.get(r.unit_id) ?? r.unit_id}</td>
<td>${r.kind === 'unit' ? `由${p.unitNames.get(r.replacement) ?? r.replacement}替补` : '按规则重新选派一名执法人员'}</td><td>${publicReasonLabel(p.reasons, replacementReasonKind(r.kind), r.reason)}</td><td class="code">${r.approved_by}</td><td class="date">${chineseDateTime(r.at)}</td></tr>`,
    ),
  '\n',
)}
</tbody>
</table></div>`
    : html`<p>本季度抽取名单确定后未作调整。</p>`;

  const body = html`<div class="banner">${p.bureauName}</div>
<main>
<h1>${p.title}</h1>
<div class="meta"><span>发布单位：${p.publisher}</span><span>发布日期：${chineseDate(p.publishedOn)}</span></div>
<p class="lead">${intro}</p>

<h2>一、抽查情况汇总</h2>
<div class="table-scroll"><table class="summary">
<thead><tr><th>抽取检查对象</th><th>完成检查</th><th>未发现问题</th><th>发现问题</th><th>依法查处或移交</th><th>线索移送其他部门</th><th>替换检查对象</th><th>调整执法人员</th></tr></thead>
<tbody><tr><td>${inRows.length}</td><td>${inspected}</td><td>${inspected - problems}</td><td>${problems}</td><td>${handedOver}</td><td>${referred}</td><td>${replacedUnits}</td><td>${inspectorChanges}</td></tr></tbody>
</table></div>

<h2>二、抽查结果</h2>
<div class="table-scroll"><table class="results">
<thead><tr><th>序号</th><th>单位名称</th><th>统一社会信用代码</th><th>地址</th><th>监管类别</th><th>检查方式</th><th>检查部门</th><th>检查日期</th><th>检查结果</th><th>处理情况</th><th>抽取情况</th></tr></thead>
<tbody>
${resultRows}
</tbody>
</table></div>
<p class="note">说明：检查方式为“非现场检查”的，系列入正面清单的重点排污单位，通过遥感监测、无人机巡检、对外排污口取样监测等手段检查。检查结果以检查部门出具的文书为准。</p>

<section class="verify-section">
<h2>三、随机抽取过程公开与验证</h2>
<p>本季度抽取由系统管理员和纪检人员共同进行。抽取前先固定并公布抽取数据清单（manifest）的摘要，两名见证人随后各自输入随机数，随机种子由清单摘要和见证人随机数按公开算法（${p.record.spec}）计算得出。抽取时公布了随机种子的承诺值（种子的 SHA-256），全部检查完成后，一并公开随机种子、完整抽取记录和替换记录，任何人均可复核抽取结果。</p>
<div class="table-scroll"><table class="verify">
<tbody>
<tr><th scope="row">算法版本</th><td class="code">${p.record.spec}</td></tr>
<tr><th scope="row">抽取批次</th><td class="code">${p.record.campaign}</td></tr>
<tr><th scope="row">清单摘要 manifest_digest</th><td class="hash">${p.record.manifest_digest}</td></tr>
${fileDigests}
<tr><th scope="row">种子承诺值（抽取时公布）</th><td class="hash">${p.seedCommitment}</td></tr>
<tr><th scope="row">随机种子 seed</th><td class="hash">${p.record.seed}</td></tr>
<tr><th scope="row">每组执法人员</th><td>${p.record.team_size}名</td></tr>
</tbody>
</table></div>
<p>见证人（按角色排序；编号为人员库编号）：</p>
<div class="table-scroll"><table>
<thead><tr><th>角色</th><th>人员编号</th><th>见证人随机数</th></tr></thead>
<tbody>
${witnesses}
</tbody>
</table></div>
${p.ceremonies ? html`<p>${p.ceremonies}</p>` : ''}
<p>名单调整记录：</p>
${replacementRows}
<p>复核方法：下载本公示的全部文件，在文件所在目录中先核对文件完整性，再用 shuangsuiji（ssj）开源软件重新计算抽取结果并与公布的记录比对（SSJ_DIR 为该软件所在目录；输出 verified 即一致）。${p.softwareSource ? html`该软件的获取方式：${p.softwareSource}。` : html`该软件以 Apache-2.0 许可开放源代码，可向${p.publisher}索取。`}抽取算法的完整规范见该软件的 docs/draw-spec.md，任何人均可按规范自行编程复核：</p>
<pre>sha256sum -c SHA256SUMS
${VERIFY_COMMAND}</pre>
<p>在浏览器中复核：打开本目录中的 <a href="verify.html">verify.html</a>（下载后双击打开亦可，无需安装软件、无需联网）。它在您的电脑或手机上核对每个文件的指纹，再按公开的算法重新计算随机种子、逐个抽取池重算抽中的单位和检查组、核对每一次替换，并与抽取当时的公告比对，逐步显示计算出的数值，最后给出“复核通过”或指出第一处不一致。也可在本目录中运行另一套独立实现的复核程序 <code>python3 verify.py</code>（仅需 Python 3，无需其他软件），输出 verified 即一致。</p>
<p class="note">本公示所附文件：${p.files.join('、')}。各文件的 SHA-256 摘要见 SHA256SUMS。results.csv 为 UTF-8（带 BOM）编码，可直接用 Excel 打开。</p>
</section>

${p.contact ? html`<p class="note">${p.contact}</p>` : ''}
<div class="signoff"><div>${p.publisher}</div><div>${chineseDate(p.publishedOn)}</div></div>
</main>`;

  return htmlPage(p.title, CSS, body);
}
