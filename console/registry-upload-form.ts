// Reads the registry upload form (multipart): the CSRF token as its FIRST part, checked before
// anything else is read, then the kind, the optional effective date and ONE .csv or .xlsx file,
// with this route's own limits (under the server's global ceilings). The file's kind is decided
// by its name (as `ssj registry import` decides) and confirmed by its bytes: an .xlsx is a zip, a
// .csv is text; anything else is refused before it is parsed.
import * as path from 'node:path';
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { cleanFileName, isCsrfPart } from './multipart';

export const REGISTRY_UPLOAD_LIMITS = {
  /** A registry of 20,000 units is about 4 MB as CSV, less as XLSX. */
  maxBytes: 10 * 1024 * 1024,
} as const;

export const REGISTRY_ACCEPT = '.csv,.xlsx';

export interface RegistryUpload {
  fields: Record<string, string>;
  fileName: string;
  bytes: Buffer;
}

export type RegistryUploadResult = { ok: true; upload: RegistryUpload } | { ok: false; status: 400 | 403 | 413; error: string; fields: Record<string, string> };

const ZIP = [0x50, 0x4b, 0x03, 0x04];

/** Why these bytes are not what the name says; null when they are. */
export function registryFileProblem(fileName: string, bytes: Buffer): string | null {
  const ext = path.extname(fileName).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') return `文件“${fileName}”不是 CSV 或 XLSX 文件：名录只能以 .csv（UTF-8 编码）或 .xlsx 文件导入。`;
  if (bytes.length === 0) return `文件“${fileName}”是空文件。`;
  const isZip = ZIP.every((b, i) => bytes[i] === b);
  if (ext === '.xlsx' && !isZip) return `文件“${fileName}”的内容不是 XLSX 工作簿（可能是改了扩展名的其他文件），请用 Excel 或 WPS 另存为 .xlsx。`;
  // A text file holds no NUL byte, except UTF-16 (which the importer names as its own problem).
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (ext === '.csv' && (isZip || (!utf16 && bytes.subarray(0, 64 * 1024).includes(0)))) return `文件“${fileName}”的内容不是文本格式的 CSV（可能是改了扩展名的其他文件）。`;
  return null;
}

export async function readRegistryUpload(req: FastifyRequest, csrfSecret: string): Promise<RegistryUploadResult> {
  const fields: Record<string, string> = {};
  let file: { fileName: string; bytes: Buffer } | null = null;
  let first = true;
  try {
    const parts = req.parts({ limits: { fileSize: REGISTRY_UPLOAD_LIMITS.maxBytes, files: 1, fields: 8, fieldSize: 1024, parts: 9 } }) as AsyncIterableIterator<Multipart>;
    for await (const part of parts) {
      if (first) {
        first = false;
        if (!isCsrfPart(part, csrfSecret)) return { ok: false, status: 403, error: 'csrf', fields };
      }
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      // The file input of a form sent without a file still sends a part: no name, no bytes.
      if (!part.filename) {
        part.file.resume();
        continue;
      }
      const fileName = cleanFileName(part.filename);
      if (!['.csv', '.xlsx'].includes(path.extname(fileName).toLowerCase())) {
        // Refused by its name before its bytes are kept.
        part.file.resume();
        return { ok: false, status: 400, error: registryFileProblem(fileName, Buffer.alloc(0))!, fields };
      }
      const bytes = await part.toBuffer();
      const problem = registryFileProblem(fileName, bytes);
      if (problem) return { ok: false, status: 400, error: problem, fields };
      file = { fileName, bytes };
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return { ok: false, status: 413, error: `名录文件不能超过 ${REGISTRY_UPLOAD_LIMITS.maxBytes / 1024 / 1024} MB。更大的名录请分批导入，或用命令行 ssj registry import。`, fields };
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') return { ok: false, status: 413, error: '一次只能导入一个文件。', fields };
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_FIELDS_LIMIT') return { ok: false, status: 400, error: '表单格式有误，请刷新页面后重试。', fields };
    throw err;
  }
  if (first) return { ok: false, status: 403, error: 'csrf', fields };
  if (!file) return { ok: false, status: 400, error: '请选择要导入的名录文件（.csv 或 .xlsx）。', fields };
  return { ok: true, upload: { fields, ...file } };
}
