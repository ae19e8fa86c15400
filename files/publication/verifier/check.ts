// What verify.html checks, step by step, in the visitor's browser: each file against SHA256SUMS,
// then the draw with the project's own code (domain/draw, the code of `ssj verify`), then the
// draw-time notice, then the published list (results.csv) row by row against the record. Every
// step reports its figures in plain Chinese as they are computed; the first difference ends the
// check and is the verdict's reason. No DOM here (main.ts draws it). The list check is written
// here, not taken from the publication's writer (files/publication/rows.ts), so that a mistake
// there cannot hide itself.
import { witnessCommitment } from '../../../domain/draw/commitment';
import { computeSeed, runDraw, seedCommitment } from '../../../domain/draw/draw';
import { MANIFEST_FILES, type Manifest, ManifestError, compareUtf8, parseManifest } from '../../../domain/draw/manifest';
import { DRAW_SPEC_V2, type DrawRecord, RecordFormatError, type Replacement, isWitnessV2, parseDrawRecord, parseReplacements } from '../../../domain/draw/record';
import { ReplacementError, applyReplacements } from '../../../domain/draw/replacements';
import { verifyDraw } from '../../../domain/draw/verify';
import { VERIFY_DATA_FILE, sumsLine } from './data-file';
import { sha256Fast } from './node-crypto';

export type Status = 'ok' | 'fail' | 'info' | 'warn';

export interface Reporter {
  section(title: string, intro: string): void;
  line(status: Status, text: string, figure?: string): void;
}

/** Where the published files come from: fetched over http(s), the verify-data.js copy, or picked by the visitor. */
export interface FolderSource {
  /** How the files were read, said to the visitor. */
  how: string;
  /** SHA256SUMS as read. */
  sums: string;
  /** A listed file's bytes; null when this source does not have it (e.g. results.xlsx from file://). */
  read(path: string): Promise<Uint8Array | null>;
  /**
   * True when every file SHA256SUMS lists must be readable (over http, or files the visitor picked):
   * a listed file that cannot be read is then a failure. False for the verify-data.js copy, which
   * carries only the files the check reads.
   */
  complete: boolean;
  /** From verify-data.js: its own SHA256SUMS line, which it cannot carry (data-file.ts). */
  selfLine?: string;
}

/**
 * Said beside a pass from the verify-data.js copy: the files on disk beside the page were not read,
 * so a results.csv altered there (and not in the copy) goes unseen; how to check those files.
 */
export const COPIES_WARNING =
  `本页是从本地磁盘打开的，核对的是 ${VERIFY_DATA_FILE} 中随页附带的副本（公示名单 results.csv、抽取记录、名单调整和抽取清单），` +
  '并未读取磁盘上这些文件本身：磁盘上的文件如被改动而副本未变，本页发现不了。如需核对磁盘上的文件，请在本页选择公示文件夹，或在文件夹中运行 python3 verify.py。';

export interface Verdict {
  verified: boolean;
  /** The first difference, for a layperson. */
  difference: string | null;
  /** The same in `ssj verify`'s words, when the draw check found it. */
  technical: string | null;
  /** What the verdict does not cover and the visitor must check by hand (shown beside a pass). */
  warnings: string[];
}

/** The check stops at the first difference: thrown, caught by verifyFolder. */
class Difference extends Error {
  constructor(
    readonly plain: string,
    readonly technical: string | null = null,
  ) {
    super(plain);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of a file's bytes: Web Crypto where the browser offers it (not on plain http off localhost). */
export async function sha256Bytes(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  return subtle ? hex(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)) : sha256Fast(bytes);
}

/** SHA256SUMS → [path, sha256] in file order; a malformed line is a difference. */
export function parseSums(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  text.split('\n').forEach((line, i, all) => {
    if (line === '' && i === all.length - 1) return;
    const m = /^([0-9a-f]{64}) {2}(\S.*)$/.exec(line);
    if (!m) throw new Difference(`SHA256SUMS 第${i + 1}行格式不对（应为“64位摘要、两个空格、文件名”），无法据此核对文件。`);
    out.push([m[2] as string, m[1] as string]);
  });
  return out;
}

const short = (h: string): string => `${h.slice(0, 16)}…`;
const ids = (list: readonly string[], n = 6): string => (list.length <= n ? list.join('、') : `${list.slice(0, n).join('、')} 等${list.length}个`);
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Reads a listed file as text, or says which one is missing or unreadable. */
async function readText(src: FolderSource, path: string): Promise<string> {
  const bytes = await src.read(path);
  if (!bytes) throw new Difference(`缺少文件 ${path}，无法复核抽取。`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Difference(`文件 ${path} 不是有效的 UTF-8 文本。`);
  }
}

/** Files the check reads: each must be listed in SHA256SUMS, so that it is the one published. */
const REQUIRED = ['draw-record.json', 'replacements.json', 'results.csv', ...MANIFEST_FILES.map((m) => `manifest/${m}`)];

async function checkFiles(src: FolderSource, out: Reporter, warnings: string[]): Promise<Set<string>> {
  out.section('第一步：核对文件指纹', `${src.how}SHA256SUMS 登记了本公示每个文件的 SHA-256 摘要（文件“指纹”，内容改动一个字节，指纹就完全不同）。下面逐个重新计算并比对。`);
  const sums = parseSums(src.sums);
  let full = src.sums;
  if (src.selfLine) {
    const lines = [...sums.map(([p, h]) => sumsLine(h, p)), src.selfLine].sort((a, b) => compareUtf8(a.slice(66), b.slice(66)));
    full = lines.join('');
    out.line('info', `${VERIFY_DATA_FILE}（本页读取的副本）的指纹`, src.selfLine.slice(0, 64));
  }
  out.line('info', '整套公示文件的总指纹（SHA256SUMS 的 SHA-256），可与公布的总指纹对照', sha256Fast(full));
  const present = new Set<string>();
  const unread: string[] = [];
  for (const [path, expected] of sums) {
    const bytes = await src.read(path);
    if (!bytes && src.complete) {
      // A published file that is gone (e.g. a 404) is a failure, not a note: the check cannot vouch for it.
      out.line('fail', `${path}：无法读取`);
      throw new Difference(`SHA256SUMS 登记了文件 ${path}，但本页无法读取它（网站上缺少该文件，或所选文件夹不完整）。公示文件不完整，无法确认其内容。`);
    }
    if (!bytes) {
      out.line('warn', `${path}：本地打开时本页读不到这个文件，未核对其指纹（可在网站上打开本页，或在文件夹中运行 sha256sum -c SHA256SUMS 核对）`);
      unread.push(path);
      continue;
    }
    const got = await sha256Bytes(bytes);
    if (got !== expected) {
      out.line('fail', `${path}：重新计算的指纹与 SHA256SUMS 登记的不同`, got);
      throw new Difference(`文件 ${path} 与 SHA256SUMS 登记的指纹不一致：文件在公布后被改动过，或下载不完整。登记的是 ${expected}，实际是 ${got}。`);
    }
    out.line('ok', `${path}（${bytes.length} 字节）`, got);
    present.add(path);
  }
  for (const f of REQUIRED) {
    if (!sums.some(([p]) => p === f)) throw new Difference(`SHA256SUMS 没有登记 ${f}，无法确认复核的就是公布的文件。`);
  }
  // A notice or ceremonies file in the folder but not listed could be anything: refuse it rather than skip it.
  for (const f of ['draw-notice.json', 'ceremonies.json', 'index.html']) {
    if (!sums.some(([p]) => p === f) && (await src.read(f)) !== null) {
      out.line('fail', `${f}：在文件夹中，但 SHA256SUMS 没有登记`);
      throw new Difference(`文件夹中有 ${f}，但 SHA256SUMS 没有登记它，无法确认它就是公布的文件。`);
    }
  }
  if (unread.length) warnings.push(`本地打开时本页读不到 ${unread.join('、')}，未核对其指纹；请在网站上打开本页，或在文件夹中运行 sha256sum -c SHA256SUMS 核对。`);
  return present;
}

interface Loaded {
  manifest: Manifest;
  record: DrawRecord;
  replacements: Replacement[];
}

async function load(src: FolderSource): Promise<Loaded> {
  // Bytes, as `ssj verify` reads them: parseManifest names a BOM, bad UTF-8 or CR by file and line.
  const bytes = {} as Record<(typeof MANIFEST_FILES)[number], Uint8Array>;
  for (const f of MANIFEST_FILES) {
    const b = await src.read(`manifest/${f}`);
    if (!b) throw new Difference(`缺少文件 manifest/${f}，无法复核抽取。`);
    bytes[f] = b;
  }
  try {
    const manifest = parseManifest(bytes);
    const record = parseDrawRecord(await readText(src, 'draw-record.json'), 'draw-record.json');
    const replacements = parseReplacements(await readText(src, 'replacements.json'), 'replacements.json', record.spec);
    return { manifest, record, replacements };
  } catch (err) {
    if (err instanceof ManifestError) throw new Difference('抽取数据清单（manifest）不符合格式规则，无法复核。', err.message);
    if (err instanceof RecordFormatError) throw new Difference(`文件 ${err.file} 的格式不符合规则，无法复核。`, err.message);
    throw err;
  }
}

function checkManifest({ manifest, record }: Loaded, out: Reporter): void {
  out.section(
    '第二步：核对抽取数据清单',
    `抽取只使用 manifest 文件夹中的五个文件（单位、执法人员、回避关系、抽取池和参数）。它们的指纹合成“清单摘要”，抽取前已向见证人出示。算法版本：${record.spec}。`,
  );
  for (const f of MANIFEST_FILES) {
    const got = manifest.fileDigests[f];
    if (got !== record.manifest[f]) {
      out.line('fail', `manifest/${f}`, got);
      throw new Difference(`抽取记录中 ${f} 的指纹与公布的清单文件不符：记录写的是 ${record.manifest[f]}，文件实际是 ${got}。`);
    }
    out.line('ok', `manifest/${f}`, got);
  }
  if (manifest.manifestDigest !== record.manifest_digest) {
    out.line('fail', '清单摘要', manifest.manifestDigest);
    throw new Difference(`清单摘要不符：记录写的是 ${record.manifest_digest}，重新计算是 ${manifest.manifestDigest}。`);
  }
  out.line('ok', `清单摘要（${manifest.units.length} 个单位、${manifest.inspectors.length} 名执法人员、${manifest.pools.length} 个抽取池）`, manifest.manifestDigest);
}

function checkSeed({ manifest, record }: Loaded, out: Reporter): void {
  out.section(
    '第三步：核对见证人和随机种子',
    record.spec === DRAW_SPEC_V2
      ? '两名见证人先各自提交“承诺值”（随机数加盐后的指纹），所有人提交后才揭示随机数；下面先用揭示的随机数重算承诺值，再由清单摘要和随机数算出随机种子。'
      : '随机种子由清单摘要和两名见证人输入的随机数按公开算法算出。',
  );
  for (const [i, w] of record.witnesses.entries()) {
    if (isWitnessV2(w)) {
      const c = witnessCommitment(record.manifest_digest, w.role, w.person_id, w.salt, w.entropy);
      if (c !== w.commitment) {
        out.line('fail', `见证人 ${w.role}（${w.person_id}）的承诺值`, c);
        throw new Difference(`见证人 ${w.role}（${w.person_id}）揭示的随机数与其事先提交的承诺值对不上：记录的承诺值是 ${w.commitment}，按揭示内容重算是 ${c}。`, `witnesses[${i}].commitment`);
      }
      out.line('ok', `见证人 ${w.role}（${w.person_id}）的承诺值，随机数 ${w.entropy}`, c);
    } else {
      out.line('info', `见证人 ${w.role}（${w.person_id}），随机数 ${w.entropy}`);
    }
  }
  const seed = computeSeed(manifest.manifestDigest, [...record.witnesses].sort((a, b) => compareUtf8(a.role, b.role)), record.spec);
  if (seed !== record.seed) {
    out.line('fail', '随机种子', seed);
    throw new Difference(`随机种子不符：记录写的是 ${record.seed}，按清单摘要和见证人随机数重算是 ${seed}。`, 'seed');
  }
  out.line('ok', '随机种子', seed);
  out.line('info', '种子承诺值（种子的 SHA-256，抽取时公布）', seedCommitment(seed));
}

async function checkDraw(loaded: Loaded, out: Reporter): Promise<void> {
  const { manifest, record, replacements } = loaded;
  out.section('第四步：逐个抽取池重算抽取结果', '每个候选单位的“签号”是随机种子和单位编号合起来的指纹，签号最小的若干个单位被抽中；检查组按已分配任务少者优先、再按签号选出。下面逐池重算并与公布的记录比对。');
  await tick();
  let again: DrawRecord;
  try {
    again = runDraw(manifest, record.witnesses);
  } catch (err) {
    throw new Difference('按公布的清单和见证人随机数无法完成抽取，公布的记录不可能由它们产生。', err instanceof Error ? err.message : String(err));
  }
  for (const [i, p] of again.pools.entries()) {
    const pub = record.pools[i];
    const text = `抽取池 ${p.pool_id}（${p.department}）：候选 ${p.candidates} 个，应抽 ${p.quota} 个，抽中 ${p.selected.length} 个`;
    if (!pub || pub.pool_id !== p.pool_id) {
      out.line('fail', text);
      throw new Difference(`公布的记录缺少抽取池 ${p.pool_id}，或抽取池的顺序不对。`);
    }
    if (pub.candidates !== p.candidates) {
      out.line('fail', text);
      throw new Difference(`抽取池 ${p.pool_id} 的候选单位数不符：记录写 ${pub.candidates} 个，按清单重算是 ${p.candidates} 个。`);
    }
    const k = p.selected.findIndex((u, j) => pub.selected[j] !== u);
    if (k >= 0 || pub.selected.length !== p.selected.length) {
      out.line('fail', text);
      const j = k >= 0 ? k : Math.min(p.selected.length, pub.selected.length);
      throw new Difference(
        `抽取池 ${p.pool_id} 抽中的第${j + 1}个单位不符：公布的记录是 ${pub.selected[j] ?? '（无）'}，按公开规则重新抽取应为 ${p.selected[j] ?? '（无）'}。`,
      );
    }
    out.line('ok', `${text}：${ids(p.selected) || '无'}`);
  }
  for (const [i, a] of again.assignments.entries()) {
    const pub = record.assignments[i];
    if (!pub || pub.unit_id !== a.unit_id) throw new Difference(`第${i + 1}个被抽中单位不符：公布的记录是 ${pub?.unit_id ?? '（无）'}，按公开规则应为 ${a.unit_id}。`);
    const m = a.inspectors.findIndex((x, j) => pub.inspectors[j] !== x);
    if (m >= 0 || pub.inspectors.length !== a.inspectors.length) {
      const j = m >= 0 ? m : Math.min(a.inspectors.length, pub.inspectors.length);
      out.line('fail', `单位 ${a.unit_id} 的检查组`, a.inspectors.join('、'));
      throw new Difference(
        `单位 ${a.unit_id}（第${i + 1}个被抽中单位）的检查组第${j + 1}名成员不符：公布的记录是 ${pub.inspectors[j] ?? '（无）'}，按公开规则重新分配应为 ${a.inspectors[j] ?? '（无）'}。`,
      );
    }
    if (pub.method !== a.method) throw new Difference(`单位 ${a.unit_id} 的检查方式不符：记录写 ${pub.method}，清单规定为 ${a.method}。`);
  }
  if (record.assignments.length !== again.assignments.length) {
    throw new Difference(`被抽中单位的数目不符：公布的记录有 ${record.assignments.length} 个，按公开规则应为 ${again.assignments.length} 个。`);
  }
  out.line('ok', `${again.assignments.length} 个被抽中单位的检查组（每组 ${record.team_size} 人）与记录一致`);

  out.section('第五步：核对名单调整（替换）', '单位关停、执法人员回避等原因造成的替换，不由人挑选，而由同样的签号规则决定。下面按顺序逐条重算。');
  try {
    applyReplacements(manifest, again, replacements);
  } catch (err) {
    if (!(err instanceof ReplacementError)) throw err;
    throw new Difference(`第${err.seq ?? '?'}号替换不符合公开规则：${err.message}`, err.message);
  }
  for (const r of replacements) {
    out.line('ok', r.kind === 'unit' ? `第${r.seq}号：单位 ${r.unit_id} 由 ${r.replacement} 替补（原因代码 ${r.reason}）` : `第${r.seq}号：单位 ${r.unit_id} 的检查人员 ${r.inspector_id} 由 ${r.replacement} 替换（原因代码 ${r.reason}）`);
  }
  if (replacements.length === 0) out.line('info', '没有替换记录');

  // The verdict of `ssj verify` itself (same code): it must agree with the steps above.
  const v = verifyDraw(manifest, record, replacements);
  if (!v.ok) throw new Difference('重新计算的结果与公布的记录不一致。', v.difference);
}

type Json = Record<string, unknown>;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function parseJsonFile(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Difference(`文件 ${path} 不是有效的 JSON。`);
  }
}

/** draw-notice.json (ssj-draw-notice/1): what was announced at the draw, before the list existed. */
async function checkNotice(src: FolderSource, present: Set<string>, { record }: Loaded, out: Reporter, warnings: string[]): Promise<void> {
  out.section('第六步：与抽取时的公告比对', '抽取当时公布了清单摘要、见证人的承诺值和随机种子的指纹（draw-notice.json），当时名单尚不存在。公布的记录必须与当时的公告一致。');
  if (!present.has('draw-notice.json')) {
    // Quarters drawn before notices existed have none, so this is not a failure; but only the notice
    // shows the record is the draw announced at the time (no re-roll), so the visitor is told to
    // compare by hand, here and beside the verdict.
    const seedHash = seedCommitment(record.seed);
    const text = `本公示文件夹中没有抽取时公告（draw-notice.json），本页无法确认公布的记录就是抽取当时公告的那一次抽取。请找到抽取当时公布的抽取公告，核对其中的种子承诺值（随机种子的 SHA-256）是否为 ${seedHash}，清单摘要是否为 ${record.manifest_digest}；不一致即说明抽取被重做过。`;
    out.line('warn', text);
    out.line('warn', '种子承诺值（随机种子的 SHA-256），请与抽取时的公告对照', seedHash);
    warnings.push(text);
    return;
  }
  const notice = parseJsonFile(await readText(src, 'draw-notice.json'), 'draw-notice.json') as Json;
  const diff = (what: string, announced: unknown, now: unknown): Difference =>
    new Difference(`公布的记录与抽取时的公告不一致：${what}，公告为 ${JSON.stringify(announced)}，记录为 ${JSON.stringify(now)}。`);
  if (notice.notice !== 'ssj-draw-notice/1') throw new Difference(`draw-notice.json 的格式版本 ${JSON.stringify(notice.notice)} 不是 ssj-draw-notice/1。`);
  const pairs: Array<[string, unknown, unknown]> = [
    ['算法版本', notice.spec, record.spec],
    ['抽取批次', notice.campaign, record.campaign],
    ['清单文件指纹', notice.manifest, record.manifest],
    ['清单摘要', notice.manifest_digest, record.manifest_digest],
  ];
  for (const [what, a, b] of pairs) {
    if (!same(a, b)) throw diff(what, a, b);
    out.line('ok', what, typeof b === 'string' ? b : undefined);
  }
  const announced = Array.isArray(notice.witnesses) ? (notice.witnesses as Json[]) : [];
  const witnesses = record.witnesses.map((w) => ({ role: w.role, person_id: w.person_id, ...(isWitnessV2(w) ? { commitment: w.commitment } : {}) }));
  if (announced.length !== witnesses.length) throw diff('见证人人数', announced.length, witnesses.length);
  witnesses.forEach((w, i) => {
    const a = announced[i] as Json;
    if (a.role !== w.role || a.person_id !== w.person_id || a.commitment !== w.commitment) throw diff(`第${i + 1}名见证人（角色、编号、承诺值）`, a, w);
    out.line('ok', `见证人 ${w.role}（${w.person_id}）${w.commitment ? '的承诺值' : ''}`, w.commitment);
  });
  const seedHash = seedCommitment(record.seed);
  if (notice.seed_sha256 !== seedHash) throw diff('随机种子的指纹', notice.seed_sha256, seedHash);
  out.line('ok', `随机种子的指纹（公告时间 ${String(notice.drawn_at)}）`, seedHash);

  const voids = Array.isArray(notice.void_ceremonies) ? (notice.void_ceremonies as Json[]) : [];
  if (voids.length === 0 && !present.has('ceremonies.json')) return;
  const ceremonies = present.has('ceremonies.json') ? (parseJsonFile(await readText(src, 'ceremonies.json'), 'ceremonies.json') as Json[]) : [];
  const published = (Array.isArray(ceremonies) ? ceremonies : []).filter((c) => c.outcome === 'void');
  if (published.length !== voids.length) throw diff('作废的见证仪式数目', voids.length, published.length);
  voids.forEach((v, i) => {
    const c = published[i] as Json;
    // As verify.py: the number, each witness's commitment, who failed and when it was voided.
    const commitments = (x: Json): unknown => (Array.isArray(x.witnesses) ? (x.witnesses as Json[]).map((w) => [w.role, w.person_id, w.commitment]) : null);
    const failed = (x: Json): unknown => (Array.isArray(x.failed) ? (x.failed as Json[]).map((f) => [f.role, f.person_id]) : null);
    const what = `作废仪式（第${String(v.number)}次）`;
    if (v.number !== c.number) throw diff(`${what}的序号`, v.number, c.number);
    if (!same(commitments(v), commitments(c))) throw diff(`${what}的承诺值`, v.witnesses, c.witnesses);
    if (!same(failed(v), failed(c))) throw diff(`${what}未揭示的见证人`, v.failed, c.failed);
    if (v.voided_at !== c.voided_at) throw diff(`${what}的作废时间`, v.voided_at, c.voided_at);
    out.line('ok', `第${String(v.number)}次见证仪式作废，其承诺值、未揭示的见证人和作废时间与 ceremonies.json 一致`);
  });
}

// ---- the published list (results.csv) ----

/** One row of the list as the record and the replacements decide it. */
interface ListRow {
  unitId: string;
  poolId: string;
  status: { kind: 'drawn' } | { kind: 'replaced' | 'brought-in'; seq: number };
  offsite: boolean;
}

/**
 * The list the publication must show: the record's walk order (pools, then selection order),
 * each replaced unit followed at once by the unit that replaced it (DRAW-SPEC section 6).
 */
export function listRows(manifest: Manifest, record: DrawRecord, replacements: readonly Replacement[]): ListRow[] {
  const first = new Map<string, Replacement>();
  for (const r of [...replacements].sort((a, b) => a.seq - b.seq)) {
    if (r.kind === 'unit' && !first.has(`${r.pool_id}|${r.unit_id}`)) first.set(`${r.pool_id}|${r.unit_id}`, r);
  }
  const positive = new Map(manifest.units.map((u) => [u.unitId, u.positive]));
  const rows: ListRow[] = [];
  for (const a of record.assignments) {
    let unitId = a.unit_id;
    let status: ListRow['status'] = { kind: 'drawn' };
    for (;;) {
      const r = first.get(`${a.pool_id}|${unitId}`);
      rows.push({ unitId, poolId: a.pool_id, status: r ? { kind: 'replaced', seq: r.seq } : status, offsite: positive.get(unitId) === true });
      if (!r) break;
      unitId = r.replacement;
      status = { kind: 'brought-in', seq: r.seq };
    }
  }
  return rows;
}

/** RFC 4180 CSV (the publication's: optional BOM, CRLF or LF, quoted cells may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        if (i < text.length && !',\r\n'.includes(text[i] as string)) throw new Error(`第${rows.length + 1}行：引号后应为逗号或行尾`);
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      cell += c;
      i++;
    }
  }
  if (quoted) throw new Error('文件末尾的引号没有闭合');
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const LIST_COLUMNS = ['统一社会信用代码', '抽取池', '抽取情况', '检查方式', '序号'] as const;

/** 抽取情况: 随机抽取 exactly; a replacement's rows start with its number (the rest names units by name). */
function statusMatches(cell: string, s: ListRow['status']): [boolean, string] {
  if (s.kind === 'drawn') return [cell === '随机抽取', '随机抽取'];
  const head = `${s.kind === 'replaced' ? '已替换' : '替补抽取'}（第${s.seq}号替换`;
  return [cell.startsWith(head), `${head}…）`];
}

/** results.csv, the list the public reads, against the record: the row, the field, what it says, what it should say. */
async function checkList(src: FolderSource, present: Set<string>, { manifest, record, replacements }: Loaded, out: Reporter, warnings: string[]): Promise<void> {
  out.section(
    '第七步：核对公示名单（results.csv）',
    '公示页和表格中的名单必须就是抽取记录和替换记录决定的名单。下面逐行核对 results.csv 的序号、统一社会信用代码、抽取池、检查方式和抽取情况（随机抽取、已替换、替补抽取）。',
  );
  let table: string[][];
  try {
    table = parseCsv(await readText(src, 'results.csv'));
  } catch (err) {
    if (err instanceof Difference) throw err;
    throw new Difference(`results.csv 不是有效的 CSV 文件：${err instanceof Error ? err.message : String(err)}。`);
  }
  const header = table[0] ?? [];
  const col = {} as Record<(typeof LIST_COLUMNS)[number], number>;
  for (const name of LIST_COLUMNS) {
    col[name] = header.indexOf(name);
    if (col[name] < 0) throw new Difference(`results.csv 第1行（表头）缺少“${name}”列，无法核对公示名单。`, `results.csv 第 1 行：缺少“${name}”列`);
  }
  const want = listRows(manifest, record, replacements);
  const body = table.slice(1);
  const method = (offsite: boolean): string => (offsite ? '非现场检查' : '现场检查');
  for (const [i, w] of want.entries()) {
    const line = i + 2; // as a spreadsheet numbers rows: the header is row 1
    const got = body[i];
    if (!got) {
      out.line('fail', `results.csv 第${line}行：缺少`);
      throw new Difference(
        `公示名单 results.csv 缺少第${line}行：按抽取记录应为单位 ${w.unitId}（抽取池 ${w.poolId}）。名单有 ${body.length} 行，应有 ${want.length} 行。`,
        `results.csv 第 ${line} 行：缺少这一行，按抽取记录应为单位 ${w.unitId}（抽取池 ${w.poolId}）`,
      );
    }
    for (const name of LIST_COLUMNS) {
      const cell = got[col[name]] ?? '';
      const [ok, expected] =
        name === '抽取情况'
          ? statusMatches(cell, w.status)
          : ((e: string): [boolean, string] => [cell === e, e])({ 统一社会信用代码: w.unitId, 抽取池: w.poolId, 检查方式: method(w.offsite), 序号: String(i + 1) }[name]);
      if (!ok) {
        out.line('fail', `results.csv 第${line}行的${name}`, cell);
        throw new Difference(
          `公示名单 results.csv 第${line}行的“${name}”与抽取记录不符：名单上是 ${cell || '（空）'}，按抽取记录和替换记录应为 ${expected}。`,
          `results.csv 第 ${line} 行 ${name}：公示为 ${cell || '（空）'}，按抽取记录及替补记录应为 ${expected}`,
        );
      }
    }
  }
  if (body.length > want.length) {
    const line = want.length + 2;
    const unit = body[want.length]?.[col.统一社会信用代码] || '（空）';
    out.line('fail', `results.csv 第${line}行：多出`, unit);
    throw new Difference(`公示名单 results.csv 第${line}行（单位 ${unit}）是多出的：按抽取记录和替换记录，名单只有 ${want.length} 行。`, `results.csv 第 ${line} 行：多出的一行（单位 ${unit}）`);
  }
  const count = (k: ListRow['status']['kind']): number => want.filter((r) => r.status.kind === k).length;
  out.line('ok', `results.csv 共 ${want.length} 行，逐行与抽取记录一致（随机抽取 ${count('drawn')} 行，已替换 ${count('replaced')} 行，替补抽取 ${count('brought-in')} 行）`);
  const nameCol = header.indexOf('单位名称');
  const csvRows = body.map((r) => ({ no: r[col.序号] ?? '', unitId: r[col.统一社会信用代码] ?? '', name: nameCol >= 0 ? (r[nameCol] ?? '') : null }));
  if (present.has('index.html')) {
    const n = checkPage(await readText(src, 'index.html'), csvRows, out);
    out.line('ok', `公示页 index.html 的名单 ${n} 行，逐行的序号、统一社会信用代码、单位名称与 results.csv 一致`);
  } else {
    out.line('info', '本页未读取公示页 index.html，其名单未与 results.csv 核对');
  }
  const names =
    '抽取记录只有单位编号，没有名称：单位名称、地址和检查结果无法与记录核对（本页只核对了公示页与 results.csv 所列相同）。results.xlsx 只核对了文件指纹，未逐行核对，请对照其中的统一社会信用代码与 results.csv 是否一致。';
  out.line('info', names);
  warnings.push(names);
}

// One row of the 公示 page's results table: 序号, 单位名称, 统一社会信用代码 (files/publication/page.ts).
const PAGE_ROW = /<tr(?: class="replaced")?>\s*<td class="num">(\d+)<\/td><td>([^<]*)<\/td><td class="code">([^<]*)<\/td>/g;

function unescapeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : (named[e] ?? m),
  );
}

/**
 * The 公示 page (index.html) lists the same rows as results.csv: number, id and unit name. Names are
 * not in the record; this only shows the page the public reads and the checked CSV say the same.
 */
function checkPage(html: string, csvRows: ReadonlyArray<{ no: string; unitId: string; name: string | null }>, out: Reporter): number {
  const page = [...html.matchAll(PAGE_ROW)].map((m) => ({ no: m[1] as string, name: unescapeHtml(m[2] as string), unitId: unescapeHtml(m[3] as string) }));
  for (const [i, c] of csvRows.entries()) {
    const p = page[i];
    if (!p) break;
    // results.csv marks a name a spreadsheet would run as a formula with a leading '.
    const name = c.name !== null && /^'[=+\-@\t\r]/.test(c.name) ? c.name.slice(1) : c.name;
    for (const [field, a, b] of [['序号', p.no, c.no], ['统一社会信用代码', p.unitId, c.unitId], ['单位名称', p.name, name]] as const) {
      if (b !== null && a !== b) {
        out.line('fail', `公示页名单第${i + 1}行的${field}`, a);
        throw new Difference(`公示页 index.html 名单第${i + 1}行的“${field}”与 results.csv 不同：公示页是 ${a || '（空）'}，results.csv 是 ${b || '（空）'}。`, `index.html 公示名单第 ${i + 1} 行 ${field}：公示页为 ${a}，results.csv 为 ${b}`);
      }
    }
  }
  if (page.length !== csvRows.length) {
    out.line('fail', '公示页名单的行数', String(page.length));
    throw new Difference(`公示页 index.html 的名单有 ${page.length} 行，results.csv 有 ${csvRows.length} 行。`, `index.html：公示页名单有 ${page.length} 行，results.csv 有 ${csvRows.length} 行`);
  }
  return page.length;
}

/** Runs every step; reports as it goes; never throws for a difference. */
export async function verifyFolder(src: FolderSource, out: Reporter): Promise<Verdict> {
  const warnings: string[] = [];
  try {
    const present = await checkFiles(src, out, warnings);
    const loaded = await load(src);
    checkManifest(loaded, out);
    checkSeed(loaded, out);
    await checkDraw(loaded, out);
    await checkNotice(src, present, loaded, out, warnings);
    await checkList(src, present, loaded, out, warnings);
    // From the copy, the pass speaks for the copy: say so first.
    if (!src.complete) warnings.unshift(COPIES_WARNING);
    return { verified: true, difference: null, technical: null, warnings };
  } catch (err) {
    if (err instanceof Difference) return { verified: false, difference: err.plain, technical: err.technical, warnings: [] };
    return { verified: false, difference: `复核程序出错，未能完成：${err instanceof Error ? err.message : String(err)}`, technical: null, warnings: [] };
  }
}
