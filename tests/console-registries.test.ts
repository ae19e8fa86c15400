// 名录管理 in the console: the import templates (downloadable as CSV and XLSX with exactly the
// headings the import reads, read back with exceljs and the import's own reader), import by upload
// (preview with the row problems, nothing written; confirm applies the previewed batch once), the
// registries at a date, one entity's history; other roles refused and audited; a brigade leader
// imports only the brigade's quarter-end lists, within the brigade (checked at preview and confirm).
// Real parts: a SQLite registry store filled from examples/registry by the real importer, a
// listening console, multipart bodies through fastify.inject, and Chromium for the screenshots
// (which also proves the browser's form sends the CSRF token before the file).
import ExcelJS from 'exceljs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUscc } from '../domain/uscc';
import { importRegistryFile, prepareImport } from '../files/registry/import-file';
import { readTable } from '../files/registry/read-table';
import { importKinds, TEMPLATES } from '../files/registry/templates';
import { launchChromium } from '../scripts/browser';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { registryPeople } from '../console/people';
import { problemInChinese } from '../console/registry-problems';
import { PREVIEW_PROBLEMS } from '../console/registry-upload';
import type { ImportKind } from '../files/registry/templates';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { ConsoleClient } from './helpers/console-client';
import { addAccounts, signedInPage } from './console-quarter-fixture';

const PASSWORD = 'operations password 1';
const EX = path.resolve(__dirname, '..', 'examples', 'registry');
const example = (f: string) => fs.readFileSync(path.join(EX, f));
const BOM = '\ufeff';
const NEW_UNITS_HEAD = '统一社会信用代码,单位名称,类别,所在辖区,行业,地址,信用等级,正面清单,正面清单类型,特殊监管原因,存在问题,纳入日期';

let tmp: string;
let registry: RegistryStore;
let c: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-console-registry-'));
  registry = await openRegistryStore({ dataDir: tmp, databaseUrl: null });
  for (const [f, kind] of [
    ['departments.csv', 'departments'],
    ['units.csv', 'units'],
    ['people.csv', 'people'],
  ] as const) {
    expect((await importRegistryFile(registry, path.join(EX, f), { kind, date: '2022-12-31', progress: false })).applied).toBe(true);
  }
  // Many sign-ins in one minute (one per test): the login rate limit is not what this file tests.
  c = await startConsole({ personName: async (id) => `人员${id}`, registry, env: { SSJ_CONSOLE_LOGIN_PER_MINUTE: '1000' } });
  await addAccounts(c.store, PASSWORD, [
    ['admin1', 'ADM1', ['admin']],
    // 王志刚, 浉河大队 (辖区浉河区) in examples/registry/people.csv.
    ['leader', 'P0005', ['brigade-leader']],
    // A brigade leader's account whose person the registry does not know.
    ['ghost', 'BL9', ['brigade-leader']],
    ['det', 'P0001', ['detachment-leader']],
    ['insp', 'S1', ['inspector']],
  ]);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await registry?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface FilePart {
  filename: string;
  content: Buffer | string;
  type?: string;
}

/** A multipart/form-data body, parts in the order given (as a browser sends a form's fields). */
function multipartBody(parts: ReadonlyArray<[string, string | FilePart]>): { payload: Buffer; contentType: string } {
  const boundary = `----ssjtest${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of parts) {
    if (typeof value === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: ${value.type ?? 'text/csv'}\r\n\r\n`));
      chunks.push(Buffer.isBuffer(value.content) ? value.content : Buffer.from(value.content));
      chunks.push(Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const cookieOf = (u: ConsoleClient) => [...u.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** Uploads as `u` (signed in, its CSRF token read from the last page), the token first unless `parts` says otherwise. */
async function upload(u: ConsoleClient, kind: string, file: FilePart, o: { date?: string; parts?: ReadonlyArray<[string, string | FilePart]> } = {}): Promise<LightMyRequestResponse> {
  const parts = o.parts ?? [
    ['_csrf', u.csrf],
    ['kind', kind],
    ['date', o.date ?? ''],
    ['file', file],
  ];
  const { payload, contentType } = multipartBody(parts);
  return c.app.inject({ method: 'POST', url: '/registries/preview', payload, headers: { cookie: cookieOf(u), 'content-type': contentType } });
}

async function signedIn(login: string): Promise<ConsoleClient> {
  const u = new ConsoleClient(c.app);
  await u.login(login, PASSWORD);
  expect((await u.get('/registries')).statusCode).toBe(200);
  return u;
}

const tokenOf = (body: string): string => /name="token" value="([^"]+)"/.exec(body)?.[1] ?? '';

describe('名录模板', () => {
  it('offers every template with the headings the import reads, as CSV and XLSX; refuses other roles', async () => {
    const u = await signedIn('admin1');
    const page = await u.get('/registries');
    for (const kind of importKinds) {
      const headings = TEMPLATES[kind].columns.map((col) => col.heading);
      expect(page.body).toContain(`<h2>${TEMPLATES[kind].title}</h2>`);
      const csv = await u.get(`/registries/template?kind=${kind}&format=csv`);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
      expect((await readTable(`${kind}.csv`, csv.rawPayload)).headers).toEqual(headings);
      const xlsx = await u.get(`/registries/template?kind=${kind}&format=xlsx`);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(headings);
      expect((await readTable(`${kind}.xlsx`, xlsx.rawPayload)).headers).toEqual(headings);
    }
    expect((await u.get('/registries/template?kind=../../etc&format=csv')).statusCode).toBe(404);
    expect((await u.get('/registries/template?kind=units&format=exe')).statusCode).toBe(404);
    const insp = new ConsoleClient(c.app);
    await insp.login('insp', PASSWORD);
    expect((await insp.get('/registries/template?kind=units&format=csv')).statusCode).toBe(403);
  });
});

describe('row problems in Chinese', () => {
  // One bad file per kind, each breaking several rules; every rule the importer names must read in Chinese.
  const BAD: [ImportKind, string, string][] = [
    ['people', 'p.csv', '人员编号,姓名,部门,角色,电子邮箱,执法证号,在编,在岗,专长,在职\nP 1,张三,不存在的部门,队长,not-mail,,,,,也许\nP0099,李四,办公室,执法人员,,,是,是,,是\nP0098,王五,办公室,分管领导,,ZF001,,,,是\n'],
    ['personnel-changes', 'pc.csv', '人员编号,姓名,变动类型,新部门,新角色,执法证号,日期,原因\nP0010,赵敏,调动,,,,2023-01-16,\nP9999,某人,离岗,,,,2023-01-20,\nP0001,周建华,升职,,,,2023-01-2,\nP0001,周建华,离编,办公室,,,2023-01-22,\n'],
    ['conflicts', 'c.csv', '执法人员编号,统一社会信用代码,回避原因,申报日期,操作\nP0001,91411502MA44X0K1A8,亲属,2022-12-31,申报\nP0006,91411502MA44X0K1A8,朋友,2022-12-31,删除\nP0006,91411503MA4BH4Y8J7,亲属,2022-12-31,撤销\n'],
    ['departments', 'd.csv', '部门编码,部门名称,部门类型,辖区,电子邮箱\nBrigade X,某大队,直属大队,,\nsection-9,,处室,,\n'],
    ['units', 'u.csv', '统一社会信用代码,单位名称,类别,所在辖区,行业,地址,信用等级,正面清单,正面清单类型,特殊监管原因,存在问题,状态,状态日期,多余列\nLOCAL-x,某,一般,火星,,,E,是,其他,上年度受处罚,是,在产,2020-01-01,\n'],
    ['new-units', 'n.csv', '单位名称,类别\n某厂,一般\n'],
    ['units', 'units-with-errors.csv', fs.readFileSync(path.join(EX, 'broken', 'units-with-errors.csv'), 'utf8')],
    // Broken CSV quoting: text after a closing quote, a quote in an unquoted field, spaces around quotes, a quote never closed.
    ['people', 'quotes.csv', '人员编号,姓名,部门,角色,电子邮箱,执法证号,在编,在岗,专长,在职\nP0001,"周建华"（借调）,办公室,系统管理员,,,是,是,,是\nP0002,陈"国强,办公室,系统管理员,,,是,是,,是\nP0003, "李四",办公室,系统管理员,,,是,是,,是\nP0004,"王五" ,办公室,系统管理员,,,是,是,,是\nP0005,"赵六,办公室\n'],
  ];
  it.each(BAD)('%s (%s)', async (kind, file, text) => {
    const p = await prepareImport(registry, file, Buffer.from(text), { kind, date: '2023-03-31', progress: false });
    expect(p.problems.length).toBeGreaterThan(0);
    for (const x of p.problems) {
      const zh = problemInChinese(x.rule);
      expect(zh, x.rule).not.toBe(x.rule);
      expect(zh, x.rule).not.toMatch(/\b(?:must|is not|only|needs|registry|row|column)\b/);
    }
  });
});

describe('名录导入 (upload, preview, confirm)', () => {
  it('refuses other roles, audited', async () => {
    const u = new ConsoleClient(c.app);
    await u.login('insp', PASSWORD);
    expect((await u.get('/registries')).statusCode).toBe(403);
    expect((await u.get('/registries/state?kind=unit')).statusCode).toBe(403);
    expect((await u.get('/registries/history?kind=unit&id=91411502MA44X0K1A8')).statusCode).toBe(403);
    await u.get('/');
    const before = await registry.tableCounts();
    expect((await upload(u, 'new-units', { filename: 'new-units.csv', content: example('new-units-2023Q1.csv') })).statusCode).toBe(403);
    expect((await u.post('/registries/commit', { token: 'x'.repeat(43) })).statusCode).toBe(403);
    expect(await registry.tableCounts()).toEqual(before);
    const refused = (await c.store.listAudit({ action: 'role.refused', personId: 'S1' })).map((e) => e.target);
    expect(refused).toEqual(expect.arrayContaining(['/registries', '/registries/state?kind=unit', '/registries/preview', '/registries/commit']));
  });

  it('previews a file with errors: every problem listed in Chinese, escaped, no confirm button, nothing written', async () => {
    const u = await signedIn('admin1');
    const before = await registry.tableCounts();
    const bad = [
      `${BOM}统一社会信用代码,单位名称,状态,日期,原因`,
      '91411503MA49F2W6GG,<script>alert(1)</script>,<script>alert(1)</script>,2023-02-28,停产',
      `${makeUscc('91411502MA0000001')},某厂,注销,2023-02-30,`,
    ].join('\n');
    const res = await upload(u, 'closed-units', { filename: 'closed <b>bad</b>.csv', content: bad });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('问题清单');
    expect(res.body).toContain('未导入任何数据');
    // Row 2: the name does not match; row 3: unknown unit, unknown status, impossible date.
    expect(res.body).toContain('与名录不符');
    expect(res.body).toContain('不在名录中');
    expect(res.body).toMatch(/应为关闭、取缔之一|应为在产、关闭、取缔之一/);
    expect(res.body).toContain('“2023-02-30”不是有效日期（日期格式如 2023-03-31）');
    expect(res.body).toContain('第2行');
    expect(res.body).toContain('第3行');
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).not.toContain('<b>bad</b>');
    expect(res.body).not.toContain('确认导入');
    expect(tokenOf(res.body)).toBe('');
    expect(await registry.tableCounts()).toEqual(before);
  });

  it('an xlsx refused before unpacking (a zip bomb, a broken zip) is explained in Chinese', async () => {
    const u = await signedIn('admin1');
    const xlsx = example('units.xlsx');
    const cut = await upload(u, 'units', { filename: 'cut.xlsx', content: xlsx.subarray(0, xlsx.length - 22), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, { date: '2022-12-31' });
    expect(cut.statusCode).toBe(422);
    expect(cut.body).toContain('不是可读取的 .xlsx 工作簿（no end of central directory record）');
    expect(problemInChinese("the workbook's part xl/worksheets/sheet1.xml unpacks 1024 times its packed size (100.0 MiB), more than 100 times: it is not a workbook a spreadsheet saves")).toBe(
      '工作簿中的 xl/worksheets/sheet1.xml 解压后（100.0 MiB）为压缩大小的 1024 倍，超过允许的 100 倍：这不是表格软件正常保存的文件',
    );
    expect(problemInChinese('the workbook unpacks to 250.0 MiB (xl/worksheets/sheet1.xml alone 249.0 MiB); at most 200.0 MiB can be read: split the workbook, or save it as CSV')).toBe(
      '工作簿解压后为 250.0 MiB（其中 xl/worksheets/sheet1.xml 为 249.0 MiB），最多可读取 200.0 MiB：请拆分工作簿，或另存为 CSV',
    );
  });

  it('a 10 MB CSV of one-letter rows is refused by its row count; a file of many bad rows lists its first problems and counts the rest', async () => {
    const u = await signedIn('admin1');
    const before = await registry.tableCounts();
    const head = '部门编码,部门名称,部门类型\n';
    // Once: 3 problems a row, every one kept and rendered, until the console died of its heap.
    const huge = await upload(u, 'departments', { filename: 'huge.csv', content: head + 'a\n'.repeat(5_000_000) }, { date: '2022-12-31' });
    expect(huge.statusCode).toBe(422);
    expect(huge.body).toContain('文件有 1 处问题');
    expect(huge.body).toContain('文件的数据超过1000000行，一个文件最多导入1000000行');
    expect(huge.body).toContain('huge.csv');

    const many = await upload(u, 'departments', { filename: 'many.csv', content: head + 'a\n'.repeat(100_000) }, { date: '2022-12-31' });
    expect(many.statusCode).toBe(422);
    const total = Number(/文件有 (\d+) 处问题/.exec(many.body)?.[1]);
    expect(total).toBeGreaterThanOrEqual(200_000);
    const listed = many.body.match(/<td data-label="问题">/g) ?? [];
    expect(listed).toHaveLength(PREVIEW_PROBLEMS);
    expect(many.body).toContain(`问题清单（前 ${PREVIEW_PROBLEMS} 处，共 ${total} 处）`);
    expect(many.body).toContain(`……另有 ${total - PREVIEW_PROBLEMS} 处问题未列出`);
    expect(many.body.length).toBeLessThan(1024 * 1024);
    expect(await registry.tableCounts()).toEqual(before);
  });

  it('previews a good file with its counts, commits it once on confirm, a second confirm is 已处理', async () => {
    const u = await signedIn('admin1');
    const before = await registry.tableCounts();
    const res = await upload(u, 'new-units', { filename: '新增污染源2023Q1.csv', content: example('new-units-2023Q1.csv') });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('检查通过');
    expect(res.body).toMatch(/<dt>新增<\/dt><dd>2<\/dd>/);
    expect(res.body).toMatch(/<dt>注销\/移除<\/dt><dd>0<\/dd>/);
    expect(res.body).toContain('<tr><th>生效日期</th><td>2023年3月6日</td></tr>');
    expect(res.body).toContain('信阳博远包装材料有限公司');
    expect(await registry.tableCounts()).toEqual(before);
    const token = tokenOf(res.body);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Another session (same person) cannot use this preview's token.
    const other = await signedIn('admin1');
    expect((await other.post('/registries/commit', { token })).statusCode).toBe(410);
    expect(await registry.tableCounts()).toEqual(before);

    const done = await u.post('/registries/commit', { token });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('导入完成');
    const after = await registry.tableCounts();
    expect(after).toEqual({ batches: before.batches + 1, changes: before.changes + 2 });
    const again = await u.post('/registries/commit', { token });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('已处理');
    expect(again.body).toContain('人员ADM1');
    expect(await registry.tableCounts()).toEqual(after);

    const [entry] = await c.store.listAudit({ action: 'registry.imported', personId: 'ADM1' });
    expect(entry?.target).toBe('新增污染源2023Q1.csv');
    expect(entry?.detail).toMatchObject({ kind: 'new-units', fileName: '新增污染源2023Q1.csv', added: 2, changed: 0, retired: 0, applied: true });
    expect(entry?.detail.sha256).toMatch(/^[0-9a-f]{64}$/);

    // The same file again: already imported, nothing to confirm.
    const repeat = await upload(u, 'new-units', { filename: 'copy.csv', content: example('new-units-2023Q1.csv') });
    expect(repeat.body).toContain('不会重复导入');
    expect(tokenOf(repeat.body)).toBe('');
  });

  it('a double submit of the confirm commits once', async () => {
    // Units of two brigades' areas: the detachment's list, not one brigade's.
    const u = await signedIn('det');
    const res = await upload(u, 'closed-units', { filename: 'closed.csv', content: example('closed-units-2023Q1.csv') });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<dt>注销\/移除<\/dt><dd>2<\/dd>/);
    const before = await registry.tableCounts();
    const token = tokenOf(res.body);
    const answers = await Promise.all([u.post('/registries/commit', { token }), u.post('/registries/commit', { token })]);
    expect(answers.filter((a) => a.body.includes('导入完成'))).toHaveLength(1);
    expect(answers.every((a) => a.statusCode === 200 || a.statusCode === 409)).toBe(true);
    expect(await registry.tableCounts()).toEqual({ batches: before.batches + 1, changes: before.changes + 2 });
  });

  it('refuses a stale preview: another import landed after it', async () => {
    const u = await signedIn('admin1');
    const unit = makeUscc('91411502MA0000002');
    const file = `${BOM}${NEW_UNITS_HEAD}\n${unit},信阳新建材料厂,一般,浉河区,建材,信阳市浉河区某路1号,,否,,,否,2023-04-02\n`;
    const res = await upload(u, 'new-units', { filename: 'late.csv', content: file });
    const token = tokenOf(res.body);
    expect(token).not.toBe('');
    const other = `${BOM}${NEW_UNITS_HEAD}\n${makeUscc('91411502MA0000003')},信阳另一厂,一般,浉河区,建材,信阳市浉河区某路2号,,否,,,否,2023-04-01\n`;
    fs.writeFileSync(path.join(tmp, 'other.csv'), other);
    expect((await importRegistryFile(registry, path.join(tmp, 'other.csv'), { kind: 'new-units', progress: false })).applied).toBe(true);
    const before = await registry.tableCounts();
    const stale = await u.post('/registries/commit', { token });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('预览已过时');
    expect(await registry.tableCounts()).toEqual(before);
  });

  it('refuses a bad CSRF token, the wrong type, a disguised file, an oversized one and two files, writing nothing', async () => {
    const u = await signedIn('admin1');
    const before = await registry.tableCounts();
    const good = { filename: 'new.csv', content: example('new-units-2023Q1.csv') };
    const noToken = await upload(u, 'new-units', good, { parts: [['kind', 'new-units'], ['file', good]] });
    expect(noToken.statusCode).toBe(403);
    const wrongToken = await upload(u, 'new-units', good, { parts: [['_csrf', 'x'.repeat(43)], ['kind', 'new-units'], ['file', good]] });
    expect(wrongToken.statusCode).toBe(403);
    const lateToken = await upload(u, 'new-units', good, { parts: [['kind', 'new-units'], ['file', good], ['_csrf', u.csrf]] });
    expect(lateToken.statusCode).toBe(403);
    expect((await c.store.listAudit({ action: 'csrf.refused', personId: 'ADM1' })).length).toBeGreaterThanOrEqual(3);

    const exe = await upload(u, 'units', { filename: 'units.exe', content: Buffer.from('MZ\x90\x00'), type: 'application/octet-stream' });
    expect(exe.statusCode).toBe(400);
    expect(exe.body).toContain('不是 CSV 或 XLSX 文件');
    const disguised = await upload(u, 'units', { filename: 'units.xlsx', content: example('units.csv') });
    expect(disguised.statusCode).toBe(400);
    expect(disguised.body).toContain('不是 XLSX 工作簿');
    const zipAsCsv = await upload(u, 'units', { filename: 'units.csv', content: example('units.xlsx') });
    expect(zipAsCsv.statusCode).toBe(400);
    const big = Buffer.concat([Buffer.from(`${BOM}${NEW_UNITS_HEAD}\n`), Buffer.alloc(11 * 1024 * 1024, 'a')]);
    const oversized = await upload(u, 'new-units', { filename: 'big.csv', content: big });
    expect(oversized.statusCode).toBe(413);
    expect(oversized.body).toContain('不能超过 10 MB');
    const two = await upload(u, 'new-units', good, { parts: [['_csrf', u.csrf], ['kind', 'new-units'], ['file', good], ['file', good]] });
    expect(two.statusCode).toBe(413);
    const noFile = await upload(u, 'new-units', good, { parts: [['_csrf', u.csrf], ['kind', 'new-units']] });
    expect(noFile.statusCode).toBe(400);
    expect(await registry.tableCounts()).toEqual(before);
  });

  it('a refused upload shows the form again with the kind and the date as sent', async () => {
    const u = await signedIn('admin1');
    const before = await registry.tableCounts();
    const chosen = (body: string) => [...body.matchAll(/<option value="([^"]+)" selected>/g)].map((m) => m[1]);
    const dateIn = (body: string) => /<input type="date" name="date" value="([^"]*)">/.exec(body)?.[1];
    // Once: the form came back on 部门名录 with no date, and the next upload went into the wrong registry.
    const empty = await upload(u, 'closed-units', { filename: 'empty.csv', content: '' }, { date: '2023-03-25' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('文件“empty.csv”是空文件。');
    expect(chosen(empty.body)).toEqual(['closed-units']);
    expect(dateIn(empty.body)).toBe('2023-03-25');
    const exe = await upload(u, 'people', { filename: 'people.exe', content: 'MZ', type: 'application/octet-stream' }, { date: '2023-03-31' });
    expect(exe.statusCode).toBe(400);
    expect(chosen(exe.body)).toEqual(['people']);
    expect(dateIn(exe.body)).toBe('2023-03-31');
    const noFile = await upload(u, 'new-units', { filename: '', content: '' }, { parts: [['_csrf', u.csrf], ['kind', 'new-units'], ['date', '2023-06-30']] });
    expect(noFile.statusCode).toBe(400);
    expect(chosen(noFile.body)).toEqual(['new-units']);
    expect(dateIn(noFile.body)).toBe('2023-06-30');
    // The date refused: kept as sent (the message names it), with its format as an example.
    const badDate = await upload(u, 'closed-units', { filename: 'closed.csv', content: example('closed-units-2023Q1.csv') }, { date: '2023-02-30' });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.body).toContain('生效日期“2023-02-30”不是有效日期（日期格式如 2023-03-31）。');
    expect(chosen(badDate.body)).toEqual(['closed-units']);
    expect(dateIn(badDate.body)).toBe('2023-02-30');
    const noKind = await upload(u, 'no-such-kind', { filename: 'closed.csv', content: example('closed-units-2023Q1.csv') }, { date: '2023-03-25' });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.body).toContain('请选择名录类型。');
    expect(chosen(noKind.body)).toEqual([]);
    expect(dateIn(noKind.body)).toBe('2023-03-25');
    // The form as first shown: the first kind, no date.
    const fresh = (await u.get('/registries')).body;
    expect(chosen(fresh)).toEqual([]);
    expect(dateIn(fresh)).toBe('');
    // A value sent is text in the page, never markup.
    const xss = await upload(u, '"><script>alert(1)</script>', { filename: 'empty.csv', content: '' }, { date: '"><script>alert(1)</script>' });
    expect(xss.statusCode).toBe(400);
    expect(xss.body).not.toContain('<script>alert(1)</script>');
    expect(await registry.tableCounts()).toEqual(before);
  });
});

describe('名录状态 and 变化记录', () => {
  it('shows the registry as it stood at a date, searched and paged', async () => {
    const u = await signedIn('admin1');
    const early = await u.get('/registries/state?kind=unit&date=2023-01-31');
    expect(early.statusCode).toBe(200);
    expect(early.body).not.toContain('LOCAL-YS-2023-0001');
    expect(early.body).toContain('信阳金牛养殖有限公司');
    const late = await u.get('/registries/state?kind=unit&date=2023-03-31');
    expect(late.body).toContain('LOCAL-YS-2023-0001');
    expect(late.body).toContain('截至2023年3月31日（当日终了）的监管对象名录');
    // Dates read as officials write them; the links keep the form's YYYY-MM-DD.
    const index = (await u.get('/registries')).body;
    expect(index).toContain('<a href="/registries/state?date=2023-03-06">2023年3月6日</a>');
    // When each import was recorded: Beijing time to the second, dated the same way.
    const recorded = [...index.matchAll(/<td data-label="记录时间" class="nowrap">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(recorded.length).toBeGreaterThan(0);
    for (const when of recorded) expect(when).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}$/);
    // Closed on 2023-02-28: still in the registry, as 关闭.
    expect(early.body).toMatch(/信阳金牛养殖有限公司<\/td>(?:(?!<\/tr>).)*在产/s);
    expect(late.body).toMatch(/信阳金牛养殖有限公司<\/td>(?:(?!<\/tr>).)*关闭/s);
    expect(late.body).toContain('重点'); // categories in Chinese
    const found = await u.get(`/registries/state?kind=unit&date=2023-03-31&q=${encodeURIComponent('博远')}`);
    expect(found.body).toContain('信阳博远包装材料有限公司');
    expect(found.body).not.toContain('信阳华丰建材有限公司');
    const people = await u.get('/registries/state?kind=person&date=2023-01-31');
    expect(people.body).toContain('执法人员'); // roles in Chinese
    const deps = await u.get('/registries/state?kind=department&date=2023-01-31');
    expect(deps.body).toContain('直属大队');
    expect((await u.get('/registries/state?kind=unit&date=2023-02-30')).statusCode).toBe(400);
  });

  it('pages a large registry instead of rendering it whole', async () => {
    const u = await signedIn('admin1');
    const rows = Array.from({ length: 120 }, (_, i) => `${makeUscc(`91411502MB${String(i).padStart(7, '0')}`)},分页测试厂${String(i).padStart(3, '0')},一般,浉河区,建材,信阳市浉河区某路${i}号,,否,,,否,2023-05-01`);
    const res = await upload(u, 'new-units', { filename: 'many.csv', content: `${BOM}${NEW_UNITS_HEAD}\n${rows.join('\n')}\n` });
    expect(res.body).toMatch(/<dt>新增<\/dt><dd>120<\/dd>/);
    expect((await u.post('/registries/commit', { token: tokenOf(res.body) })).body).toContain('导入完成');
    const first = await u.get(`/registries/state?kind=unit&date=2023-05-01&q=${encodeURIComponent('分页测试厂')}`);
    expect(first.body).toContain('第 1/3 页');
    expect(first.body.match(/分页测试厂\d{3}/g)).toHaveLength(50);
    const last = await u.get(`/registries/state?kind=unit&date=2023-05-01&q=${encodeURIComponent('分页测试厂')}&page=3`);
    expect(last.body.match(/分页测试厂\d{3}/g)).toHaveLength(20);
    expect(last.body).toContain('分页测试厂119');
  });

  it("lists an entity's dated changes with their import and what changed", async () => {
    const u = await signedIn('admin1');
    const res = await u.get('/registries/history?kind=unit&id=91411503MA49F2W6GG&date=2023-03-31');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<td data-label="生效日期" class="nowrap">2022年12月31日</td>');
    expect(res.body).toMatch(/<td data-label="记录时间" class="nowrap">\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}<br>/);
    expect(res.body).toContain('<td data-label="生效日期" class="nowrap">2023年2月28日</td>');
    expect(res.body).toContain('<h2>截至2023年3月31日的状态</h2>');
    expect(res.body).toContain('状态：在产 → 关闭');
    expect(res.body).toContain('closed.csv（工作台上传，人员P0001）');
    expect(res.body).toContain('企业自行停产关闭'); // the row's 原因
    expect(res.body).toMatch(/<th>状态<\/th><td>关闭<\/td>/);
    const before = await u.get('/registries/history?kind=unit&id=LOCAL-YS-2023-0001&date=2023-01-31');
    expect(before.body).toContain('此日不在名录中');
  });

  it('a closure that arrives after a later-dated correction still closes the unit from its date on, and the page says records were added for it', async () => {
    const u = await signedIn('admin1');
    const id = '91411502MA44X0K1A8';
    const [heading, ...rows] = example('units.csv').toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
    const fix = await upload(u, 'units', { filename: '地址更正.csv', content: `${heading}\n${rows.find((l) => l.startsWith(id))!.replace('工区路88号', '工区路90号')}\n` }, { date: '2023-09-25' });
    expect((await u.post('/registries/commit', { token: tokenOf(fix.body) })).body).toContain('已导入 1 条变化');
    await u.get('/registries');
    const closed = await upload(u, 'closed-units', { filename: '关停取缔2023Q3.csv', content: `统一社会信用代码,单位名称,状态,日期,原因\n${id},信阳华丰建材有限公司,关闭,2023-09-15,企业关闭\n` });
    const done = await u.post('/registries/commit', { token: tokenOf(closed.body) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('已导入 1 条变化');
    expect(done.body).toContain('其中有早于已登记变更日期的变更，另补记 1 条记录，使其在之后的登记中继续有效。');
    expect((await registry.snapshotAt('2023-09-30')).units.find((x) => x.id === id)).toMatchObject({ status: 'closed', statusDate: '2023-09-15', address: expect.stringContaining('工区路90号') });
    const history = await u.get(`/registries/history?kind=unit&id=${id}&date=2023-09-30`);
    expect(history.body).toContain('2023-09-15的变更延续至此');
    expect(history.body).toMatch(/<th>状态<\/th><td>关闭<\/td>/);
  });

  it('escapes script in registry fields on every page', async () => {
    const u = await signedIn('admin1');
    const evil = '<img src=x onerror=alert(1)>项目';
    const res = await upload(u, 'new-units', { filename: 'evil.csv', content: `${BOM}${NEW_UNITS_HEAD}\n${makeUscc('91411502MA0000009')},"${evil}",一般,浉河区,"<script>x</script>",信阳,,否,,,否,2023-06-01\n` });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<img src=x');
    expect((await u.post('/registries/commit', { token: tokenOf(res.body) })).statusCode).toBe(200);
    for (const url of ['/registries/state?kind=unit&date=2023-06-01&q=' + encodeURIComponent('项目'), `/registries/history?kind=unit&id=${makeUscc('91411502MA0000009')}&date=2023-06-01`]) {
      const page = await u.get(url);
      expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;项目');
      expect(page.body).not.toContain('<img src=x');
      expect(page.body).not.toContain('<script>x');
    }
  });
});

describe("a brigade leader's reach (大队长只报送本大队的名录)", () => {
  const PC_HEAD = '人员编号,姓名,变动类型,新部门,新角色,执法证号,日期,原因';
  const newUnitRow = (id: string, name: string, area: string, date: string) => `${makeUscc(id)},${name},一般,${area},建材,信阳市${area}某路1号,,否,,,否,${date}`;

  it('tells a brigade leader what they may hand in, offers only those kinds, and imports new units of their own area', async () => {
    const u = await signedIn('leader');
    const page = (await u.get('/registries')).body;
    expect(page).toContain('您可报送本大队（浉河大队，辖区浉河区）辖区的新增单位、注销单位和本大队人员变动。');
    const offered = [...page.matchAll(/<option value="([a-z-]+)">/g)].map((m) => m[1]).filter((k) => (importKinds as readonly string[]).includes(k!));
    expect(offered).toEqual(['new-units', 'closed-units', 'personnel-changes']);
    for (const kind of importKinds) expect(page.includes(`<h2>${TEMPLATES[kind].title}</h2>`), kind).toBe(['new-units', 'closed-units', 'personnel-changes'].includes(kind));
    // Reading stays open: the registries at a date.
    expect((await u.get('/registries/state?kind=unit&date=2023-03-31')).statusCode).toBe(200);
    // Operations and the detachment: every kind, no brigade note.
    for (const login of ['admin1', 'det']) {
      const full = (await (await signedIn(login)).get('/registries')).body;
      expect(full).not.toContain('您可报送本大队');
      for (const kind of importKinds) expect(full).toContain(`<option value="${kind}">`);
    }

    const before = await registry.tableCounts();
    const file = `${BOM}${NEW_UNITS_HEAD}\n${newUnitRow('91411502MC0000001', '浉河本队新厂甲', '浉河区', '2023-07-01')}\n${newUnitRow('91411502MC0000002', '浉河本队新厂乙', '浉河区', '2023-07-02')}\n`;
    const res = await upload(u, 'new-units', { filename: '浉河大队新增.csv', content: file });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<dt>新增<\/dt><dd>2<\/dd>/);
    const done = await u.post('/registries/commit', { token: tokenOf(res.body) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('导入完成');
    expect(await registry.tableCounts()).toEqual({ batches: before.batches + 1, changes: before.changes + 2 });
  });

  it('refuses at preview a unit outside the brigade, naming the row, the unit and the rule; the detachment may', async () => {
    const u = await signedIn('leader');
    const before = await registry.tableCounts();
    const file = `${BOM}${NEW_UNITS_HEAD}\n${newUnitRow('91411502MC0000003', '浉河本队新厂丙', '浉河区', '2023-07-03')}\n${newUnitRow('91411502MC0000004', '息县某化工厂', '息县', '2023-07-03')}\n`;
    const res = await upload(u, 'new-units', { filename: 'mixed.csv', content: file });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('文件有 1 处问题，未导入任何数据');
    expect(res.body).toMatch(/第3行<\/td>\s*<td data-label="列">所在辖区<\/td>/);
    expect(res.body).toContain(`单位“息县某化工厂”（${makeUscc('91411502MC0000004')}）所在辖区为息县，不属于您的大队（浉河大队）的辖区（浉河区），大队长只能报送本大队辖区的新增或注销单位。`);
    expect(res.body).not.toContain('浉河本队新厂丙”');
    expect(tokenOf(res.body)).toBe('');
    const [previewed] = await c.store.listAudit({ action: 'registry.previewed', personId: 'P0005', limit: 1 });
    expect(previewed?.detail).toMatchObject({ brigade: 'brigade-shihe', outOfScope: 1 });

    // Closing a unit of 平桥区 (信阳宏达化工有限公司): refused as well.
    const closed = await upload(u, 'closed-units', { filename: 'closed-other.csv', content: `${BOM}统一社会信用代码,单位名称,状态,日期,原因\n91411503MA4BH4Y8J7,信阳宏达化工有限公司,关闭,2023-07-04,\n` });
    expect(closed.statusCode).toBe(422);
    expect(closed.body).toContain('单位“信阳宏达化工有限公司”（91411503MA4BH4Y8J7）在名录中所在辖区为平桥区，不属于您的大队（浉河大队）的辖区（浉河区）');
    expect(tokenOf(closed.body)).toBe('');
    expect(await registry.tableCounts()).toEqual(before);

    const det = await signedIn('det');
    const city = await upload(det, 'new-units', { filename: 'mixed.csv', content: file });
    expect(city.statusCode).toBe(200);
    expect(tokenOf(city.body)).not.toBe('');
  });

  it('refuses a city-wide kind with 403, audited, and a leader the registry does not know; the detachment may', async () => {
    const u = await signedIn('leader');
    const before = await registry.tableCounts();
    for (const kind of ['people', 'units', 'departments', 'conflicts']) {
      const res = await upload(u, kind, { filename: `${kind}.csv`, content: example('people.csv') }, { date: '2023-07-01' });
      expect(res.statusCode, kind).toBe(403);
      expect(res.body).toContain('大队长只能导入新增污染源清单、关停取缔污染源清单和人员变动清单');
      expect(res.body).toContain(`${TEMPLATES[kind as ImportKind].title}由支队长或系统管理员导入`);
    }
    const refused = await c.store.listAudit({ action: 'registry.import-refused', personId: 'P0005' });
    expect(refused.map((e) => e.detail.kind)).toEqual(expect.arrayContaining(['people', 'units', 'departments', 'conflicts']));
    expect(refused.find((e) => e.detail.kind === 'people')).toMatchObject({ target: 'people.csv', detail: { why: 'kind not for a brigade leader' } });

    const ghost = await signedIn('ghost');
    const page = (await ghost.get('/registries')).body;
    expect(page).toContain('今日名录中没有您（BL9）在职的人员记录');
    expect(page).not.toContain('action="/registries/preview"');
    expect((await upload(ghost, 'new-units', { filename: 'n.csv', content: example('new-units-2023Q1.csv') })).statusCode).toBe(403);
    expect(await registry.tableCounts()).toEqual(before);

    const det = await signedIn('det');
    expect((await upload(det, 'people', { filename: 'people.csv', content: example('people.csv') }, { date: '2023-07-01' })).statusCode).toBe(200);
  });

  it("changes of the brigade's own staff only: another brigade's person, a move out or in, a leader's role are refused", async () => {
    const u = await signedIn('leader');
    const before = await registry.tableCounts();
    const bad = [
      `${BOM}${PC_HEAD}`,
      'P0006,李晓东,离岗,,,,2023-07-05,学习', // row 2: own staff, fine
      'P0008,杨磊,离岗,,,,2023-07-05,', // row 3: 平桥大队
      'P0007,张静,调动,平桥大队,,,2023-07-05,', // row 4: a move out
      'P0009,黄文博,调动,浉河大队,,,2023-07-05,', // row 5: a move in
      'P0006,李晓东,角色调整,,执法人员、大队长,,2023-07-06,', // row 6: a leader's role
    ].join('\n');
    const res = await upload(u, 'personnel-changes', { filename: 'staff.csv', content: bad });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('文件有 4 处问题');
    expect(res.body).toContain('人员“杨磊”（P0008）属于平桥大队，不是本大队（浉河大队）的人员，大队长只能报送本大队人员的变动。');
    expect(res.body).toContain('人员“张静”（P0007）将调往平桥大队：人员调动须由支队长或系统管理员办理');
    expect(res.body).toContain('人员“黄文博”（P0009）现属于平桥大队：调入本大队（浉河大队）须由支队长或系统管理员办理');
    expect(res.body).toContain('人员“李晓东”（P0006）的角色将由“执法人员”改为“执法人员、大队长”：大队长只能增减本大队人员的执法人员角色');
    for (const row of [3, 4, 5, 6]) expect(res.body).toContain(`第${row}行`);
    expect(res.body).not.toContain('第2行');
    expect(tokenOf(res.body)).toBe('');
    expect(await registry.tableCounts()).toEqual(before);

    // The detachment leader may make every one of them.
    const det = await signedIn('det');
    expect((await upload(det, 'personnel-changes', { filename: 'staff.csv', content: bad })).statusCode).toBe(200);

    // Own staff's post, departure and inspector role (the leader gives up his own): imported.
    const good = [`${BOM}${PC_HEAD}`, 'P0006,李晓东,离岗,,,,2023-07-05,学习', 'P0007,张静,离职,,,,2023-07-05,', 'P0005,王志刚,角色调整,,大队长,,2023-07-05,'].join('\n');
    const ok = await upload(u, 'personnel-changes', { filename: 'staff-ok.csv', content: good });
    expect(ok.statusCode).toBe(200);
    expect((await u.post('/registries/commit', { token: tokenOf(ok.body) })).body).toContain('导入完成');
  });

  it('checks again at confirm: a unit moved to another area by an import after the preview is refused, naming it', async () => {
    const u = await signedIn('leader');
    const res = await upload(u, 'closed-units', { filename: 'closed-shihe.csv', content: `${BOM}统一社会信用代码,单位名称,状态,日期,原因\n91411502MA4CJ5A9KW,信阳南湾水务有限公司,关闭,2023-08-10,停产\n` });
    expect(res.statusCode).toBe(200);
    const token = tokenOf(res.body);
    expect(token).not.toBe('');
    // Meanwhile operations' units list puts the unit in 平桥区.
    const units = example('units.csv').toString('utf8').split(/\r?\n/);
    const row = units.find((l) => l.startsWith('91411502MA4CJ5A9KW,'))!;
    fs.writeFileSync(path.join(tmp, 'units-moved.csv'), `${units[0]}\n${row.replace(',浉河区,', ',平桥区,')}\n`);
    expect((await importRegistryFile(registry, path.join(tmp, 'units-moved.csv'), { kind: 'units', date: '2023-08-01', progress: false })).applied).toBe(true);
    const before = await registry.tableCounts();
    const refused = await u.post('/registries/commit', { token });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('确认时按名录现状重新核对，有 1 处超出您的报送范围');
    expect(refused.body).toContain('单位“信阳南湾水务有限公司”（91411502MA4CJ5A9KW）在名录中所在辖区为平桥区，不属于您的大队（浉河大队）的辖区（浉河区）');
    expect(refused.body).toContain('第2行');
    expect(refused.body).not.toContain('确认导入');
    expect(await registry.tableCounts()).toEqual(before);
    const [entry] = await c.store.listAudit({ action: 'registry.import-refused', personId: 'P0005', limit: 1 });
    expect(entry).toMatchObject({ target: 'closed-shihe.csv', detail: { why: 'outside the brigade at commit', brigade: 'brigade-shihe', outOfScope: 1 } });
  });
});

describe('screens', () => {
  const shoot = (from: Page, name: string, open: (page: Page) => Promise<void>) => screenshotBoth(browser, from, open, name);

  it('looks right at desktop and phone sizes: upload, preview with errors, preview, state, history', async () => {
    const pw = await signedInPage(browser, c.url, 'admin1', PASSWORD);
    const badFile = path.join(tmp, 'closed-bad.csv');
    fs.writeFileSync(badFile, [`${BOM}统一社会信用代码,单位名称,状态,日期,原因`, '91411503MA49F2W6GG,信阳金牛养殖厂,关闭,2023-02-28,', `${makeUscc('91411502MA0000001')},某厂,注销,2023-02-30,`].join('\n'));
    const goodFile = path.join(tmp, 'new-units-Q3.csv');
    fs.writeFileSync(goodFile, `${BOM}${NEW_UNITS_HEAD}\n${makeUscc('91411502MA0000011')},信阳恒通化工有限公司,一般,平桥区,化学原料和化学制品制造业,信阳市平桥区工业园8号,,否,,,否,2023-07-10\n`);
    const submit = (file: string, kind: string) => async (page: Page) => {
      await page.goto(`${c.url}/registries`);
      await page.selectOption('select[name=kind]', kind);
      await page.setInputFiles('input[name=file]', file);
      await page.click('form.registry-upload button[type=submit]');
      await page.waitForURL(`${c.url}/registries/preview`);
    };
    await shoot(pw, 'registries', async (page) => {
      await page.goto(`${c.url}/registries`);
    });
    await shoot(pw, 'registries-preview-errors', async (page) => {
      await submit(badFile, 'closed-units')(page);
      expect(await page.textContent('main')).toContain('问题清单');
    });
    const emptyFile = path.join(tmp, 'empty.csv');
    fs.writeFileSync(emptyFile, '');
    await shoot(pw, 'registries-refused', async (page) => {
      await page.goto(`${c.url}/registries`);
      await page.selectOption('select[name=kind]', 'closed-units');
      await page.fill('form.registry-upload input[name=date]', '2023-03-25');
      await page.setInputFiles('input[name=file]', emptyFile);
      await page.click('form.registry-upload button[type=submit]');
      await page.waitForURL(`${c.url}/registries/preview`);
      expect(await page.textContent('p.error')).toBe('文件“empty.csv”是空文件。');
      // What the browser shows and would send next: the kind and date as chosen.
      expect(await page.inputValue('select[name=kind]')).toBe('closed-units');
      expect(await page.inputValue('form.registry-upload input[name=date]')).toBe('2023-03-25');
    });
    await shoot(pw, 'registries-preview', async (page) => {
      await submit(goodFile, 'new-units')(page);
      expect(await page.textContent('main')).toContain('检查通过');
    });
    await shoot(pw, 'registries-state', async (page) => {
      await page.goto(`${c.url}/registries/state?kind=unit&date=2023-03-31`);
    });
    await shoot(pw, 'registries-history', async (page) => {
      await page.goto(`${c.url}/registries/history?kind=unit&id=91411503MA49F2W6GG&date=2023-02-27`);
    });
    await pw.context().close();
  }, 120_000);
});

describe('an import from the console is in force at once', () => {
  it("ends the session of a person the import marks 离职 on their next request, not within the minute the console's registry copy keeps", async () => {
    const c2 = await startConsole({ personName: async (id) => `人员${id}`, registry, people: await registryPeople(registry), env: { SSJ_CONSOLE_LOGIN_PER_MINUTE: '1000' } });
    try {
      // Both as examples/registry/people.csv has them: this console checks accounts against the registry.
      await addAccounts(c2.store, PASSWORD, [
        ['liu.admin', 'P0003', ['admin']],
        ['zhao.min', 'P0010', ['inspector']],
      ]);
      const inspector = new ConsoleClient(c2.app);
      expect((await inspector.login('zhao.min', PASSWORD)).statusCode).toBe(303);
      expect((await inspector.get('/')).statusCode).toBe(200);

      const admin = new ConsoleClient(c2.app);
      expect((await admin.login('liu.admin', PASSWORD)).statusCode).toBe(303);
      expect((await admin.get('/registries')).statusCode).toBe(200);
      const { payload, contentType } = multipartBody([
        ['_csrf', admin.csrf],
        ['kind', 'personnel-changes'],
        ['date', ''],
        ['file', { filename: 'leaving.csv', content: `${BOM}人员编号,姓名,变动类型,新部门,新角色,执法证号,日期,原因\nP0010,赵敏,离职,,,,2023-09-01,\n` }],
      ]);
      const preview = await c2.app.inject({ method: 'POST', url: '/registries/preview', payload, headers: { cookie: cookieOf(admin), 'content-type': contentType } });
      expect(preview.statusCode).toBe(200);
      expect((await admin.post('/registries/commit', { token: tokenOf(preview.body) })).body).toContain('导入完成');

      const next = await inspector.get('/');
      expect(next.statusCode).toBe(303);
      expect(next.headers.location).toBe('/login?next=%2F&ended=person');
    } finally {
      await c2.stop();
    }
  }, 120_000);
});
