// units.csv checked and indexed in WebAssembly: the same rules and the same table as the
// JavaScript scan (./unit-table scanUnitsCsv), about 4x faster in a short process (its loop ~10
// against ~45 ms for 200,000 units in `ssj draw`), where the JavaScript one runs mostly
// unoptimized. Ids are compared with the previous one and kinds with their first row 16 bytes at
// a time (SIMD), and a kind is hashed 4 bytes at a time: measured 13 -> 9 ms for that loop. (Checking
// each byte's class 16 at a time was slower than the class table: the fields are short.) The file
// is in the ticket lanes' memory (./tickets-simd), so the ids are already in place when their
// tickets are hashed.
//
// The scan runs a chunk of rows a call: WebAssembly code is optimized between calls, not within
// one, so the first chunks run on the baseline compiler and the rest on the optimizing one.
// Any row it does not pass makes it give up (null), as the JavaScript scan does; the caller then
// parses the file the ordinary way, which words the problems.
import { ticketLanes } from './tickets';
import { SOURCE_AT, Sha256Lanes } from './tickets-simd';
import { CLASS, CODE_FIRST, CODE_REST, COMMA, DASH, ID_FIRST, ID_REST, LF, MAX_VALUE, MIN_ROW, SLOTS, UnitKind, UnitTable } from './unit-table';
import { Code, assemble, differsBefore, firstDifference, name, section, uleb, vec } from './wasm-assembler';

const HASH_BASIS = 0x811c9dc5 | 0;
const HASH_MULTIPLIER = 0x9e3779b1 | 0;
/** The most kinds taken: half the slots, as ./unit-table. */
const MAX_KINDS = SLOTS / 2;

// Memory the scan uses below SOURCE_AT, in room the ticket functions leave free.
const STATE_AT = 1296; // the scan's state between calls, 13 i32 (see STATE)
const CLASS_AT = 1792; // the byte classes, 256 bytes
/** The state's fields, by their i32 index from STATE_AT. */
const STATE = { p: 0, n: 1, prevStart: 2, prevLength: 3, kinds: 4, longest: 5, end: 6, rows: 7, starts: 8, lengths: 9, kindOfRow: 10, positive: 11, table: 12 };
/** The kind table, from STATE.table: each slot's hash, each slot's kind + 1 (0: free), each kind's first bytes' start and length. */
const HASHES = 0;
const SLOT_KINDS = 4 * SLOTS;
const KIND_STARTS = 8 * SLOTS;
const KIND_LENGTHS = 8 * SLOTS + 4 * MAX_KINDS;
const TABLE_BYTES = 8 * SLOTS + 8 * MAX_KINDS;

// scan(limit) -> 0 (rows up to `limit` done, or the file's end) or 1 (a row it does not pass).
const [LIMIT, P, N, PS, PL, KC, LONG, END, ROWS, ST, LN, KD, PO, TBL] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const [S, L, C, X, HASH, KS, KL, F, FS, SLOT, K, J, M] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
const LOCALS = 26; // i32 locals after the parameter
const get = (l: number): Code => ['get', l];
const field = (f: keyof typeof STATE): number => STATE_AT + 4 * STATE[f];
/** The byte at source offset `l` (+ `plus`). */
const byteAt = (l: number, plus = 0): Code => [get(l), (plus ? ['const', plus, 'add'] : []), 'load8', SOURCE_AT];
/** Whether the byte in local `l` has class `cls`. */
const hasClass = (l: number, cls: number): Code => [get(l), 'load8', CLASS_AT, 'const', cls, 'and'];
/** local = local + 1 */
const inc = (l: number): Code => [get(l), 'const', 1, 'add', 'set', l];
/** Address TBL + 4 * local */
const tableSlot = (l: number): Code => [get(TBL), get(l), 'const', 2, 'shl', 'add'];
/** HASH = (HASH ^ the 4 bytes at the source offset on the stack, + `plus`) * HASH_MULTIPLIER */
const mixWord = (offset: Code, plus: number): Code => [get(HASH), offset, 'i32load', SOURCE_AT + plus, 'xor', 'const', HASH_MULTIPLIER, 'mul', 'set', HASH];
const STATE_LOCALS: [number, keyof typeof STATE][] = [
  [P, 'p'], [N, 'n'], [PS, 'prevStart'], [PL, 'prevLength'], [KC, 'kinds'], [LONG, 'longest'], [END, 'end'], [ROWS, 'rows'],
  [ST, 'starts'], [LN, 'lengths'], [KD, 'kindOfRow'], [PO, 'positive'], [TBL, 'table'],
];

const SCAN: Code = [
  STATE_LOCALS.flatMap(([l, f]) => ['const', 0, 'i32load', field(f), 'set', l]),
  'block', '$bail',
  'block', '$done',
  'loop', '$row',
  get(P), get(LIMIT), 'ge_u', 'br_if', '$done',
  get(P), get(END), 'ge_u', 'br_if', '$done',
  get(N), get(ROWS), 'eq', 'br_if', '$bail',
  // unit_id: [0-9A-Za-z][0-9A-Za-z._-]{0,63}, then a comma
  get(P), 'set', S,
  byteAt(P), 'set', C,
  hasClass(C, ID_FIRST), 'eqz', 'br_if', '$bail',
  'loop', '$id',
  get(P), 'const', 1, 'add', 'tee', P, 'load8', SOURCE_AT, 'tee', C,
  'load8', CLASS_AT, 'const', ID_REST, 'and', 'br_if', '$id',
  'end',
  get(P), get(S), 'sub', 'tee', L, 'const', MAX_VALUE, 'gt_u', 'br_if', '$bail',
  get(C), 'const', COMMA, 'ne', 'br_if', '$bail',
  // strictly after the previous id (bytes): a smaller byte or an equal prefix no longer is refused
  // (16 bytes at a time: sorted ids share long prefixes)
  get(N), 'if',
  get(L), 'set', M,
  get(PL), get(M), 'lt_u', 'if', get(PL), 'set', M, 'end',
  'const', 0, 'set', J,
  'block', '$ordered',
  'loop', '$cmp',
  get(J), get(M), 'lt_u', 'if',
  firstDifference([get(S)], SOURCE_AT, [get(PS)], SOURCE_AT, J, X),
  differsBefore(X, J, M), 'if',
  get(S), get(X), 'add', 'load8', SOURCE_AT, get(PS), get(X), 'add', 'load8', SOURCE_AT, 'lt_u', 'br_if', '$bail',
  'br', '$ordered',
  'end',
  get(J), 'const', 16, 'add', 'set', J,
  'br', '$cmp',
  'end',
  'end',
  // one is a prefix of the other: the longer comes after
  get(L), get(PL), 'le_u', 'br_if', '$bail',
  'end',
  'end',
  get(S), 'set', PS,
  get(L), 'set', PL,
  get(L), get(LONG), 'gt_u', 'if', get(L), 'set', LONG, 'end',
  // category, jurisdiction, tier (the tier may be `-`), then hashed together with their commas
  get(P), 'const', 1, 'add', 'tee', P, 'set', KS,
  'const', 0, 'set', F,
  'loop', '$field',
  get(P), 'set', FS,
  byteAt(P), 'set', C,
  hasClass(C, CODE_FIRST), 'if',
  'loop', '$code',
  get(P), 'const', 1, 'add', 'tee', P, 'load8', SOURCE_AT, 'tee', C,
  'load8', CLASS_AT, 'const', CODE_REST, 'and', 'br_if', '$code',
  'end',
  get(P), get(FS), 'sub', 'const', MAX_VALUE, 'gt_u', 'br_if', '$bail',
  'else',
  get(F), 'const', 2, 'ne', get(C), 'const', DASH, 'ne', 'or', 'br_if', '$bail',
  get(P), 'const', 1, 'add', 'tee', P, 'load8', SOURCE_AT, 'set', C,
  'end',
  get(C), 'const', COMMA, 'ne', 'br_if', '$bail',
  inc(P),
  get(F), 'const', 1, 'add', 'tee', F, 'const', 3, 'ne', 'br_if', '$field',
  'end',
  get(P), 'const', 1, 'sub', get(KS), 'sub', 'set', KL,
  // The kind's hash, 4 bytes at a time (not byte by byte: a multiply's latency each): its whole
  // words, then its last 4 bytes (KL >= 5) and its length; the high bits folded into the slot's.
  'const', HASH_BASIS, 'set', HASH,
  'const', 0, 'set', J,
  'block', '$hashed', 'loop', '$hash',
  get(J), 'const', 4, 'add', get(KL), 'gt_u', 'br_if', '$hashed',
  mixWord([get(KS), get(J), 'add'], 0),
  get(J), 'const', 4, 'add', 'set', J,
  'br', '$hash',
  'end', 'end',
  mixWord([get(KS), get(KL), 'add'], -4),
  get(HASH), get(KL), 'xor', 'const', HASH_MULTIPLIER, 'mul', 'set', HASH,
  get(HASH), get(HASH), 'const', 16, 'shr_u', 'xor', 'set', HASH,
  // the kind: found by its hash, confirmed against its first row's bytes (16 at a time); another
  // kind with the same hash is passed over
  get(HASH), 'const', SLOTS - 1, 'and', 'set', SLOT,
  'block', '$found',
  'loop', '$probe',
  tableSlot(SLOT), 'i32load', SLOT_KINDS, 'set', K,
  get(K), 'eqz', 'if',
  get(KC), 'const', MAX_KINDS, 'ge_u', 'br_if', '$bail',
  tableSlot(SLOT), get(HASH), 'i32store', HASHES,
  tableSlot(SLOT), get(KC), 'const', 1, 'add', 'i32store', SLOT_KINDS,
  tableSlot(KC), get(KS), 'i32store', KIND_STARTS,
  tableSlot(KC), get(KL), 'i32store', KIND_LENGTHS,
  get(KC), 'set', K,
  inc(KC),
  'br', '$found',
  'end',
  tableSlot(SLOT), 'i32load', HASHES, get(HASH), 'eq', 'if',
  'block', '$other',
  get(K), 'const', 1, 'sub', 'set', M,
  tableSlot(M), 'i32load', KIND_LENGTHS, get(KL), 'ne', 'br_if', '$other',
  tableSlot(M), 'i32load', KIND_STARTS, 'set', FS,
  'const', 0, 'set', J,
  'loop', '$same',
  firstDifference([get(FS)], SOURCE_AT, [get(KS)], SOURCE_AT, J, X),
  differsBefore(X, J, KL), 'br_if', '$other',
  get(J), 'const', 16, 'add', 'tee', J, get(KL), 'lt_u', 'br_if', '$same',
  'end',
  get(M), 'set', K,
  'br', '$found',
  'end',
  'end',
  get(SLOT), 'const', 1, 'add', 'const', SLOTS - 1, 'and', 'set', SLOT,
  'br', '$probe',
  'end',
  'end',
  // positive: 0 or 1, then LF
  byteAt(P), 'set', C,
  get(C), 'const', 0x30, 'sub', 'const', 1, 'gt_u', 'br_if', '$bail',
  byteAt(P, 1), 'const', LF, 'ne', 'br_if', '$bail',
  get(ST), get(N), 'const', 2, 'shl', 'add', get(S), 'i32store', 0,
  get(LN), get(N), 'add', get(L), 'store8', 0,
  get(KD), get(N), 'const', 2, 'shl', 'add', get(K), 'i32store', 0,
  get(PO), get(N), 'add', get(C), 'const', 0x30, 'sub', 'store8', 0,
  inc(N),
  get(P), 'const', 2, 'add', 'set', P,
  'br', '$row',
  'end',
  'end',
  STATE_LOCALS.slice(0, 6).flatMap(([l, f]) => ['const', 0, get(l), 'i32store', field(f)]),
  'const', 0, 'return',
  'end',
  'const', 1,
];

function scanModuleBytes(): Uint8Array {
  const i32 = 0x7f;
  const body = [...vec([[LOCALS, i32]]), ...assemble(SCAN), 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[i32]]), ...vec([[i32]])]])), // scan: (i32) -> i32
    ...section(2, vec([[...name('m'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])), // the lanes' memory
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('scan'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes a scan call checks, about: small enough that the code is optimized early in a file. */
const CHUNK_BYTES = 64 * 1024;

let scanner: { lanes: Sha256Lanes; scan: (limit: number) => number } | null | undefined;

function scannerFor(lanes: Sha256Lanes): ((limit: number) => number) | null {
  if (scanner === undefined || (scanner && scanner.lanes !== lanes)) {
    try {
      const instance = new wasm!.Instance(new wasm!.Module(scanModuleBytes()), { m: { memory: lanes.memoryObject } });
      scanner = { lanes, scan: instance.exports.scan as (limit: number) => number };
    } catch {
      scanner = null;
    }
  }
  return scanner?.scan ?? null;
}

/** What the scan lays out after units.csv's `size` bytes (and a 0 byte that ends any field running off its end). */
function layoutAfter(size: number, headerLength: number) {
  const rows = Math.ceil((size - headerLength - 1) / MIN_ROW);
  const starts = (SOURCE_AT + size + 1 + 3) & ~3;
  const kindOfRow = starts + 4 * rows;
  const lengths = kindOfRow + 4 * rows;
  const positive = lengths + rows;
  const table = (positive + rows + 3) & ~3;
  return { rows, starts, kindOfRow, lengths, positive, table, end: table + TABLE_BYTES };
}

/**
 * Has `read` put units.csv (up to `size` bytes: it gives how many it read, undefined when the file
 * holds more) straight into the lanes' memory, where the scan takes it,
 * with room for all the scan lays out after it: the file is not copied there a second time (for
 * 8 MB, ~5 ms here, mostly touching fresh memory). Gives that view of the memory, or undefined
 * where this does not run (the caller reads the file itself). The view lasts until the memory
 * grows: take the file's digest and scan it (scanUnitsCsvWasm, which then keeps the bytes in
 * place for the table) before anything else uses the lanes.
 */
export function placeUnitsCsv(size: number, header: string, read: (into: Uint8Array) => number | undefined): Uint8Array | undefined {
  const lanes = wasm ? ticketLanes() : null;
  if (size <= header.length || !lanes || !scannerFor(lanes) || !lanes.reserve(layoutAfter(size, header.length).end)) return undefined;
  lanes.adoptSource(null, 0, 0, 0, 0); // a table whose bytes were kept here gets its own copy first
  const got = read(lanes.memoryBytes.subarray(SOURCE_AT, SOURCE_AT + size));
  return got === undefined ? undefined : lanes.memoryBytes.subarray(SOURCE_AT, SOURCE_AT + got);
}

/**
 * units.csv's bytes into a table in WebAssembly, or null when it does not pass (or where this
 * cannot run: `undefined`, and the caller scans in JavaScript). The table's arrays are the
 * caller's own (copied out); its ids stay in the lanes' memory for hashing until other ids
 * replace them there. Bytes placeUnitsCsv() put in place stay there as the table's bytes (its
 * `bytes` a view of them) until other bytes are put there, when the table gets its own copy.
 */
export function scanUnitsCsvWasm(bytes: Uint8Array, header: string): UnitTable | null | undefined {
  const lanes = wasm ? ticketLanes() : null;
  const scan = lanes && scannerFor(lanes);
  if (!lanes || !scan) return undefined;
  const h = header.length;
  if (bytes.length <= h || bytes[h] !== LF) return null;
  for (let k = 0; k < h; k++) if (bytes[k] !== header.charCodeAt(k)) return null;
  const size = bytes.length;
  const { rows, starts, kindOfRow, lengths, positive, table, end } = layoutAfter(size, h);
  const inPlace = bytes.buffer === lanes.memoryBytes.buffer && bytes.byteOffset === SOURCE_AT;
  if (!lanes.reserve(end)) return undefined;
  if (!inPlace) lanes.adoptSource(null, 0, 0, 0, 0);
  const memory = lanes.memoryBytes;
  if (!inPlace) memory.set(bytes, SOURCE_AT);
  memory[SOURCE_AT + size] = 0;
  memory.set(CLASS, CLASS_AT);
  memory.fill(0, table, table + TABLE_BYTES);
  const state = new Int32Array(memory.buffer, STATE_AT, 13);
  state.set([h + 1, 0, -1, 0, 0, 0, size, rows, starts, lengths, kindOfRow, positive, table]);
  for (let limit = h + 1 + CHUNK_BYTES; ; limit += CHUNK_BYTES) {
    if (scan(Math.min(limit, size)) !== 0) return null;
    if (state[STATE.p] as number >= size) break;
  }
  const n = state[STATE.n] as number;
  const kindCount = state[STATE.kinds] as number;
  const kindStarts = new Int32Array(memory.buffer, table + KIND_STARTS, kindCount);
  const kindLengths = new Int32Array(memory.buffer, table + KIND_LENGTHS, kindCount);
  const kinds: UnitKind[] = [];
  for (let k = 0; k < kindCount; k++) {
    const at = kindStarts[k] as number;
    const text = String.fromCharCode.apply(null, bytes.subarray(at, at + (kindLengths[k] as number)) as unknown as number[]);
    const [category, jurisdiction, tier] = text.split(',') as [string, string, string];
    kinds.push({ category, jurisdiction, tier });
  }
  const unitTable: UnitTable = {
    count: n,
    bytes,
    idStart: new Int32Array(memory.buffer, starts, n).slice(),
    idLength: memory.slice(lengths, lengths + n),
    kind: new Uint32Array(memory.buffer, kindOfRow, n).slice(),
    kinds,
    positive: memory.slice(positive, positive + n),
    ids: [], // made on demand (unitIdAt): most ids are never needed as strings
  };
  if (inPlace) lanes.keepInPlace(unitTable, size);
  lanes.adoptSource(unitTable, starts, lengths, state[STATE.longest] as number, end);
  return unitTable;
}
