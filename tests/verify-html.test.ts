// verify.html in real Chromium: a real publication folder (city vector: ssj-draw/1 with
// replacements; small-v2: ssj-draw/2 with a draw-time notice and a void ceremony) verifies over
// file:// and over a loopback http server, making no request outside the folder; an altered
// assignment or list (results.csv), with SHA256SUMS and verify-data.js regenerated as a tamperer
// would, fails naming the difference; a missing notice is warned about. Also: the time to
// re-verify a 100,000-unit manifest, and screenshots in /tmp.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PublicationInput, writeDisclosurePackage } from '../files/publication';
import { buildDrawNotice, formatDrawNotice } from '../files/publication/draw-notice';
import { withVerifier } from '../files/publication/verifier/build';
import { bindWitnesses, parseWitness, runDraw, seedCommitment } from '../domain/draw/draw';
import { MANIFEST_FILES, parseManifest, serializeManifest } from '../domain/draw/manifest';
import { DRAW_SPEC_V2, type DrawRecord, formatDrawRecord } from '../domain/draw/record';
import { syntheticManifest } from './fixtures/draw/synthetic';
import { publicationInput, resultsCsv, vectorPublicationInput } from './fixtures/publication-input';
import { launchChromium } from '../scripts/browser';

const VECTORS = path.resolve(__dirname, 'fixtures/draw-vectors');
const readJson = (p: string) => JSON.parse(fs.readFileSync(p, 'utf8'));

const COMMIT = (n: number) => ({ role: 'admin', personId: 'ADM001', commitment: n.toString(16).padStart(64, 'a'), committedAt: '2023-01-05T09:00:00+08:00', revealedAt: null });

const input = (vector: string, extra: Partial<PublicationInput> = {}): PublicationInput => vectorPublicationInput(vector, extra);

/** A folder's files, path → bytes. */
function readFolder(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [p, b] of readFolder(dir, rel)) out.set(p, b);
    else out.set(rel, fs.readFileSync(path.join(dir, rel)));
  }
  return out;
}

/** Writes `files` into a fresh `dir`. */
function writeFolder(dir: string, files: Map<string, Buffer>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [p, b] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), b);
  }
}

/** What a tamperer does: change a file, then regenerate SHA256SUMS and verify-data.js so they agree. */
async function tamper(from: string, to: string, file: string, change: (text: string) => string): Promise<void> {
  const files = readFolder(from);
  const before = files.get(file)!.toString('utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  files.set(file, Buffer.from(after, 'utf8'));
  files.delete('SHA256SUMS');
  files.delete('verify-data.js');
  writeFolder(to, await withVerifier(files));
}

let tmp: string;
let browser: Browser;
let server: http.Server;
let base: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-verify-html-'));
  browser = await launchChromium();
  // Loopback static server over tmp: what any static web host does.
  server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(tmp, rel);
    if (!file.startsWith(tmp + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Outcome {
  verdict: string | null;
  text: string;
  seconds: number;
  outside: string[];
}

/** Opens verify.html at `url` and waits for its verdict; lists requests outside `folderUrl`. */
async function open(url: string, folderUrl: string, setup?: (page: Page) => Promise<void>): Promise<Outcome & { page: Page }> {
  const page = await browser.newPage();
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(folderUrl)) outside.push(r.url());
  });
  await setup?.(page);
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForFunction("document.body.getAttribute('data-verification') !== 'pending'", null, { timeout: 120_000 });
  const seconds = (performance.now() - t0) / 1000;
  return { page, verdict: await page.getAttribute('body', 'data-verification'), text: await page.innerText('body'), seconds, outside };
}

const fileUrl = (dir: string) => pathToFileURL(path.join(dir, 'verify.html')).href;
const httpUrl = (name: string) => `${base}/${name}/verify.html`;

describe('verify.html, ssj-draw/1 city vector with replacements', () => {
  const name = 'city';
  let dir: string;
  beforeAll(async () => {
    dir = path.join(tmp, name);
    await writeDisclosurePackage(input('city'), dir);
  });

  it('is in the package and listed in SHA256SUMS and on the 公示 page', () => {
    const sums = fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8');
    for (const f of ['verify.html', 'verify.js', 'verify-data.js']) expect(sums).toContain(`  ${f}\n`);
    expect(fs.readFileSync(path.join(dir, 'index.html'), 'utf8')).toContain('verify.html');
  });

  it('verifies from file://, step by step, with no request outside the folder', async () => {
    const r = await open(fileUrl(dir), pathToFileURL(dir).href + '/');
    expect(r.verdict, r.text).toBe('verified');
    expect(r.outside).toEqual([]);
    expect(r.text).toContain('复核通过：随页附带的副本（verify-data.js）中的抽取记录、名单调整和公示名单与按公开规则重新计算的结果一致。');
    // The pass speaks for the copy, and says how to check the files on disk: the folder picker.
    expect(r.text).toContain('并未读取磁盘上这些文件本身：磁盘上的文件如被改动而副本未变，本页发现不了。');
    expect(await r.page.isVisible('#picker-input')).toBe(true);
    expect(r.text).toContain('第1号：单位');
    // The package digest shown is the SHA-256 of the real SHA256SUMS (rebuilt from the copy).
    const { createHash } = await import('node:crypto');
    expect(r.text).toContain(createHash('sha256').update(fs.readFileSync(path.join(dir, 'SHA256SUMS'))).digest('hex'));
    await r.page.close();
  });

  it('from file://, a results.csv altered on disk alone passes as the copy, said so; picking the folder checks the files on disk and fails', async () => {
    const bad = path.join(tmp, 'city-disk-only');
    const files = readFolder(dir);
    const csv = files.get('results.csv')!.toString('utf8').split('\n');
    files.set('results.csv', Buffer.from([...csv.slice(0, 2), ...csv.slice(3)].join('\n'), 'utf8')); // one row gone; SHA256SUMS and the copy left as published
    writeFolder(bad, files);
    const r = await open(fileUrl(bad), pathToFileURL(bad).href + '/');
    expect(r.verdict, r.text).toBe('verified');
    expect(r.text).toContain('复核通过：随页附带的副本（verify-data.js）');
    expect(r.text).toContain('如需核对磁盘上的文件，请在本页选择公示文件夹');
    await r.page.setInputFiles('#picker-input', bad); // the folder, as a visitor picks it
    await r.page.waitForFunction("document.body.getAttribute('data-verification') === 'failed'", null, { timeout: 120_000 });
    const picked = await r.page.innerText('body');
    expect(picked).toContain('文件 results.csv 与 SHA256SUMS 登记的指纹不一致');
    expect(picked).toContain('本页读取的是您选择的文件');
    await r.page.close();
  });

  it('verifies over http, reading the published files themselves', async () => {
    const r = await open(httpUrl(name), `${base}/${name}/`);
    expect(r.verdict, r.text).toBe('verified');
    expect(r.outside).toEqual([]);
    expect(r.text).toContain('results.xlsx');
    expect(r.text).toContain('读取了本目录中公布的文件本身');
    await r.page.close();
  });

  it('fails when one assignment is altered and SHA256SUMS regenerated, naming the unit and member', async () => {
    const bad = path.join(tmp, 'city-tampered');
    const record: DrawRecord = readJson(path.join(dir, 'draw-record.json'));
    const a = record.assignments[3]!;
    const other = record.assignments.find((x) => x.pool_id === a.pool_id && !x.inspectors.includes(a.inspectors[1]!))?.inspectors.find((i) => !a.inspectors.includes(i));
    expect(other).toBeDefined();
    await tamper(dir, bad, 'draw-record.json', (t) => {
      const r = JSON.parse(t) as DrawRecord;
      r.assignments[3]!.inspectors[1] = other!;
      return formatDrawRecord(r);
    });
    for (const url of [fileUrl(bad), `${base}/city-tampered/verify.html`]) {
      const r = await open(url, url.replace(/verify\.html$/, ''));
      expect(r.verdict, r.text).toBe('failed');
      expect(r.text).toContain(`单位 ${a.unit_id}（第4个被抽中单位）的检查组第2名成员不符：公布的记录是 ${other}，按公开规则重新分配应为 ${a.inspectors[1]}`);
      expect(r.text).toContain('复核未通过');
      await r.page.close();
    }
  });

  it('checks results.csv row by row, and says a missing notice and unit names are not checked', async () => {
    const record: DrawRecord = readJson(path.join(dir, 'draw-record.json'));
    for (const [url, folder] of [[fileUrl(dir), pathToFileURL(dir).href + '/'], [httpUrl(name), `${base}/${name}/`]] as const) {
      const r = await open(url, folder);
      expect(r.verdict, r.text).toBe('verified');
      expect(r.text).toContain('第七步：核对公示名单（results.csv）');
      expect(r.text).toContain('results.csv 共 95 行，逐行与抽取记录一致（随机抽取 93 行，已替换 1 行，替补抽取 1 行）');
      expect(r.text).toContain('公示页 index.html 的名单 95 行，逐行的序号、统一社会信用代码、单位名称与 results.csv 一致');
      // Beside the verdict: no notice (compare the commitment by hand), names not in the record.
      const verdict = await r.page.innerText('#verdict');
      expect(verdict).toContain('没有抽取时公告（draw-notice.json）');
      expect(verdict).toContain(seedCommitment(record.seed));
      expect(verdict).toContain('单位名称、地址和检查结果无法与记录核对');
      if (url.startsWith('file:')) expect(verdict).toContain('本地打开时本页读不到 results.xlsx、verify.html');
      else expect(verdict).not.toContain('读不到');
      await r.page.close();
    }
  });

  // Row 2 is the unit replaced by seq 1, row 3 the unit that replaced it (a spreadsheet's numbering: header = row 1).
  const listCases: { what: string; change: (lines: string[]) => void; says: RegExp }[] = [
    { what: 'row-removed', change: (l) => void l.splice(2, 1), says: /results\.csv 第3行的“统一社会信用代码”与抽取记录不符：名单上是 914115000KRW8XCWC0，按抽取记录和替换记录应为 91411500UMMT9LXY8C/ },
    {
      what: 'id-changed',
      change: (l) => void (l[3] = l[3]!.replace('914115000KRW8XCWC0', '914115000KRW8XCWC1')),
      says: /results\.csv 第4行的“统一社会信用代码”与抽取记录不符：名单上是 914115000KRW8XCWC1，按抽取记录和替换记录应为 914115000KRW8XCWC0/,
    },
    {
      what: 'rows-swapped',
      change: (l) => {
        const [a, b] = [l[4]!, l[5]!];
        l[4] = b.replace(/^\d+,/, '4,');
        l[5] = a.replace(/^\d+,/, '5,');
      },
      says: /results\.csv 第5行的“统一社会信用代码”与抽取记录不符：名单上是 \w+，按抽取记录和替换记录应为 91411500HDN07AH95R/,
    },
  ];
  it.each(listCases)('fails when results.csv is altered ($what) and SHA256SUMS regenerated, naming the row', async ({ what, change, says }) => {
    const bad = path.join(tmp, `city-list-${what}`);
    await tamper(dir, bad, 'results.csv', (t) => {
      const lines = t.split('\r\n');
      change(lines);
      return lines.join('\r\n');
    });
    for (const url of [fileUrl(bad), `${base}/city-list-${what}/verify.html`]) {
      const r = await open(url, url.replace(/verify\.html$/, ''));
      expect(r.verdict, r.text).toBe('failed');
      expect(r.text).toMatch(says);
      await r.page.close();
    }
  });

  // The page the public reads must list what the checked CSV lists (names are not in the record).
  const pageCases: { what: string; change: (html: string) => string; says: string }[] = [
    {
      what: 'renamed',
      change: (h) => h.replace('<td>信阳市测试企业3号有限公司</td>', '<td>信阳市另一家企业有限公司</td>'),
      says: '公示页 index.html 名单第4行的“单位名称”与 results.csv 不同：公示页是 信阳市另一家企业有限公司，results.csv 是 信阳市测试企业3号有限公司',
    },
    {
      what: 'row-removed',
      change: (h) => h.replace(/<tr>\s*<td class="num">2<\/td>[\s\S]*?<\/tr>\n?/, ''),
      says: '公示页 index.html 名单第2行的“序号”与 results.csv 不同：公示页是 3，results.csv 是 2',
    },
  ];
  it.each(pageCases)('fails when index.html is altered ($what) and SHA256SUMS regenerated', async ({ what, change, says }) => {
    const bad = path.join(tmp, `city-page-${what}`);
    await tamper(dir, bad, 'index.html', change);
    for (const url of [fileUrl(bad), `${base}/city-page-${what}/verify.html`]) {
      const r = await open(url, url.replace(/verify\.html$/, ''));
      expect(r.verdict, r.text).toBe('failed');
      expect(r.text).toContain(says);
      await r.page.close();
    }
  });

  it('over http, a file listed in SHA256SUMS that is not there (404) fails', async () => {
    const bad = path.join(tmp, 'city-404');
    writeFolder(bad, readFolder(dir));
    fs.rmSync(path.join(bad, 'index.html'));
    const r = await open(`${base}/city-404/verify.html`, `${base}/city-404/`);
    expect(r.verdict, r.text).toBe('failed');
    expect(r.text).toContain('SHA256SUMS 登记了文件 index.html，但本页无法读取它');
    await r.page.close();
  });

  it('fails on a file changed after publication, naming the file', async () => {
    const bad = path.join(tmp, 'city-edited');
    writeFolder(bad, readFolder(dir));
    fs.appendFileSync(path.join(bad, 'replacements.json'), ' ');
    const r = await open(`${base}/city-edited/verify.html`, `${base}/city-edited/`);
    expect(r.verdict).toBe('failed');
    expect(r.text).toContain('文件 replacements.json 与 SHA256SUMS 登记的指纹不一致');
    await r.page.close();
  });
});

describe('verify.html, ssj-draw/2 with a draw-time notice and a void ceremony', () => {
  const record: DrawRecord = readJson(path.join(VECTORS, 'small-v2', 'record.json'));
  const voided = { number: 1, startedAt: '2023-01-05T09:00:00+08:00', witnesses: [COMMIT(1), { ...COMMIT(2), role: 'discipline', personId: 'DIS007' }], revealBy: '2023-01-06T09:00:00+08:00', voidedAt: '2023-01-06T09:00:01+08:00', failed: [{ role: 'discipline', personId: 'DIS007', reason: 'no-reveal' as const }] };
  const drawn = { number: 2, startedAt: '2023-01-06T10:00:00+08:00', witnesses: record.witnesses.map((w) => ({ role: w.role, personId: w.person_id, commitment: (w as { commitment: string }).commitment, committedAt: '2023-01-06T10:00:00+08:00', revealedAt: '2023-01-06T11:00:00+08:00' })), revealBy: '2023-01-07T10:00:00+08:00' };
  const notice = formatDrawNotice(buildDrawNotice({ workflowId: 'campaign-test-2023q1', year: 2023, quarter: 1, drawnAt: '2023-01-06T11:00:00+08:00', record, voidCeremonies: [voided] }));
  let dir: string;
  beforeAll(async () => {
    dir = path.join(tmp, 'v2');
    await writeDisclosurePackage(input('small-v2', { drawNotice: notice, ceremonies: [{ outcome: 'void', ceremony: voided }, { outcome: 'drawn', ceremony: drawn }] }), dir);
  });

  it('verifies from file:// and over http, commitments and notice included', async () => {
    for (const [url, folder] of [[fileUrl(dir), pathToFileURL(dir).href + '/'], [httpUrl('v2'), `${base}/v2/`]] as const) {
      const r = await open(url, folder);
      expect(r.verdict, r.text).toBe('verified');
      expect(r.outside).toEqual([]);
      expect(r.text).toContain('3b5979ce3d807794246889090991ca42db4fddbb31d6fa30e829da22fee2b6ac'); // admin commitment (DRAW-SPEC 12)
      expect(r.text).toContain('8011b1ccd5d0f79008344ec36e5cf00c0ab41a9609c8452640618916102231cb'); // seed
      expect(r.text).toContain('与抽取时的公告比对');
      expect(r.text).toContain('第1次见证仪式作废');
      await r.page.close();
    }
  });

  it('fails when the record does not match the notice announced at the draw', async () => {
    const bad = path.join(tmp, 'v2-notice');
    await tamper(dir, bad, 'draw-notice.json', (t) => t.replace(record.witnesses[0]!.role === 'admin' ? (record.witnesses[0] as { commitment: string }).commitment : 'x', 'f'.repeat(64)));
    const r = await open(fileUrl(bad), pathToFileURL(bad).href + '/');
    expect(r.verdict).toBe('failed');
    expect(r.text).toContain('公布的记录与抽取时的公告不一致：第1名见证人');
    await r.page.close();
  });

  it('fails when a void ceremony\'s time differs from the notice (not only its commitments)', async () => {
    const bad = path.join(tmp, 'v2-voided-at');
    await tamper(dir, bad, 'ceremonies.json', (t) => t.replace('"voided_at": "2023-01-06T09:00:01+08:00"', '"voided_at": "2023-01-06T09:30:00+08:00"'));
    const r = await open(fileUrl(bad), pathToFileURL(bad).href + '/');
    expect(r.verdict, r.text).toBe('failed');
    expect(r.text).toContain('公布的记录与抽取时的公告不一致：作废仪式（第1次）的作废时间，公告为 "2023-01-06T09:00:01+08:00"，记录为 "2023-01-06T09:30:00+08:00"');
    await r.page.close();
  });

  it('fails when draw-notice.json is in the folder but not listed in SHA256SUMS', async () => {
    const bad = path.join(tmp, 'v2-unlisted');
    writeFolder(bad, readFolder(dir));
    const sums = fs.readFileSync(path.join(bad, 'SHA256SUMS'), 'utf8');
    fs.writeFileSync(path.join(bad, 'SHA256SUMS'), sums.split('\n').filter((l) => !l.endsWith('  draw-notice.json')).join('\n'));
    const r = await open(`${base}/v2-unlisted/verify.html`, `${base}/v2-unlisted/`);
    expect(r.verdict, r.text).toBe('failed');
    expect(r.text).toContain('文件夹中有 draw-notice.json，但 SHA256SUMS 没有登记它');
    await r.page.close();
  });

  it('screenshots at desktop and phone widths (looked at by hand), without horizontal overflow', async () => {
    // Over http, and from file:// (the copy's warning and the folder picker beside the verdict).
    for (const [how, url, folder] of [['http', httpUrl('v2'), `${base}/v2/`], ['file', fileUrl(path.join(tmp, 'v2')), pathToFileURL(path.join(tmp, 'v2')).href + '/']] as const) {
      for (const [w, h] of [[1280, 900], [390, 844]] as const) {
        const r = await open(url, folder, (p) => p.setViewportSize({ width: w, height: h }));
        expect(r.verdict).toBe('verified');
        const overflow = await r.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow, `horizontal overflow at ${w}px (${how})`).toBe(0);
        await r.page.screenshot({ path: `/tmp/verify-html-${how === 'http' ? '' : 'file-'}${w}.png`, fullPage: w === 390 ? false : true });
        await r.page.close();
      }
    }
  });
});

describe('verify.html on a 100,000-unit manifest', () => {
  it('re-verifies in Chromium (time printed, not asserted)', async () => {
    const manifest = parseManifest(serializeManifest(syntheticManifest({ units: 100_000, spec: DRAW_SPEC_V2 })));
    const witnesses = bindWitnesses(
      ['admin:ADM001:0f1e2d3c4b5a69788796a5b4c3d2e1f0:31415926535897932384', 'discipline:DIS007:a5a5a5a5c3c3c3c30123456789abcdef:27182818284590452353'].map(parseWitness),
      manifest,
    );
    const record = runDraw(manifest, witnesses);
    const files = new Map<string, Buffer>();
    const text = serializeManifest(manifest);
    for (const f of MANIFEST_FILES) files.set(`manifest/${f}`, Buffer.from(text[f], 'utf8'));
    files.set('draw-record.json', Buffer.from(formatDrawRecord(record), 'utf8'));
    files.set('replacements.json', Buffer.from('[]\n', 'utf8'));
    files.set('results.csv', await resultsCsv(publicationInput(record, { files: text }, [])));
    const dir = path.join(tmp, 'big');
    writeFolder(dir, await withVerifier(files));
    for (const [how, url, folder] of [['http', httpUrl('big'), `${base}/big/`], ['file://', fileUrl(dir), pathToFileURL(dir).href + '/']] as const) {
      const r = await open(url, folder);
      expect(r.verdict, r.text.slice(0, 2000)).toBe('verified');
      const inPage = Number(await r.page.getAttribute('body', 'data-seconds'));
      process.stdout.write(
        `verify.html, ${manifest.units.length} units, ${record.assignments.length} drawn, ${how}: ${inPage.toFixed(2)} s in the page's check, ${r.seconds.toFixed(2)} s from navigation to verdict\n`,
      );
      await r.page.close();
    }
  }, 300_000);
});

describe("verify.js's SHA-256 (the browser's node:crypto)", () => {
  it('equals node:crypto on every padding length class, non-ASCII text and random bytes', async () => {
    const { createHash, randomBytes } = await import('node:crypto');
    const { sha256Fast } = await import('../files/publication/verifier/node-crypto');
    const node = (x: string | Uint8Array) => createHash('sha256').update(x).digest('hex');
    for (let n = 0; n <= 200; n++) {
      const text = 'a1|'.repeat(70).slice(0, n);
      expect(sha256Fast(text), `length ${n}`).toBe(node(text));
      const bytes = randomBytes(n);
      expect(sha256Fast(bytes), `bytes ${n}`).toBe(node(bytes));
    }
    for (const text of ['信阳市生态环境局', 'x'.repeat(10_000) + '😀', '\u202e司公']) expect(sha256Fast(text)).toBe(node(text));
    const big = randomBytes(3_000_000);
    expect(sha256Fast(big)).toBe(node(big));
  });
});
