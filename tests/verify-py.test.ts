// verify.py, the standalone Python verifier shipped in every disclosure folder: it passes every draw
// vector, names the first difference of an altered folder, and agrees with the TypeScript verifier
// (the one `ssj verify` runs) on generated manifests up to 100,000 units.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CeremonyRecord } from '../domain/ceremonies';
import { formatCeremonies } from '../domain/ceremonies';
import { bindWitnesses, parseWitness, runDraw } from '../domain/draw/draw';
import { sha256Hex } from '../domain/draw/digest';
import { type Manifest, parseManifest, serializeManifest } from '../domain/draw/manifest';
import { type DrawRecord, type Replacement, formatDrawRecord, formatReplacements } from '../domain/draw/record';
import { verifyDraw } from '../domain/draw/verify';
import { VERIFY_PY, buildDisclosurePackage } from '../files/publication';
import { buildDrawNotice, formatDrawNotice } from '../files/publication/draw-notice';
import { syntheticManifest } from './fixtures/draw/synthetic';
import { publicationInput, resultsCsv, vectorPublicationInput } from './fixtures/publication-input';
import { type VectorName, vectorDir, vectorFiles, vectorJson } from './fixtures/draw/vectors';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-verify-py-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

type Files = Map<string, string | Buffer>;

/** A disclosure-shaped folder: the given files, verify.py, and SHA256SUMS over all of them. */
function assemble(name: string, files: Files, sums?: Files): string {
  const dir = path.join(tmpRoot, name);
  fs.rmSync(dir, { recursive: true, force: true });
  const all: Files = new Map(files);
  all.set('verify.py', fs.readFileSync(VERIFY_PY));
  for (const [rel, body] of all) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), body);
  }
  const summed = [...(sums ?? all).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  fs.writeFileSync(path.join(dir, 'SHA256SUMS'), summed.map(([p, b]) => `${sha256Hex(Buffer.from(b))}  ${p}\n`).join(''));
  return dir;
}

function runPy(dir: string): { code: number | null; last: string; out: string; ms: number } {
  const t0 = performance.now();
  // As a reader runs it: inside the folder, no argument.
  const r = spawnSync('python3', ['verify.py'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  const ms = performance.now() - t0;
  const out = `${r.stdout}${r.stderr}`;
  const lines = r.stdout.trimEnd().split('\n');
  return { code: r.status, last: lines[lines.length - 1] ?? '', out, ms };
}

// results.csv and index.html as the publication writes them for each vector (verify.py checks
// the CSV row by row against the record, and the page against the CSV).
const VECTOR_LISTS = new Map<VectorName, Map<string, Buffer>>();
beforeAll(async () => {
  for (const name of ['small', 'city', 'small-v2'] as const) VECTOR_LISTS.set(name, (await buildDisclosurePackage(vectorPublicationInput(name))).files);
}, 120_000);

function vectorFolderFiles(name: VectorName): Files {
  const files: Files = new Map();
  for (const f of ['results.csv', 'index.html']) files.set(f, VECTOR_LISTS.get(name)!.get(f)!);
  for (const [f, text] of Object.entries(vectorFiles(name))) files.set(`manifest/${f}`, text);
  files.set('draw-record.json', vectorJson(name, 'record.json'));
  const repl = path.join(vectorDir(name), 'replacements.json');
  files.set('replacements.json', fs.existsSync(repl) ? fs.readFileSync(repl, 'utf8') : '[]\n');
  return files;
}

const VOID: CeremonyRecord = {
  number: 1,
  startedAt: '2023-01-01T09:00:00+08:00',
  witnesses: [
    { role: 'admin', personId: 'ADM001', commitment: 'a'.repeat(64), committedAt: '2023-01-01T10:00:00+08:00', revealedAt: '2023-01-02T10:00:00+08:00' },
    { role: 'discipline', personId: 'DIS007', commitment: 'b'.repeat(64), committedAt: '2023-01-01T11:00:00+08:00', revealedAt: null },
  ],
  revealBy: '2023-01-03T11:00:00+08:00',
  voidedAt: '2023-01-03T11:00:05+08:00',
  failed: [{ role: 'discipline', personId: 'DIS007', reason: 'no-reveal' }],
};

/** small-v2 with a void ceremony before the one that drew, its ceremonies.json and draw-time notice. */
function v2WithNotice(edit?: (notice: ReturnType<typeof buildDrawNotice>) => void): Files {
  const files = vectorFolderFiles('small-v2');
  const record = JSON.parse(vectorJson('small-v2', 'record.json')) as DrawRecord;
  const drawn: CeremonyRecord = { ...VOID, number: 2, voidedAt: undefined, failed: undefined };
  drawn.witnesses = record.witnesses.map((w) => ({
    role: w.role,
    personId: w.person_id,
    commitment: (w as { commitment: string }).commitment,
    committedAt: '2023-01-04T10:00:00+08:00',
    revealedAt: '2023-01-05T10:00:00+08:00',
  }));
  files.set('ceremonies.json', formatCeremonies([{ outcome: 'void', ceremony: VOID }, { outcome: 'drawn', ceremony: drawn }]));
  const notice = buildDrawNotice({ workflowId: 'campaign-test-2023q1', year: 2023, quarter: 1, drawnAt: '2023-01-05T10:00:00+08:00', record, voidCeremonies: [VOID] });
  edit?.(notice);
  files.set('draw-notice.json', formatDrawNotice(notice));
  return files;
}

/** Parse, change, re-serialize one JSON file of a folder. */
function editJson(files: Files, rel: string, change: (v: any) => void): Files {
  const v = JSON.parse(String(files.get(rel)));
  change(v);
  const out = new Map(files);
  out.set(rel, `${JSON.stringify(v, null, 2)}\n`);
  return out;
}

describe('verify.py on the draw vectors', () => {
  it.each(['small', 'city', 'small-v2'] as const)('vector %s verifies', (name) => {
    const r = runPy(assemble(`ok-${name}`, vectorFolderFiles(name)));
    expect(r.last, r.out).toBe('verified');
    expect(r.code).toBe(0);
    expect(r.out).toContain('1. 文件摘要');
    expect(r.out).toMatch(/抽取池 general\.brigade-pingqiao：候选 \d+，抽取 \d+/);
    if (name === 'city') expect(r.out).toMatch(/第 3 项/);
    if (name === 'small-v2') expect(r.out).toContain('承诺值由其盐值和随机数重新计算，全部一致');
  });

  it('confirms a draw-time notice and its void ceremony against ceremonies.json', () => {
    const r = runPy(assemble('ok-notice', v2WithNotice()));
    expect(r.last, r.out).toBe('verified');
    expect(r.out).toContain('作废仪式 1 次，与 ceremonies.json 一致');
  });
});

describe('verify.py names the first difference', () => {
  const cases: { what: string; files: () => Files; sums?: () => Files; expected: RegExp }[] = [
    {
      what: 'a changed assignment',
      files: () =>
        editJson(vectorFolderFiles('small'), 'draw-record.json', (r) => {
          r.assignments[4].inspectors.reverse();
        }),
      expected: /^NOT verified: assignments\[4\]\.inspectors\[0\]：记录为 /,
    },
    {
      what: 'a tampered salt',
      files: () =>
        editJson(vectorFolderFiles('small-v2'), 'draw-record.json', (r) => {
          r.witnesses[1].salt = '0'.repeat(32);
        }),
      expected: /^NOT verified: witnesses\[1\]\.commitment：记录为 501ddacf/,
    },
    {
      what: 'a manifest byte changed (SHA256SUMS not updated)',
      files: () => {
        const f = vectorFolderFiles('small');
        f.set('manifest/units.csv', String(f.get('manifest/units.csv')).replace(/,0\n/, ',1\n'));
        return f;
      },
      sums: () => vectorFolderFiles('small'),
      expected: /^NOT verified: SHA256SUMS：文件 manifest\/units\.csv 的摘要应为/,
    },
    {
      what: 'a manifest byte changed (SHA256SUMS updated too)',
      files: () => {
        const f = vectorFolderFiles('small');
        f.set('manifest/units.csv', String(f.get('manifest/units.csv')).replace(/,0\n/, ',1\n'));
        return f;
      },
      expected: /^NOT verified: manifest\["units\.csv"\]：记录为 /,
    },
    {
      what: 'a manifest that breaks a rule (named by file, line and field)',
      files: () => {
        const f = vectorFolderFiles('small');
        const lines = String(f.get('manifest/units.csv')).split('\n');
        lines[4] = lines[4]!.replace(/,[01]$/, ',2');
        f.set('manifest/units.csv', lines.join('\n'));
        return f;
      },
      expected: /^NOT verified: manifest\/units\.csv 第 5 行：positive 须为 0 或 1$/,
    },
    {
      what: 'a wrong replacement',
      files: () =>
        editJson(vectorFolderFiles('city'), 'replacements.json', (list) => {
          const e = list.find((x: Replacement) => x.kind === 'inspector');
          e.replacement = e.inspector_id;
        }),
      expected: /^NOT verified: replacements seq \d+：replacement 记录为 .+，按规则应为 /,
    },
    {
      what: 'a notice whose commitment differs',
      files: () => v2WithNotice((n) => void (n.witnesses[0]!.commitment = 'c'.repeat(64))),
      expected: /^NOT verified: draw-notice\.json witnesses\[0\]\.commitment：抽取时公告为 c{64}，公布的记录为 3b5979ce/,
    },
    {
      what: 'a notice whose manifest digest differs',
      files: () => v2WithNotice((n) => void (n.manifest_digest = 'd'.repeat(64))),
      expected: /^NOT verified: draw-notice\.json manifest_digest：/,
    },
    {
      what: 'a notice whose void ceremony differs from ceremonies.json',
      files: () => v2WithNotice((n) => void (n.void_ceremonies[0]!.witnesses[1]!.commitment = 'e'.repeat(64))),
      expected: /^NOT verified: draw-notice\.json void_ceremonies\[0\]\.witnesses：/,
    },
  ];
  it.each(cases)('$what', ({ what, files, sums, expected }) => {
    const r = runPy(assemble(`bad-${what.replace(/\W+/g, '-')}`, files(), sums?.()));
    expect(r.last, r.out).toMatch(expected);
    expect(r.code).toBe(1);
  });

  it('a draw-time notice in the folder but not in SHA256SUMS', () => {
    const files = v2WithNotice();
    const sums = new Map(files);
    sums.delete('draw-notice.json');
    const r = runPy(assemble('notice-unlisted', files, sums));
    expect(r.last, r.out).toBe('NOT verified: SHA256SUMS：未列出 draw-notice.json，无法确认它就是公布的文件');
    expect(r.code).toBe(1);
  });

  it('exits 2 for unreadable input, naming the file', () => {
    const files = vectorFolderFiles('small');
    files.set('draw-record.json', '{ not json');
    const r = runPy(assemble('unreadable', files));
    expect(r.last).toMatch(/^NOT verified: draw-record\.json 不是有效的 JSON/);
    expect(r.code).toBe(2);
  });
});

/** results.csv's lines (CRLF, BOM kept on the header), changed by `change`. */
function editCsv(files: Files, change: (lines: string[]) => void): Files {
  const lines = Buffer.from(files.get('results.csv')!).toString('utf8').split('\r\n');
  const before = lines.join('\r\n');
  change(lines);
  expect(lines.join('\r\n')).not.toBe(before);
  const out = new Map(files);
  out.set('results.csv', lines.join('\r\n'));
  return out;
}

// The list the public reads, tied to the record: a tamperer who edits results.csv and regenerates
// SHA256SUMS (assemble sums every file) is caught, the row and field named. City vector: row 2 is
// the unit replaced by seq 1, row 3 the unit that replaced it.
describe('verify.py checks results.csv row by row against the record', () => {
  it('a real package verifies, and says what it cannot check (unit names)', () => {
    const r = runPy(assemble('list-ok', vectorFolderFiles('city')));
    expect(r.last, r.out).toBe('verified');
    expect(r.out).toContain('8. 公示名单：results.csv 共 95 行');
    expect(r.out).toContain('已替换 1 行，替补抽取 1 行');
    expect(r.out).toContain('单位名称、地址和检查结果无法与记录核对');
  });

  const cases: { what: string; change: (lines: string[]) => void; expected: RegExp }[] = [
    {
      what: 'a row removed',
      change: (l) => void l.splice(2, 1),
      expected: /^NOT verified: results\.csv 第 3 行 统一社会信用代码：公示为 914115000KRW8XCWC0，按抽取记录及替补记录应为 91411500UMMT9LXY8C$/,
    },
    {
      what: 'a unit id changed',
      change: (l) => void (l[3] = l[3]!.replace('914115000KRW8XCWC0', '914115000KRW8XCWC1')),
      expected: /^NOT verified: results\.csv 第 4 行 统一社会信用代码：公示为 914115000KRW8XCWC1，按抽取记录及替补记录应为 914115000KRW8XCWC0$/,
    },
    {
      what: 'two rows swapped (numbers kept in order)',
      change: (l) => {
        const [a, b] = [l[4]!, l[5]!];
        l[4] = b.replace(/^\d+,/, '4,');
        l[5] = a.replace(/^\d+,/, '5,');
      },
      expected: /^NOT verified: results\.csv 第 5 行 统一社会信用代码：公示为 \w+，按抽取记录及替补记录应为 91411500HDN07AH95R$/,
    },
    {
      what: 'the replacing unit shown as drawn at random',
      change: (l) => void (l[2] = l[2]!.replace(/替补抽取（[^）]*）/, '随机抽取')),
      expected: /^NOT verified: results\.csv 第 3 行 抽取情况：公示为 随机抽取，按抽取记录及替补记录应为 替补抽取（第1号替换…）$/,
    },
    {
      what: 'the last row removed',
      change: (l) => void l.splice(l.length - 2, 1),
      expected: /^NOT verified: results\.csv 第 96 行：缺少这一行，按抽取记录应为单位 \w+（抽取池 [\w.-]+）；公示名单有 94 行，应有 95 行$/,
    },
    {
      what: 'a row added',
      change: (l) => void l.splice(l.length - 1, 0, l[l.length - 2]!),
      expected: /^NOT verified: results\.csv 第 97 行：多出的一行（单位 \w+），按抽取记录及替补记录名单只有 95 行$/,
    },
  ];
  it.each(cases)('$what (SHA256SUMS regenerated)', ({ what, change, expected }) => {
    const r = runPy(assemble(`list-${what.replace(/\W+/g, '-')}`, editCsv(vectorFolderFiles('city'), change)));
    expect(r.last, r.out).toMatch(expected);
    expect(r.code).toBe(1);
  });

  it('index.html with a unit renamed (not in results.csv)', () => {
    const files = vectorFolderFiles('city');
    files.set('index.html', String(files.get('index.html')).replace('<td>信阳市测试企业3号有限公司</td>', '<td>信阳市另一家企业有限公司</td>'));
    const r = runPy(assemble('page-renamed', files));
    expect(r.last, r.out).toBe('NOT verified: index.html 公示名单第 4 行 单位名称：公示页为 信阳市另一家企业有限公司，results.csv 为 信阳市测试企业3号有限公司');
  });

  it('index.html with a row removed', () => {
    const files = vectorFolderFiles('city');
    files.set('index.html', String(files.get('index.html')).replace(/<tr>\s*<td class="num">2<\/td>[\s\S]*?<\/tr>\n?/, ''));
    const r = runPy(assemble('page-row-removed', files));
    expect(r.last, r.out).toBe('NOT verified: index.html 公示名单第 2 行 序号：公示页为 3，results.csv 为 2');
  });

  it('names with HTML, quotes and a formula-like start verify (escaped on the page, quoted and defused in the CSV)', async () => {
    const input = vectorPublicationInput('city');
    const units = input.units.map((u, i) => (i < 2 ? { ...u, name: i === 0 ? '=HYPERLINK("x") <b>甲&乙</b>' : '丙\'丁, "戊"' } : u));
    const pkg = (await buildDisclosurePackage({ ...input, units })).files;
    const files = vectorFolderFiles('city');
    for (const f of ['results.csv', 'index.html']) files.set(f, pkg.get(f)!);
    const r = runPy(assemble('page-hostile-names', files));
    expect(r.last, r.out).toBe('verified');
    expect(r.out).toContain('公示页 index.html 的名单 95 行');
  });

  it('results.csv missing from the folder and SHA256SUMS', () => {
    const files = vectorFolderFiles('city');
    files.delete('results.csv');
    const r = runPy(assemble('list-missing', files));
    expect(r.last, r.out).toBe('NOT verified: SHA256SUMS：未列出 results.csv，无法确认它就是公布的文件');
  });
});

describe('verify.py without a draw-time notice', () => {
  it('verifies, but warns in step 7 and beside the verdict, giving the seed commitment to compare', () => {
    const record = JSON.parse(vectorJson('small-v2', 'record.json')) as DrawRecord;
    const r = runPy(assemble('no-notice', vectorFolderFiles('small-v2')));
    expect(r.last, r.out).toBe('verified');
    expect(r.code).toBe(0);
    expect(r.out).toContain('7. 抽取时公告：！！本文件夹没有 draw-notice.json');
    const tail = r.out.trimEnd().split('\n').slice(-5, -1).join('\n');
    expect(tail).toContain('！！注意：本文件夹没有抽取时公告（draw-notice.json）');
    expect(tail).toContain(sha256Hex(Buffer.from(record.seed)));
    expect(tail).toContain(record.manifest_digest);
  });

  it('with the notice, no such warning', () => {
    const r = runPy(assemble('with-notice', v2WithNotice()));
    expect(r.last, r.out).toBe('verified');
    expect(r.out).not.toContain('！！');
  });
});

/** The first difference's JSON path, from either verifier's message. */
const pathOf = (difference: string): string => difference.split(/[:：]/)[0]!.trim();

async function syntheticFolder(name: string, units: number, spec: 'ssj-draw/1' | 'ssj-draw/2'): Promise<{ manifest: Manifest; record: DrawRecord; files: Files; drawMs: number }> {
  const text = serializeManifest(syntheticManifest({ units, spec }));
  const manifest = parseManifest(text);
  const witnessLines =
    spec === 'ssj-draw/2'
      ? ['admin:ADM001:00112233445566778899aabbccddeeff:dice4213556231466', 'discipline:DIS007:ffeeddccbbaa99887766554433221100:typed0RandomChars0']
      : ['admin:ADM001:dice4213556231466', 'discipline:DIS007:typed0RandomChars0'];
  const t0 = performance.now();
  const record = runDraw(manifest, bindWitnesses(witnessLines.map(parseWitness), manifest));
  const drawMs = performance.now() - t0;
  const files: Files = new Map();
  for (const [f, body] of Object.entries(text)) files.set(`manifest/${f}`, body);
  files.set('draw-record.json', formatDrawRecord(record));
  files.set('replacements.json', formatReplacements([]));
  files.set('results.csv', await resultsCsv(publicationInput(record, { files: text }, [])));
  void name;
  return { manifest, record, files, drawMs };
}

describe('verify.py agrees with the TypeScript verifier (ssj verify) on generated manifests', () => {
  it.each([
    [5_000, 'ssj-draw/1'],
    [5_000, 'ssj-draw/2'],
  ] as const)('%i units, %s: both verify, and both name the same first difference when altered', async (units, spec) => {
    const { manifest, record, files } = await syntheticFolder(`syn-${units}`, units, spec);
    expect(verifyDraw(manifest, record, [])).toEqual({ ok: true });
    const ok = runPy(assemble(`syn-${units}-${spec.slice(-1)}`, files));
    expect(ok.last, ok.out).toBe('verified');

    const alterations: ((r: DrawRecord) => void)[] = [
      (r) => void r.assignments[r.assignments.length - 1]!.inspectors.reverse(),
      (r) => void (r.pools[2]!.selected[0] = r.pools[2]!.selected[1]!),
      (r) => void (r.pools[1]!.candidates += 1),
      (r) => void (r.assignments[7]!.method = r.assignments[7]!.method === 'onsite' ? 'offsite' : 'onsite'),
    ];
    alterations.forEach((alter, i) => {
      const bad = structuredClone(record);
      alter(bad);
      const ts = verifyDraw(manifest, bad, []);
      expect(ts.ok).toBe(false);
      const altered = new Map(files);
      altered.set('draw-record.json', formatDrawRecord(bad));
      const py = runPy(assemble(`syn-${units}-${spec.slice(-1)}-bad${i}`, altered));
      expect(py.code, py.out).toBe(1);
      expect(pathOf(py.last.replace(/^NOT verified: /, ''))).toBe(pathOf((ts as { difference: string }).difference));
    });
  });

  it('100,000 units: both verify; reports the times', async () => {
    const { manifest, record, files, drawMs } = await syntheticFolder('syn-100k', 100_000, 'ssj-draw/2');
    const t0 = performance.now();
    expect(verifyDraw(manifest, record, [])).toEqual({ ok: true });
    const tsMs = performance.now() - t0;
    const r = runPy(assemble('syn-100k', files));
    expect(r.last, r.out).toBe('verified');
    console.log(
      `verify.py, 100,000 units (${record.assignments.length} drawn): ${(r.ms / 1000).toFixed(2)} s (python3 process, whole folder incl. SHA256SUMS); ` +
        `TS verifyDraw ${(tsMs / 1000).toFixed(2)} s; TS draw ${(drawMs / 1000).toFixed(2)} s`,
    );
    // Generous bound for a shared 2-core machine; the figure above is the one to read.
    expect(r.ms).toBeLessThan(60_000);
  }, 180_000);
});
