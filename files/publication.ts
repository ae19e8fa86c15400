// The quarter's public disclosure package (公示): one folder with
//   index.html        the printable 公示 page
//   results.csv       one row per drawn unit (UTF-8 with BOM, for Excel)
//   results.xlsx      the same rows as a workbook
//   draw-record.json  the draw record (DRAW-SPEC section 7)
//   manifest/         the five frozen input files, byte for byte
//   replacements.json the replacements list (section 6), possibly empty
//   verify.html       re-verifies the folder in the visitor's browser (+ verify.js, verify-data.js)
//   SHA256SUMS        `sha256sum -c` format over every other file
// Deterministic: the same input gives the same bytes (the publication date is an input, nothing
// reads the clock). Atomic: written into a temporary sibling folder, then renamed into place;
// rewriting an identical package leaves the folder untouched. Before writing, the draw is
// recomputed from the manifest and the witnesses and the replacements are replayed: a package
// that would not verify is refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { heartbeat } from '../activities/steps/heartbeat';
import { beijingMidnightMs } from '../domain/calendar';
import { chineseQuarter } from '../domain/documents/html';
import { MANIFEST_FILES, type ManifestFileName, sha256Hex } from '../domain/draw/digest';
import { seedCommitment } from '../domain/draw/draw';
import { type Manifest, ManifestError, parseManifest } from '../domain/draw/manifest';
import { readManifestFiles } from '../domain/draw/read-manifest';
import { drawRecordSchema, formatDrawRecord, formatReplacements, replacementsSchema } from '../domain/draw/record';
import { verifyDraw } from '../domain/draw/verify';
import { ceremoniesSentence, ceremonySchema, formatCeremonies } from '../domain/ceremonies';
import { handlingKinds } from '../domain/outcomes';
import { reasonCodeEntrySchema, type ReasonCodes } from '../domain/programme';
import { codeSchema, dateSchema, idSchema } from '../domain/registry';
import { defuseFormula, toCsv } from './publication/csv';
import { VERIFY_COMMAND, renderPage } from './publication/page';
import {
  METHOD_LABELS,
  WITNESS_ROLE_LABELS,
  type PublicOutcome,
  PublicationInputError,
  type PublicRow,
  type PublicUnit,
  buildRows,
  handlingText,
  publicReasonCode,
  resultText,
  statusText,
} from './publication/rows';
import { normalizeZipTimes } from './publication/zip-times';
import { withVerifier } from './publication/verifier/build';
import { folderHolds, replaceFolder } from './staged-folder';
import { campaignPackageName, type BlobStore } from '../stores/blob-store';
import { exportPackage } from '../stores/blob-folders';

export { PublicationInputError, VERIFY_COMMAND };

/** The standalone Python verifier shipped into every package (files/publication/verify.py). */
export const VERIFY_PY = path.join(__dirname, 'publication', 'verify.py');

const text = z.string().trim().min(1, 'must not be empty');

/**
 * A result as the public may see it. Unknown keys are dropped: a could-not-inspect result keeps
 * its reason code only, so an internal note (or an older free-text reason) never gets in.
 */
const publicResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('no-problem') }),
  z.object({ outcome: z.literal('problems-found'), description: text, referTo: codeSchema.nullable().default(null) }),
  z.object({ outcome: z.literal('could-not-inspect'), reasonCode: codeSchema.nullable().default(null) }),
]);
const reasonListSchema = z.array(reasonCodeEntrySchema);

const manifestBytes = z.union([z.string(), z.instanceof(Uint8Array)]);

/** The package's input. Unknown keys are dropped, so a caller may pass registry records whole. */
export const publicationInputSchema = z.object({
  /** e.g. 信阳市生态环境局 */
  bureauName: text,
  /** The department that publishes, e.g. 信阳市生态环境综合行政执法支队 */
  publisher: text,
  year: z.number().int().min(2000).max(2107),
  quarter: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  /** The title's middle part: <bureau><year>年<quarter><programmeName>结果公示 */
  programmeName: text.default('污染源日常监管“双随机、一公开”抽查'),
  /** The check item every row is for (Annex 1). */
  checkItem: text.default('污染源日常环境监管'),
  /** Publication date, YYYY-MM-DD (Beijing). Also the timestamp inside results.xlsx. */
  publishedOn: dateSchema,
  /** Replaces the default opening paragraph. */
  intro: text.nullable().default(null),
  /** A closing line such as 公示期间如有异议，请联系：0376-xxxxxxx */
  contact: text.nullable().default(null),
  /** Where the public gets the verifying software (programme.softwareSource). */
  softwareSource: text.nullable().default(null),
  /** Department codes of the draw pools → official names (检查部门). */
  departments: z.array(z.object({ id: codeSchema, name: text })),
  /** Names and addresses of every unit on the list (replaced and replacing ones included). */
  units: z.array(z.object({ id: idSchema, name: text, address: z.string().trim().default('') })),
  /** One per unit still on the list; optional for a replaced unit. */
  outcomes: z.array(
    z.object({
      unitId: idSchema,
      checkedOn: dateSchema.nullable(),
      result: publicResultSchema.nullable(),
      handling: z.enum(handlingKinds),
      /** Name of the brigade or agency that took the case over (for hand-overs and referrals). */
      handledBy: text.nullable().default(null),
      documentNumber: text.nullable().default(null),
    }),
  ),
  record: drawRecordSchema,
  /** The frozen manifest: its folder, or the five files' exact bytes. */
  manifest: z.union([
    z.object({ dir: text }),
    z.object({ files: z.object(Object.fromEntries(MANIFEST_FILES.map((f) => [f, manifestBytes])) as Record<ManifestFileName, typeof manifestBytes>) }),
  ]),
  replacements: replacementsSchema.default([]),
  /** The programme's reason codes (config/programme.json `reasons`): labels for the page and tables. */
  reasons: z
    .object({ recusal: reasonListSchema, unitClosed: reasonListSchema, couldNotInspect: reasonListSchema, rejection: reasonListSchema })
    .partial()
    .default({}),
  /** ssj-draw/2 witness ceremonies (void ones and the one that drew): ceremonies.json and a line on the page. */
  ceremonies: z.array(z.object({ outcome: z.enum(['void', 'drawn']), ceremony: ceremonySchema })).default([]),
  /** draw-notice.json exactly as published at the draw (files/publication/draw-notice.ts); null for older campaigns. */
  drawNotice: z.string().nullable().default(null),
});
export type PublicationInput = z.input<typeof publicationInputSchema>;

export interface PackageFile {
  /** Path inside the package, with forward slashes. */
  path: string;
  sha256: string;
  bytes: number;
}
export interface PublicationResult {
  dir: string;
  title: string;
  files: PackageFile[];
  /** SHA-256 of the SHA256SUMS file: one value that pins the whole package. */
  packageDigest: string;
  /** True when an identical package was already in place and nothing was written. */
  unchanged: boolean;
}

const CSV_HEADER = [
  '序号',
  '单位名称',
  '统一社会信用代码',
  '地址',
  '监管类别',
  '抽查事项',
  '检查方式',
  '检查部门',
  '检查日期',
  '检查结果',
  '处理情况',
  '抽取情况',
  '抽取池',
];

function tableRows(rows: PublicRow[], checkItem: string, names: ReadonlyMap<string, string>, reasons: Partial<ReasonCodes>): string[][] {
  return rows.map((r) => [
    String(r.no),
    r.unitName,
    r.unitId,
    r.address,
    r.category,
    checkItem,
    METHOD_LABELS[r.method],
    r.department,
    r.outcome?.checkedOn ?? '',
    resultText(r.outcome, r.status, reasons),
    handlingText(r.outcome, r.status),
    statusText(r.status, names),
    r.poolId,
  ]);
}

async function buildXlsx(title: string, publisher: string, publishedOn: string, rows: string[][], replacedRows: Set<number>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const stamp = new Date(beijingMidnightMs(publishedOn));
  wb.creator = publisher;
  wb.lastModifiedBy = publisher;
  wb.created = stamp;
  wb.modified = stamp;
  wb.title = title;
  const ws = wb.addWorksheet('抽查结果', { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.mergeCells(1, 1, 1, CSV_HEADER.length);
  const titleCell = ws.getCell(1, 1);
  titleCell.value = title;
  titleCell.font = { bold: true, size: 14 };
  titleCell.alignment = { horizontal: 'center' };
  const header = ws.addRow(CSV_HEADER);
  header.font = { bold: true };
  header.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } };
    c.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
  });
  rows.forEach((r, i) => {
    const row = ws.addRow([Number(r[0]), ...r.slice(1).map(defuseFormula)]);
    row.alignment = { vertical: 'top', wrapText: true };
    if (replacedRows.has(i)) row.font = { color: { argb: 'FF888888' } };
  });
  const widths = [6, 32, 22, 30, 14, 20, 12, 18, 12, 36, 36, 30, 28];
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  return normalizeZipTimes(buf, publishedOn);
}

function loadManifest(spec: z.output<typeof publicationInputSchema>['manifest']): { bytes: Record<ManifestFileName, Buffer>; manifest: Manifest } {
  const bytes = {} as Record<ManifestFileName, Buffer>;
  if ('dir' in spec) {
    Object.assign(bytes, readManifestFiles(spec.dir));
  } else {
    for (const f of MANIFEST_FILES) {
      const v = spec.files[f];
      bytes[f] = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
    }
  }
  return { bytes, manifest: parseManifest(bytes) };
}

/** Every file of the package, path → bytes, in path order. Pure apart from reading the manifest folder. */
export async function buildDisclosurePackage(input: PublicationInput): Promise<{ title: string; files: Map<string, Buffer> }> {
  const parsed = publicationInputSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 20).map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`);
    throw new PublicationInputError(`publication input: ${lines.join('; ')}`);
  }
  const d = parsed.data;

  let loaded: ReturnType<typeof loadManifest>;
  try {
    loaded = loadManifest(d.manifest);
  } catch (err) {
    if (err instanceof ManifestError) throw new PublicationInputError(`publication input: the manifest is not valid:\n${err.message}`);
    throw err;
  }
  const verdict = verifyDraw(loaded.manifest, d.record, d.replacements);
  if (!verdict.ok) {
    throw new PublicationInputError(`publication input: the draw record does not verify against the manifest and replacements: ${verdict.difference}`);
  }

  // Published reasons are bare codes (an older record's `code: words` keeps its code only).
  const replacements = d.replacements.map((r) => ({ ...r, reason: publicReasonCode(r.reason) }));

  const dup = (ids: string[]) => ids.filter((x, i) => ids.indexOf(x) !== i);
  const dupUnits = dup(d.units.map((u) => u.id));
  if (dupUnits.length) throw new PublicationInputError(`publication input: units: ${dupUnits[0]} is listed twice`);
  const dupOutcomes = dup(d.outcomes.map((o) => o.unitId));
  if (dupOutcomes.length) throw new PublicationInputError(`publication input: outcomes: unit ${dupOutcomes[0]} has two outcomes`);

  const units = new Map<string, PublicUnit>(d.units.map((u) => [u.id, u]));
  const outcomes = new Map<string, PublicOutcome>(d.outcomes.map((o) => [o.unitId, o]));
  const departments = new Map(d.departments.map((x) => [x.id, x.name]));
  const missingDept = d.record.pools.map((p) => p.department).filter((id) => !departments.has(id));
  if (missingDept.length) throw new PublicationInputError(`publication input: departments: no name for department ${missingDept[0]} (a pool's department)`);
  const rows = buildRows(d.record, loaded.manifest, replacements, units, outcomes, departments, d.reasons);
  const names = new Map(d.units.map((u) => [u.id, u.name]));

  const quarterText = chineseQuarter(d.quarter);
  const title = `${d.bureauName}${d.year}年${quarterText}${d.programmeName}结果公示`;
  const table = tableRows(rows, d.checkItem, names, d.reasons);
  const replacedRows = new Set(rows.flatMap((r, i) => (r.status.kind === 'replaced' ? [i] : [])));

  const files = new Map<string, Buffer>();
  for (const f of MANIFEST_FILES) files.set(`manifest/${f}`, loaded.bytes[f]);
  files.set('draw-record.json', Buffer.from(formatDrawRecord(d.record), 'utf8'));
  files.set('replacements.json', Buffer.from(formatReplacements(replacements), 'utf8'));
  files.set('results.csv', toCsv(CSV_HEADER, table));
  files.set('results.xlsx', await buildXlsx(title, d.publisher, d.publishedOn, table, replacedRows));
  heartbeat('results built');
  const listed = ['results.csv', 'results.xlsx', 'draw-record.json', 'replacements.json', 'manifest/'];
  if (d.ceremonies.length) {
    files.set('ceremonies.json', Buffer.from(formatCeremonies(d.ceremonies), 'utf8'));
    listed.splice(listed.indexOf('replacements.json') + 1, 0, 'ceremonies.json');
  }
  // The draw-time notice, byte for byte, and the standalone verifier that checks the folder against it.
  if (d.drawNotice !== null) {
    files.set('draw-notice.json', Buffer.from(d.drawNotice, 'utf8'));
    listed.push('draw-notice.json');
  }
  files.set('verify.py', fs.readFileSync(VERIFY_PY));
  listed.push('verify.py');
  // verify.html re-verifies the folder in the visitor's browser (files/publication/verifier).
  listed.push('verify.html', 'verify.js', 'verify-data.js');
  files.set(
    'index.html',
    Buffer.from(
      renderPage({
        title,
        bureauName: d.bureauName,
        publisher: d.publisher,
        publishedOn: d.publishedOn,
        periodText: `${d.year}年${quarterText}`,
        intro: d.intro,
        contact: d.contact,
        softwareSource: d.softwareSource,
        rows,
        record: d.record,
        replacements,
        reasons: d.reasons,
        seedCommitment: seedCommitment(d.record.seed),
        ceremonies: ceremoniesSentence(d.ceremonies, (r) => WITNESS_ROLE_LABELS[r] ?? r),
        unitNames: names,
        files: listed,
      }),
      'utf8',
    ),
  );
  // Adds verify.html, verify.js, verify-data.js, then SHA256SUMS over every file.
  return { title, files: await withVerifier(files) };
}

/**
 * Writes the quarter's disclosure package into `outDir` (created, or replaced as a whole).
 * Throws PublicationInputError, naming the field or unit, for input that does not hang
 * together; nothing is written then.
 */
export async function writeDisclosurePackage(input: PublicationInput, outDir: string): Promise<PublicationResult> {
  const { title, files } = await buildDisclosurePackage(input);
  const dir = path.resolve(outDir);
  heartbeat('package built');
  if (folderHolds(dir, [...files.keys()], (p, b) => b.equals(files.get(p)!))) return publicationResult(dir, title, files, true);
  replaceFolder(dir, files);
  return publicationResult(dir, title, files, false);
}

function publicationResult(dir: string, title: string, files: Map<string, Buffer>, unchanged: boolean): PublicationResult {
  const summary = [...files.entries()].filter(([p]) => p !== 'SHA256SUMS').map(([p, b]) => ({ path: p, sha256: sha256Hex(b), bytes: b.length }));
  return { dir, title, files: summary, packageDigest: sha256Hex(files.get('SHA256SUMS')!), unchanged };
}

/**
 * The multi-host path: builds the package, stores it in the shared blob store as the campaign's
 * publication (replacing an earlier one, as the folder would be), then exports it from the store
 * to `outDir`. Any host can run it; a retry re-exports the same bytes and changes nothing.
 */
export async function publishDisclosurePackage(
  store: BlobStore,
  input: PublicationInput,
  to: { campaignId: string; outDir: string },
): Promise<PublicationResult & { stored: { name: string; digest: string } }> {
  const { title, files } = await buildDisclosurePackage(input);
  heartbeat('package built');
  const pkg = await store.putPackage(campaignPackageName(to.campaignId, 'publication'), files, { replace: true });
  heartbeat('package stored');
  const { dir, unchanged } = await exportPackage(store, pkg, to.outDir);
  return { ...publicationResult(dir, title, files, unchanged), stored: { name: pkg.name, digest: pkg.digest } };
}

/** Exports the campaign's stored publication to `outDir` (ssj publication export); idempotent. */
export async function exportPublication(store: BlobStore, campaignId: string, outDir: string): Promise<{ dir: string; unchanged: boolean; digest: string }> {
  const name = campaignPackageName(campaignId, 'publication');
  const pkg = await store.package(name);
  if (!pkg) throw new PublicationInputError(`campaign ${campaignId} has no publication in ${store.description} (no package ${name}): it has not been published yet`);
  return { ...(await exportPackage(store, pkg, outDir)), digest: pkg.digest };
}
