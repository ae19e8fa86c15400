// The draw-time notice (抽取公告, DRAW-SPEC section 8 "at the draw"): what the bureau publishes the
// moment the list is drawn, with nothing that reveals the list: the quarter, the manifest's
// digests, the witnesses' roles and commitments, the seed's SHA-256, the time and any void
// ceremonies. Written to <SSJ_DATA_DIR>/notices/<campaignId>/ (draw-notice.json, index.html,
// SHA256SUMS); the disclosure package later copies draw-notice.json, and verify.py checks the
// published record against it. Deterministic (the draw's recorded time, never the clock) and atomic.
import { safeWorkflowId } from '../../domain/workflow-id';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CeremonyRecord } from '../../domain/ceremonies';
import { FONT_SANS, FONT_TITLE, Html, chineseDateTime, chineseQuarter, html, htmlPage, joinHtml } from '../../domain/documents/html';
import { MANIFEST_FILES, sha256Hex } from '../../domain/draw/digest';
import { seedCommitment } from '../../domain/draw/draw';
import { type DrawRecord, isWitnessV2 } from '../../domain/draw/record';
import { WITNESS_ROLE_LABELS } from './rows';
import { replaceFolder } from '../staged-folder';
import { campaignPackageName, PackageConflictError, type BlobStore } from '../../stores/blob-store';

export const DRAW_NOTICE_FORMAT = 'ssj-draw-notice/1';
export const DRAW_NOTICE_FILE = 'draw-notice.json';

export interface NoticeWitness {
  role: string;
  person_id: string;
  /** ssj-draw/2 only. */
  commitment?: string;
}
export interface NoticeVoidCeremony {
  number: number;
  witnesses: { role: string; person_id: string; commitment: string }[];
  failed: { role: string; person_id: string }[];
  voided_at: string | null;
}
export interface DrawNotice {
  notice: typeof DRAW_NOTICE_FORMAT;
  campaign: string;
  workflow_id: string;
  year: number;
  quarter: number;
  drawn_at: string;
  spec: string;
  manifest: Record<string, string>;
  manifest_digest: string;
  witnesses: NoticeWitness[];
  seed_sha256: string;
  void_ceremonies: NoticeVoidCeremony[];
}

export interface DrawNoticeInput {
  workflowId: string;
  year: number;
  quarter: number;
  /** The draw's recorded time, ISO 8601 with +08:00. */
  drawnAt: string;
  record: DrawRecord;
  /** Void ssj-draw/2 ceremonies, any order (sorted by number here). */
  voidCeremonies?: readonly CeremonyRecord[];
}

/** An instant as ISO 8601 in Beijing time (+08:00), to the second. */
export function beijingIso(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/**
 * When a draw happened: the last reveal of the ceremony that drew (ssj-draw/2; programme time, as
 * every other instant of the campaign), else `fallbackMs` (ssj-draw/1: when the draw was scheduled).
 */
export function drawTime(ceremony: CeremonyRecord | undefined, fallbackMs: number): string {
  const reveals = (ceremony?.witnesses ?? []).map((w) => w.revealedAt).filter((t): t is string => !!t);
  if (reveals.length === 0) return beijingIso(fallbackMs);
  return reveals.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/** The notice's content. Only digests, roles, person ids and commitments: no unit, team, seed or secret. */
export function buildDrawNotice(i: DrawNoticeInput): DrawNotice {
  const r = i.record;
  return {
    notice: DRAW_NOTICE_FORMAT,
    campaign: r.campaign,
    workflow_id: i.workflowId,
    year: i.year,
    quarter: i.quarter,
    drawn_at: i.drawnAt,
    spec: r.spec,
    manifest: Object.fromEntries(MANIFEST_FILES.map((f) => [f, r.manifest[f]])),
    manifest_digest: r.manifest_digest,
    witnesses: r.witnesses.map((w) => (isWitnessV2(w) ? { role: w.role, person_id: w.person_id, commitment: w.commitment } : { role: w.role, person_id: w.person_id })),
    seed_sha256: seedCommitment(r.seed),
    void_ceremonies: [...(i.voidCeremonies ?? [])]
      .sort((a, b) => a.number - b.number)
      .map((c) => ({
        number: c.number,
        witnesses: c.witnesses.map((w) => ({ role: w.role, person_id: w.personId, commitment: w.commitment })),
        failed: (c.failed ?? []).map((f) => ({ role: f.role, person_id: f.personId })),
        voided_at: c.voidedAt ?? null,
      })),
  };
}

/** Canonical JSON: the key order above, 2-space indent, final LF. */
export function formatDrawNotice(n: DrawNotice): string {
  return `${JSON.stringify(n, null, 2)}\n`;
}

const CSS = `
body { margin: 0; background: #f4f4f4; color: #222; font-family: ${FONT_SANS}; font-size: 14px; line-height: 1.7; }
main { max-width: 960px; margin: 0 auto; background: #fff; padding: 24px 28px 36px; }
h1 { font-family: ${FONT_TITLE}; font-size: 21px; text-align: center; line-height: 1.5; }
h2 { font-size: 16px; border-left: 4px solid #1a5c9e; padding-left: 8px; margin: 22px 0 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #999; padding: 5px 6px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; }
.hash { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace; word-break: break-all; }
.id { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace; white-space: nowrap; }
thead th { white-space: nowrap; }
.note { color: #555; font-size: 13px; }
/* Phones: less padding, and the void ceremonies' witnesses one per line under the table's rows. */
@media (max-width: 600px) {
  main { padding: 16px 12px 28px; }
  table { font-size: 12px; }
  th, td { padding: 4px; }
  th[scope="row"] { width: 34%; }
}
`;

/** 2023-01-05T06:06:43+08:00 as 2023年1月5日 06:06, in Beijing time: how a public notice dates. */
const readableTime = (iso: string | undefined | null): string => (iso ? chineseDateTime(iso) : '');

const role = (r: string): string => (WITNESS_ROLE_LABELS[r] ? `${WITNESS_ROLE_LABELS[r]}（${r}）` : r);

/** 抽取公告 page: self-contained, every value escaped by `html`. */
export function renderDrawNoticePage(n: DrawNotice): string {
  const v2 = n.witnesses.some((w) => w.commitment !== undefined);
  const title = `${n.year}年${chineseQuarter(n.quarter)}“双随机”抽取公告`;
  const files = joinHtml(MANIFEST_FILES.map((f) => html`<tr><th scope="row">manifest/${f}</th><td class="hash">${n.manifest[f] ?? ''}</td></tr>`), '\n');
  const witnesses = joinHtml(
    n.witnesses.map((w) => html`<tr><td>${role(w.role)}</td><td class="id">${w.person_id}</td>${v2 ? html`<td class="hash">${w.commitment ?? ''}</td>` : ''}</tr>`),
    '\n',
  );
  const voids = joinHtml(
    n.void_ceremonies.map(
      (c) =>
        html`<tr><td class="id">第${c.number}次</td><td>${readableTime(c.voided_at)}</td><td>${joinHtml(
          c.witnesses.map((w) => html`${role(w.role)} <span class="id">${w.person_id}</span>：<span class="hash">${w.commitment}</span>`),
          '<br>',
        )}</td><td>${c.failed.map((f) => `${role(f.role)} ${f.person_id}`).join('、')}</td></tr>`,
    ),
    '\n',
  );
  const body = html`<main>
<h1>${title}</h1>
<p>抽取批次 <span class="hash">${n.campaign}</span>（${n.workflow_id}）已于${readableTime(n.drawn_at)}（北京时间）按公开算法 ${n.spec} 完成随机抽取。抽取名单在检查完成前保密；此处先行公布可在日后核对的数据：抽取数据清单的摘要、见证人${v2 ? '及其承诺值' : ''}、随机种子的 SHA-256。公示时公布的抽取记录必须与本公告一致，公示文件夹中的 verify.py 会逐项核对。</p>
<h2>一、抽取数据清单（manifest）</h2>
<table><tbody>
<tr><th scope="row">清单摘要 manifest_digest</th><td class="hash">${n.manifest_digest}</td></tr>
${files}
</tbody></table>
<h2>二、见证人</h2>
<table><thead><tr><th>角色</th><th>人员编号</th>${v2 ? html`<th>承诺值</th>` : ''}</tr></thead><tbody>
${witnesses}
</tbody></table>
<h2>三、随机种子</h2>
<table><tbody><tr><th scope="row">种子的 SHA-256（种子承诺值）</th><td class="hash">${n.seed_sha256}</td></tr></tbody></table>
<h2>四、作废的见证仪式</h2>
${
  n.void_ceremonies.length
    ? html`<table><thead><tr><th>仪式</th><th>作废时间（北京时间）</th><th>承诺值</th><th>未按期揭示</th></tr></thead><tbody>
${voids}
</tbody></table>`
    : html`<p>无。</p>`
}
<p class="note">本公告所附文件：draw-notice.json（本公告的数据）、SHA256SUMS。</p>
</main>`;
  return htmlPage(title, CSS, body);
}

/** The notice folder's files, path → bytes, SHA256SUMS last. */
export function drawNoticeFiles(n: DrawNotice): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    [DRAW_NOTICE_FILE, Buffer.from(formatDrawNotice(n), 'utf8')],
    ['index.html', Buffer.from(renderDrawNoticePage(n), 'utf8')],
  ]);
  const sums = [...files.entries()].map(([p, b]) => `${sha256Hex(b)}  ${p}\n`).join('');
  files.set('SHA256SUMS', Buffer.from(sums, 'utf8'));
  return files;
}

/**
 * Writes the notice folder `dir` atomically. A retry is free: a folder already holding a notice of
 * the same draw (same seed hash and manifest) is left as it is, whatever time the retry computed.
 */
export function writeDrawNotice(dir: string, n: DrawNotice): { dir: string; unchanged: boolean } {
  const target = path.resolve(dir);
  try {
    if (sameDraw(fs.readFileSync(path.join(target, DRAW_NOTICE_FILE), 'utf8'), n)) return { dir: target, unchanged: true };
  } catch {
    // No notice yet (or an unreadable one): write it.
  }
  replaceFolder(target, drawNoticeFiles(n));
  return { dir: target, unchanged: false };
}

/** Where a campaign's notice lives: <dataDir>/notices/<campaignId>. */
export function drawNoticeDir(dataDir: string, campaignId: string): string {
  return path.join(dataDir, 'notices', safeWorkflowId(campaignId));
}

/** Is the notice text `old` about the same draw as `n` (same seed hash and manifest)? Its time may differ. */
function sameDraw(old: string, n: DrawNotice): boolean {
  try {
    const o = JSON.parse(old) as Partial<DrawNotice>;
    return o.seed_sha256 === n.seed_sha256 && o.manifest_digest === n.manifest_digest;
  } catch {
    return false;
  }
}

/**
 * Stores the notice's files in the blob store as the campaign's `draw-notice` package, so the
 * publication can copy draw-notice.json on any host. Same rule as the folder: a package already
 * holding a notice of the same draw is kept as it is, whatever time a retry computed.
 */
export async function storeDrawNotice(store: BlobStore, campaignId: string, n: DrawNotice): Promise<{ name: string; digest: string; unchanged: boolean }> {
  const name = campaignPackageName(campaignId, 'draw-notice');
  const files = drawNoticeFiles(n);
  const kept = async () => {
    const there = await storedDrawNotice(store, campaignId);
    const pkg = there !== null && sameDraw(there, n) ? await store.package(name) : null;
    return pkg ? { name, digest: pkg.digest, unchanged: true } : null;
  };
  const existing = await kept();
  if (existing) return existing;
  try {
    const pkg = await store.putPackage(name, files);
    return { name, digest: pkg.digest, unchanged: false };
  } catch (err) {
    if (!(err instanceof PackageConflictError)) throw err;
    // A concurrent attempt stored its notice first: the same draw's is kept, another draw's replaced.
    const raced = await kept();
    if (raced) return raced;
    const pkg = await store.putPackage(name, files, { replace: true });
    return { name, digest: pkg.digest, unchanged: false };
  }
}

/** draw-notice.json as stored at the draw, or null when the campaign has none in the store. */
export async function storedDrawNotice(store: BlobStore, campaignId: string): Promise<string | null> {
  const pkg = await store.package(campaignPackageName(campaignId, 'draw-notice'));
  const entry = pkg?.entries.find((e) => e.path === DRAW_NOTICE_FILE);
  return entry ? (await store.get(entry.digest)).toString('utf8') : null;
}
