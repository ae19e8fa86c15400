// exceljs (through JSZip) stamps every zip entry with the current time, so two writes of the
// same workbook differ. This rewrites the DOS date/time fields of a finished zip in place
// (local headers and central directory); CRCs cover the data only, so the archive stays valid.

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

/** DOS date and time words for a YYYY-MM-DD day at 00:00:00. */
export function dosDateTime(date: string): { date: number; time: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`"${date}" is not a date YYYY-MM-DD`);
  const y = Number(m[1]);
  if (y < 1980 || y > 2107) throw new Error(`zip dates cover 1980–2107, not ${y}`);
  return { date: ((y - 1980) << 9) | (Number(m[2]) << 5) | Number(m[3]), time: 0 };
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The EOCD is 22 bytes plus a comment of up to 65535 bytes, at the end.
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip.readUInt32LE(i) === EOCD_SIG) return i;
  }
  throw new Error('not a zip file: no end of central directory');
}

/** Sets every entry's modification date to `date` 00:00:00; returns the same buffer. */
export function normalizeZipTimes(zip: Buffer, date: string): Buffer {
  const { date: dosDate, time: dosTime } = dosDateTime(date);
  const eocd = findEndOfCentralDirectory(zip);
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== CENTRAL_SIG) throw new Error(`zip central directory entry ${n} is damaged`);
    zip.writeUInt16LE(dosTime, p + 12);
    zip.writeUInt16LE(dosDate, p + 14);
    const local = zip.readUInt32LE(p + 42);
    if (zip.readUInt32LE(local) !== LOCAL_SIG) throw new Error(`zip local header of entry ${n} is damaged`);
    zip.writeUInt16LE(dosTime, local + 10);
    zip.writeUInt16LE(dosDate, local + 12);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return zip;
}

/** Every entry's (name, DOS date, DOS time): for tests and checks. */
export function zipEntryTimes(zip: Buffer): Array<{ name: string; date: number; time: number }> {
  const eocd = findEndOfCentralDirectory(zip);
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out: Array<{ name: string; date: number; time: number }> = [];
  for (let n = 0; n < entries; n++) {
    const nameLen = zip.readUInt16LE(p + 28);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    out.push({ name, date: zip.readUInt16LE(p + 14), time: zip.readUInt16LE(p + 12) });
    if (zip.readUInt16LE(local + 12) !== zip.readUInt16LE(p + 14) || zip.readUInt16LE(local + 10) !== zip.readUInt16LE(p + 12)) {
      out.push({ name: `${name} (local header differs)`, date: zip.readUInt16LE(local + 12), time: zip.readUInt16LE(local + 10) });
    }
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}
