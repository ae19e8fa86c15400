// Quoting in registry CSVs is read strictly, as RFC 4180 and Excel write it: a quoted field ends at
// a quote followed by a comma, a line end or the end of the file, and a quote inside a field is
// doubled. Anything else (text after the closing quote, a quote in a field that is not quoted, a
// quote never closed) is a problem naming the row and column, and the import is refused whole.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departmentsRegistry, type DepartmentsRegistry } from './helpers/departments-registry';
import { sqliteDigest } from './helpers/sqlite-digest';
import { ImportRefused, importRegistryFile } from '../files/registry/import-file';
import { MAX_PROBLEMS, parseCsv, readTable } from '../files/registry/read-table';
import type { RegistryStore } from '../stores/registry-store';

const EX = path.resolve(__dirname, '..', 'examples', 'registry');

const AFTER = 'text after the closing quote of a quoted field; a quote inside a field is written as two quotes ("")';
const INSIDE = 'a quote inside a field that is not in quotes; such a field is written in quotes, with each quote inside it written as two quotes ("")';
const SPACE_BEFORE = 'a space before the opening quote of a quoted field; the opening quote must be the first character of the field';
const SPACE_AFTER = 'a space after the closing quote of a quoted field; the comma or line end must follow the closing quote directly';
const UNCLOSED = 'a quoted field starting on this row is never closed: the file ends inside it (a closing quote is missing, or a quote inside the field is not written as two quotes "")';

/** The problems readTable finds in `text` saved as p.csv, as `row column: rule`. */
async function csvProblems(text: string): Promise<string[]> {
  const t = await readTable('p.csv', Buffer.from(text));
  expect(t.problems.every((p) => p.file === 'p.csv')).toBe(true);
  return t.problems.map((p) => `${p.row} ${p.column}: ${p.rule}`);
}

describe('broken quoting is a problem naming the row and column', () => {
  it('text after the closing quote', async () => {
    expect(await csvProblems('人员编号,姓名\nP1,"赵敏"（借调）\nP2,"吴"勇"\n')).toEqual([`2 姓名: ${AFTER}`, `3 姓名: ${AFTER}`]);
    expect(parseCsv('P1,"赵敏"（借调）\nP2,"吴"勇"').problems).toEqual([
      { record: 1, field: 1, message: AFTER },
      { record: 2, field: 1, message: AFTER },
    ]);
  });

  it('a quote inside a field that is not quoted', async () => {
    expect(await csvProblems('人员编号,姓名,部门\nP1,吴"勇,办公室\nP2,王五,办"公"室\n')).toEqual([`2 姓名: ${INSIDE}`, `3 部门: ${INSIDE}`]);
  });

  it('a space before the opening quote or after the closing quote', async () => {
    expect(await csvProblems('人员编号,姓名,部门\nP1, "赵敏",办公室\nP2,"王五" ,办公室\n')).toEqual([`2 姓名: ${SPACE_BEFORE}`, `3 姓名: ${SPACE_AFTER}`]);
  });

  it('a quoted field never closed names the row and column where it started', async () => {
    expect(await csvProblems('人员编号,姓名\nP1,赵敏\nP2,"吴勇\nP3,王五\n')).toEqual([`3 姓名: ${UNCLOSED}`]);
    expect(parseCsv('a,b\n"x').problems).toEqual([{ record: 2, field: 0, message: UNCLOSED }]);
  });

  it('a quoted field running over lines is named by the row it started on', async () => {
    // The quote before P2 closes the field opened on row 2; "P2" then follows it.
    expect(await csvProblems('人员编号,姓名\nP1,"赵敏\n"P2",吴勇\n')).toEqual([`2 姓名: ${AFTER}`]);
  });

  it('one problem per field, every broken field named', async () => {
    expect(await csvProblems('人员编号,姓名,部门\n"P1"x"y"z,a"b"c,"办公室"\n')).toEqual([`2 人员编号: ${AFTER}`, `2 姓名: ${INSIDE}`]);
  });

  it('a problem in the heading row, and in a cell beyond the last heading', async () => {
    expect(await csvProblems('人员编号,"姓名"x\nP1,赵敏,"a"b\n')).toEqual([`1 姓名x: ${AFTER}`, `2 #3: ${AFTER}`]);
  });

  it('the first MAX_PROBLEMS problems are kept, the rest counted', async () => {
    const t = await readTable('many.csv', Buffer.from('人员编号,姓名\n' + 'P1,吴"勇\n'.repeat(MAX_PROBLEMS + 500)));
    expect(t.problems).toHaveLength(MAX_PROBLEMS);
    expect(t.moreProblems).toBe(500);
    expect(t.problems[MAX_PROBLEMS - 1]).toEqual({ file: 'many.csv', row: MAX_PROBLEMS + 1, column: '姓名', rule: INSIDE });
  });
});

describe('valid quoting reads as before', () => {
  it('doubled quotes, commas and line breaks inside quotes, empty quoted fields', () => {
    const text = 'a,"",b\r\n"x ""y"", z","line1\r\nline2\nline3",""""\n"",,""\r\n"end"';
    expect(parseCsv(text)).toEqual({
      records: [
        ['a', '', 'b'],
        ['x "y", z', 'line1\r\nline2\nline3', '"'],
        ['', '', ''],
        ['end'],
      ],
      problems: [],
      moreProblems: 0,
    });
  });

  it('a quoted field at the end of the file, with or without a line end', () => {
    expect(parseCsv('a,"b"').records).toEqual([['a', 'b']]);
    expect(parseCsv('a,"b"\r\n').records).toEqual([['a', 'b']]);
    expect(parseCsv('a,"b"\n').records).toEqual([['a', 'b']]);
    expect(parseCsv('a,"b"\r').records).toEqual([['a', 'b']]);
    expect(parseCsv('a,""').records).toEqual([['a', '']]);
  });

  it('a BOM, CRLF and quotes in a UTF-8 file', async () => {
    const t = await readTable('q.csv', Buffer.from('\uFEFF人员编号,姓名,专长\r\n"P1","赵敏（""借调""）","水, 气\r\n固废"\r\n'));
    expect(t).toMatchObject({ headers: ['人员编号', '姓名', '专长'], rows: [{ row: 2, cells: ['P1', '赵敏（"借调"）', '水, 气\r\n固废'] }], problems: [], encoding: 'utf-8' });
  });

  it('quotes in a GB18030 file', async () => {
    // "浉河大队,""一""",直属大队 in GB18030, under ASCII headings.
    const bytes = Buffer.concat([
      Buffer.from('a,b\r\n"'),
      Buffer.from('9bb8bad3b4f3b6d3', 'hex'),
      Buffer.from(',""x""",'),
      Buffer.from('d6b1caf4b4f3b6d3', 'hex'),
      Buffer.from('\r\n'),
    ]);
    const t = await readTable('gb.csv', bytes);
    expect(t).toMatchObject({ encoding: 'gb18030', headers: ['a', 'b'], rows: [{ row: 2, cells: ['浉河大队,"x"', '直属大队'] }], problems: [] });
  });

  /** `text` as Excel saves it with every field quoted: "" for a quote, CRLF line ends. */
  function excelQuoted(text: string): string {
    const { records, problems } = parseCsv(text.replace(/^\uFEFF/, ''));
    expect(problems).toEqual([]);
    return '\uFEFF' + records.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
  }

  it.each(fs.readdirSync(EX).filter((f) => f.endsWith('.csv')))('%s reads the same plain and with every field quoted', async (name) => {
    const text = fs.readFileSync(path.join(EX, name), 'utf8');
    const plain = await readTable(name, Buffer.from(text));
    expect(plain.problems).toEqual([]);
    const quoted = await readTable(name, Buffer.from(excelQuoted(text)));
    expect(quoted.problems).toEqual([]);
    expect(quoted.headers).toEqual(plain.headers);
    expect(quoted.rows).toEqual(plain.rows);
  });
});

describe('an import with broken quoting is refused whole', () => {
  let reg: DepartmentsRegistry;
  let tmp: string;
  let store: RegistryStore;
  let dbFile: string;
  beforeAll(async () => {
    reg = await departmentsRegistry('ssj-quotes-');
    ({ tmp, store, dbFile } = reg);
  });
  afterAll(() => reg?.close());

  it('people.csv with a stray quote is refused naming the row and column; the store is unchanged', async () => {
    const lines = fs.readFileSync(path.join(EX, 'people.csv'), 'utf8').split('\n');
    expect(lines[1]).toMatch(/^P0001,周建华,/);
    expect(lines[2]).toMatch(/^P0002,陈国强,/);
    lines[1] = lines[1]!.replace(',周建华,', ',"周建华"（借调）,');
    lines[2] = lines[2]!.replace(',陈国强,', ',陈"国强,');
    const f = path.join(tmp, 'people.csv');
    fs.writeFileSync(f, lines.join('\n'));
    const before = sqliteDigest(dbFile);
    const err = await importRegistryFile(store, f, { kind: 'people', date: '2022-12-31', progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefused);
    const refused = err as ImportRefused;
    expect(refused.problems).toEqual([
      { file: 'people.csv', row: 2, column: '姓名', rule: AFTER },
      { file: 'people.csv', row: 3, column: '姓名', rule: INSIDE },
    ]);
    expect(refused.message).toBe(`people.csv refused: 2 problem(s); nothing was imported\n  people.csv, row 2, column 姓名: ${AFTER}\n  people.csv, row 3, column 姓名: ${INSIDE}`);
    expect(sqliteDigest(dbFile)).toBe(before);
    expect((await store.snapshotAt('2022-12-31')).people).toEqual([]);

    // The same file quoted as Excel writes it imports.
    lines[1] = lines[1]!.replace(',"周建华"（借调）,', ',"周建华（借调）",');
    lines[2] = lines[2]!.replace(',陈"国强,', ',"陈""国强",');
    fs.writeFileSync(f, lines.join('\n'));
    await importRegistryFile(store, f, { kind: 'people', date: '2022-12-31', progress: false });
    const people = (await store.snapshotAt('2022-12-31')).people;
    expect(people.find((p) => p.id === 'P0001')?.name).toBe('周建华（借调）');
    expect(people.find((p) => p.id === 'P0002')?.name).toBe('陈"国强');
  });
});
