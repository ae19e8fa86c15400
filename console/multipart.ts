// What every multipart form of the console shares: its CSRF token comes as the FIRST part and is
// checked before any file is read (routes with `config: { csrfInFirstPart: true }`, see
// console/server.ts), and an uploaded file's name is cleaned before it is shown or stored.
import type { Multipart } from '@fastify/multipart';
import { sameSecret } from './auth';

/** The longest file name kept, in characters (code points: a character outside the BMP is one, never cut in half). */
const MAX_NAME = 100;

/** `text` with any lone surrogate (half of a character outside the BMP) replaced by U+FFFD, so encodeURIComponent and UTF-8 take it (String.prototype.toWellFormed). */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A file name safe to show and to send back: its last path segment, no control or direction characters, at most 100 characters (the last ones, so the extension stays). */
export function cleanFileName(name: string): string {
  const base = wellFormed(name).normalize('NFC').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"]/gu, '').trim();
  return Array.from(clean || '证据文件').slice(-MAX_NAME).join('');
}

/** A multipart form's first part must be its CSRF token (routes with `config: { csrfInFirstPart: true }`, console/server.ts), checked before any file is read. */
export function isCsrfPart(part: Multipart, csrfSecret: string): boolean {
  const token = part.type === 'field' && part.fieldname === '_csrf' && typeof part.value === 'string' ? part.value : undefined;
  return sameSecret(token, csrfSecret);
}
