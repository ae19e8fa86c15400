// The shared blob store (stores/blob-store.ts) on a real SQLite file and a real PostgreSQL 15:
// put/get/dedupe, damage detected on read, packages, export and the manifest cache byte for byte,
// and the freeze, draw notice and publication going through it as the campaign activities use them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as registerPublication } from '../client/commands/publication';
import { ExitCode, UserError } from '../client/errors';
import { FreezeRefusedError, freezeToFolder, freezeToStore, materialiseManifest, storedManifestFiles } from '../files/freeze';
import { loadProgramme } from '../config/programme';
import { exportPublication, publishDisclosurePackage, writeDisclosurePackage, type PublicationInput } from '../files/publication';
import { buildDrawNotice, storeDrawNotice, storedDrawNotice } from '../files/publication/draw-notice';
import { MANIFEST_FILES } from '../domain/draw/digest';
import { serializeManifest } from '../domain/draw/manifest';
import { readManifest } from '../domain/draw/read-manifest';
import { DRAW_SPEC_V2, type DrawRecord, type DrawSpec } from '../domain/draw/record';
import { exportPackage, materialisePackage } from '../stores/blob-folders';
import {
  BlobCorruptError,
  BlobInputError,
  BlobMissingError,
  PackageConflictError,
  SqlBlobStore,
  campaignPackageName,
  sha256,
} from '../stores/blob-store';
import { openStoreDatabase, type StoreSettings } from '../stores/open';
import type { SqlDatabase } from '../stores/sql';
import { syntheticManifest } from './fixtures/draw/synthetic';
import { inspectors, snapshot, units } from './helpers/registry-snapshot';
import { listFiles } from '../files/staged-folder';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('blobs');

const VECTOR = path.resolve(__dirname, 'fixtures/draw-vectors/city');
const record = JSON.parse(fs.readFileSync(path.join(VECTOR, 'record.json'), 'utf8')) as DrawRecord;
const replacements = JSON.parse(fs.readFileSync(path.join(VECTOR, 'replacements.json'), 'utf8'));

/** A small but complete publication of the city draw vector: every unit inspected, nothing found. */
function publicationInput(): PublicationInput {
  const ids = new Set<string>(record.assignments.map((a) => a.unit_id));
  for (const r of replacements) if (r.kind === 'unit') ids.add(r.replacement);
  const replaced = new Set(replacements.filter((r: { kind: string }) => r.kind === 'unit').map((r: { unit_id: string }) => r.unit_id));
  return {
    bureauName: '信阳市生态环境局',
    publisher: '信阳市生态环境综合行政执法支队',
    year: 2023,
    quarter: 1,
    publishedOn: '2023-04-20',
    departments: record.pools.map((p) => ({ id: p.department, name: `部门${p.department}` })).filter((d, i, all) => all.findIndex((x) => x.id === d.id) === i),
    units: [...ids].map((id, i) => ({ id, name: `信阳市测试企业${i + 1}号有限公司`, address: `信阳市平桥区工业路${i + 1}号` })),
    outcomes: [...ids].filter((id) => !replaced.has(id)).map((id) => ({ unitId: id, checkedOn: '2023-03-01', result: { outcome: 'no-problem' as const }, handling: 'none' as const })),
    record,
    manifest: { dir: path.join(VECTOR, 'manifest') },
    replacements,
  };
}

/** path → SHA-256 of every file under `dir` (comparing digests: deep equality of buffers is slow). */
function filesOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).sort().map((p) => [p, sha256(fs.readFileSync(path.join(dir, p)))]));
}

/** Every file's inode and modification time: a folder left untouched keeps all of them. */
function stamps(dir: string): string[] {
  return listFiles(dir).sort().map((p) => {
    const s = fs.statSync(path.join(dir, p));
    return `${p} ${s.ino} ${s.mtimeMs}`;
  }).concat(`. ${fs.statSync(dir).ino}`);
}

/** `ssj publication <args>` in-process, as client/ssj.ts runs it, with the store settings in the environment. */
async function ssjPublication(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  Object.assign(process.env, env);
  process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const program = new Command('ssj').exitOverride();
    registerPublication(program);
    program.commands.forEach(function exitOverrideAll(c: Command): void {
      c.exitOverride();
      c.commands.forEach(exitOverrideAll);
    });
    try {
      await program.parseAsync(['publication', ...args], { from: 'user' });
      return { code: ExitCode.ok, out: out.join(''), err: err.join('') };
    } catch (e) {
      if (e instanceof UserError) return { code: e.exitCode, out: out.join(''), err: err.join('') + e.message };
      if (e instanceof CommanderError) return { code: ExitCode.badInput, out: out.join(''), err: err.join('') + e.message };
      throw e;
    }
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  }
}

function flipFirstByte(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c[0] = c[0]! ^ 0x01;
  return c;
}

describe.each(backends)('the blob store on $name', (backend) => {
  let db: SqlDatabase;
  let store: SqlBlobStore;
  let tmp: string;
  let settings: StoreSettings;
  beforeAll(async () => {
    settings = await backend.fresh();
    db = await openStoreDatabase(settings);
    store = new SqlBlobStore(db);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ssj-blobs-${backend.name}-`));
  }, 180_000);
  afterAll(async () => {
    await db?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('stores bytes under their SHA-256 once, gives them back, and knows what it has', async () => {
    const bytes = Buffer.from('单位名称,统一社会信用代码\n\0\xff binary too', 'utf8');
    const digest = await store.put(bytes);
    expect(digest).toBe(sha256(bytes));
    expect(await store.put(new Uint8Array(bytes))).toBe(digest);
    expect(Number((await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM blobs WHERE digest = ?', [digest]))!.n)).toBe(1);
    expect((await store.get(digest)).equals(bytes)).toBe(true);
    expect(await store.has(digest)).toBe(true);
    const absent = sha256('never stored');
    expect(await store.has(absent)).toBe(false);
    await expect(store.get(absent)).rejects.toThrow(BlobMissingError);
    await expect(store.get(absent)).rejects.toThrow(absent);
    await expect(store.get('../etc/passwd')).rejects.toThrow(BlobInputError);
    // Empty content is content too.
    const empty = await store.put(new Uint8Array());
    expect((await store.get(empty)).length).toBe(0);
  });

  it('refuses bytes changed in the database, naming the digest', async () => {
    const bytes = Buffer.from('pools.csv: pool_id,department,quota\n');
    const digest = await store.put(bytes);
    await db.run('UPDATE blobs SET content = ? WHERE digest = ?', [flipFirstByte(bytes), digest]);
    const err = await store.get(digest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobCorruptError);
    expect((err as Error).message).toContain(`blob ${digest}`);
    expect((err as Error).message).toContain(sha256(flipFirstByte(bytes)));
    // A put of the right bytes does not hide the damage (the row is kept; restoring is a backup's job).
    await store.put(bytes);
    await expect(store.get(digest)).rejects.toThrow(BlobCorruptError);
  });

  it('keeps named packages: a round trip, the same again is no change, another under the name is refused', async () => {
    const files: [string, string | Buffer][] = [
      ['b/two.txt', '二'],
      ['a.txt', 'one'],
      ['c.bin', Buffer.from([0, 1, 2, 255])],
      ['copy-of-a.txt', 'one'],
    ];
    const pkg = await store.putPackage('campaigns/c1/manifest', files);
    expect(pkg.entries.map((e) => e.path)).toEqual(['a.txt', 'b/two.txt', 'c.bin', 'copy-of-a.txt']);
    expect(pkg.entries[0]).toEqual({ path: 'a.txt', digest: sha256('one'), size: 3 });
    expect(await store.package('campaigns/c1/manifest')).toEqual(pkg);
    expect(await store.packageByDigest(pkg.digest)).toEqual(pkg);
    expect(await store.package('campaigns/none/manifest')).toBeNull();
    expect(await store.putPackage('campaigns/c1/manifest', [...files].reverse())).toEqual(pkg);

    const other = store.putPackage('campaigns/c1/manifest', [['a.txt', 'changed']]);
    await expect(other).rejects.toThrow(PackageConflictError);
    await expect(store.putPackage('campaigns/c1/manifest', [['a.txt', 'changed']])).rejects.toThrow(`already holds package ${pkg.digest}`);
    expect(await store.has(sha256('changed'))).toBe(false); // the refused package's blob was rolled back with it
    const replaced = await store.putPackage('campaigns/c1/manifest', [['a.txt', 'changed']], { replace: true });
    expect((await store.package('campaigns/c1/manifest'))!.digest).toBe(replaced.digest);
  });

  it('refuses package paths that could leave the export folder', async () => {
    for (const bad of ['../x', '/etc/passwd', 'a//b', 'a/./b', 'a\\b', '', 'a/..']) {
      await expect(store.putPackage('bad', [[bad, 'x']])).rejects.toThrow(BlobInputError);
    }
    await expect(store.putPackage('bad', [['a', 'x'], ['a', 'y']])).rejects.toThrow('listed twice');
    expect(await store.package('bad')).toBeNull();
  });

  it('refuses a package whose listing was changed in the database', async () => {
    const pkg = await store.putPackage('tampered', [['a.txt', 'a']]);
    await db.run('UPDATE blob_packages SET listing = ? WHERE name = ?', [JSON.stringify([{ path: '../../x', digest: sha256('a'), size: 1 }]), 'tampered']);
    await expect(store.package('tampered')).rejects.toThrow(`package tampered (${pkg.digest})`);
    await expect(store.packageByDigest(pkg.digest)).rejects.toThrow(BlobCorruptError);
  });

  it('exports a package byte for byte; exporting again changes nothing; a changed folder is put right', async () => {
    const pkg = await store.putPackage('export-me', [
      ['index.html', '<!doctype html><title>公示</title>'],
      ['manifest/units.csv', 'unit_id,category\n914115000000000001,key\n'],
      ['results.xlsx', Buffer.from([0x50, 0x4b, 3, 4, 0, 0xff])],
    ]);
    const dir = path.join(tmp, 'web', 'export-me');
    expect(await exportPackage(store, pkg, dir)).toEqual({ dir, unchanged: false });
    const files = filesOf(dir);
    expect([...files.keys()]).toEqual(['index.html', 'manifest/units.csv', 'results.xlsx']);
    for (const e of pkg.entries) expect(files.get(e.path)).toBe(e.digest);
    const before = stamps(dir);
    expect(await exportPackage(store, pkg, dir)).toEqual({ dir, unchanged: true });
    expect(stamps(dir)).toEqual(before);

    fs.writeFileSync(path.join(dir, 'index.html'), 'defaced');
    fs.writeFileSync(path.join(dir, 'extra.txt'), 'not in the package');
    expect((await exportPackage(store, pkg, dir)).unchanged).toBe(false);
    expect(filesOf(dir)).toEqual(files);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['export-me']); // no staging folder left behind
  });

  it('refuses to export a package whose blob was damaged, leaving the old folder as it was', async () => {
    const pkg = await store.putPackage('damaged-export', [['a.txt', 'intact bytes']]);
    const dir = path.join(tmp, 'damaged-export');
    await exportPackage(store, pkg, dir);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'locally changed');
    await db.run('UPDATE blobs SET content = ? WHERE digest = ?', [Buffer.from('Intact bytes'), sha256('intact bytes')]);
    await expect(exportPackage(store, pkg, dir)).rejects.toThrow(`blob ${sha256('intact bytes')}`);
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('locally changed');
  });

  it('freezes into the store; another host materialises the manifest into its cache and the draw reads it', async () => {
    const programme = loadProgramme();
    const snap = snapshot({
      units: [...units('KS', 12, { category: 'key', jurisdiction: 'shihe' }), ...units('GS', 40, { jurisdiction: 'shihe' })],
      people: [...inspectors('BS', 'brigade-shihe', 4), ...inspectors('SA', 'section-1', 3)],
    });
    const spec: DrawSpec = DRAW_SPEC_V2;
    const args = { snapshot: snap, programme, quarter: 1 as const, spec, store, campaignId: 'campaign-test-2023q1' };
    const frozen = await freezeToStore(args);
    expect(frozen).toMatchObject({ written: true, packageName: campaignPackageName('campaign-test-2023q1', 'manifest') });
    expect(await freezeToStore(args)).toMatchObject({ written: false, packageDigest: frozen.packageDigest, manifestDigest: frozen.manifestDigest });

    // The same freeze into a folder gives the same files: the store holds what ssj freeze writes.
    const folder = freezeToFolder({ ...args, dir: path.join(tmp, 'folder-freeze') });
    const hostB = path.join(tmp, 'host-b-cache');
    const dir = await materialiseManifest(store, frozen.packageDigest, hostB);
    expect(dir).toBe(path.join(hostB, frozen.packageDigest));
    expect(filesOf(dir)).toEqual(filesOf(folder.dir));
    expect(readManifest(dir).manifestDigest).toBe(frozen.manifestDigest);
    const files = await storedManifestFiles(store, frozen.packageDigest);
    expect(Object.keys(files)).toEqual([...MANIFEST_FILES]);

    // A damaged cache is fetched again; an intact one is used as it is.
    fs.writeFileSync(path.join(dir, 'units.csv'), 'tampered');
    expect(await materialiseManifest(store, frozen.packageDigest, hostB)).toBe(dir);
    expect(readManifest(dir).manifestDigest).toBe(frozen.manifestDigest);
    const before = stamps(dir);
    await materialiseManifest(store, frozen.packageDigest, hostB);
    expect(stamps(dir)).toEqual(before);

    // Another manifest for the same campaign is refused.
    const fewer = { ...args, snapshot: snapshot({ units: units('KS', 11, { category: 'key', jurisdiction: 'shihe' }), people: snap.people }) };
    await expect(freezeToStore(fewer)).rejects.toThrow(FreezeRefusedError);
    await expect(freezeToStore(fewer)).rejects.toThrow(`package ${frozen.packageDigest}`);
    await expect(materialiseManifest(store, sha256('no such package'), hostB)).rejects.toThrow(BlobMissingError);
  });

  it('keeps the draw notice of the first attempt: a retry of the same draw at another time changes nothing', async () => {
    const id = 'campaign-notice-2023q1';
    const notice = (drawnAt: string) => buildDrawNotice({ workflowId: id, year: 2023, quarter: 1, drawnAt, record });
    expect(await storedDrawNotice(store, id)).toBeNull();
    const first = await storeDrawNotice(store, id, notice('2023-01-05T10:00:00+08:00'));
    expect(first.unchanged).toBe(false);
    const retry = await storeDrawNotice(store, id, notice('2023-01-05T10:07:00+08:00'));
    expect(retry).toEqual({ ...first, unchanged: true });
    expect(JSON.parse((await storedDrawNotice(store, id))!).drawn_at).toBe('2023-01-05T10:00:00+08:00');
  });

  it('publishes through the store: the exported folder is the folder writeDisclosurePackage writes, byte for byte', async () => {
    const id = 'campaign-pub-2023q1';
    const outDir = path.join(tmp, 'publication', id);
    const published = await publishDisclosurePackage(store, publicationInput(), { campaignId: id, outDir });
    expect(published).toMatchObject({ dir: outDir, unchanged: false, stored: { name: campaignPackageName(id, 'publication') } });
    const reference = await writeDisclosurePackage(publicationInput(), path.join(tmp, 'publication-direct'));
    expect(filesOf(outDir)).toEqual(filesOf(reference.dir));
    expect(published.packageDigest).toBe(reference.packageDigest);

    // A retried publish and an operator's export change nothing; an export elsewhere is the same bytes.
    const before = stamps(outDir);
    expect((await publishDisclosurePackage(store, publicationInput(), { campaignId: id, outDir })).unchanged).toBe(true);
    expect(await exportPublication(store, id, outDir)).toEqual({ dir: outDir, unchanged: true, digest: published.stored.digest });
    expect(stamps(outDir)).toEqual(before);
    const web = path.join(tmp, 'webroot', 'q1');
    expect((await exportPublication(store, id, web)).unchanged).toBe(false);
    expect(filesOf(web)).toEqual(filesOf(outDir));
    await expect(exportPublication(store, 'campaign-never-published', web)).rejects.toThrow('has not been published yet');
  }, 60_000);

  it('ssj publication export writes the stored package for an operator, and a second run changes nothing', async () => {
    const id = 'campaign-pub-2023q1'; // published by the test above
    const to = path.join(tmp, 'operator-export');
    const env = { SSJ_DATA_DIR: settings.dataDir, SSJ_DATABASE_URL: settings.databaseUrl ?? '' };
    const first = await ssjPublication(['export', '--campaign', id, '--to', to], env);
    expect(first).toMatchObject({ code: 0, out: expect.stringMatching(/^exported: .*operator-export \(package [0-9a-f]{64}\)\n$/) });
    expect(filesOf(to)).toEqual(filesOf(path.join(tmp, 'publication', id)));
    expect((await ssjPublication(['export', '--campaign', id, '--to', to], env)).out).toMatch(/^unchanged: /);
    const none = await ssjPublication(['export', '--campaign', 'campaign-none', '--to', to], env);
    expect(none).toMatchObject({ code: ExitCode.refused, err: expect.stringContaining('campaign campaign-none has no publication') });
    expect((await ssjPublication(['export', '--campaign', '../x', '--to', to], env)).code).toBe(ExitCode.badInput);
  }, 60_000);

  it('holds a 200,000-unit manifest (the size the database-not-S3 choice rests on)', async () => {
    const files = serializeManifest(syntheticManifest({ units: 200_000, spec: DRAW_SPEC_V2 }));
    const total = Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0);
    const pkg = await store.putPackage('campaigns/big/manifest', Object.entries(files));
    const dir = await materialisePackage(store, pkg.digest, path.join(tmp, 'big-cache'));
    expect(fs.readFileSync(path.join(dir, 'units.csv'), 'utf8')).toBe(files['units.csv']);
    expect(total).toBeGreaterThan(5_000_000);
    expect(total).toBeLessThan(20_000_000);
  }, 120_000);
});
