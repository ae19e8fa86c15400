// 公示: what the quarter's disclosure package holds and by when it is due, then the published
// package (each file viewable, the 公示 page first), and a parked publication's retry button.
import { PENDING_DEADLINE_TEXT } from '../../domain/calendar';
import { chineseDate } from '../../domain/documents/html';
import { NOTE_MAX } from '../../domain/outcomes';
import type { CampaignRow } from '../../stores/console-store';
import type { CampaignStatus } from '../../workflows/definitions';
import { parkedReasonLabel } from './labels';
import { campaignPhaseLabel, quarterHref } from './quarter';
import { csrfField, html, page, type Viewer } from './layout';

export interface PackageFile {
  path: string;
  bytes: number;
}

/** The package's parts as files/publication.ts writes them. */
const PARTS: ReadonlyArray<[string, string]> = [
  ['index.html', '公示页面（可打印）：抽取过程、见证人、抽查对象及检查结果'],
  ['results.csv', '检查结果一览（CSV，可用 Excel 打开）'],
  ['results.xlsx', '检查结果一览（Excel 工作簿）'],
  ['draw-record.json', '抽取记录（随机种子、见证人承诺与公开值）'],
  ['draw-notice.json', '抽取公告数据'],
  ['ceremonies.json', '见证抽取仪式记录'],
  ['manifest/', '冻结的抽取输入文件（原样公开）'],
  ['replacements.json', '替换记录'],
  ['verify.html', '公众自行核验抽取结果的页面'],
  ['verify.js', '核验页面的程序'],
  ['verify-data.js', '核验页面的数据'],
  ['verify.py', '独立核验程序（Python）'],
  ['SHA256SUMS', '全部文件的校验值'],
];
const describe = (p: string) => PARTS.find(([name]) => (name.endsWith('/') ? p.startsWith(name) : p === name))?.[1] ?? '—';

const sizeText = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} 字节`);
/**
 * A package file's address in the console: path-style, the folder's own layout under the quarter,
 * so the published pages' relative links (verify.html, results.csv, manifest/…) work as on the web
 * (console/publication.ts serves it).
 */
export const packageFileHref = (campaignId: string, p: string): string => `/publication/files/${encodeURIComponent(campaignId)}/${p.split('/').map(encodeURIComponent).join('/')}`;
const fileHref = packageFileHref;

export interface PublicationView {
  campaign: CampaignRow;
  /** The workflow's status (null when Temporal no longer has the campaign). */
  status: CampaignStatus | null;
  /** The published folder's files; null when not published or not readable here. */
  files: PackageFile[] | null;
  /** The SHA-256 of the package's SHA256SUMS (its 总指纹), when readable here. */
  fingerprint?: string | null;
  canResume: boolean;
}

export function publicationPage(viewer: Viewer, v: PublicationView): string {
  const c = v.campaign;
  const st = v.status;
  const pub = st?.publication ?? null;
  const due = st?.dates.publicationDue ?? null;
  const parked = st?.parked && st.parked.step === 'publication' ? st.parked : null;
  const facts = html`<section class="card"><table class="facts">
  <tr><th>抽查批次</th><td><span class="code">${c.campaignId}</span>（<a href="${quarterHref(c.campaignId)}">季度进度</a>）</td></tr>
  <tr><th>当前阶段</th><td>${campaignPhaseLabel(st?.phase ?? c.phase)}</td></tr>
  <tr><th>公示期限</th><td>${due ? chineseDate(due) : st ? PENDING_DEADLINE_TEXT : '—'}</td></tr>
  <tr><th>公示状态</th><td>${pub ? html`已于${chineseDate(pub.publishedOn)}公示${pub.late ? html`<span class="overdue">（逾期）</span>` : '（按期）'}` : parked ? html`<span class="overdue">公示暂停待处理</span>` : '尚未公示'}</td></tr>
  ${pub ? html`<tr><th>公示位置</th><td class="code">${pub.location}</td></tr>` : ''}
  ${v.fingerprint ? html`<tr><th>总指纹</th><td><span class="code fingerprint">${v.fingerprint}</span><p class="hint">公示文件 SHA256SUMS 的 SHA-256。请在发布公示页面时一并公布此指纹：公众用公示包内的 verify.html 或 verify.py 复核时，可据此确认所下载的文件与公布的一致。</p></td></tr>` : ''}
</table></section>`;
  const resume = parked
    ? html`<section class="card">
  <h2>公示暂停待处理</h2>
  <p class="error" role="alert">${parkedReasonLabel(parked.reason)}</p>
  <p class="hint">请先补正数据（如名录、检查结果），再重新生成公示。</p>
  ${
    v.canResume
      ? html`<form method="post" action="/publication/resume">${csrfField(viewer.csrfToken)}<input type="hidden" name="campaign" value="${c.campaignId}">
    <label for="note">补正说明（内部留存，不公开）</label><textarea id="note" name="note" rows="2" maxlength="${NOTE_MAX}"></textarea>
    <button type="submit">重新生成并公示</button></form>`
      : html`<p class="hint">由支队长或系统管理员操作。</p>`
  }
</section>`
    : '';
  const files = v.files
    ? html`<h2>公示文件</h2>
<p><a class="button" href="${fileHref(c.campaignId, 'index.html')}" hx-boost="false" target="_blank" rel="noopener">查看公示页面</a></p>
<table class="cards"><thead><tr><th>文件</th><th>内容</th><th>大小</th></tr></thead><tbody>
${v.files.map((f) => html`<tr><td data-label="文件"><a class="code" href="${fileHref(c.campaignId, f.path)}" hx-boost="false">${f.path}</a></td><td data-label="内容">${describe(f.path)}</td><td data-label="大小" class="nowrap">${sizeText(f.bytes)}</td></tr>`)}
</tbody></table>`
    : pub
      ? html`<p class="hint">公示文件位于工作进程所在主机的上述位置，本机无法读取。</p>`
      : html`<h2>公示内容预览</h2>
<p class="notice">公示无需人工发布：全部检查结束后，系统自动生成公示包并发布${due ? `（期限${chineseDate(due)}）` : ''}。公示包包含：</p>
<table class="cards"><thead><tr><th>文件</th><th>内容</th></tr></thead><tbody>
${PARTS.map(([name, what]) => html`<tr><td data-label="文件" class="code">${name}</td><td data-label="内容">${what}</td></tr>`)}
</tbody></table>`;
  return page('结果公示', html`${facts}${resume}${files}`, viewer);
}

/** After a retry of the parked publication: done, or (already resumed / not parked) a plain answer. */
export function publicationResumedPage(viewer: Viewer, campaignId: string, notParked: string | null): string {
  return page(
    notParked ? '已处理' : '已重新生成',
    html`<p class="notice" role="status">${notParked ? '公示当前未处于暂停状态（可能已由他人恢复），无需再次操作。' : '已重新执行公示；如数据仍有问题，将再次暂停并通知。'}</p>
<p><a href="/publication?campaign=${encodeURIComponent(campaignId)}">返回结果公示</a></p>`,
    viewer,
  );
}
