// Hostile and careless registry files (issue 13): a stray far cell, control and direction
// characters, a damaged UTF-8 byte, a title row above the headings, a formula with no stored
// value, another template's headings. Each ends in one clear refusal naming the place, and the
// database is left as it was.
import ExcelJS from 'exceljs';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departmentsRegistry, type DepartmentsRegistry } from './helpers/departments-registry';
import { sqliteDigest } from './helpers/sqlite-digest';
import { ImportRefused, importRegistryFile } from '../files/registry/import-file';
import { MAX_PROBLEMS, MAX_ROWS, XLSX_LIMITS } from '../files/registry/read-table';
import { zipProblem } from '../files/registry/zip-guard';
import * as zlib from 'node:zlib';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { textProblem } from '../domain/text';

const EX = path.resolve(__dirname, '..', 'examples', 'registry');
let reg: DepartmentsRegistry;
let tmp: string;
let store: RegistryStore;
let dbFile: string;
beforeAll(async () => {
  reg = await departmentsRegistry('ssj-hostile-');
  ({ tmp, store, dbFile } = reg);
});
afterAll(() => reg?.close());

const storeDigest = (): string => sqliteDigest(dbFile);

async function refusal(file: string, kind: 'units' | 'people' | 'departments' = 'units'): Promise<string[]> {
  const before = storeDigest();
  try {
    await importRegistryFile(store, file, { kind, date: '2022-12-31', progress: false });
  } catch (err) {
    if (!(err instanceof ImportRefused)) throw err;
    expect(storeDigest()).toBe(before);
    return err.problems.map((p) => `${p.row > 0 ? `row ${p.row}` : 'file'}${p.column ? `, column ${p.column}` : ''}: ${p.rule}`);
  }
  throw new Error(`${path.basename(file)} was imported, not refused`);
}

/** The units example as a workbook, with `edit` applied to its sheet. */
async function unitsWorkbook(name: string, edit: (ws: ExcelJS.Worksheet) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('监管对象');
  const lines = fs.readFileSync(path.join(EX, 'units.csv'), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  for (const l of lines) ws.addRow(l.split(','));
  edit(ws);
  const f = path.join(tmp, name);
  await wb.xlsx.writeFile(f);
  return f;
}

describe('workbooks are read up to their last cell, in bounded memory', () => {
  it('a stray cell at XFD1048576 is named, not walked to', async () => {
    const f = await unitsWorkbook('stray-far.xlsx', (ws) => {
      ws.getCell('XFD1048576').value = 'x';
    });
    expect(fs.statSync(f).size).toBeLessThan(64 * 1024);
    const rss0 = process.memoryUsage().rss;
    const problems = await refusal(f);
    expect(problems).toEqual([expect.stringMatching(/^row 1048576: cell XFD1048576 holds "x" beyond the last heading \(column M\)/)]);
    // Walking 16384 × 1048576 cells took gigabytes; one cell takes nothing worth measuring.
    expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 1024 * 1024);
  });

  it('a stray cell at A1048576 is a row of its own, refused by its row number', async () => {
    const f = await unitsWorkbook('stray-a.xlsx', (ws) => {
      ws.getCell('A1048576').value = 'x';
    });
    const problems = await refusal(f);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith('row 1048576'))).toBe(true);
  });

  it('a merged title row above the headings gets one problem: the headings must be on row 1', async () => {
    const f = await unitsWorkbook('title.xlsx', (ws) => {
      ws.spliceRows(1, 0, ['信阳市监管对象名录']);
      ws.mergeCells('A1:M1');
    });
    expect(await refusal(f)).toEqual([expect.stringMatching(/row 1: row 1 holds only "信阳市监管对象名录", which looks like a title: the headings must be on the first row/)]);
  });

  it('a title row in a CSV gets the same one problem', async () => {
    const csv = fs.readFileSync(path.join(EX, 'units.csv'), 'utf8').replace(/^\uFEFF/, '');
    const f = path.join(tmp, 'title.csv');
    fs.writeFileSync(f, `信阳市监管对象名录,,,,,,,,,,,,\n${csv}`);
    expect(await refusal(f)).toEqual([expect.stringMatching(/looks like a title/)]);
  });

  it('a formula cell with no stored value says what to do, not [object Object]', async () => {
    const f = await unitsWorkbook('formula.xlsx', (ws) => {
      ws.getCell('B2').value = { formula: 'CONCAT("信阳","公司")' } as ExcelJS.CellFormulaValue;
    });
    const problems = await refusal(f);
    expect(problems[0]).toEqual(expect.stringMatching(/^row 2, column 单位名称: the cell holds the formula =CONCAT\("信阳","公司"\) with no stored value/));
    expect(problems.join('\n')).not.toMatch(/object Object/);
  });
});

describe('oversized files are refused in bounded memory', () => {
  const DEPARTMENTS_HEAD = '部门编码,部门名称,部门类型\n';

  it('a CSV of more than MAX_ROWS rows is refused whole, naming the file and the limit (as a workbook is)', async () => {
    // 10 MB, within the console's upload limit: once 1.5 million problems per MB and a dead process.
    const f = path.join(tmp, 'five-million-rows.csv');
    fs.writeFileSync(f, DEPARTMENTS_HEAD + 'a\n'.repeat(5_000_000));
    const before = storeDigest();
    const err = await importRegistryFile(store, f, { kind: 'departments', date: '2022-12-31', progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefused);
    const refused = err as ImportRefused;
    expect(refused.problems).toEqual([{ file: 'five-million-rows.csv', row: 0, column: '', rule: expect.stringMatching(new RegExp(`^the file has more than ${MAX_ROWS} data rows; at most ${MAX_ROWS} rows`)) }]);
    expect(refused.message).toMatch(/^five-million-rows\.csv refused: 1 problem\(s\)/);
    expect(storeDigest()).toBe(before);
  });

  it('keeps the first MAX_PROBLEMS problems and counts the rest', async () => {
    // 100,000 one-letter rows, three problems each (no name, no kind; the id alone is fine).
    const f = path.join(tmp, 'many-problems.csv');
    fs.writeFileSync(f, DEPARTMENTS_HEAD + 'a\n'.repeat(100_000));
    const err = await importRegistryFile(store, f, { kind: 'departments', date: '2022-12-31', progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefused);
    const refused = err as ImportRefused;
    expect(refused.problems).toHaveLength(MAX_PROBLEMS);
    expect(refused.problems[0]).toMatchObject({ file: 'many-problems.csv', row: 2 });
    const total = refused.problems.length + refused.moreProblems;
    expect(total).toBeGreaterThanOrEqual(200_000);
    expect(refused.message).toMatch(new RegExp(`^many-problems\\.csv refused: ${total} problem\\(s\\); nothing was imported\\n`));
    // The command line lists 50 and counts the rest.
    expect(refused.message.split('\n')).toHaveLength(1 + 50 + 1);
    expect(refused.message).toMatch(new RegExp(`\\n  … and ${total - 50} more problem\\(s\\)$`));
  });
});

interface ZipPart {
  name: string;
  /** Raw deflate data, and the size it inflates to. */
  deflated: Buffer;
  size: number;
  /** The size written in the headers (default: `size`). */
  declared?: number;
}

/** A zip as a spreadsheet writes one: local headers, then the central directory, then its end record. */
function zipOf(parts: ZipPart[], o: { hidden?: ZipPart } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const local = (p: ZipPart): Buffer => {
    const name = Buffer.from(p.name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt32LE(p.deflated.length, 18);
    h.writeUInt32LE(p.declared ?? p.size, 22);
    h.writeUInt16LE(name.length, 26);
    return Buffer.concat([h, name, p.deflated]);
  };
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(p.deflated.length, 20);
    c.writeUInt32LE(p.declared ?? p.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    const l = local(p);
    locals.push(l);
    offset += l.length;
    if (o.hidden && p === parts[0]) {
      const h = local(o.hidden); // in the stream, not in the directory
      locals.push(h);
      offset += h.length;
    }
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const part = (name: string, text: string): ZipPart => ({ name, deflated: zlib.deflateRawSync(text), size: Buffer.byteLength(text) });

/** A worksheet of `mib` MiB of blanks, deflated a MiB at a time (about 1 KB a MiB): never held whole. */
async function blankSheet(mib: number): Promise<ZipPart> {
  const head = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  const tail = '</sheetData></worksheet>';
  const blanks = Buffer.alloc(1024 * 1024, 0x20);
  const d = zlib.createDeflateRaw();
  const out: Buffer[] = [];
  d.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => d.on('end', resolve));
  d.write(head);
  for (let i = 0; i < mib; i++) d.write(blanks);
  d.end(tail);
  await done;
  return { name: 'xl/worksheets/sheet1.xml', deflated: Buffer.concat(out), size: head.length + mib * blanks.length + tail.length };
}

/** The sheet first, no shared strings and the workbook's relations last: exceljs copies the sheet to a temp file. */
function bombWorkbook(sheet: ZipPart, o: { hidden?: ZipPart } = {}): Buffer {
  return zipOf(
    [
      sheet,
      part('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      part('xl/workbook.xml', '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="s" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>'),
      part('xl/_rels/workbook.xml.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
    ],
    o,
  );
}

describe('a workbook is checked before it is unpacked (zip bombs)', () => {
  it('a part that unpacks a thousand times its size is refused, naming the file, the part and the limit', async () => {
    const f = path.join(tmp, 'bomb.xlsx');
    fs.writeFileSync(f, bombWorkbook(await blankSheet(100)));
    expect(fs.statSync(f).size).toBeLessThan(200 * 1024);
    const before = storeDigest();
    const err = await importRegistryFile(store, f, { kind: 'units', date: '2022-12-31', progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefused);
    expect((err as ImportRefused).message).toMatch(/^bomb\.xlsx refused: 1 problem\(s\)/);
    expect((err as ImportRefused).problems).toEqual([
      { file: 'bomb.xlsx', row: 0, column: '', rule: expect.stringMatching(new RegExp(`^the workbook's part xl/worksheets/sheet1\\.xml unpacks 1\\d{3} times its packed size \\(100\\.0 MiB\\), more than ${XLSX_LIMITS.zip.ratio} times`)) },
    ]);
    expect(storeDigest()).toBe(before);
  });

  it('sizes the directory understates are found by inflating, not trusted', async () => {
    // 100 MiB declared as 4 MiB: a ratio of 40 would pass; the inflated bytes are counted.
    const sheet = { ...(await blankSheet(100)), declared: 4 * 1024 * 1024 };
    const f = path.join(tmp, 'lying-bomb.xlsx');
    fs.writeFileSync(f, bombWorkbook(sheet));
    const problems = await refusal(f);
    expect(problems).toEqual([`file: not a valid .xlsx workbook (xl/worksheets/sheet1.xml inflates to more than the ${4 * 1024 * 1024} bytes it declares)`]);
  });

  it('an entry the central directory does not list, a ZIP64 archive, a cut file: "not a valid .xlsx"', async () => {
    const small = part('xl/worksheets/sheet1.xml', '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>');
    const hidden = bombWorkbook(small, { hidden: { ...small, name: 'xl/worksheets/sheet2.xml' } });
    expect(await zipProblem(hidden, XLSX_LIMITS.zip)).toMatch(/^not a valid \.xlsx workbook \(\[Content_Types\]\.xml is not where the previous entry ends\)$/);
    const good = bombWorkbook(small);
    expect(await zipProblem(good, XLSX_LIMITS.zip)).toBeNull();
    const end = good.length - 22;
    const zip64 = Buffer.from(good);
    zip64.writeUInt32LE(0xffffffff, end + 16);
    expect(await zipProblem(zip64, XLSX_LIMITS.zip)).toBe('not a valid .xlsx workbook (ZIP64 archives are not accepted)');
    expect(await zipProblem(good.subarray(0, good.length - 10), XLSX_LIMITS.zip)).toBe('not a valid .xlsx workbook (no end of central directory record)');
    const f = path.join(tmp, 'cut.xlsx');
    fs.writeFileSync(f, good.subarray(0, end));
    expect(await refusal(f)).toEqual(['file: not a valid .xlsx workbook (no end of central directory record)']);
  });

  it('a damaged workbook (cut short, bytes changed) gets an answer, never an exception', async () => {
    const units = fs.readFileSync(path.join(EX, 'units.xlsx'));
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    let refused = 0;
    for (let k = 0; k < 300; k++) {
      const b = Buffer.from(k % 3 === 0 ? units.subarray(0, rand(units.length)) : units);
      // Change bytes where the headers are: the first KB and the last (the central directory).
      for (let j = 0; j < 3 && k % 3 !== 0; j++) b[rand(2) ? rand(1024) : b.length - 1 - rand(1024)] = rand(256);
      const answer = await zipProblem(b, XLSX_LIMITS.zip);
      expect(answer === null || typeof answer === 'string').toBe(true);
      if (answer !== null) refused++;
    }
    expect(refused).toBeGreaterThan(100);
  });

  it('a workbook that unpacks to more than the limit is refused, naming its largest part', async () => {
    const units = fs.readFileSync(path.join(EX, 'units.xlsx'));
    expect(await zipProblem(units, XLSX_LIMITS.zip)).toBeNull();
    expect(await zipProblem(units, { ...XLSX_LIMITS.zip, unzippedBytes: 4096 })).toMatch(/^the workbook unpacks to \d+ KiB \(xl\/\S+ alone \d+ KiB\); at most 4 KiB can be read: split the workbook, or save it as CSV$/);
  });
});

describe('names and text are checked where they enter', () => {
  const hostile: [string, string, RegExp][] = [
    ['ESC sequence', '\u001b]0;pwned\u0007信阳公司', /control character U\+001B/],
    ['NUL', '信阳\u0000公司', /control character U\+0000/],
    ['newline', '信阳\n公司', /control character U\+000A/],
    ['right-to-left override', '\u202e司公限有', /text-direction character U\+202E/],
    ['only zero-width spaces', '\u200b\u200b', /nothing visible/],
  ];
  for (const [what, name, rule] of hostile) {
    it(`refuses a unit name with ${what}, naming row and column`, async () => {
      const csv = fs.readFileSync(path.join(EX, 'units.csv'), 'utf8');
      const lines = csv.split('\n');
      const cells = lines[1]!.split(',');
      cells[1] = `"${name}"`;
      lines[1] = cells.join(',');
      const f = path.join(tmp, `units-${what.replace(/\W+/g, '-')}.csv`);
      fs.writeFileSync(f, lines.join('\n'));
      const problems = await refusal(f);
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^row 2, column 单位名称: .*${rule.source}`))]);
    });
  }

  it('normalises to NFC: a decomposed é is stored composed', () => {
    expect(textProblem('Cafe\u0301')).toBeNull();
    expect('Cafe\u0301'.normalize('NFC')).toBe('Caf\u00e9');
  });
});

describe('encodings say how they were read', () => {
  it('a UTF-8 file with a BOM and one bad byte names the row, never switching to GB18030', async () => {
    const csv = fs.readFileSync(path.join(EX, 'units.csv'));
    const at = csv.indexOf(0x0a, 400) + 1; // the start of a line, so no character is cut in two
    const bad = Buffer.concat([csv.subarray(0, at), Buffer.from([0xff]), csv.subarray(at)]);
    expect(bad.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const line = bad.subarray(0, at).toString('utf8').split('\n').length;
    const f = path.join(tmp, 'units-bad-byte.csv');
    fs.writeFileSync(f, bad);
    const problems = await refusal(f);
    expect(problems[0]).toMatch(new RegExp(`^row ${line}: the file starts with a UTF-8 BOM but this row holds a byte that is not UTF-8 \\(0xff`));
    expect(problems.join('\n')).not.toMatch(/unknown column/);
  });

  it('without a BOM, a bad byte says first that the file was read as GB18030, and why', async () => {
    const csv = fs.readFileSync(path.join(EX, 'units.csv')).subarray(3);
    const at = csv.indexOf(0x2c) + 1; // after the first comma: no character is cut in two
    const bad = Buffer.concat([csv.subarray(0, at), Buffer.from([0xff]), csv.subarray(at)]);
    const f = path.join(tmp, 'units-bad-byte-nobom.csv');
    fs.writeFileSync(f, bad);
    const problems = await refusal(f);
    expect(problems[0]).toMatch(/^file: the file was read as GB18030 because it is not valid UTF-8 \(byte 0xff at offset \d+, row 1\)/);
  });

  it('another template\'s headings get a "wrong --kind?" hint', async () => {
    const problems = await refusal(path.join(EX, 'people.csv'), 'units');
    expect(problems[0]).toMatch(/these are the headings of .* \(--kind people\).*wrong --kind\?/);
  });
});

describe('the import command line', () => {
  const ROOT = path.resolve(__dirname, '..');
  const ssj = (...args: string[]) => {
    const r = spawnSync('npx', ['tsx', 'client/ssj.ts', 'registry', 'import', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('a refused import into a new --data-dir leaves no database file behind', () => {
    const dir = path.join(tmp, 'new-refused');
    const r = ssj('--data-dir', dir, '--kind', 'units', '--date', '2022-12-31', path.join(EX, 'people.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('people.csv refused');
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]); // no ssj.db, -wal or -shm
  });

  it('--dry-run of a GB18030 file says how it was read', () => {
    const dir = path.join(tmp, 'gb-dry');
    const f = path.join(tmp, 'departments-gb-dry.csv');
    fs.writeFileSync(f, Buffer.from('b2bfc3c5b1e0c2eb2cb2bfc3c5c3fbb3c62cb2bfc3c5c0e0d0cd2ccfbdc7f82cb5e7d7d3d3cacfe40d0a627269676164652d73686968652c9bb8bad3b4f3b6d32cd6b1caf4b4f3b6d32c9bb8bad3c7f82c7368696865406578616d706c652e6f72670d0a', 'hex'));
    const r = ssj('--data-dir', dir, '--kind', 'departments', '--date', '2022-12-31', '--dry-run', f);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no problems; .*\[read as GB18030: the file is not UTF-8\]/);
  });

  it('a whole-file problem does not ask to "fix the rows listed"', () => {
    const f = path.join(tmp, 'empty.xls');
    fs.writeFileSync(f, 'x');
    const r = ssj('--data-dir', path.join(tmp, 'whole'), '--kind', 'units', '--date', '2022-12-31', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/fix the file as described/);
    expect(r.err).not.toMatch(/fix the rows listed/);
  });

  it('a code in scientific notation gets the spreadsheet hint', async () => {
    const csv = fs.readFileSync(path.join(EX, 'units.csv'), 'utf8');
    const lines = csv.split('\n');
    const cells = lines[1]!.split(',');
    cells[0] = '9.14116E+17';
    lines[1] = cells.join(',');
    const f = path.join(tmp, 'units-sci.csv');
    fs.writeFileSync(f, lines.join('\n'));
    const problems = await refusal(f);
    expect(problems.join('\n')).toMatch(/row 2, column 统一社会信用代码: .*scientific notation: a spreadsheet turned the code into a number/);
  });
});

describe('registry show', () => {
  it('prints control and direction characters already in a database as visible escapes', async () => {
    const dir = path.join(tmp, 'old-names');
    const s = await openRegistryStore({ dataDir: dir, databaseUrl: null });
    await s.applyBatch({
      key: 'old',
      kind: 'departments',
      source: 'a database filled before names were checked',
      reason: 'test',
      fileName: 'old.csv',
      effectiveDate: '2022-12-31',
      changes: [{ entityKind: 'department', entityId: 'office', state: { id: 'office', kind: 'section', name: '\u001b]0;pwned\u0007办公室\u202e', jurisdiction: null, email: null } as never }],
    });
    await s.close();
    const r = spawnSync('npx', ['tsx', 'client/ssj.ts', 'registry', 'show', '--data-dir', dir, '--kind', 'departments', '--at', '2023-01-01'], {
      cwd: path.resolve(__dirname, '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\\u{1b}]0;pwned\\u{7}办公室\\u{202e}');
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
  });
});

describe('free text in messages', () => {
  it('a published description refuses direction and control characters; an internal note may hold any text', async () => {
    const { resultReportInputSchema, resultReportSchema, noteSchema } = await import('../domain/outcomes');
    const base = { by: 'P1', present: ['P1', 'P2'], checkedOn: '2023-02-01', evidence: [] };
    const reversed = { ...base, result: { outcome: 'problems-found', description: '\u202e司公限有 排放超标', referTo: null } };
    const bad = resultReportInputSchema.safeParse(reversed);
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/result","description".*text-direction character U\+202E/);
    // What the workflow handler parses (and replays) stays as it was: old histories keep replaying.
    expect(resultReportSchema.safeParse(reversed).success).toBe(true);
    expect(resultReportInputSchema.safeParse({ ...base, result: { outcome: 'problems-found', description: '排放超标\n第二行', referTo: null } }).success).toBe(true);
    // Notes are internal, never rendered in public files; the terminal shows them escaped (client/format.ts).
    expect(noteSchema.parse('两行\n备注\t说明\u202e')).toBe('两行\n备注\t说明\u202e');
  });
});

describe('merged heading cells', () => {
  it('a heading merged across two columns is named once, not "appears twice" nor silently dropped', async () => {
    const f = await unitsWorkbook('merged-heading.xlsx', (ws) => {
      // 单位名称 spans B1:C1; column C (类别) loses its own heading.
      ws.getCell('C1').value = null;
      ws.mergeCells('B1:C1');
    });
    const problems = await refusal(f);
    expect(problems.join('\n')).not.toMatch(/appears twice/);
    expect(problems).toContainEqual(expect.stringMatching(/^row 2, column #3: column 3 holds values but has no heading \(is its heading cell merged with "单位名称"\?/));
  });
});
