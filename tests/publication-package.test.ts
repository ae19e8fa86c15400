import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicationInputError, type PublicationInput, VERIFY_COMMAND, writeDisclosurePackage } from '../files/publication';
import { csvCell } from '../files/publication/csv';
import { dosDateTime, zipEntryTimes } from '../files/publication/zip-times';
import { seedCommitment } from '../domain/draw/draw';
import { escapeHtml } from '../domain/documents';
import { loadProgramme } from '../config/programme';
import { findInFolder, publicTexts } from '../scripts/public-folder';

// What a person may write in a note: private, and hostile to HTML, spreadsheets and bidi display.
const HOSTILE_NOTE = '我的小舅子在该厂工作 <script>alert(1)</script> =HYPERLINK("x") \u202e司公';
const NEEDLES = ['小舅子', 'alert(1)', 'HYPERLINK', '\u202e', '司公'];

const VECTOR = path.resolve(__dirname, 'fixtures/draw-vectors/city');
const record = JSON.parse(fs.readFileSync(path.join(VECTOR, 'record.json'), 'utf8'));
const replacements = JSON.parse(fs.readFileSync(path.join(VECTOR, 'replacements.json'), 'utf8'));

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

// Inspectors as a registry holds them: the package must not leak any of this.
const inspectorIds: string[] = [...new Set<string>(record.assignments.flatMap((a: { inspectors: string[] }) => a.inspectors))];
const people = inspectorIds.map((id, i) => ({
  id,
  name: `执法员${String.fromCharCode(0x7532 + i)}${i}`,
  email: `inspector${i}@hb.example.cn`,
  certificateNo: `豫环执4115${String(i).padStart(4, '0')}`,
}));

function unitsOnList(): string[] {
  const ids: string[] = record.assignments.map((a: { unit_id: string }) => a.unit_id);
  for (const r of replacements) if (r.kind === 'unit') ids.push(r.replacement);
  return ids;
}

function effectiveUnits(): string[] {
  const replaced = new Set(replacements.filter((r: { kind: string }) => r.kind === 'unit').map((r: { unit_id: string }) => r.unit_id));
  return unitsOnList().filter((id) => !replaced.has(id));
}

function makeInput(overrides: Partial<PublicationInput> = {}): PublicationInput {
  const ids = unitsOnList();
  const replaced = new Set(replacements.filter((r: { kind: string }) => r.kind === 'unit').map((r: { unit_id: string }) => r.unit_id));
  const outcomes: PublicationInput['outcomes'] = [];
  ids.filter((id) => !replaced.has(id)).forEach((id, i) => {
    if (i === 0) {
      outcomes.push({ unitId: id, checkedOn: '2023-02-14', result: { outcome: 'problems-found', description: '除尘设施未运行 <b>&</b>', referTo: null }, handling: 'supervision-notice', handledBy: '罗山县生态环境综合行政执法大队', documentNumber: '信环执监〔2023〕第001号' });
    } else if (i === 1) {
      outcomes.push({ unitId: id, checkedOn: '2023-02-15', result: { outcome: 'problems-found', description: '无照经营', referTo: 'agency-market' }, handling: 'referral', handledBy: '信阳市市场监督管理局', documentNumber: '信环执移〔2023〕第001号' });
    } else if (i === 2) {
      // The stored result as it comes from the store: the note is there, and must be dropped.
      outcomes.push({ unitId: id, checkedOn: null, result: { outcome: 'could-not-inspect', reasonCode: 'suspended', note: HOSTILE_NOTE } as never, handling: 'not-inspected' });
    } else {
      outcomes.push({ unitId: id, checkedOn: `2023-03-${String(1 + (i % 28)).padStart(2, '0')}`, result: { outcome: 'no-problem' }, handling: 'none' });
    }
  });
  return {
    bureauName: '信阳市生态环境局',
    publisher: '信阳市生态环境综合行政执法支队',
    year: 2023,
    quarter: 1,
    publishedOn: '2023-04-20',
    contact: '公示期间如有异议，请与信阳市生态环境综合行政执法支队联系。',
    departments: [
      { id: 'brigade-pingqiao', name: '平桥大队' },
      { id: 'brigade-shihe', name: '浉河大队' },
      { id: 'brigade-yangshan', name: '羊山大队' },
      { id: 'section-1', name: '执法一科' },
      { id: 'section-2', name: '执法二科' },
    ],
    // Registry records carry more than the package needs: extra keys must be dropped, not published.
    units: ids.map((id, i) => ({ id, name: `信阳市测试企业${i + 1}号有限公司`, address: `信阳市平桥区工业路${i + 1}号`, legalRepresentative: `法人${i}`, inspectorEmail: people[0]!.email } as never)),
    outcomes,
    record,
    manifest: { dir: path.join(VECTOR, 'manifest') },
    replacements,
    reasons: loadProgramme().reasons,
    ...overrides,
  };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-pub-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const FILES = [
  'SHA256SUMS',
  'draw-record.json',
  'index.html',
  'manifest/conflicts.csv',
  'manifest/inspectors.csv',
  'manifest/params.txt',
  'manifest/pools.csv',
  'manifest/units.csv',
  'replacements.json',
  'results.csv',
  'results.xlsx',
  'verify-data.js',
  'verify.html',
  'verify.js',
  'verify.py',
];

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('the disclosure package', () => {
  let dir: string;
  beforeAll(async () => {
    dir = path.join(tmp, 'pkg');
    const r = await writeDisclosurePackage(makeInput(), dir);
    expect(r.unchanged).toBe(false);
    expect(r.title).toBe('信阳市生态环境局2023年第一季度污染源日常监管“双随机、一公开”抽查结果公示');
  });

  it('holds exactly the expected files, manifest byte-exact', () => {
    expect(listFiles(dir).sort()).toEqual(FILES);
    for (const f of ['params.txt', 'units.csv', 'inspectors.csv', 'conflicts.csv', 'pools.csv']) {
      expect(fs.readFileSync(path.join(dir, 'manifest', f)).equals(fs.readFileSync(path.join(VECTOR, 'manifest', f)))).toBe(true);
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'draw-record.json'), 'utf8'))).toEqual(record);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'replacements.json'), 'utf8'))).toEqual(replacements);
    expect(fs.readdirSync(tmp).filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
  });

  it('SHA256SUMS covers every other file, sorted, in sha256sum -c format', () => {
    const lines = fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => l.slice(66))).toEqual(FILES.filter((f) => f !== 'SHA256SUMS'));
    for (const l of lines) {
      const [hash, file] = [l.slice(0, 64), l.slice(66)];
      expect(l.slice(64, 66)).toBe('  ');
      expect(sha(fs.readFileSync(path.join(dir, file))), file).toBe(hash);
    }
  });

  it('results.csv: BOM, header, one CRLF row per drawn unit, replaced ones marked', () => {
    const buf = fs.readFileSync(path.join(dir, 'results.csv'));
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = buf.toString('utf8').slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('序号,单位名称,统一社会信用代码,地址,监管类别,抽查事项,检查方式,检查部门,检查日期,检查结果,处理情况,抽取情况,抽取池');
    const ids = unitsOnList();
    expect(lines.length - 1).toBe(ids.length);
    // The replaced unit is followed immediately by its replacement.
    const rep = replacements.find((r: { kind: string }) => r.kind === 'unit');
    const at = lines.findIndex((l) => l.includes(rep.unit_id));
    expect(lines[at]).toContain('已替换（第1号替换，原因：已关停');
    expect(lines[at + 1]).toContain(rep.replacement);
    expect(lines[at + 1]).toContain('替补抽取（第1号替换');
    expect(lines[1]).toMatch(/^1,信阳市测试企业1号有限公司,/);
    const first = lines.find((l) => l.includes(effectiveUnits()[0]!))!;
    expect(first).toContain('以监察通知移交罗山县生态环境综合行政执法大队依法查处（信环执监〔2023〕第001号）');
    expect(first).toContain(',发现问题：除尘设施未运行 <b>&</b>,'); // no comma or quote inside: unquoted
    expect(lines.some((l) => l.includes('未能检查（停产检修，无法开展检查）'))).toBe(true);
  });

  it('publishes reason codes and their labels, never a note', () => {
    expect(findInFolder(dir, NEEDLES)).toEqual({});
    const page = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(page).toContain('未能检查（停产检修，无法开展检查）');
    // recusal and absence predate the programme's lists: their older labels are shown.
    expect(page).toContain('<td>已关停</td>'); // the programme's label of closed
    expect(page).toContain('<td>回避</td>');
    const xlsx = publicTexts(dir).filter((t) => t.where.startsWith('results.xlsx!'));
    expect(xlsx.some((t) => t.text.includes('未能检查（停产检修，无法开展检查）'))).toBe(true);
  });

  it("an older record's free-text reason is published as its code only, and still verifies", async () => {
    const words = replacements.map((r: { reason: string }) => ({ ...r, reason: `${r.reason}: ${HOSTILE_NOTE}` }));
    const target = path.join(tmp, 'pkg-legacy-reasons');
    await writeDisclosurePackage(makeInput({ replacements: words }), target);
    expect(findInFolder(target, NEEDLES)).toEqual({});
    expect(JSON.parse(fs.readFileSync(path.join(target, 'replacements.json'), 'utf8'))).toEqual(replacements);
    const free = replacements.map((r: { reason: string }) => ({ ...r, reason: HOSTILE_NOTE }));
    const other = path.join(tmp, 'pkg-free-reasons');
    await writeDisclosurePackage(makeInput({ replacements: free }), other);
    expect(findInFolder(other, NEEDLES)).toEqual({});
    expect(JSON.parse(fs.readFileSync(path.join(other, 'replacements.json'), 'utf8')).map((r: { reason: string }) => r.reason)).toEqual(['other', 'other', 'other']);
  });

  it('results.xlsx reads back with exceljs, same rows', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'results.xlsx'));
    const ws = wb.getWorksheet('抽查结果')!;
    expect(ws.getCell(1, 1).value).toBe('信阳市生态环境局2023年第一季度污染源日常监管“双随机、一公开”抽查结果公示');
    expect(ws.getCell(2, 2).value).toBe('单位名称');
    const ids = unitsOnList();
    expect(ws.rowCount).toBe(2 + ids.length);
    const col3 = ws.getColumn(3).values.slice(3) as string[];
    expect(new Set(col3)).toEqual(new Set(ids));
    expect(ws.getCell(3, 1).value).toBe(1);
    expect(wb.created.toISOString()).toBe('2023-04-19T16:00:00.000Z');
  });

  it('results.xlsx zip entries carry the publication date, not the clock', () => {
    const times = zipEntryTimes(fs.readFileSync(path.join(dir, 'results.xlsx')));
    expect(times.length).toBeGreaterThan(5);
    const want = dosDateTime('2023-04-20');
    for (const t of times) expect(t).toEqual({ name: t.name, date: want.date, time: 0 });
  });

  it('index.html lists every unit, the verification data, and nothing of the inspectors', () => {
    const page = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(page).toContain('<h1>信阳市生态环境局2023年第一季度污染源日常监管“双随机、一公开”抽查结果公示</h1>');
    for (const [i, id] of unitsOnList().entries()) {
      expect(page).toContain(id);
      expect(page).toContain(`信阳市测试企业${i + 1}号有限公司`);
    }
    expect(page).toContain(record.manifest_digest);
    expect(page).toContain(record.seed);
    expect(page).toContain(seedCommitment(record.seed));
    for (const w of record.witnesses) expect(page).toContain(w.entropy);
    expect(page).toContain('系统管理员');
    expect(page).toContain('<td>纪检人员（discipline）</td>');
    expect(page).not.toContain('办公室纪检人员');
    expect(page).toContain(escapeHtml(VERIFY_COMMAND));
    expect(page).toContain('除尘设施未运行 &lt;b&gt;&amp;&lt;/b&gt;');
    // 名单调整记录: each change's time as a public page dates, in Beijing time, never the raw instant.
    expect(page).toContain('<th>时间（北京时间）</th>');
    expect(page).toContain('<td class="date">2023年1月12日 09:00</td>');
    for (const r of replacements) expect(page).not.toContain(r.at);
    for (const p of people) {
      expect(page).not.toContain(p.id);
      expect(page).not.toContain(p.name);
      expect(page).not.toContain(p.email);
      expect(page).not.toContain(p.certificateNo);
    }
    expect(page).not.toContain('法人0');
    expect(page).not.toMatch(/<script|<link|src=|@import|url\(|https?:\/\//);
    expect(page).toMatch(/font-family: [^;]*"Noto Sans CJK SC"/);
    expect(page).toContain('@media print');
  });

  it('no inspector data in the CSV either', () => {
    const csv = fs.readFileSync(path.join(dir, 'results.csv'), 'utf8');
    for (const p of people) {
      expect(csv).not.toContain(p.id);
      expect(csv).not.toContain(p.email);
      expect(csv).not.toContain(p.certificateNo);
    }
  });

  it('rewriting the same package is a no-op with identical bytes; from bytes, too', async () => {
    const before = fs.readFileSync(path.join(dir, 'SHA256SUMS'));
    const inode = fs.statSync(dir).ino;
    const again = await writeDisclosurePackage(makeInput(), dir);
    expect(again.unchanged).toBe(true);
    expect(fs.statSync(dir).ino).toBe(inode);

    // A second folder, written from the manifest's bytes rather than its folder: same bytes.
    const files = Object.fromEntries(['params.txt', 'units.csv', 'inspectors.csv', 'conflicts.csv', 'pools.csv'].map((f) => [f, fs.readFileSync(path.join(VECTOR, 'manifest', f), 'utf8')]));
    const other = path.join(tmp, 'pkg-bytes');
    const r2 = await writeDisclosurePackage(makeInput({ manifest: { files: files as never } }), other);
    expect(r2.unchanged).toBe(false);
    for (const f of FILES) expect(fs.readFileSync(path.join(other, f)).equals(fs.readFileSync(path.join(dir, f))), f).toBe(true);
    expect(fs.readFileSync(path.join(other, 'SHA256SUMS')).equals(before)).toBe(true);
  });

  it('a changed input replaces the whole package atomically', async () => {
    const target = path.join(tmp, 'pkg-change');
    await writeDisclosurePackage(makeInput(), target);
    fs.writeFileSync(path.join(target, 'stray.txt'), 'left over');
    const r = await writeDisclosurePackage(makeInput({ publishedOn: '2023-04-21' }), target);
    expect(r.unchanged).toBe(false);
    expect(listFiles(target).sort()).toEqual(FILES);
    expect(fs.readFileSync(path.join(target, 'index.html'), 'utf8')).toContain('2023年4月21日');
    expect(fs.readdirSync(tmp).filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
  });
});

describe('bad input is refused and nothing is written', () => {
  const refuse = async (input: PublicationInput, pattern: RegExp) => {
    const target = path.join(tmp, `refused-${crypto.randomBytes(3).toString('hex')}`);
    await expect(writeDisclosurePackage(input, target)).rejects.toThrow(pattern);
    await expect(writeDisclosurePackage(input, target)).rejects.toBeInstanceOf(PublicationInputError);
    expect(fs.existsSync(target)).toBe(false);
  };

  it('a record that does not match the manifest', async () => {
    const bad = { ...record, seed: 'f'.repeat(64) };
    await refuse(makeInput({ record: bad }), /does not verify.*seed/);
  });

  it('a replacement that breaks the rules', async () => {
    const bad = replacements.map((r: { seq: number }) => (r.seq === 1 ? { ...r, replacement: unitsOnList()[5] } : r));
    await refuse(makeInput({ replacements: bad }), /does not verify/);
  });

  it('a unit on the list without an outcome, or without a name', async () => {
    const input = makeInput();
    await refuse({ ...input, outcomes: input.outcomes.slice(1) }, new RegExp(`outcomes: unit ${effectiveUnits()[0]} .* has no outcome`));
    await refuse({ ...input, units: input.units.slice(1) }, new RegExp(`units: no name and address for unit ${unitsOnList()[0]}`));
  });

  it('a hand-over without its receiver, a field of the wrong shape', async () => {
    const input = makeInput();
    const outcomes = input.outcomes.map((o, i) => (i === 0 ? { ...o, handledBy: null } : o));
    await refuse({ ...input, outcomes }, /handledBy \(the receiving brigade or agency\) is missing/);
    await refuse({ ...input, publishedOn: '20.4.2023' }, /publishedOn: must be a date YYYY-MM-DD/);
  });
});

describe('where the public finds the verifying software', () => {
  it('the page says where (programme.softwareSource), or whom to ask, and where the algorithm is specified', async () => {
    const a = path.join(tmp, 'source-given');
    await writeDisclosurePackage({ ...makeInput(), softwareSource: 'https://gitee.example.cn/xyhb/shuangsuiji' }, a);
    const pageA = fs.readFileSync(path.join(a, 'index.html'), 'utf8');
    expect(pageA).toContain('该软件的获取方式：https://gitee.example.cn/xyhb/shuangsuiji。');
    expect(pageA).toContain('docs/draw-spec.md');
    const b = path.join(tmp, 'source-absent');
    await writeDisclosurePackage(makeInput(), b);
    expect(fs.readFileSync(path.join(b, 'index.html'), 'utf8')).toContain('该软件以 Apache-2.0 许可开放源代码，可向信阳市生态环境综合行政执法支队索取。');
  });
});

describe('formula-like text', () => {
  it('is marked with a leading \' in results.xlsx as in results.csv', async () => {
    const input = makeInput();
    const units = input.units.map((u, i) => (i === 3 ? { ...u, name: '=HYPERLINK("http://x","点此")' } : i === 4 ? { ...u, name: '@SUM(1)有限公司' } : u));
    const dir = path.join(tmp, 'formula-pkg');
    await writeDisclosurePackage({ ...input, units }, dir);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'results.xlsx'));
    const names = (wb.getWorksheet('抽查结果')!.getColumn(2).values.slice(3) as string[]).filter((v) => /HYPERLINK|@SUM/.test(v));
    expect(names.sort()).toEqual(["'=HYPERLINK(\"http://x\",\"点此\")", "'@SUM(1)有限公司"]);
    const csv = fs.readFileSync(path.join(dir, 'results.csv'), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""点此"")"`);
    expect(csv).toContain("'@SUM(1)有限公司");
  });
});

describe('csv cells', () => {
  it('quotes and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('-x,y')).toBe(`"'-x,y"`);
    expect(csvCell('平桥大队')).toBe('平桥大队');
  });
});
