// The judgments of `npm run check:production` (scripts/production/), on real folders and messages:
// two publications of one seed are "the same" when they differ only in instants, commitments and
// salts; any other difference, a missing file or a notice that arrived twice fails the check.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { comparePublications } from '../scripts/production/publication-content';
import { noticesOnce } from '../scripts/production/checks';
import type { CaughtMessage } from '../mail/catcher';
import ExcelJS from 'exceljs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-production-check-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A publication folder as the publish step writes it; `run` changes only what honest runs differ in. */
function publication(name: string, run: number, edit: (files: Record<string, string>) => void = () => {}): string {
  const dir = path.join(root, name);
  const files: Record<string, string> = {
    'manifest/units.csv': 'unit_id,pool\nU1,general.brigade-shihe\nU2,general.brigade-shihe\n',
    'results.csv': '\ufeff序号,单位名称,检查结果\n1,信阳华信卫生院,未发现问题\n',
    'draw-record.json': JSON.stringify({ seed: 'ab12', witnesses: [{ role: 'admin', person_id: 'P0004', commitment: `c${run}`, salt: `s${run}`, entropy: 'E1' }], assignments: [{ unit_id: 'U1', inspectors: ['P1', 'P2'] }] }),
    'replacements.json': JSON.stringify([{ seq: 1, kind: 'unit', unit_id: 'U1', replacement: 'U2', at: `2023-03-2${run}T02:30:43+08:00` }]),
    'ceremonies.json': JSON.stringify([{ number: 1, outcome: 'void', started_at: `2023-01-0${run}T05:27:21+08:00`, reveal_by: `x${run}`, voided_at: `y${run}` }]),
    'SHA256SUMS': `digest-of-run-${run}\n`,
    'index.html': `<p>抽取时间 ${run}</p>`,
  };
  edit(files);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('comparePublications', () => {
  const reference = publication('reference', 1);

  it('finds two honest runs of one seed the same: instants, commitments, salts and derived files aside', () => {
    const r = comparePublications(publication('honest', 2), reference);
    expect(r.differences).toEqual([]);
    expect(r.compared.sort()).toEqual(['ceremonies.json', 'draw-record.json', 'manifest/units.csv', 'replacements.json', 'results.csv']);
  });

  it('names a result, a draw seed or an assignment that differs', () => {
    const results = comparePublications(publication('other-result', 2, (f) => (f['results.csv'] = f['results.csv']!.replace('未发现问题', '发现问题'))), reference);
    expect(results.differences).toHaveLength(1);
    expect(results.differences[0]).toMatch(/^results\.csv: differs; first at character/);
    const seed = comparePublications(publication('other-seed', 2, (f) => (f['draw-record.json'] = f['draw-record.json']!.replace('"ab12"', '"ab13"'))), reference);
    expect(seed.differences).toEqual([expect.stringMatching(/^draw-record\.json: differs \(beyond instants, commitments and salts\)/)]);
    const team = comparePublications(publication('other-team', 2, (f) => (f['draw-record.json'] = f['draw-record.json']!.replace('"P2"', '"P3"'))), reference);
    expect(team.differences).toHaveLength(1);
  });

  it('compares workbooks by their cells, not by the day they were written', async () => {
    const workbook = async (created: Date, result: string) => {
      const wb = new ExcelJS.Workbook();
      wb.created = created;
      wb.modified = created;
      wb.addWorksheet('结果').addRow(['信阳华信卫生院', result]);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const ref = publication('xlsx-reference', 1, () => {});
    fs.writeFileSync(path.join(ref, 'results.xlsx'), await workbook(new Date('2023-04-10T00:00:00Z'), '未发现问题'));
    const later = publication('xlsx-later', 2);
    fs.writeFileSync(path.join(later, 'results.xlsx'), await workbook(new Date('2023-04-11T00:00:00Z'), '未发现问题'));
    // The bytes differ (creation dates), the content does not.
    expect(fs.readFileSync(path.join(later, 'results.xlsx')).equals(fs.readFileSync(path.join(ref, 'results.xlsx')))).toBe(false);
    expect(comparePublications(later, ref).differences).toEqual([]);
    const other = publication('xlsx-other', 2);
    fs.writeFileSync(path.join(other, 'results.xlsx'), await workbook(new Date('2023-04-10T00:00:00Z'), '发现问题'));
    expect(comparePublications(other, ref).differences).toEqual([expect.stringMatching(/^results\.xlsx: differs \(beyond its creation dates\)/)]);
  });

  it('names a file missing on either side', () => {
    const r = comparePublications(publication('missing', 2, (f) => delete f['replacements.json']), reference);
    expect(r.differences).toEqual(['replacements.json: missing (the reference has it)']);
    const extra = comparePublications(publication('extra', 2, (f) => (f['manifest/extra.csv'] = 'x\n')), reference);
    expect(extra.differences).toEqual(['manifest/extra.csv: not in the reference']);
  });
});

describe('noticesOnce', () => {
  const message = (seq: number, noticeKey: string | null, messageId: string | null): CaughtMessage => ({
    seq,
    file: `${seq}.eml`,
    receivedAt: '2026-12-03T00:00:00Z',
    envelope: { from: 'ssj@example.org', to: ['a@example.org'] },
    messageId,
    noticeKey,
    subject: '【任务】',
    attachments: [],
  });

  it('passes when every notice key arrived once, and names each one that arrived twice', () => {
    const once = noticesOnce([message(1, 'k1', '<m1>'), message(2, 'k2', '<m2>'), message(3, null, '<m3>')]);
    expect([once.ok, once.total, once.distinct]).toEqual([true, 3, 3]);
    const twice = noticesOnce([message(1, 'k1', '<m1>'), message(2, 'k2', '<m2>'), message(3, 'k1', '<m1>')]);
    expect(twice.ok).toBe(false);
    expect(twice.detail).toBe('1 notice arrived more than once: k1 x2');
    expect(noticesOnce([]).ok).toBe(false); // a quarter that mailed nothing did not deliver its notices
  });
});
