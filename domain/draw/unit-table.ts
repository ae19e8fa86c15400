// The units as the draw reads them: columns, not one object a unit. The draw needs of a unit only
// its id's bytes (to hash its tickets), which pools it can fall in (its category, jurisdiction and
// tier: a handful of distinct triples) and, once drawn, its id and `positive`. A 200,000-unit
// manifest as objects is ~40 MB that the garbage collector copies around; as columns it is a few
// typed arrays over units.csv's own bytes. `ssj draw` scans units.csv straight into this form
// (scanUnitsCsv); every other caller's parsed units convert with unitTableOf.
import type { ManifestUnit } from './manifest';

/** A unit's (category, jurisdiction, tier): what pools match on. */
export interface UnitKind {
  category: string;
  jurisdiction: string;
  tier: string;
}

/** Ids as ASCII bytes, as the ticket hashing reads them (./tickets writeUnits). */
export interface IdBytes {
  /**
   * id i is bytes[idStart[i] .. idStart[i] + idLength[i]). Read it where it is used, do not keep
   * it: a table `ssj draw` scanned in place answers with a view of the draw's WebAssembly memory,
   * renewed when that memory grows, and with its own copy once another manifest is read there.
   */
  readonly bytes: Uint8Array;
  readonly idStart: Int32Array;
  readonly idLength: Uint8Array;
  /** Ids made into strings so far (by unitIdAt). */
  readonly ids: (string | undefined)[];
}

export interface UnitTable extends IdBytes {
  readonly count: number;
  /** Each unit's index into `kinds`. */
  readonly kind: Uint32Array;
  readonly kinds: readonly UnitKind[];
  /** 1: on the positive list (checked off-site). */
  readonly positive: Uint8Array;
}

/** IdBytes of ASCII strings (manifest ids, which parseManifest has checked). */
export function idBytesOf(ids: readonly string[]): IdBytes {
  let size = 0;
  for (const id of ids) size += id.length;
  const bytes = new Uint8Array(size);
  const idStart = new Int32Array(ids.length);
  const idLength = new Uint8Array(ids.length);
  let p = 0;
  ids.forEach((id, i) => {
    idStart[i] = p;
    idLength[i] = id.length;
    for (let k = 0; k < id.length; k++) bytes[p++] = id.charCodeAt(k);
  });
  return { bytes, idStart, idLength, ids: [...ids] };
}

/** Unit i's id as a string (made once, on first use: most units are never drawn). */
export function unitIdAt(t: IdBytes, i: number): string {
  let id = t.ids[i];
  if (id === undefined) {
    const s = t.idStart[i] as number;
    id = String.fromCharCode.apply(null, t.bytes.subarray(s, s + (t.idLength[i] as number)) as unknown as number[]);
    t.ids[i] = id;
  }
  return id;
}

const ascii = new TextDecoder();

/**
 * The ids of units `indices` as strings, as unitIdAt gives them one by one, made in one go: their
 * bytes side by side, decoded once, then cut (a pool's drawn units: thousands of ids, each made
 * on its own costs ~1 us in a short process). Ids are ASCII (parseManifest and the scan check it).
 */
export function unitIdsAt(t: IdBytes, indices: readonly number[]): string[] {
  let size = 0;
  for (let k = 0; k < indices.length; k++) size += t.idLength[indices[k] as number] as number;
  const side = new Uint8Array(size);
  const bytes = t.bytes; // read once: a table kept in place has a getter here
  let p = 0;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    const s = t.idStart[i] as number;
    const l = t.idLength[i] as number;
    side.set(bytes.subarray(s, s + l), p);
    p += l;
  }
  const text = ascii.decode(side);
  const ids: string[] = new Array<string>(indices.length);
  p = 0;
  for (let k = 0; k < indices.length; k++) {
    const l = t.idLength[indices[k] as number] as number;
    ids[k] = text.slice(p, p + l);
    p += l;
  }
  return ids;
}

/** Orders units i and j by id (bytes, ascending): negative, 0 or positive. */
export function compareUnitIds(t: UnitTable, i: number, j: number): number {
  const b = t.bytes;
  const si = t.idStart[i] as number;
  const sj = t.idStart[j] as number;
  const li = t.idLength[i] as number;
  const lj = t.idLength[j] as number;
  const n = li < lj ? li : lj;
  for (let k = 0; k < n; k++) {
    const c = (b[si + k] as number) - (b[sj + k] as number);
    if (c !== 0) return c;
  }
  return li - lj;
}

/** Whether a unit has id `id` (the table is sorted by id, as units.csv is). */
export function hasUnitId(t: UnitTable, id: string): boolean {
  let lo = 0;
  let hi = t.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = t.idStart[mid] as number;
    const l = t.idLength[mid] as number;
    const n = l < id.length ? l : id.length;
    let c = 0;
    for (let k = 0; k < n && c === 0; k++) c = (t.bytes[s + k] as number) - id.charCodeAt(k);
    if (c === 0) c = l - id.length;
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Interns kinds: one index per distinct (category, jurisdiction, tier). */
class KindIndex {
  readonly kinds: UnitKind[] = [];
  private readonly byKey = new Map<string, number>();
  indexOf(category: string, jurisdiction: string, tier: string): number {
    const key = `${category},${jurisdiction},${tier}`;
    let k = this.byKey.get(key);
    if (k === undefined) {
      k = this.kinds.length;
      this.byKey.set(key, k);
      this.kinds.push({ category, jurisdiction, tier });
    }
    return k;
  }
}

/** The table of parsed units (ids are ASCII: parseManifest has checked them). */
export function unitTableOf(units: readonly ManifestUnit[]): UnitTable {
  const n = units.length;
  const kind = new Uint32Array(n);
  const positive = new Uint8Array(n);
  const kinds = new KindIndex();
  for (let i = 0; i < n; i++) {
    const u = units[i] as ManifestUnit;
    kind[i] = kinds.indexOf(u.category, u.jurisdiction, u.tier);
    positive[i] = u.positive ? 1 : 0;
  }
  return { count: n, ...idBytesOf(units.map((u) => u.unitId)), kind, kinds: kinds.kinds, positive };
}

// Byte classes of the manifest's value rules (DRAW-SPEC section 1); ./units-scan-wasm scans by them too.
export const ID_FIRST = 1; // [0-9A-Za-z]
export const ID_REST = 2; // [0-9A-Za-z._-]
export const CODE_FIRST = 4; // [a-z0-9]
export const CODE_REST = 8; // [a-z0-9._-]
export const CLASS = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alnum = /[0-9A-Za-z]/.test(ch);
  const lowerOrDigit = /[a-z0-9]/.test(ch);
  const mark = ch === '.' || ch === '_' || ch === '-';
  CLASS[c] = (alnum ? ID_FIRST | ID_REST : 0) | (lowerOrDigit ? CODE_FIRST | CODE_REST : 0) | (mark ? ID_REST | CODE_REST : 0);
}
export const COMMA = 0x2c;
export const LF = 0x0a;
export const DASH = 0x2d;
export const MAX_VALUE = 64;

/** The shortest row units.csv can have: `a,b,c,-,0` and its LF. */
export const MIN_ROW = 10;

/** Slots of KindsByHash (a power of 2): up to half as many kinds, far more than a programme has. */
export const SLOTS = 4096;

/** Kinds found by the hash of their bytes: open addressing in typed arrays, no Map call per row. */
class KindsByHash {
  private readonly hashes = new Int32Array(SLOTS);
  /** Kind index + 1 of each slot; 0: free. */
  private readonly slots = new Int32Array(SLOTS);
  private used = 0;
  /** The kind with `hash`, or -1. */
  get(hash: number): number {
    for (let i = hash & (SLOTS - 1); ; i = (i + 1) & (SLOTS - 1)) {
      const k = this.slots[i] as number;
      if (k === 0) return -1;
      if (this.hashes[i] === hash) return k - 1;
    }
  }
  /** Adds kind `k` (not yet present); false when the table is full (the caller gives up). */
  add(hash: number, k: number): boolean {
    if (++this.used > SLOTS / 2) return false;
    let i = hash & (SLOTS - 1);
    while (this.slots[i] !== 0) i = (i + 1) & (SLOTS - 1);
    this.hashes[i] = hash;
    this.slots[i] = k + 1;
    return true;
  }
}

/**
 * units.csv's bytes straight into a table, checking every rule of the file on the way (header,
 * each field's rule, LF endings, ids strictly ascending by bytes), or null as soon as any row
 * does not pass: the caller then parses the file the ordinary way, which words the problems.
 * So a valid file gives exactly what unitTableOf(parsed units) gives, and an invalid one the
 * ordinary messages. Kinds are found by a running hash of their bytes, checked byte for byte.
 */
export function scanUnitsCsv(bytes: Uint8Array, header: string): UnitTable | null {
  const h = header.length;
  if (bytes.length <= h || bytes[h] !== LF) return null;
  for (let k = 0; k < h; k++) if (bytes[k] !== header.charCodeAt(k)) return null;
  // Room for the most rows the file could hold (cut to the rows found): no pass to count lines.
  const rows = Math.ceil((bytes.length - h - 1) / MIN_ROW);
  const idStart = new Int32Array(rows);
  const idLength = new Uint8Array(rows);
  const kind = new Uint32Array(rows);
  const positive = new Uint8Array(rows);
  const kinds: UnitKind[] = [];
  const kindAt: number[] = []; // where each kind's bytes are in the file (to confirm a hash hit)
  const kindLength: number[] = [];
  const kindOfHash = new KindsByHash();
  const end = bytes.length;
  let p = h + 1;
  let n = 0;
  let prevStart = -1;
  let prevLength = 0;
  while (p < end) {
    if (n === rows) return null;
    // unit_id
    const s = p;
    if (!((CLASS[bytes[p] as number] as number) & ID_FIRST)) return null;
    p++;
    while ((CLASS[bytes[p] as number] as number) & ID_REST) p++;
    const l = p - s;
    if (l > MAX_VALUE || bytes[p] !== COMMA) return null;
    if (prevStart >= 0) {
      const m = l < prevLength ? l : prevLength;
      let c = 0;
      for (let k = 0; k < m && c === 0; k++) c = (bytes[s + k] as number) - (bytes[prevStart + k] as number);
      if (c === 0) c = l - prevLength;
      if (c <= 0) return null; // out of order or a duplicate
    }
    prevStart = s;
    prevLength = l;
    // category, jurisdiction, tier (the tier may be `-`), hashed together with their commas
    const ks = ++p;
    let hash = 0x811c9dc5 | 0;
    for (let f = 0; f < 3; f++) {
      const fs = p;
      let b = bytes[p] as number;
      if ((CLASS[b] as number) & CODE_FIRST) {
        do {
          hash = Math.imul(hash ^ b, 0x01000193);
          b = bytes[++p] as number;
        } while ((CLASS[b] as number) & CODE_REST);
        if (p - fs > MAX_VALUE) return null;
      } else if (f === 2 && b === DASH) {
        hash = Math.imul(hash ^ b, 0x01000193);
        p++;
      } else {
        return null;
      }
      if (bytes[p] !== COMMA) return null;
      hash = Math.imul(hash ^ COMMA, 0x01000193);
      p++;
    }
    const kl = p - 1 - ks;
    let k = kindOfHash.get(hash);
    if (k === -1) {
      k = kinds.length;
      if (!kindOfHash.add(hash, k)) return null; // more kinds than any programme has: the ordinary parse
      kindAt.push(ks);
      kindLength.push(kl);
      const [category, jurisdiction, tier] = String.fromCharCode.apply(null, bytes.subarray(ks, ks + kl) as unknown as number[]).split(',') as [string, string, string];
      kinds.push({ category, jurisdiction, tier });
    } else {
      // A hash collision between two kinds is astronomically unlikely; if it ever happens, the
      // ordinary parse takes over.
      const at = kindAt[k] as number;
      if (kindLength[k] !== kl) return null;
      for (let j = 0; j < kl; j++) if (bytes[at + j] !== bytes[ks + j]) return null;
    }
    // positive
    const c = bytes[p] as number;
    if ((c !== 0x30 && c !== 0x31) || bytes[p + 1] !== LF) return null;
    idStart[n] = s;
    idLength[n] = l;
    kind[n] = k;
    positive[n] = c - 0x30;
    n++;
    p += 2;
  }
  return {
    count: n,
    bytes,
    idStart: idStart.subarray(0, n),
    idLength: idLength.subarray(0, n),
    kind: kind.subarray(0, n),
    kinds,
    positive: positive.subarray(0, n),
    ids: [], // made on demand (unitIdAt): most ids are never needed as strings
  };
}
