// 抽取见证: the witness's page (the manifest digest first; commit, then reveal, from the signed-in
// session; the secret is made and kept by /static/ceremony.js in the browser), the presentation
// view for the room's projector (self-updating through htmx, or a meta refresh without script),
// the list of quarters, and the "已处理" answer to a late click.
import { chineseDate, chineseDateTime, chineseQuarter } from '../../domain/documents/html';
import type { CampaignRow } from '../../stores/console-store';
import type { CampaignStatus, CeremonyWitness } from '../../workflows/definitions';
import { witnessRoles, type WitnessRole } from '../../domain/messages';
import type { StaleReason } from '../ceremony';
import { campaignPhaseLabel } from './labels';
import { csrfField, html, Html, page, roleLabel, type Viewer } from './layout';

/** What the console could read of the published draw record (draw-record.json). */
export interface PublishedRecord {
  seed: string;
  manifestDigest: string;
  spec: string;
  drawn: number;
  pools: number;
}

export const WITNESS_LABELS: Record<WitnessRole, string> = { admin: roleLabel('admin'), discipline: roleLabel('discipline') };
const AFTER_DRAW = new Set(['inspection', 'publication', 'closed']);

const phaseLabel = campaignPhaseLabel;
const quarterLabel = (st: { year: number; quarter: number }) => (st.quarter >= 1 && st.quarter <= 4 ? `${st.year}年${chineseQuarter(st.quarter)}` : `${st.year}年度`);
/** 64 hex characters in groups of 8, so two people can read them aloud to each other. */
const grouped = (hex: string) => hex.replace(/(.{8})(?=.)/g, '$1 ');
/** A programme instant 2024-01-05T10:03:00+08:00 → 2024年1月5日 10:03 (Beijing time). */
export function instantCn(iso: string | null | undefined): string {
  // The shared formatter turns any offset into Beijing time (cutting the text did not); anything
  // that is not an instant shows as given.
  try {
    return chineseDateTime(iso ?? '');
  } catch {
    return iso ?? '';
  }
}
const link = (base: string, campaignId: string) => `${base}?campaign=${encodeURIComponent(campaignId)}`;
const SCRIPT = html`<script src="/static/ceremony.js" defer></script>`;

function digestCard(st: CampaignStatus): Html {
  if (!st.manifest) return html`<section class="card"><p class="empty">名录尚未冻结，清单摘要尚未生成（当前阶段：${phaseLabel(st.phase)}）。</p></section>`;
  return html`<section class="card ceremony-digest">
  <h2>${st.phase === 'draw' ? '第一步：核对清单摘要' : '清单摘要'}</h2>
  <p class="hint">本季度冻结名录（manifest）的摘要${st.phase === 'draw' ? '。请先与公布的摘要逐组核对，一致后再提交承诺值。' : '，抽取即以此名录为准。'}</p>
  <p class="ceremony-hash" id="manifest-digest">${grouped(st.manifest.digest)}</p>
  <p class="hint">${st.manifest.units}家监管对象、${st.manifest.inspectors}名执法人员、${st.manifest.pools}个抽取池；抽取规则 ${st.drawSpec}。</p>
</section>`;
}

/** Who committed and revealed in the current ceremony; never a salt or entropy. */
function witnessTable(st: CampaignStatus, names: Record<string, string>, big = false): Html {
  const c = st.ceremony;
  const rows = witnessRoles.map((role) => {
    const w: CeremonyWitness | undefined = c?.witnesses.find((x) => x.role === role);
    return html`<tr>
  <td data-label="见证角色">${WITNESS_LABELS[role]}</td>
  <td data-label="见证人">${w ? (names[w.personId] ?? w.personId) : '—'}</td>
  <td data-label="承诺值" class="${w ? 'ceremony-done' : 'ceremony-waiting'}">${w ? html`已提交 ${instantCn(w.committedAt)}${big ? '' : html`<br><span class="code">${w.commitment}</span>`}` : '待提交'}</td>
  <td data-label="揭示" class="${w?.revealedAt ? 'ceremony-done' : 'ceremony-waiting'}">${w?.revealedAt ? html`已揭示 ${instantCn(w.revealedAt)}` : c && witnessRoles.every((r) => c.witnesses.some((x) => x.role === r)) ? '待揭示' : '—'}</td>
</tr>`;
  });
  return html`<table class="cards ceremony-witnesses"><thead><tr><th>见证角色</th><th>见证人</th><th>承诺值</th><th>揭示</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The backup of the secret, filled in by ceremony.js from this browser's storage. */
function backup(st: CampaignStatus, w: CeremonyWitness): Html {
  return html`<div class="ceremony-backup" data-commitment="${w.commitment}" data-campaign="${st.campaignId}" data-ceremony="${String(st.ceremony!.number)}" data-role="${w.role}" data-person="${w.personId}">
  <p class="hint ceremony-backup-missing">揭示时需要提交承诺值时生成的盐值和随机数。${html`<noscript>本页需启用 JavaScript 才能读取本浏览器保存的盐值和随机数。</noscript>`}</p>
</div>`;
}

function commitForm(viewer: Viewer, st: CampaignStatus, role: WitnessRole): Html {
  const n = String(st.ceremony!.number);
  const cli = `ssj witness commit --campaign ${st.campaignId} --role ${role} --as ${viewer.personId}`;
  return html`<form class="card ceremony-commit" method="post" action="/ceremony/commit" hx-boost="false"
  data-campaign="${st.campaignId}" data-ceremony="${n}" data-role="${role}" data-person="${viewer.personId}" data-digest="${st.manifest!.digest}">
  ${csrfField(viewer.csrfToken)}
  <input type="hidden" name="campaign" value="${st.campaignId}">
  <input type="hidden" name="ceremony" value="${n}">
  <input type="hidden" name="role" value="${role}">
  <input type="hidden" name="commitment" value="">
  <h2>第二步：以${WITNESS_LABELS[role]}身份提交承诺值</h2>
  <noscript><p class="error" role="alert">本页须启用 JavaScript，才能在您的浏览器中生成盐值和随机数并计算承诺值（它们不会发送给服务器）。未启用时，请在本人电脑上使用命令行：<br><code class="code">${cli}</code></p></noscript>
  <label class="check"><input type="checkbox" name="digestChecked" value="yes" required> 我已核对上方清单摘要，与公布的一致</label>
  <label for="entropy-${role}">自选随机数（可不填）</label>
  <input type="text" id="entropy-${role}" class="ceremony-entropy" autocomplete="off" spellcheck="false" pattern="[0-9A-Za-z]{16,128}" maxlength="128">
  <p class="hint">可填写掷骰子所得数字等16至128位字母或数字；不填则由浏览器随机生成。盐值和随机数只保存在本浏览器中，提交时只发送承诺值；提交后请下载或抄录备份，揭示时需要。</p>
  <p class="error ceremony-js-error" role="alert" hidden></p>
  <button type="submit" disabled data-needs-script>生成并提交承诺值</button>
</form>`;
}

function revealForm(viewer: Viewer, st: CampaignStatus, w: CeremonyWitness): Html {
  return html`<form class="card ceremony-reveal" method="post" action="/ceremony/reveal" hx-boost="false"
  data-commitment="${w.commitment}" data-campaign="${st.campaignId}" data-ceremony="${String(st.ceremony!.number)}" data-role="${w.role}" data-person="${w.personId}" data-digest="${st.manifest!.digest}">
  ${csrfField(viewer.csrfToken)}
  <input type="hidden" name="campaign" value="${st.campaignId}">
  <input type="hidden" name="ceremony" value="${String(st.ceremony!.number)}">
  <input type="hidden" name="role" value="${w.role}">
  <h2>第三步：揭示（${WITNESS_LABELS[w.role]}）</h2>
  <p>全部见证人均已提交承诺值。请于<strong>${instantCn(st.ceremony!.revealBy)}</strong>前揭示；逾期未揭示的，本次仪式作废。</p>
  <p class="notice ceremony-found" role="status" hidden>已在本浏览器中找到与您的承诺值相符的盐值和随机数。</p>
  <label for="secret-file-${w.role}">或载入备份文件（本页下载的文件，或 ssj witness commit 保存的文件）</label>
  <input type="file" id="secret-file-${w.role}" class="ceremony-file" accept=".json,application/json">
  <details class="ceremony-manual">
    <summary>手工输入备份码</summary>
    <label for="salt-${w.role}">盐值（32位十六进制）</label>
    <input type="text" id="salt-${w.role}" name="salt" autocomplete="off" spellcheck="false" pattern="[0-9a-fA-F]{32}" maxlength="32" class="code">
    <label for="entropy-${w.role}">随机数</label>
    <input type="text" id="entropy-${w.role}" name="entropy" autocomplete="off" spellcheck="false" pattern="[0-9A-Za-z]{16,128}" maxlength="128" class="code">
  </details>
  <p class="error ceremony-js-error" role="alert" hidden></p>
  <button type="submit">揭示</button>
  <p class="hint">也可在提交承诺值的电脑上使用命令行：<code class="code">ssj witness reveal --campaign ${st.campaignId} --role ${w.role} --as ${viewer.personId}</code></p>
</form>`;
}

/** The viewer's part for one witness role they hold. */
function roleCard(viewer: Viewer, st: CampaignStatus, role: WitnessRole, names: Record<string, string>, tied: Partial<Record<WitnessRole, string>>): Html {
  const c = st.ceremony!;
  const w = c.witnesses.find((x) => x.role === role);
  const allCommitted = witnessRoles.every((r) => c.witnesses.some((x) => x.role === r));
  if (!w) {
    const other = c.witnesses.find((x) => x.personId === viewer.personId);
    if (other) return html`<section class="card"><p class="hint">您已担任本次仪式的${WITNESS_LABELS[other.role]}见证人；两名见证人须为不同人员。</p></section>`;
    const tie = tied[role];
    if (tie) return tiedCard(role, tie);
    return commitForm(viewer, st, role);
  }
  if (w.personId !== viewer.personId) {
    return html`<section class="card"><p>本次仪式的${WITNESS_LABELS[role]}见证人为${names[w.personId] ?? w.personId}，已于${instantCn(w.committedAt)}提交承诺值。</p></section>`;
  }
  if (w.revealedAt) {
    return html`<section class="card ceremony-mine" data-revealed="yes" data-commitment="${w.commitment}"><h2>已完成（${WITNESS_LABELS[role]}）</h2><p class="notice" role="status">您已于${instantCn(w.revealedAt)}揭示，与承诺值相符。${allRevealed(st) ? '全部见证人均已揭示，系统正在抽取。' : '等待另一见证人揭示。'}</p></section>`;
  }
  if (!allCommitted) {
    return html`<section class="card ceremony-mine"><h2>已提交承诺值（${WITNESS_LABELS[role]}）</h2>
<p class="notice" role="status">您的承诺值已于${instantCn(w.committedAt)}记录。等待另一见证人提交承诺值后，再回到本页揭示（<a href="${link('/ceremony', st.campaignId)}">刷新</a>）。</p>
<p>承诺值：<span class="code">${w.commitment}</span></p>
${backup(st, w)}</section>`;
  }
  const tie = tied[role];
  return html`${tie ? tiedCard(role, tie) : revealForm(viewer, st, w)}<section class="card ceremony-mine"><h2>备份</h2>${backup(st, w)}</section>`;
}

/** In place of a form the witness tie refuses (console/witness-ties.ts). */
const tiedCard = (role: WitnessRole, why: string): Html =>
  html`<section class="card ceremony-tied"><h2>不能担任${WITNESS_LABELS[role]}见证人</h2><p class="error" role="alert">${why}</p></section>`;

const allRevealed = (st: CampaignStatus) => !!st.ceremony && witnessRoles.every((r) => st.ceremony!.witnesses.some((x) => x.role === r && x.revealedAt));

function afterDraw(st: CampaignStatus, record: PublishedRecord | null): Html {
  if (!AFTER_DRAW.has(st.phase) || !st.sealed) return html``;
  return html`<section class="card ceremony-sealed">
  <h2>抽取结果</h2>
  <table class="facts">
    <tr><th>种子承诺值</th><td class="code">${st.sealed.seedCommitment}</td></tr>
    <tr><th>抽中单位</th><td>${String(st.sealed.drawn)}家</td></tr>
    ${record ? html`<tr><th>随机种子</th><td class="code">${record.seed}</td></tr>` : html`<tr><th>随机种子</th><td>${st.publication ? '已随公示材料公开（本机无法读取公示文件夹）' : '公示时公开；在此之前抽查名单保密'}</td></tr>`}
  </table>
</section>`;
}

/** `tied`: roles the viewer may not commit in (console/witness-ties.ts), with the reason shown instead of the form. */
export function ceremonyPage(viewer: Viewer, st: CampaignStatus, names: Record<string, string>, record: PublishedRecord | null, tied: Partial<Record<WitnessRole, string>> = {}): string {
  const mine = witnessRoles.filter((r) => viewer.roles.includes(r));
  let body: Html;
  if (st.drawSpec !== 'ssj-draw/2') {
    body = html`<p class="notice">本季度在 ssj-draw/2 之前启动，见证人以明文提供随机数，请使用命令行：<code class="code">ssj witness entropy --campaign ${st.campaignId} --role 角色 --as 本人编号</code></p>`;
  } else if (st.phase === 'draw' && st.ceremony && st.manifest) {
    body = html`<p class="hint">第${String(st.ceremony.number)}次见证仪式${st.voidCeremonies.length ? html`（此前${String(st.voidCeremonies.length)}次仪式因未按期揭示已作废）` : ''}。先由两名见证人分别提交承诺值，全部提交后再分别揭示。</p>
${witnessTable(st, names)}
${mine.map((r) => roleCard(viewer, st, r, names, tied))}`;
  } else if (AFTER_DRAW.has(st.phase)) {
    body = html`<p class="notice" role="status">见证仪式已完成，抽取已进行（当前阶段：${phaseLabel(st.phase)}）。</p>${witnessTable(st, names)}${afterDraw(st, record)}`;
  } else {
    body = html`<p class="notice" role="status">见证仪式尚未开始：名录冻结后进入抽取阶段（当前阶段：${phaseLabel(st.phase)}）。</p>`;
  }
  return page(
    `${quarterLabel(st)}抽取见证`,
    html`${digestCard(st)}
${body}
<p><a href="${link('/ceremony/screen', st.campaignId)}">投屏显示</a> · <a href="/ceremony">全部季度</a></p>
${SCRIPT}`,
    viewer,
  );
}

export function ceremonyListPage(viewer: Viewer, campaigns: readonly CampaignRow[]): string {
  const rows = campaigns.map(
    (c) => html`<tr class="${c.phase === 'draw' ? 'ceremony-current' : ''}">
  <td data-label="季度"><a href="${link('/ceremony', c.campaignId)}">${quarterLabel(c)}</a> <span class="code">${c.campaignId}</span></td>
  <td data-label="阶段">${phaseLabel(c.phase)}</td>
  <td data-label="投屏"><a href="${link('/ceremony/screen', c.campaignId)}">投屏显示</a></td>
</tr>`,
  );
  return page(
    '抽取见证',
    rows.length
      ? html`<p class="hint">处于“随机抽取”阶段的季度需要两名见证人（系统管理员、纪检人员）先后提交承诺值和揭示。</p><table class="cards"><thead><tr><th>季度</th><th>阶段</th><th>投屏</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<p class="empty">目前没有抽查季度。</p>`,
    viewer,
  );
}

/** The projector's content: refreshed every 3 s by htmx (outerHTML of #ceremony-live). */
export function ceremonyScreenLive(st: CampaignStatus, names: Record<string, string>, record: PublishedRecord | null): Html {
  const c = st.ceremony;
  let stage: Html;
  if (st.phase === 'draw' && c) {
    const committed = witnessRoles.every((r) => c.witnesses.some((x) => x.role === r));
    stage = html`<p class="ceremony-stage">第${String(c.number)}次见证仪式：${committed ? (allRevealed(st) ? '全部揭示，正在抽取' : '承诺值已全部提交，等待揭示') : '等待见证人提交承诺值'}</p>
${witnessTable(st, names, true)}
${c.revealBy ? html`<p class="ceremony-note">揭示期限：${instantCn(c.revealBy)}</p>` : ''}`;
  } else if (AFTER_DRAW.has(st.phase) && st.sealed) {
    const s = st.stats;
    stage = html`<p class="ceremony-stage">${st.publication ? '结果已公示' : '抽取完成，名单密封至公示'}</p>
${witnessTable(st, names, true)}
<div class="ceremony-big"><span class="ceremony-label">种子承诺值（SHA-256）</span><span class="ceremony-hash">${grouped(st.sealed.seedCommitment)}</span></div>
${
  st.publication
    ? html`<div class="ceremony-big"><span class="ceremony-label">随机种子</span><span class="ceremony-hash">${record ? grouped(record.seed) : '见公示材料 draw-record.json'}</span></div>
<table class="ceremony-counts"><tbody>
<tr><th>抽中</th><td>${String(s?.drawn ?? st.sealed.drawn)}家</td><th>已检查</th><td>${String(s?.inspected ?? '—')}家</td></tr>
<tr><th>按期完成</th><td>${String(s?.onTime ?? '—')}家</td><th>发现问题</th><td>${String(s?.findings ?? '—')}家</td></tr>
<tr><th>移交</th><td>${String(s?.handedOver ?? '—')}家</td><th>移送</th><td>${String(s?.referred ?? '—')}家</td></tr>
</tbody></table>
<p class="ceremony-note">公示日期：${chineseDate(st.publication.publishedOn)}${st.publication.late ? '（逾期）' : ''}</p>`
    : html`<p class="ceremony-note">抽中${String(st.sealed.drawn)}家。抽查名单保密，公示时连同随机种子一并公开，任何人可据此复核。</p>`
}`;
  } else {
    stage = html`<p class="ceremony-stage">见证仪式尚未开始（当前阶段：${phaseLabel(st.phase)}）</p>`;
  }
  return html`<div id="ceremony-live" class="ceremony-screen" hx-get="${link('/ceremony/screen/live', st.campaignId)}" hx-trigger="every 3s" hx-swap="outerHTML" data-phase="${st.phase}">
${st.manifest ? html`<div class="ceremony-big"><span class="ceremony-label">清单摘要（manifest digest）</span><span class="ceremony-hash">${grouped(st.manifest.digest)}</span></div>` : ''}
${stage}
</div>`;
}

export function ceremonyScreenPage(st: CampaignStatus, names: Record<string, string>, record: PublishedRecord | null): string {
  // Without script, the page reloads itself every 10 s instead.
  return page(`${quarterLabel(st)}随机抽取见证`, html`<noscript><meta http-equiv="refresh" content="10"></noscript>${ceremonyScreenLive(st, names, record)}`, null);
}

/** A click that came after the matter was decided, or for a voided ceremony: a plain answer. */
export function ceremonyStalePage(viewer: Viewer, st: CampaignStatus, why: StaleReason, by: string | null): string {
  const back = html`<p><a href="${link('/ceremony', st.campaignId)}">返回见证页面</a></p>`;
  if (why.kind === 'voided') {
    return page(
      '该次仪式已作废',
      html`<p class="notice" role="status">第${String(why.ceremony)}次见证仪式已作废（未在期限内全部揭示）${why.current ? html`，现为第${String(why.current)}次仪式，请返回见证页面重新提交承诺值` : ''}。此次操作未提交。</p>${back}`,
      viewer,
    );
  }
  if (why.kind === 'drawn') {
    const text = AFTER_DRAW.has(why.phase) ? '见证仪式已完成，抽取已进行，无需再次操作。' : `见证仪式尚未开始或暂停（当前阶段：${phaseLabel(why.phase)}），此次操作未提交。`;
    return page(AFTER_DRAW.has(why.phase) ? '已处理' : '暂不能操作', html`<p class="notice" role="status">${text}</p>${back}`, viewer);
  }
  const step = why.step === 'commit' ? '提交承诺值' : '揭示';
  return page('已处理', html`<p class="notice" role="status">此事项已处理：${by ?? '见证人'}已于${instantCn(why.at)}${step}，无需再次操作。</p>${back}`, viewer);
}
