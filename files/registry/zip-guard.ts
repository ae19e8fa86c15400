// Checks an .xlsx (a zip) before exceljs unpacks it: a few KB can inflate to gigabytes, and
// exceljs's streaming reader copies a worksheet to a temp file of any size when the shared
// strings or the workbook's relations come after it in the zip. exceljs gives no hold on its
// entry streams (unzipper's Parse is made inside WorkbookReader.parse), so the bytes cannot be
// counted while it parses; instead every entry is inflated here first, counting and discarding,
// after checking that the entries a streaming reader meets, local header after local header,
// are exactly those the central directory lists. exceljs then inflates the same bytes.
import * as zlib from 'node:zlib';

export interface ZipLimits {
  /** Most bytes all entries may inflate to together. */
  unzippedBytes: number;
  /** Most entries. */
  entries: number;
  /** Highest inflated/compressed ratio of an entry larger than `ratioFrom` bytes. */
  ratio: number;
  ratioFrom: number;
}

const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, zip64Locator: 0x07064b50, descriptor: 0x08074b50 } as const;

const mib = (n: number): string => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  compressed: number;
  size: number;
  offset: number;
}

class Invalid extends Error {}

/** The central directory's entries and where it starts; throws Invalid for anything not read with certainty. */
function centralDirectory(bytes: Buffer, limits: ZipLimits): { entries: CentralEntry[]; cdOffset: number } {
  // The end record is 22 bytes plus a comment of at most 65535: search that tail, last first.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (bytes.readUInt32LE(i) === SIG.end && i + 22 + bytes.readUInt16LE(i + 20) === bytes.length) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Invalid('no end of central directory record');
  if (end >= 20 && bytes.readUInt32LE(end - 20) === SIG.zip64Locator) throw new Invalid('ZIP64 archives are not accepted');
  const disk = bytes.readUInt16LE(end + 4);
  const cdDisk = bytes.readUInt16LE(end + 6);
  const onDisk = bytes.readUInt16LE(end + 8);
  const count = bytes.readUInt16LE(end + 10);
  const cdSize = bytes.readUInt32LE(end + 12);
  const cdOffset = bytes.readUInt32LE(end + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new Invalid('ZIP64 archives are not accepted');
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) throw new Invalid('split (multi-volume) archives are not accepted');
  if (count > limits.entries) throw new Invalid(`${count} entries; at most ${limits.entries}`);
  if (cdOffset + cdSize !== end) throw new Invalid('the central directory is not where the end record says');
  const entries: CentralEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > end || bytes.readUInt32LE(p) !== SIG.central) throw new Invalid(`central directory entry ${k + 1} cannot be read`);
    const nameLength = bytes.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + bytes.readUInt16LE(p + 30) + bytes.readUInt16LE(p + 32);
    if (next > end) throw new Invalid(`central directory entry ${k + 1} runs past the directory`);
    const e: CentralEntry = {
      flags: bytes.readUInt16LE(p + 8),
      method: bytes.readUInt16LE(p + 10),
      compressed: bytes.readUInt32LE(p + 20),
      size: bytes.readUInt32LE(p + 24),
      offset: bytes.readUInt32LE(p + 42),
      name: bytes.toString('utf8', p + 46, p + 46 + nameLength),
    };
    if (e.compressed === 0xffffffff || e.size === 0xffffffff || e.offset === 0xffffffff) throw new Invalid('ZIP64 archives are not accepted');
    if (e.flags & 0x0001) throw new Invalid(`${e.name} is encrypted`);
    if (e.method !== 0 && e.method !== 8) throw new Invalid(`${e.name} uses compression method ${e.method} (only stored and deflate are read)`);
    if (e.method === 0 && e.compressed !== e.size) throw new Invalid(`${e.name} is stored but its sizes differ`);
    entries.push(e);
    p = next;
  }
  if (p !== end) throw new Invalid('the central directory holds more than its entries');
  return { entries, cdOffset };
}

/**
 * Walks the local headers from the first byte, as a streaming reader does: each must be the next
 * central directory entry (same place, name, method and sizes), with nothing between them or
 * before the directory, so no entry can hide from the directory and no size can differ.
 */
function checkLocalHeaders(bytes: Buffer, { entries, cdOffset }: { entries: CentralEntry[]; cdOffset: number }): { entry: CentralEntry; data: number }[] {
  const out: { entry: CentralEntry; data: number }[] = [];
  let p = 0;
  for (const e of [...entries].sort((a, b) => a.offset - b.offset)) {
    if (e.offset !== p) throw new Invalid(`${e.name} is not where the previous entry ends`);
    if (p + 30 > bytes.length || bytes.readUInt32LE(p) !== SIG.local) throw new Invalid(`${e.name} has no local header`);
    const flags = bytes.readUInt16LE(p + 6);
    const method = bytes.readUInt16LE(p + 8);
    const compressed = bytes.readUInt32LE(p + 18);
    const size = bytes.readUInt32LE(p + 22);
    const nameLength = bytes.readUInt16LE(p + 26);
    const data = p + 30 + nameLength + bytes.readUInt16LE(p + 28);
    if (bytes.toString('utf8', p + 30, p + 30 + nameLength) !== e.name || method !== e.method) throw new Invalid(`${e.name}'s local header does not match the central directory`);
    const descriptor = (flags & 0x0008) !== 0;
    // A streaming reader trusts the local sizes unless a data descriptor follows and they are 0.
    if (!(descriptor && compressed === 0) && (compressed !== e.compressed || size !== e.size)) throw new Invalid(`${e.name}'s local sizes do not match the central directory`);
    let after = data + e.compressed;
    if (after > bytes.length) throw new Invalid(`${e.name} runs past the end of the file`);
    if (descriptor) {
      // unzipper ends such an entry at the first descriptor signature after its data starts.
      if (compressed === 0 && bytes.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]), data) !== after) throw new Invalid(`${e.name}'s data descriptor is not where its size says`);
      const withSig = bytes.readUInt32LE(after) === SIG.descriptor;
      after += withSig ? 16 : 12;
    }
    out.push({ entry: e, data });
    p = after;
  }
  if (p !== cdOffset) throw new Invalid('bytes between the last entry and the central directory');
  return out;
}

/** Inflates `data` counting the bytes out (kept nowhere); stops once past `most`. */
function inflatedSize(data: Buffer, most: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflate = zlib.createInflateRaw();
    let n = 0;
    inflate.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > most) {
        inflate.destroy();
        resolve(n);
      }
    });
    inflate.on('end', () => resolve(n));
    inflate.on('error', (err) => reject(new Invalid(`cannot be inflated (${err.message})`)));
    inflate.end(data);
  });
}

/**
 * Null when the zip may be handed to exceljs; otherwise why not, as a rule for the import's
 * problem list: "not a valid .xlsx workbook (...)" or the limit broken.
 */
export async function zipProblem(bytes: Buffer, limits: ZipLimits): Promise<string | null> {
  let located: { entry: CentralEntry; data: number }[];
  try {
    located = checkLocalHeaders(bytes, centralDirectory(bytes, limits));
  } catch (err) {
    if (err instanceof Invalid) return `not a valid .xlsx workbook (${err.message})`;
    // A read past the end that the checks above did not foresee: still a damaged file, not a crash.
    if (err instanceof RangeError) return 'not a valid .xlsx workbook (a record runs past the end of the file)';
    throw err;
  }
  const total = located.reduce((sum, l) => sum + l.entry.size, 0);
  const tooLarge = `at most ${mib(limits.unzippedBytes)} can be read: split the workbook, or save it as CSV`;
  if (total > limits.unzippedBytes) {
    const largest = located.reduce((a, b) => (b.entry.size > a.entry.size ? b : a)).entry;
    return `the workbook unpacks to ${mib(total)} (${largest.name} alone ${mib(largest.size)}); ${tooLarge}`;
  }
  for (const { entry } of located) {
    if (entry.size > limits.ratioFrom && entry.size > entry.compressed * limits.ratio) {
      return `the workbook's part ${entry.name} unpacks ${Math.round(entry.size / Math.max(1, entry.compressed))} times its packed size (${mib(entry.size)}), more than ${limits.ratio} times: it is not a workbook a spreadsheet saves`;
    }
  }
  // The directory's sizes are what the file claims: count what each entry really inflates to.
  for (const { entry, data } of located) {
    if (entry.method === 0) continue; // stored: its size is its length, checked above
    let real: number;
    try {
      real = await inflatedSize(bytes.subarray(data, data + entry.compressed), entry.size);
    } catch (err) {
      if (err instanceof Invalid) return `not a valid .xlsx workbook (${entry.name} ${err.message})`;
      throw err;
    }
    if (real > entry.size) return `not a valid .xlsx workbook (${entry.name} inflates to more than the ${entry.size} bytes it declares)`;
    if (real < entry.size) return `not a valid .xlsx workbook (${entry.name} inflates to ${real} bytes, not the ${entry.size} it declares)`;
  }
  return null;
}
