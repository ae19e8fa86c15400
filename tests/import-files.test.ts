// Importing registry files: every example file, the all-or-nothing refusal with every problem
// listed, idempotent re-import, encodings, .xlsx quirks, and the command line's exit codes.
import ExcelJS from 'exceljs';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDigest } from './helpers/sqlite-digest';
import { makeUscc } from '../domain/uscc';
import { ImportRefused, importRegistryFile, type ImportOptions } from '../files/registry/import-file';
import { silentProgress, terminalProgress } from '../files/registry/progress';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { SQLITE_STORE_FILE } from '../stores/open';
import { legacyAsyncView, openLegacyRegistry } from './helpers/legacy-registry';
import { TEMPLATES } from '../files/registry/templates';

const ROOT = path.resolve(__dirname, '..');
const EX = path.join(ROOT, 'examples', 'registry');
let tmp: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-import-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const storeDigest = sqliteDigest;

/** A registry store in its own data folder under tmp (SQLite ssj.db; tests/store-registry.test.ts covers PostgreSQL). */
function openAt(name: string): Promise<RegistryStore> {
  return openRegistryStore({ dataDir: path.join(tmp, name), databaseUrl: null });
}
const storeFile = (name: string): string => path.join(tmp, name, SQLITE_STORE_FILE);

async function refused(p: Promise<unknown>): Promise<ImportRefused> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ImportRefused) return err;
    throw err;
  }
  throw new Error('the import was not refused');
}

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

const BASE_FILES: [string, ImportOptions][] = [
  ['departments.csv', { kind: 'departments', date: '2022-12-31' }],
  ['units.csv', { kind: 'units', date: '2022-12-31' }],
  ['people.csv', { kind: 'people', date: '2022-12-31' }],
  ['conflicts.csv', { kind: 'conflicts' }],
];
const QUARTER_FILES: [string, ImportOptions][] = [
  ['new-units-2023Q1.csv', { kind: 'new-units', source: '2023Q1 quarterly list from 浉河大队' }],
  ['closed-units-2023Q1.csv', { kind: 'closed-units' }],
  ['personnel-changes-2023Q1.csv', { kind: 'personnel-changes' }],
];

async function importAll(store: RegistryStore, files: [string, ImportOptions][]): Promise<void> {
  for (const [f, o] of files) {
    const r = await importRegistryFile(store, path.join(EX, f), { ...o, progress: false });
    expect(r.applied, f).toBe(true);
  }
}

describe('example files', async () => {
  let store: RegistryStore;
  beforeAll(async () => {
    store = await openAt('examples');
    await importAll(store, [...BASE_FILES, ...QUARTER_FILES]);
  });
  afterAll(() => store.close());

  it('every example imports, and the registry reads as the files say at the base date', async () => {
    const s = await store.snapshotAt('2022-12-31');
    expect(s.departments).toHaveLength(19);
    expect(s.units).toHaveLength(10);
    expect(s.units.filter((u) => u.idKind === 'local').map((u) => u.id)).toEqual(['LOCAL-SH-2022-0001']);
    expect(s.units.filter((u) => u.positiveList).map((u) => u.positiveKind)).toEqual(['livelihood']);
    expect(s.units.filter((u) => u.category === 'special' && u.specialProblem)).toHaveLength(1);
    expect(s.people).toHaveLength(15);
    expect(s.people.find((p) => p.id === 'P0011')!.inspector!.onPost).toBe(false);
    expect(s.people.find((p) => p.id === 'P0013')!.inspector!.onStaff).toBe(false);
    expect(s.people.find((p) => p.id === 'P0005')!.roles).toEqual(['brigade-leader', 'inspector']);
    expect(s.conflicts).toHaveLength(2);
    expect(s.departments.find((d) => d.id === 'county-xixian')).toMatchObject({ kind: 'county-brigade', jurisdiction: 'xixian', name: '息县生态环境综合行政执法大队' });
  });

  it('the quarterly lists change the registry on their own dates', async () => {
    const end = await store.snapshotAt('2023-03-31');
    expect(end.units).toHaveLength(12);
    expect(end.units.filter((u) => u.status === 'closed').map((u) => u.statusDate).sort()).toEqual(['2023-02-28', '2023-03-20']);
    const person = async (date: string, id: string) => (await store.snapshotAt(date)).people.find((p) => p.id === id)!;
    expect((await person('2023-01-15', 'P0010')).department).toBe('brigade-yangshan');
    expect((await person('2023-01-16', 'P0010')).department).toBe('brigade-shihe');
    expect((await person('2023-02-01', 'P0011')).inspector!.onPost).toBe(true);
    expect((await person('2023-03-01', 'P0014')).inspector!.onPost).toBe(false);
    expect(await person('2023-03-10', 'P0003')).toMatchObject({ roles: ['admin', 'inspector'], inspector: { certificateNo: '4115000011' } });
    expect((await store.snapshotAt('2023-02-13')).units).toHaveLength(10);
    expect((await store.snapshotAt('2023-02-14')).units).toHaveLength(11);
    const newBatch = (await store.batches()).find((b) => b.kind === 'new-units')!;
    expect(newBatch.source).toBe('2023Q1 quarterly list from 浉河大队');
    expect((await store.history('unit', 'LOCAL-YS-2023-0001'))[0]).toMatchObject({ effectiveDate: '2023-03-06', source: '2023Q1 quarterly list from 浉河大队' });
    expect((await store.history('person', 'P0014')).at(-1)).toMatchObject({ reason: '脱产学习', effectiveDate: '2023-03-01' });
  });

  it('a closed-units list that arrives after a later-dated correction of the same unit still closes it from its date on', async () => {
    const s = await openAt('backdated');
    try {
      for (const [file, o] of BASE_FILES.slice(0, 2)) await importRegistryFile(s, path.join(EX, file), { ...o, progress: false });
      const [heading, ...rows] = fs.readFileSync(path.join(EX, 'units.csv'), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
      const row = rows.find((l) => l.startsWith('91411502MA44X0K1A8'))!;
      // The detachment corrects the address, effective 25 March; the brigade's list closing the unit on 15 March comes after.
      const fix = write('address-fix.csv', `${heading}\n${row.replace('工区路88号', '工区路90号')}\n`);
      expect((await importRegistryFile(s, fix, { kind: 'units', date: '2023-03-25', progress: false })).changes).toBe(1);
      const closed = write('closed-late.csv', '统一社会信用代码,单位名称,状态,日期,原因\n91411502MA44X0K1A8,信阳华丰建材有限公司,关闭,2023-03-15,企业关闭\n');
      const dry = await importRegistryFile(s, closed, { kind: 'closed-units', progress: false, dryRun: true });
      expect(dry).toMatchObject({ applied: false, changes: 1 });
      expect(await importRegistryFile(s, closed, { kind: 'closed-units', progress: false })).toMatchObject({ applied: true, changes: 1, carried: 1 });
      const on = async (date: string) => (await s.snapshotAt(date)).units.find((u) => u.id === '91411502MA44X0K1A8')!;
      expect(await on('2023-03-20')).toMatchObject({ status: 'closed', address: expect.stringContaining('工区路88号') });
      expect(await on('2023-03-31')).toMatchObject({ status: 'closed', statusDate: '2023-03-15', address: expect.stringContaining('工区路90号') });
    } finally {
      await s.close();
    }
  });

  it('re-importing the same file records nothing; a re-saved copy with the same rows records no change', async () => {
    const before = await store.tableCounts();
    const again = await importRegistryFile(store, path.join(EX, 'units.csv'), { kind: 'units', date: '2022-12-31', progress: false });
    expect(again).toMatchObject({ applied: false, alreadyImported: true, changes: 0 });
    expect(await store.tableCounts()).toEqual(before);
    // Same rows, different bytes (no BOM, LF line ends), same date: a new batch, but every row is unchanged.
    const copy = write('units-resaved.csv', fs.readFileSync(path.join(EX, 'units.csv'), 'utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n'));
    const resaved = await importRegistryFile(store, copy, { kind: 'units', date: '2022-12-31', progress: false });
    expect(resaved).toMatchObject({ applied: true, changes: 0, unchanged: 10 });
    expect((await store.tableCounts()).changes).toBe(before.changes);
  });

  it('a dry run checks and counts but writes nothing', async () => {
    const before = await store.tableCounts();
    const [heading, ...rows] = fs.readFileSync(path.join(EX, 'new-units-2023Q1.csv'), 'utf8').split('\r\n');
    const project = rows.find((r) => r.startsWith('LOCAL-YS-2023-0001'))!.replace('LOCAL-YS-2023-0001', 'LOCAL-YS-2023-0002');
    const copy = write('new-units-dry.csv', `${heading}\n${project}\n`);
    const r = await importRegistryFile(store, copy, { kind: 'new-units', dryRun: true, progress: false });
    expect(r).toMatchObject({ applied: false, dryRun: true, changes: 1, batch: null });
    expect(await store.tableCounts()).toEqual(before);
  });

  it('.xlsx examples give the same registry as the .csv ones', async () => {
    const x = await openAt('xlsx');
    await importAll(x, [
      ['departments.csv', { kind: 'departments', date: '2022-12-31' }],
      ['units.xlsx', { kind: 'units', date: '2022-12-31' }],
      ['people.xlsx', { kind: 'people', date: '2022-12-31' }],
    ]);
    const a = await x.snapshotAt('2022-12-31');
    const b = await store.snapshotAt('2022-12-31');
    expect(a.units).toEqual(b.units);
    expect(a.people).toEqual(b.people);
    await x.close();
  });
});

describe('refusals', () => {
  let store: RegistryStore;
  let file: string;
  let digest: string;
  beforeAll(async () => {
    file = storeFile('refusals');
    store = await openAt('refusals');
    await importAll(store, BASE_FILES);
    digest = storeDigest(file);
  });
  afterAll(() => store.close());

  it('the broken example is refused with every problem listed, and the store is unchanged', async () => {
    const err = await refused(importRegistryFile(store, path.join(EX, 'broken', 'units-with-errors.csv'), { kind: 'units', date: '2023-01-01', progress: false }));
    const lines = err.problems.map((p) => `${p.row}|${p.column}|${p.rule}`);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^2\|统一社会信用代码\|.*check character is ., expected 8/);
    expect(lines[1]).toBe('3|类别|must be one of 重点/一般/特殊, got "重要"');
    expect(lines[2]).toMatch(/^4\|所在辖区\|"南湾区" is neither a known district/);
    expect(lines[3]).toMatch(/^5\|状态日期\|"2023-02-30" is not a calendar date/);
    expect(lines.slice(4)).toEqual([
      '6|类别|must be one of 重点/一般/特殊, got "重要"',
      expect.stringMatching(/^6\|统一社会信用代码\|duplicate unit id "91411503MA45B7Q2C4": already on row 3/),
    ]);
    expect(err.message).toContain('units-with-errors.csv, row 3, column 类别: must be one of 重点/一般/特殊');
    expect(err.message).toContain('nothing was imported');
    expect(storeDigest(file)).toBe(digest);
  });

  it('people: unknown department, inspector without certificate, bad e-mail, duplicate id, duplicate certificate', async () => {
    const f = write(
      'people-bad.csv',
      [
        '序号,人员编号,姓名,部门,角色,电子邮箱,执法证号,在编,在岗,专长,在职',
        '1,P0100,甲,浉河大队,执法人员,a@example.org,4115009999,是,是,,是',
        '2,P0101,乙,南湾大队,执法人员,b@example.org,4115009998,是,是,,是',
        '3,P0102,丙,浉河大队,执法人员,c@example.org,,是,是,,是',
        '4,P0103,丁,brigade-shihe,分管领导,not-an-email,,,,,是',
        '5,P0100,戊,平桥大队,执法人员,e@example.org,4115009997,是,是,,是',
        '6,P0104,己,平桥大队,执法人员,f@example.org,4115000001,是,也许,,是',
        '7,P0105,庚,平桥大队,队员,g@example.org,,,,,是',
      ].join('\n'),
    );
    const err = await refused(importRegistryFile(store, f, { kind: 'people', date: '2023-01-01', progress: false }));
    const got = err.problems.map((p) => `${p.row} ${p.column}: ${p.rule}`);
    expect(got).toEqual([
      '3 部门: unknown department "南湾大队": not in the registry (give its 部门编码 or exact 部门名称)',
      '4 执法证号: an inspector (执法人员) must have an enforcement certificate number (执法证号)',
      '5 电子邮箱: "not-an-email" is not an e-mail address',
      '6 人员编号: duplicate person id "P0100": already on row 2 of this file',
      '7 执法证号: certificate 4115000001 already belongs to P0005',
      '7 在岗: must be one of 是/否, got "也许"',
      '8 角色: unknown role "队员"; roles are 执法人员/分管领导/大队长/支队长/系统管理员/纪检人员/上级联系人 (separate several with 、)',
    ]);
    expect(storeDigest(file)).toBe(digest);
  });

  it('change lists: unit or person not in the registry, bad dates, wrong name, date order', async () => {
    const unknown = makeUscc('91411502ZZZZZZZZZ'.replace(/Z/g, '1'));
    const closed = write(
      'closed-bad.csv',
      ['统一社会信用代码,单位名称,状态,日期,原因', `${unknown},,关闭,2023-03-01,`, '91411502MA44X0K1A8,错误的名称,关闭,2023-03-01,', '91411503MA45B7Q2C4,,停产,2023/3/1,', '91411571MA46C8R3DY,,取缔,2023-13-01,'].join('\n'),
    );
    const e1 = await refused(importRegistryFile(store, closed, { kind: 'closed-units', progress: false }));
    expect(e1.problems.map((p) => `${p.row} ${p.column}: ${p.rule}`)).toEqual([
      `2 统一社会信用代码: unit id ${unknown} is not in the registry`,
      '3 单位名称: does not match the registry: 91411502MA44X0K1A8 is "信阳华丰建材有限公司"',
      '4 状态: must be one of 关闭/取缔, got "停产"',
      '5 日期: "2023-13-01" is not a calendar date (write 2023-03-31)',
    ]);
    const changes = write(
      'personnel-bad.csv',
      ['人员编号,姓名,变动类型,新部门,新角色,执法证号,日期,原因', 'P9999,,离岗,,,,2023-02-01,', 'P0006,,调动,,,,2023-02-01,', 'P0006,,离岗,,,,2023-01-01,', 'P0002,,离岗,,,,2023-02-01,', 'P0004,,角色调整,,纪检人员、执法人员,,2023-02-01,'].join('\n'),
    );
    const e2 = await refused(importRegistryFile(store, changes, { kind: 'personnel-changes', progress: false }));
    expect(e2.problems.map((p) => `${p.row} ${p.column}: ${p.rule}`)).toEqual([
      '2 人员编号: person P9999 is not in the registry',
      '3 新部门: 调动 needs 新部门',
      '4 日期: rows for P0006 must be in date order: this one (2023-01-01) is before an earlier row\'s (2023-02-01)',
      '5 变动类型: P0002 is not an inspector (执法人员): 在编/在岗 changes apply to inspectors only',
      '6 执法证号: an inspector (执法人员) must have an enforcement certificate number (执法证号)',
    ]);
    const conflicts = write('conflicts-bad.csv', ['执法人员编号,统一社会信用代码,回避原因,申报日期,操作', 'P0002,91411502MA44X0K1A8,亲属,,', 'P0006,91411502MA44X0K1A9,亲属,,', 'P0007,91411502MA44X0K1A8,朋友,2023-01-01,'].join('\n'));
    const e3 = await refused(importRegistryFile(store, conflicts, { kind: 'conflicts', date: '2023-01-05', progress: false }));
    expect(e3.problems.map((p) => `${p.row} ${p.column}: ${p.rule}`)).toEqual([
      '2 执法人员编号: P0002 (陈国强) is not an inspector (执法人员)',
      '3 统一社会信用代码: unit id 91411502MA44X0K1A9 is not in the registry (check character is 9, expected 8 (GB 32100-2015))',
      '4 回避原因: must be one of 亲属/曾任职/持股/本人申报/其他, got "朋友"',
    ]);
    const early = write('conflicts-early.csv', ['执法人员编号,统一社会信用代码,回避原因,申报日期', 'P0006,91411503MA45B7Q2C4,持股,2022-12-01'].join('\n'));
    const e4 = await refused(importRegistryFile(store, early, { kind: 'conflicts', progress: false }));
    expect(e4.problems.map((p) => p.rule)).toEqual([
      "person P0006 enters the registry only on 2022-12-31, after this file's date 2022-12-01",
      "unit id 91411503MA45B7Q2C4 enters the registry only on 2022-12-31, after this file's date 2022-12-01",
    ]);
    expect(storeDigest(file)).toBe(digest);
  });

  it('headings: a missing required column and an unknown one are named on row 1', async () => {
    const f = write('units-headings.csv', '统一社会信用代码,单位名称,类型,所在辖区,行业,地址\n91411502MA44X0K1A8,x,重点,浉河区,,y\n');
    const err = await refused(importRegistryFile(store, f, { kind: 'units', date: '2023-01-01', progress: false }));
    expect(err.problems.map((p) => `${p.row} ${p.column}: ${p.rule}`)).toEqual([
      `1 类型: unknown column for 监管对象名录; the columns are ${TEMPLATES.units.columns.map((c) => c.heading).join(', ')}`,
      '1 类别: required column is missing',
    ]);
  });

  it('lists at most 50 problems in the message, says how many more, and keeps them all', async () => {
    const rows = ['统一社会信用代码,单位名称,类别,所在辖区,行业,地址'];
    for (let i = 0; i < 120; i++) rows.push(`LOCAL-X-${i},名称,重要,浉河区,,地址`);
    const err = await refused(importRegistryFile(store, write('many.csv', rows.join('\n')), { kind: 'units', date: '2023-01-01', progress: false }));
    expect(err.problems).toHaveLength(120);
    expect(err.message.split('\n').filter((l) => l.includes('must be one of'))).toHaveLength(50);
    expect(err.message).toContain('… and 70 more problem(s)');
    expect(storeDigest(file)).toBe(digest);
  });

  it('a list without a date column needs --date', async () => {
    const copy = write('departments-copy.csv', fs.readFileSync(path.join(EX, 'departments.csv'), 'utf8') + '\r\n');
    const err = await refused(importRegistryFile(store, copy, { kind: 'departments', progress: false }));
    expect(err.problems[0]!.rule).toMatch(/--date/);
  });
});

describe('encodings and .xlsx cells', () => {
  it('reads a GB18030 CSV (as Chinese Excel saves it)', async () => {
    const store = await openAt('gb');
    const f = path.join(tmp, 'departments-gb.csv');
    fs.writeFileSync(
      f,
      Buffer.from(
        'b2bfc3c5b1e0c2eb2cb2bfc3c5c3fbb3c62cb2bfc3c5c0e0d0cd2ccfbdc7f82cb5e7d7d3d3cacfe40d0a627269676164652d73686968652c9bb8bad3b4f3b6d32cd6b1caf4b4f3b6d32c9bb8bad3c7f82c7368696865406578616d706c652e6f72670d0a',
        'hex',
      ),
    );
    const r = await importRegistryFile(store, f, { kind: 'departments', date: '2022-12-31', progress: false });
    expect(r.encoding).toBe('gb18030');
    expect((await store.snapshotAt('2022-12-31')).departments).toEqual([
      { id: 'brigade-shihe', kind: 'direct-brigade', name: '浉河大队', jurisdiction: 'shihe', email: 'shihe@example.org' },
    ]);
    await store.close();
  });

  it('.xlsx: date cells and hyperlinked e-mails are read; an 18-digit code stored as a number is refused', async () => {
    const store = await openAt('cells');
    await importRegistryFile(store, path.join(EX, 'departments.csv'), { kind: 'departments', date: '2022-12-31', progress: false });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人员名录');
    ws.addRow(['人员编号', '姓名', '部门', '角色', '电子邮箱']);
    ws.addRow(['P1', '甲', '办公室', '系统管理员', { text: 'p1@example.org', hyperlink: 'mailto:p1@example.org' }]);
    const f = path.join(tmp, 'people-cells.xlsx');
    await wb.xlsx.writeFile(f);
    await importRegistryFile(store, f, { kind: 'people', date: '2022-12-31', progress: false });
    expect((await store.snapshotAt('2022-12-31')).people[0]).toMatchObject({ id: 'P1', department: 'section-3', email: 'p1@example.org', roles: ['admin'] });

    const wb2 = new ExcelJS.Workbook();
    const ws2 = wb2.addWorksheet('新增');
    ws2.addRow(['统一社会信用代码', '单位名称', '类别', '所在辖区', '行业', '地址', '纳入日期']);
    ws2.addRow([914115020000000000, '数字代码公司', '一般', '浉河区', '', '地址', new Date(Date.UTC(2023, 1, 3))]);
    ws2.addRow(['LOCAL-SH-2023-0100', '日期单元格项目', '一般', '浉河区', '建设项目', '地址', new Date(Date.UTC(2023, 1, 3))]);
    const f2 = path.join(tmp, 'new-units-cells.xlsx');
    await wb2.xlsx.writeFile(f2);
    const err = await refused(importRegistryFile(store, f2, { kind: 'new-units', progress: false }));
    expect(err.problems).toHaveLength(2);
    expect(err.problems[0]).toMatchObject({ row: 2, column: '统一社会信用代码', rule: expect.stringMatching(/format the column as text/) });
    ws2.spliceRows(2, 1);
    await wb2.xlsx.writeFile(f2);
    await importRegistryFile(store, f2, { kind: 'new-units', progress: false });
    expect((await store.history('unit', 'LOCAL-SH-2023-0100'))[0]).toMatchObject({ effectiveDate: '2023-02-03' });
    await store.close();
  });

  it('refuses file types and encodings it cannot read, saying what to do', async () => {
    const store = await openAt('types');
    const err = await refused(importRegistryFile(store, write('units.xls', 'x'), { kind: 'units', date: '2023-01-01', progress: false }));
    expect(err.problems.map((p) => p.rule)).toEqual([expect.stringMatching(/unsupported file type .xls/)]);
    const utf16 = path.join(tmp, 'units-utf16.csv');
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('统一社会信用代码\t单位名称\r\n', 'utf16le')]));
    const e2 = await refused(importRegistryFile(store, utf16, { kind: 'units', date: '2023-01-01', progress: false }));
    expect(e2.problems.map((p) => p.rule)).toEqual([expect.stringMatching(/UTF-16.*CSV UTF-8/)]);
    await store.close();
  });
});

describe('progress', () => {
  it('draws nothing when stderr is not a terminal', () => {
    expect(terminalProgress({ isTTY: false } as NodeJS.WriteStream)).toBe(silentProgress);
  });
});

describe('ssj registry (command line)', () => {
  function ssj(dataDir: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env, SSJ_DATA_DIR: dataDir };
    delete env.SSJ_DATABASE_URL; // the registries in the data folder's ssj.db
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'client/ssj.ts', 'registry', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('exit 0 for a good file, 2 for a bad one (problems on stderr, store unchanged), 3 for a missing database', () => {
    const dir = path.join(tmp, 'cli');
    const db = path.join(dir, SQLITE_STORE_FILE);
    const missing = ssj(dir, 'show');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`no registry database at ${db}`);
    const ok = ssj(dir, 'import', '--kind', 'departments', '--date', '2022-12-31', path.join(EX, 'departments.csv'));
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/departments\.csv: imported as batch 1 .*19 change\(s\) recorded/);
    const digest = storeDigest(db);
    const bad = ssj(dir, 'import', '--kind', 'units', '--date', '2022-12-31', path.join(EX, 'broken', 'units-with-errors.csv'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('units-with-errors.csv refused: 6 problem(s)');
    expect(bad.stderr).toContain('row 2, column 统一社会信用代码');
    expect(storeDigest(db)).toBe(digest);
    const show = ssj(dir, 'show', '--at', '2023-01-01');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`registry in ${db} at the end of 2023-01-01`);
    expect(show.stdout).toMatch(/departments +19/);
    expect(ssj(dir, 'history', 'no-such-id').code).toBe(3);
  }, 240_000); // five real processes on a busy two-core machine

  it('ssj changes submit names only an imported change list: a made-up batch or the city registry is refused before any message is sent', () => {
    const dir = path.join(tmp, 'cli-changes');
    for (const [file, kind] of [['departments.csv', 'departments'], ['units.csv', 'units'], ['people.csv', 'people']] as const) {
      expect(ssj(dir, 'import', '--kind', kind, '--date', '2022-12-31', path.join(EX, file)).code).toBe(0);
    }
    const submit = (...args: string[]) => {
      const env: NodeJS.ProcessEnv = { ...process.env, SSJ_DATA_DIR: dir };
      delete env.SSJ_DATABASE_URL;
      return spawnSync(process.execPath, ['--import', 'tsx', 'client/ssj.ts', 'changes', 'submit', 'brigade-shihe', '--as', 'P0005', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env });
    };
    const madeUp = submit('--batch', 'new-units:deadbeef');
    expect(madeUp.status, madeUp.stderr).toBe(2);
    expect(madeUp.stderr).toContain('--batch new-units:deadbeef: no such batch in the registry');
    // `ssj registry batches` lists each batch's number and key; the city's units list is no change list, by either.
    const listed = ssj(dir, 'batches').stdout;
    const units = listed.split('\n').map((l) => l.split('\t')).find((cols) => cols[0] === '2')?.at(-1) ?? '';
    expect(units, listed).toMatch(/^units:/);
    for (const given of [units, '2']) {
      const city = submit('--batch', given);
      expect(city.status).toBe(2);
      expect(city.stderr).toContain(`--batch ${given}: a units batch is not a change list; a change list is a batch of kind new-units, closed-units, personnel-changes`);
    }
  }, 240_000);

  it('says when an import carries changes dated before later-recorded ones past them', async () => {
    const dir = path.join(tmp, 'cli-backdated');
    const s = await openRegistryStore({ dataDir: dir, databaseUrl: null });
    try {
      for (const [file, o] of BASE_FILES.slice(0, 2)) await importRegistryFile(s, path.join(EX, file), { ...o, progress: false });
      const [heading, ...rows] = fs.readFileSync(path.join(EX, 'units.csv'), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
      const row = rows.find((l) => l.startsWith('91411502MA44X0K1A8'))!;
      await importRegistryFile(s, write('cli-address-fix.csv', `${heading}\n${row.replace('工区路88号', '工区路90号')}\n`), { kind: 'units', date: '2023-03-25', progress: false });
    } finally {
      await s.close();
    }
    const closed = write('cli-closed-late.csv', '统一社会信用代码,单位名称,状态,日期,原因\n91411502MA44X0K1A8,信阳华丰建材有限公司,关闭,2023-03-15,企业关闭\n');
    const r = ssj(dir, 'import', '--kind', 'closed-units', closed);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 change(s) recorded, 0 row(s) unchanged; 1 more record(s) keep changes dated before later-recorded ones in force past them');
  }, 120_000);

  it('adopt carries a registry.db of an earlier release over, once', async () => {
    const legacyFile = path.join(tmp, 'legacy', 'registry.db');
    const legacy = openLegacyRegistry(legacyFile);
    await importRegistryFile(legacyAsyncView(legacy), path.join(EX, 'departments.csv'), { kind: 'departments', date: '2022-12-31', progress: false });
    legacy.close();
    const dir = path.join(tmp, 'adopt');
    const first = ssj(dir, 'adopt', legacyFile);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('1 batch(es); 1 carried over into');
    expect(ssj(dir, 'adopt', legacyFile).stdout).toContain('0 carried over');
    const show = ssj(dir, 'show', '--at', '2023-01-01');
    expect(show.stdout).toMatch(/departments +19/);
  }, 240_000);
});
