// verify-data.js: the copy of the draw's files that verify.html reads when opened from disk
// (file://), where Chromium refuses fetch between files. Shared by the publication (which writes
// it) and the page (which rebuilds its exact bytes to hash it), so both make the same text.
// It cannot carry its own line of SHA256SUMS (that line hashes this very file): `sums` is
// SHA256SUMS without it, and the page puts the line back after hashing these bytes.

export const VERIFY_DATA_FILE = 'verify-data.js';
export const VERIFY_PAGE_FILE = 'verify.html';
export const VERIFY_SCRIPT_FILE = 'verify.js';

export interface VerifyData {
  /** SHA256SUMS without the verify-data.js line. */
  sums: string;
  /** path → base64 of the file's bytes, in SHA256SUMS order. */
  files: Record<string, string>;
}

/** Files the check reads, hence carried in verify-data.js: the manifest, the JSON files and the lists (results.csv, index.html). */
export function carriedInVerifyData(path: string): boolean {
  return path.startsWith('manifest/') || path.endsWith('.json') || path === 'results.csv' || path === 'index.html';
}

/** The exact text of verify-data.js. */
export function verifyDataScript(data: VerifyData): string {
  return (
    '// 本文件是本目录中抽取相关文件的副本（base64），供在本地直接打开 verify.html 时读取；verify.html 会逐一核对其摘要。\n' +
    `globalThis.SSJ_VERIFY_DATA = ${JSON.stringify({ sums: data.sums, files: data.files })};\n`
  );
}

/** One SHA256SUMS line, `sha256sum` format. */
export const sumsLine = (sha256: string, path: string): string => `${sha256}  ${path}\n`;
