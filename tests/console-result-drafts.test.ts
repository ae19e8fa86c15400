// The inspection result's parts below the browser: the draft table (migration 7) on a real SQLite
// file and a real PostgreSQL 15 — saved, overwritten by the last writer, deleted — with evidence
// bytes in the shared blob store once however often they are uploaded; the evidence type check by
// magic bytes; file names cut by characters (never half of one) and sent back even when stored in
// halves; and the submitResult message's per-item record: optional (older messages and the
// command line send none), checked where given, carried into the report, never into the published
// description or note.
import Fastify from 'fastify';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { loadProgramme } from '../config/programme';
import { cleanFileName, sendEvidence, sniffEvidenceType } from '../console/evidence';
import { parseResultForm, readResultForm, draftFields } from '../console/inspection-form';
import { parseEvidenceRef, resultReportInputSchema, resultReportSchema } from '../domain/outcomes';
import { SqlBlobStore, sha256 } from '../stores/blob-store';
import { openStoreDatabase } from '../stores/open';
import { ResultDraftStore, type EvidenceFile } from '../stores/result-drafts';
import type { SqlDatabase } from '../stores/sql';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('drafts');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF evidence photo')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR')]);
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n');
// Half of a character outside the BMP, with no other half beside it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe.each(backends)('result drafts on $name', (backend) => {
  let db: SqlDatabase;
  let drafts: ResultDraftStore;
  let blobs: SqlBlobStore;
  beforeAll(async () => {
    db = await openStoreDatabase(await backend.fresh());
    drafts = new ResultDraftStore(db);
    blobs = new SqlBlobStore(db);
  }, 120_000);
  afterAll(async () => db?.close());

  it('keeps one draft per inspection, last writer wins, and deletes it; evidence bytes are stored once', async () => {
    expect(await drafts.get('c1', 'U1')).toBeNull();
    const digest = await blobs.put(JPEG);
    expect(await blobs.put(Buffer.from(JPEG))).toBe(digest);
    expect(digest).toBe(sha256(JPEG));
    expect((await db.all('SELECT digest FROM blobs WHERE digest = ?', [digest])).length).toBe(1);
    const photo: EvidenceFile = { fileName: '现场照片.jpg', sha256: digest, contentType: 'image/jpeg', size: JPEG.length, uploadedBy: 'S1', uploadedAt: '2024-01-20T02:00:00.000Z' };

    await drafts.save({ campaignId: 'c1', unitId: 'U1', values: { howChecked: '现场查看', present: ['S1'] }, evidence: [photo], updatedBy: 'S1', updatedAt: '2024-01-20T02:00:00.000Z' });
    await drafts.save({ campaignId: 'c1', unitId: 'U2', values: { howChecked: '另一家' }, evidence: [], updatedBy: 'S3', updatedAt: '2024-01-20T02:00:00.000Z' });
    await drafts.save({ campaignId: 'c1', unitId: 'U1', values: { howChecked: '现场查看，查阅台账', present: ['S1', 'S2'] }, evidence: [photo], updatedBy: 'S2', updatedAt: '2024-01-20T03:00:00.000Z' });
    expect(await drafts.get('c1', 'U1')).toEqual({
      campaignId: 'c1',
      unitId: 'U1',
      values: { howChecked: '现场查看，查阅台账', present: ['S1', 'S2'] },
      evidence: [photo],
      updatedBy: 'S2',
      updatedAt: '2024-01-20T03:00:00.000Z',
    });
    await drafts.delete('c1', 'U1');
    await drafts.delete('c1', 'U1');
    expect(await drafts.get('c1', 'U1')).toBeNull();
    expect((await drafts.get('c1', 'U2'))?.updatedBy).toBe('S3');
    expect(await blobs.get(digest)).toEqual(JPEG);
  });
});

describe('evidence files', () => {
  it('are JPEG, PNG or PDF by their bytes, and nothing else', () => {
    expect(sniffEvidenceType(JPEG)).toBe('image/jpeg');
    expect(sniffEvidenceType(PNG)).toBe('image/png');
    expect(sniffEvidenceType(PDF)).toBe('application/pdf');
    expect(sniffEvidenceType(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
    expect(sniffEvidenceType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffEvidenceType(Buffer.alloc(0))).toBeNull();
  });
  it('keep a file name that is safe to show and to send back', () => {
    expect(cleanFileName('C:\\Users\\张\\现场照片.jpg')).toBe('现场照片.jpg');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('gpj.\u202eexe"')).toBe('gpj.exe');
    expect(cleanFileName('\u0000')).toBe('证据文件');
  });
  it('keep a name cut to its last 100 characters, never inside a character outside the BMP', () => {
    const clean = cleanFileName(`${'📷'.repeat(120)}.jpg`);
    expect(Array.from(clean)).toHaveLength(100);
    expect(clean.endsWith('📷.jpg')).toBe(true);
    expect(LONE_SURROGATE.test(clean)).toBe(false);
    expect(() => encodeURIComponent(clean)).not.toThrow();
    expect(cleanFileName('a\ud83d.jpg')).toBe('a\ufffd.jpg');
  });
  it('download even when the name was stored in halves (before the cut was by characters)', async () => {
    // As .slice(-100) on code units left it: the first emoji's second half alone at the start.
    const stored = `${'📷'.repeat(60)}x.jpg`.slice(-100);
    expect(LONE_SURROGATE.test(stored)).toBe(true);
    expect(() => encodeURIComponent(stored)).toThrow(URIError);
    const app = Fastify();
    app.get('/file', (_req, reply) => sendEvidence(reply, { fileName: stored }, JPEG));
    try {
      const res = await app.inject({ method: 'GET', url: '/file' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="_{95}x\.jpg"; filename\*=UTF-8''%EF%BF%BD(%F0%9F%93%B7){47}x\.jpg$/);
      expect(res.rawPayload).toEqual(JPEG);
    } finally {
      await app.close();
    }
  });
});

describe('the per-item record in the submitResult message', () => {
  const checkItems = loadProgramme().checkItems;
  const ctx = { by: 'S1', team: ['S1', 'S2'], today: '2024-02-01', checkItems, couldNotInspect: [{ code: 'suspended', label: '停产检修，无法开展检查' }], agencies: ['agency-market'] };
  const base = { checkedOn: '2024-02-01', present: ['S1', 'S2'], howChecked: '现场查看治污设施', 'item-1-checked': '1', 'item-1-problem': '1', 'item-1-handling': '当场责令改正' };
  const photo = { fileName: '现场照片.jpg', sha256: sha256(JPEG) };

  it('is optional: messages without it (older histories, the command line) still parse', () => {
    const old = { by: 'S1', present: ['S1', 'S2'], checkedOn: '2024-01-20', result: { outcome: 'no-problem' }, evidence: ['笔录-01'] };
    expect(resultReportInputSchema.parse(old).record).toBeUndefined();
    expect(resultReportSchema.parse({ ...old, evidence: undefined }).evidence).toEqual([]);
  });

  it('carries the answers and evidence references; the description and the note stay what was typed', () => {
    const found = parseResultForm({ ...base, outcome: 'problems-found', description: '废水超标排放' }, ctx, [photo]);
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    expect(found.report.result).toEqual({ outcome: 'problems-found', description: '废水超标排放', referTo: null });
    expect(found.report.record).toEqual({ howChecked: '现场查看治污设施', items: checkItems.map((c) => ({ seq: c.seq, checked: c.seq === 1, problemFound: c.seq === 1, handling: c.seq === 1 ? '当场责令改正' : '' })) });
    expect(found.report.evidence).toEqual([`现场照片.jpg sha256:${photo.sha256}`]);
    expect(parseEvidenceRef(found.report.evidence[0]!)).toEqual(photo);
    expect(parseEvidenceRef('笔录-01')).toBeNull();

    const closed = parseResultForm({ ...base, 'item-1-checked': '', 'item-1-problem': '', outcome: 'could-not-inspect', reasonCode: 'suspended', note: '厂区停产' }, ctx);
    expect(closed.ok && closed.report.result).toEqual({ outcome: 'could-not-inspect', reasonCode: 'suspended', note: '厂区停产' });
  });

  it('refuses answers the message forbids: a control character in the handling, a seq twice', () => {
    const bad = parseResultForm({ ...base, 'item-1-handling': '责令\u0007改正', outcome: 'problems-found', description: '超标' }, ctx);
    expect(bad.ok ? null : bad.error).toContain('“检查事项1的处理情况”含有不允许的字符');
    const twice = resultReportInputSchema.safeParse({
      by: 'S1',
      present: ['S1', 'S2'],
      checkedOn: '2024-01-20',
      result: { outcome: 'no-problem' },
      record: { howChecked: 'x', items: [{ seq: 1, checked: true, problemFound: false, handling: '' }, { seq: 1, checked: true, problemFound: false, handling: '' }] },
    });
    expect(twice.success).toBe(false);
  });

  it('round-trips through a draft: what is saved is what the form shows again', () => {
    const values = readResultForm({ ...base, outcome: 'problems-found', description: '<b>超标</b>', note: '内部' }, checkItems);
    expect(readResultForm(draftFields(values), checkItems)).toEqual(values);
  });
});
