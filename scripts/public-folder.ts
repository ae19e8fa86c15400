// Reads a publication folder the way an outsider would: every file's text, and every entry of a
// zip file (results.xlsx) inflated, so a test can prove what is not in any of them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** Every entry of a zip archive as (name, bytes), read from the central directory. */
export function unzipEntries(zip: Buffer): { name: string; data: Buffer }[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: no end of central directory');
  const out: { name: string; data: Buffer }[] = [];
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = zip.readUInt16LE(eocd + 10); n > 0; n--) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    const local = zip.readUInt32LE(p + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    if (method !== 0 && method !== 8) throw new Error(`zip entry ${name}: compression method ${method} not supported`);
    out.push({ name, data: method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw) });
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

/** Every file under `dir` (zip files opened) as `{ where, text }`, `where` like `results.xlsx!xl/sharedStrings.xml`. */
export function publicTexts(dir: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const walk = (d: string, prefix: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const rel = `${prefix}${e.name}`;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full, `${rel}/`);
      else {
        const bytes = fs.readFileSync(full);
        out.push({ where: rel, text: bytes.toString('utf8') });
        if (bytes.readUInt32LE(0) === 0x04034b50) for (const z of unzipEntries(bytes)) out.push({ where: `${rel}!${z.name}`, text: z.data.toString('utf8') });
      }
    }
  };
  walk(dir, '');
  return out;
}

/** `needle → files holding it`, only for needles found: `{}` means none of them is published. */
export function findInFolder(dir: string, needles: readonly string[]): Record<string, string[]> {
  const texts = publicTexts(dir);
  const found: Record<string, string[]> = {};
  for (const n of needles) {
    const where = texts.filter((t) => t.text.includes(n)).map((t) => t.where);
    if (where.length) found[n] = where;
  }
  return found;
}
