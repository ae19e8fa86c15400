// Evidence files for an inspection result (photos and PDF scans of the paper record): read from a
// multipart form with their own limits, accepted only when the bytes (magic numbers) AND the type
// the browser declared agree on JPEG, PNG or PDF, stored by SHA-256 in the shared blob store (the
// same bytes twice are one blob), and sent back as attachments with their checked type.
import type { Multipart } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cleanFileName, isCsrfPart, wellFormed } from './multipart';

export { cleanFileName };

export const EVIDENCE_LIMITS = {
  /** Per file: a phone photo is 2–6 MB, a scanned record a few MB. */
  maxBytes: 10 * 1024 * 1024,
  /** Per inspection (a draft's list), and per request. */
  maxFiles: 20,
} as const;

const TYPES = [
  { type: 'image/jpeg', label: 'JPEG 照片', magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', label: 'PNG 图片', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'application/pdf', label: 'PDF 文件', magic: [...Buffer.from('%PDF-')] },
] as const;
export const EVIDENCE_ACCEPT = TYPES.map((t) => t.type).join(',');

/** The type the bytes are, by their magic number; null when none of JPEG, PNG, PDF. */
export function sniffEvidenceType(bytes: Uint8Array): string | null {
  return TYPES.find((t) => t.magic.every((b, i) => bytes[i] === b))?.type ?? null;
}

export interface UploadedFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

export type MultipartForm =
  | { ok: true; fields: Record<string, string | string[]>; files: UploadedFile[] }
  | { ok: false; status: 400 | 403 | 413; error: string; fields: Record<string, string | string[]> };

/**
 * Reads a multipart form whose FIRST part is the CSRF token (checked before any file is read),
 * then its fields and evidence files. A file of another type, or one whose declared type and
 * bytes disagree, or too large, or too many, refuses the whole form (nothing is stored).
 */
export async function readEvidenceForm(req: FastifyRequest, csrfSecret: string, limits: { maxBytes: number; maxFiles: number } = EVIDENCE_LIMITS): Promise<MultipartForm> {
  const read = await readParts(req, csrfSecret, limits);
  // A refusal answered before the browser has sent the rest of the body reads as a reset connection there, not as the page.
  if (!read.ok && read.status !== 403) await drain(req);
  return read;
}

/** Reads (and discards) what is left of the request body, for at most a few seconds. */
function drain(req: FastifyRequest): Promise<void> {
  const raw = req.raw;
  if (raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, 5000);
    raw.once('end', done);
    raw.once('close', done);
    raw.resume();
  });
}

async function readParts(req: FastifyRequest, csrfSecret: string, limits: { maxBytes: number; maxFiles: number }): Promise<MultipartForm> {
  const fields: Record<string, string | string[]> = {};
  const files: UploadedFile[] = [];
  // The first refused file; the parts after it are still read, so the form comes back with everything typed.
  let refusal: { status: 400 | 413; error: string } | null = null;
  let first = true;
  try {
    // throwFileSizeLimit: false (the plugin reads it here; its types omit it): a file over the limit comes truncated and flagged, and the rest of the form is still read.
    const options = { throwFileSizeLimit: false, limits: { fileSize: limits.maxBytes, files: limits.maxFiles, fields: 200, fieldSize: 64 * 1024 } };
    const parts = req.parts(options as Parameters<FastifyRequest['parts']>[0]) as AsyncIterableIterator<Multipart>;
    for await (const part of parts) {
      if (first) {
        first = false;
        if (!isCsrfPart(part, csrfSecret)) return { ok: false, status: 403, error: 'csrf', fields };
      }
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : '';
        const had = fields[part.fieldname];
        fields[part.fieldname] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
        continue;
      }
      const bytes = await part.toBuffer();
      // A file input left empty still sends a part: no name, no bytes.
      if ((!part.filename && bytes.length === 0) || refusal) continue;
      const fileName = cleanFileName(part.filename);
      const sniffed = sniffEvidenceType(bytes);
      if (part.file.truncated) refusal = { status: 413, error: `文件“${fileName}”超过 ${limits.maxBytes / 1024 / 1024} MB（单个文件不能超过 ${limits.maxBytes / 1024 / 1024} MB），未上传。` };
      else if (!sniffed || !TYPES.some((t) => t.type === part.mimetype)) refusal = { status: 400, error: `文件“${fileName}”不是 JPEG、PNG 照片或 PDF 文件，未上传。` };
      else if (sniffed !== part.mimetype) refusal = { status: 400, error: `文件“${fileName}”的内容与其类型不符（声明为 ${part.mimetype}），未上传。` };
      else files.push({ fileName, contentType: sniffed, bytes });
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') return { ok: false, status: 413, error: `一次最多上传 ${limits.maxFiles} 个文件，未上传。`, fields };
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_FIELDS_LIMIT') return { ok: false, status: 400, error: '表单格式有误，请刷新页面后重试。', fields };
    throw err;
  }
  if (first) return { ok: false, status: 403, error: 'csrf', fields };
  if (refusal) return { ok: false, ...refusal, fields };
  return { ok: true, fields, files };
}

/**
 * Sends a stored evidence file as a download: its checked type, attachment, never sniffed, never
 * cached. A name stored with half a character (before cleanFileName cut by characters) is sent
 * with U+FFFD in that place rather than not at all.
 */
export function sendEvidence(reply: FastifyReply, file: { fileName: string }, bytes: Buffer): FastifyReply {
  const type = sniffEvidenceType(bytes) ?? 'application/octet-stream';
  const name = wellFormed(file.fileName);
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .code(200)
    .type(type)
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(bytes);
}
