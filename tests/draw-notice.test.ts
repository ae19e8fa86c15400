// The draw-time notice (抽取公告): its exact format, that it reveals nothing of the list, that the
// draw activity writes it once (a retry changes no byte), and that the disclosure package carries
// it and verify.py, which then confirms the folder.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { writeDisclosurePackage } from '../files/publication';
import { buildDrawNotice, drawNoticeDir, formatDrawNotice, renderDrawNoticePage, writeDrawNotice } from '../files/publication/draw-notice';
import type { CeremonyRecord } from '../domain/ceremonies';
import { witnessCommitment } from '../domain/draw/commitment';
import { seedCommitment } from '../domain/draw/draw';
import { sha256Hex } from '../domain/draw/digest';
import type { DrawRecord, WitnessV2 } from '../domain/draw/record';
import { createFixture, PEOPLE, recordingMail } from './helpers/campaign-fixture';
import { vectorDir, vectorJson } from './fixtures/draw/vectors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-notice-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const record = JSON.parse(vectorJson('small-v2', 'record.json')) as DrawRecord;
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

/** Everything the notice must not reveal: the list (units, teams), the seed and the witnesses' secrets. */
function secretsOf(r: DrawRecord): string[] {
  const witnessIds = new Set(r.witnesses.map((w) => w.person_id));
  const out = new Set<string>([r.seed]);
  for (const a of r.assignments) {
    out.add(a.unit_id);
    for (const i of a.inspectors) if (!witnessIds.has(i)) out.add(i);
  }
  for (const w of r.witnesses) {
    out.add(w.entropy);
    if ('salt' in w) out.add((w as WitnessV2).salt);
  }
  return [...out];
}

function folderText(dir: string): string {
  return fs
    .readdirSync(dir)
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

describe('the notice', () => {
  const notice = buildDrawNotice({ workflowId: 'campaign-test-2023q1', year: 2023, quarter: 1, drawnAt: '2023-01-05T10:00:00+08:00', record, voidCeremonies: [VOID] });

  it('has the published format: key order, digests, commitments, seed hash, void ceremonies', () => {
    const text = formatDrawNotice(notice);
    expect(text.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual([
      'notice', 'campaign', 'workflow_id', 'year', 'quarter', 'drawn_at', 'spec', 'manifest', 'manifest_digest', 'witnesses', 'seed_sha256', 'void_ceremonies',
    ]);
    expect(parsed).toMatchObject({ notice: 'ssj-draw-notice/1', campaign: 'test-20231', spec: 'ssj-draw/2', year: 2023, quarter: 1 });
    expect(Object.keys(parsed.manifest)).toEqual(['params.txt', 'units.csv', 'inspectors.csv', 'conflicts.csv', 'pools.csv']);
    expect(parsed.manifest_digest).toBe('c2009b846ca06c4f65af77b9bc97d6e17ff5505d98f9301278e9a6084e61ef29');
    expect(parsed.witnesses).toEqual([
      { role: 'admin', person_id: 'ADM001', commitment: '3b5979ce3d807794246889090991ca42db4fddbb31d6fa30e829da22fee2b6ac' },
      { role: 'discipline', person_id: 'DIS007', commitment: '501ddacf0acb309b49dbf7b62271345457c5cc8c1fc23fcfa313e69cef88ccc2' },
    ]);
    expect(parsed.seed_sha256).toBe('6153cbaa7acdee249ab8016fdb90377671403e11507fa67e844d33cfa4b2da7a');
    expect(parsed.void_ceremonies).toEqual([
      {
        number: 1,
        witnesses: [
          { role: 'admin', person_id: 'ADM001', commitment: 'a'.repeat(64) },
          { role: 'discipline', person_id: 'DIS007', commitment: 'b'.repeat(64) },
        ],
        failed: [{ role: 'discipline', person_id: 'DIS007' }],
        voided_at: '2023-01-03T11:00:05+08:00',
      },
    ]);
    // ssj-draw/1: witnesses have no commitment key.
    const v1 = buildDrawNotice({ workflowId: 'w', year: 2023, quarter: 1, drawnAt: '2023-01-05T10:00:00+08:00', record: JSON.parse(vectorJson('small', 'record.json')) });
    expect(v1.witnesses).toEqual([{ role: 'admin', person_id: 'ADM001' }, { role: 'discipline', person_id: 'DIS007' }]);
  });

  it('writes the folder, reveals nothing of the list, escapes the page, and a retry changes nothing', () => {
    const hostile = buildDrawNotice({ ...{ workflowId: '<script>alert(1)</script>', year: 2023, quarter: 1, drawnAt: '2023-01-05T10:00:00+08:00' }, record, voidCeremonies: [VOID] });
    const dir = path.join(tmp, 'unit', 'notice');
    expect(writeDrawNotice(dir, hostile).unchanged).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['SHA256SUMS', 'draw-notice.json', 'index.html']);
    const page = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(page).toContain('2023年第一季度“双随机”抽取公告');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    for (const v of [hostile.manifest_digest, hostile.seed_sha256, hostile.witnesses[0]!.commitment!, 'b'.repeat(64), '纪检人员（discipline）']) expect(page).toContain(v);
    // Times as a public notice dates them (Beijing time), in the text and the void ceremonies' table.
    expect(page).toContain('已于2023年1月5日 10:00（北京时间）按公开算法 ssj-draw/2 完成随机抽取');
    expect(page).toContain('<th>作废时间（北京时间）</th>');
    expect(page).toContain('<td>2023年1月3日 11:00</td>');
    expect(page).not.toMatch(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/);
    const text = folderText(dir);
    for (const s of secretsOf(record)) expect(text, s).not.toContain(s);
    const sums = fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8');
    for (const f of ['draw-notice.json', 'index.html']) expect(sums).toContain(`${sha256Hex(fs.readFileSync(path.join(dir, f)))}  ${f}\n`);

    // A retry (even one that computed another time) leaves the folder as it is.
    const before = fs.statSync(path.join(dir, 'draw-notice.json')).mtimeMs;
    expect(writeDrawNotice(dir, { ...hostile, drawn_at: '2023-01-06T00:00:00+08:00' }).unchanged).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'draw-notice.json'), 'utf8')).toBe(formatDrawNotice(hostile));
    expect(fs.statSync(path.join(dir, 'draw-notice.json')).mtimeMs).toBe(before);
    expect(renderDrawNoticePage(hostile)).toBe(page);
  });
});

describe('drawCampaign writes the notice', () => {
  it('at <dataDir>/notices/<campaign>, with the drawing ceremony\'s time and the void ceremonies; a retry is byte-identical', async () => {
    const fx = await createFixture();
    try {
      const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: recordingMail(fx.mailDb) });
      const campaignId = 'campaign-testcity-2024-2024q1';
      await acts.prepareCampaign({ campaignId, programmeId: fx.programme.id, year: 2024, quarter: 1, rosterAsOf: '2023-12-31' });
      const frozen = await acts.freezeCampaign({ campaignId, quarter: 1, asOf: '2023-12-31', spec: 'ssj-draw/2' });
      const w = (role: 'admin' | 'discipline', personId: string, salt: string, entropy: string) => ({
        role,
        personId,
        salt,
        entropy,
        commitment: witnessCommitment(frozen.manifestDigest, role, personId, salt, entropy),
      });
      const witnesses = [w('admin', PEOPLE.admin, '0'.repeat(32), '31415926535897932384'), w('discipline', PEOPLE.discipline, '5a17'.repeat(8), 'DiceRolls6625143321')];
      const voided: CeremonyRecord = { ...VOID, witnesses: VOID.witnesses.map((x, i) => ({ ...x, personId: i ? PEOPLE.discipline : PEOPLE.admin })), failed: [{ role: 'discipline', personId: PEOPLE.discipline, reason: 'no-reveal' }] };
      await acts.recordCeremony({ campaignId, ceremony: voided, outcome: 'void' });
      const drawing: CeremonyRecord = {
        number: 2,
        startedAt: '2024-01-03T11:00:05+08:00',
        witnesses: witnesses.map((x, i) => ({ role: x.role, personId: x.personId, commitment: x.commitment, committedAt: '2024-01-04T09:00:00+08:00', revealedAt: `2024-01-05T1${i}:00:00+08:00` })),
        revealBy: '2024-01-06T09:00:00+08:00',
      };
      const drawn = await acts.drawCampaign({ campaignId, batchSize: 50, witnesses, ceremony: drawing });

      const dir = drawNoticeDir(fx.dataDir, campaignId);
      const notice = JSON.parse(fs.readFileSync(path.join(dir, 'draw-notice.json'), 'utf8'));
      expect(notice).toMatchObject({ workflow_id: campaignId, year: 2024, quarter: 1, drawn_at: '2024-01-05T11:00:00+08:00', spec: 'ssj-draw/2', manifest_digest: frozen.manifestDigest });
      expect(notice.seed_sha256).toBe(drawn.seedCommitment);
      expect(notice.witnesses.map((x: { commitment: string }) => x.commitment)).toEqual(witnesses.map((x) => x.commitment));
      expect(notice.void_ceremonies).toHaveLength(1);
      expect(notice.void_ceremonies[0].failed).toEqual([{ role: 'discipline', person_id: PEOPLE.discipline }]);

      const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
      await acts.drawCampaign({ campaignId, batchSize: 50, witnesses, ceremony: drawing });
      for (const [f, b] of before) expect(fs.readFileSync(path.join(dir, f)).equals(b), f).toBe(true);

      // Nothing of the list: the drawn units and their teams, the seed, salts and entropy.
      const units = (await acts.loadBatch({ campaignId, department: 'brigade-shihe', chunk: 0, batchSize: 50 })).map((s) => s.unitId);
      expect(units.length).toBeGreaterThan(0);
      const text = folderText(dir);
      for (const s of [...units, '31415926535897932384', 'DiceRolls6625143321', '5a17'.repeat(8), '0'.repeat(32), ...PEOPLE.brigadeInspectors, ...PEOPLE.sectionInspectors]) {
        // As a whole token: short ids such as S1 are part of other ids (DIS1).
        expect(text, s).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${s}(?![0-9A-Za-z])`));
      }
    } finally {
      fs.rmSync(fx.dir, { recursive: true, force: true });
    }
  });
});

describe('the disclosure package carries the notice and verify.py', () => {
  it('copies draw-notice.json byte for byte, lists both in SHA256SUMS, and verify.py confirms the folder', async () => {
    const notice = formatDrawNotice(buildDrawNotice({ workflowId: 'campaign-test-2023q1', year: 2023, quarter: 1, drawnAt: '2023-01-05T10:00:00+08:00', record }));
    const ids = record.assignments.map((a) => a.unit_id);
    const out = path.join(tmp, 'pkg');
    await writeDisclosurePackage(
      {
        bureauName: '信阳市生态环境局',
        publisher: '信阳市生态环境综合行政执法支队',
        year: 2023,
        quarter: 1,
        publishedOn: '2023-04-20',
        departments: [...new Set(record.pools.map((p) => p.department))].map((id) => ({ id, name: `部门${id}` })),
        units: ids.map((id, i) => ({ id, name: `测试企业${i + 1}`, address: '' })),
        outcomes: ids.map((id) => ({ unitId: id, checkedOn: '2023-03-01', result: { outcome: 'no-problem' }, handling: 'none' })),
        record,
        manifest: { dir: path.join(vectorDir('small-v2'), 'manifest') },
        replacements: [],
        drawNotice: notice,
      },
      out,
    );
    expect(fs.readFileSync(path.join(out, 'draw-notice.json'), 'utf8')).toBe(notice);
    const sums = fs.readFileSync(path.join(out, 'SHA256SUMS'), 'utf8');
    expect(sums).toContain(`${sha256Hex(notice)}  draw-notice.json\n`);
    expect(sums).toMatch(/ {2}verify\.py\n/);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toContain('verify.py');
    const r = spawnSync('python3', ['verify.py'], { cwd: out, encoding: 'utf8' });
    expect(r.stdout, r.stdout + r.stderr).toMatch(/7\. 抽取时公告：.*一致/);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('verified');
    expect(r.status).toBe(0);
    expect(seedCommitment(record.seed)).toBe(JSON.parse(notice).seed_sha256);
  });
});
