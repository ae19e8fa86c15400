// Tickets in bulk (DRAW-SPEC section 3): ticket = SHA-256(seed + "|" + label), where the seed is
// 64 hex characters, exactly one SHA-256 block. So every ticket of a draw starts from the same
// state after that block, and the rest ("|select|pool|unit", "|assign|unit|inspector") fits one
// more block when it is at most 55 bytes: one compression a ticket instead of two, with no string
// made per ticket (node's crypto.hash costs ~1 us a call, most of it crossing into C++ and
// allocating its result). The label's fixed part (up to the id) is laid out once per pool or unit,
// and the rounds that only read it are done once. Longer labels fall back to node:crypto.
// writeUnits hashes a batch (a pool's candidates, a load group) four at a time in WebAssembly
// SIMD (./tickets-simd) where it runs, the blocks laid out by the module from the ids' bytes;
// small batches, and any batch where SIMD does not run, use the JavaScript rounds below.
//
// A ticket is written as 8 words into an Int32Array, each word XOR 0x80000000 so that signed
// comparison of the words, in order, is the order of the tickets' hex text (256-bit numbers).
import * as crypto from 'node:crypto';
import { Sha256Lanes, TEAM_LABEL_EXTRA, TEAM_RUN, sha256Lanes } from './tickets-simd';
import { IdBytes, unitIdAt } from './unit-table';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The longest tail (after the seed) that fits one block with its padding and length. */
const ONE_BLOCK = 55;
const SIGN = 0x80000000 | 0;

/** Scratch message schedule: holds nothing between calls. */
const W = new Int32Array(64);

/** Expands W[0..15] into W[16..63]. */
function schedule(): void {
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15] as number;
    const y = W[t - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0;
  }
}

/** Rounds `from`..`to`-1 of the compression on state `s` (8 words, updated in place) with W. */
function rounds(s: Int32Array, from: number, to: number): void {
  let a = s[0] as number, b = s[1] as number, c = s[2] as number, d = s[3] as number;
  let e = s[4] as number, f = s[5] as number, g = s[6] as number, h = s[7] as number;
  for (let t = from; t < to; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[t] as number) + (W[t] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  s[0] = a; s[1] = b; s[2] = c; s[3] = d; s[4] = e; s[5] = f; s[6] = g; s[7] = h;
}

/** Puts ASCII `text` into W as big-endian bytes from byte `at` (W's words there must be clear). */
function place(text: string, at: number): void {
  for (let j = 0; j < text.length; j++) {
    const p = at + j;
    W[p >> 2] = (W[p >> 2] as number) | (text.charCodeAt(j) << (24 - ((p & 3) << 3)));
  }
}

/** Pads a tail of `n` bytes (at most ONE_BLOCK) in W: 0x80, zeros, the message length in bits. */
function pad(n: number): void {
  W[n >> 2] = (W[n >> 2] as number) | (0x80 << (24 - ((n & 3) << 3)));
  W[15] = (64 + n) << 3; // the seed's block, then the tail
}

/** selectLowest() writes no tickets out. */
const NO_RESULTS = new Int32Array(0);

/** Fewer ids than this are hashed one by one: a SIMD batch costs a little to set up. */
export const BATCH_MIN = 8;
let batching = true;

/** Whether batches run in WebAssembly SIMD here (else one by one in JavaScript). */
export function ticketBatchesInSimd(): boolean {
  return batching && sha256Lanes(K) !== null;
}

/** The process's SIMD lanes while batches are on (./units-scan-wasm scans units.csv in their memory), else null. */
export function ticketLanes(): Sha256Lanes | null {
  return batching ? sha256Lanes(K) : null;
}

/** Turns the SIMD batches off (true: on, where they run). For tests that compare both paths. */
export function useTicketBatches(on: boolean): void {
  batching = on;
}

/** Tickets `seed|<fixed><id>` for many ids sharing `fixed` (e.g. "select|pool|" or "assign|unit|"). */
export class TicketPrefix {
  /** W[0..15] with the fixed bytes in place. */
  private readonly words = new Int32Array(16);
  /** The state after the rounds that read only fixed words. */
  private readonly state = new Int32Array(8);
  private readonly fixedWords: number;
  private readonly tail: string;

  constructor(
    private readonly hasher: TicketHasher,
    fixed: string,
  ) {
    this.tail = `|${fixed}`;
    const n = this.tail.length;
    this.fixedWords = n <= ONE_BLOCK ? n >> 2 : 0;
    this.state.set(hasher.midstate);
    if (n > ONE_BLOCK) return; // every id falls back
    W.fill(0, 0, 16);
    place(this.tail, 0);
    this.words.set(W.subarray(0, 16));
    rounds(this.state, 0, this.fixedWords);
  }

  /**
   * The tickets of the ids units[0..count) of `table` (a manifest's units, its inspectors; ASCII),
   * units[j]'s into out[8j..8j+7]. Four at a time in WebAssembly SIMD (./tickets-simd) from
   * BATCH_MIN ids, where it runs; one by one in JavaScript otherwise. The same tickets either way.
   */
  writeUnits(table: IdBytes, units: ArrayLike<number>, count: number, out: Int32Array): void {
    const at = this.tail.length;
    // A tail too long for one block: every id falls back (below), the module has nothing to do.
    const lanes = count >= BATCH_MIN && batching && at <= ONE_BLOCK ? sha256Lanes(K) : null;
    // The module lays out the blocks from its copy of the table's ids itself.
    if (lanes?.useSource(table)) {
      lanes.beginFill(this.state, this.hasher.midstate, this.fixedWords, out, SIGN, this.tail, (64 + at) << 3);
      if (units instanceof Int32Array && at + lanes.longestId <= ONE_BLOCK) {
        lanes.pushAll(units, count); // every id fits one block: nothing to do per id here
        return;
      }
      const idLength = table.idLength;
      for (let j = 0; j < count; j++) {
        const u = units[j] as number;
        if (at + (idLength[u] as number) > ONE_BLOCK) this.hasher.fallback(this.tail + unitIdAt(table, u), out, 8 * j);
        else lanes.pushRef(u, 8 * j);
      }
      lanes.flush();
      return;
    }
    // No lanes (a small batch, no SIMD) or a source too large for the module: one by one here.
    for (let j = 0; j < count; j++) {
      const u = units[j] as number;
      if (!this.loadUnit(table, u)) this.hasher.fallback(this.tail + unitIdAt(table, u), out, 8 * j);
      else this.finish(out, 8 * j);
    }
  }

  /**
   * DRAW-SPEC section 4 steps 1-3 in WebAssembly (Sha256Lanes.selectLowest), where it runs: of the
   * units units[0..count) of `table`, those not `taken` (null: none are), the `quota` (at least 1)
   * with the lowest (ticket, id), in that order, and how many candidates there were. Null where it
   * does not run (no SIMD, a small batch, an id that needs two blocks): the caller selects itself.
   */
  selectLowest(table: IdBytes, units: Int32Array, count: number, quota: number, taken: Uint8Array | null): { selected: number[]; candidates: number } | null {
    const lanes = count >= BATCH_MIN && batching ? sha256Lanes(K) : null;
    const at = this.tail.length;
    if (!lanes?.useSource(table) || at + lanes.longestId > ONE_BLOCK) return null;
    lanes.beginFill(this.state, this.hasher.midstate, this.fixedWords, NO_RESULTS, SIGN, this.tail, (64 + at) << 3);
    return lanes.selectLowest(units, count, quota, taken);
  }

  /** Puts the block of unit `u` of `table` (ASCII bytes) in W[0..15], padded; false when it needs more than one block. */
  private loadUnit(table: IdBytes, u: number): boolean {
    const bytes = table.bytes;
    const start = table.idStart[u] as number;
    const length = table.idLength[u] as number;
    const at = this.tail.length;
    const n = at + length;
    if (n > ONE_BLOCK) return false;
    W.set(this.words);
    for (let j = 0; j < length; j++) {
      const p = at + j;
      W[p >> 2] = (W[p >> 2] as number) | ((bytes[start + j] as number) << (24 - ((p & 3) << 3)));
    }
    pad(n);
    return true;
  }

  /** Compresses the block in W from the fixed rounds' state and writes the ticket. */
  private finish(out: Int32Array, o: number): void {
    schedule();
    // The remaining rounds: rounds() inlined, the state in locals, not a typed array (the draw's
    // hot loop; measured ~15% faster per ticket than calling rounds() on a scratch state).
    const st = this.state;
    let a = st[0] as number, b = st[1] as number, c = st[2] as number, d = st[3] as number;
    let e = st[4] as number, f = st[5] as number, g = st[6] as number, h = st[7] as number;
    for (let t = this.fixedWords; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[t] as number) + (W[t] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const m = this.hasher.midstate;
    out[o] = (((m[0] as number) + a) | 0) ^ SIGN;
    out[o + 1] = (((m[1] as number) + b) | 0) ^ SIGN;
    out[o + 2] = (((m[2] as number) + c) | 0) ^ SIGN;
    out[o + 3] = (((m[3] as number) + d) | 0) ^ SIGN;
    out[o + 4] = (((m[4] as number) + e) | 0) ^ SIGN;
    out[o + 5] = (((m[5] as number) + f) | 0) ^ SIGN;
    out[o + 6] = (((m[6] as number) + g) | 0) ^ SIGN;
    out[o + 7] = (((m[7] as number) + h) | 0) ^ SIGN;
  }
}

/** Team choice in WebAssembly for one draw (Sha256Lanes.beginTeams): the same teams as ./draw chooseTeam. */
export class TeamLanes {
  constructor(
    private readonly lanes: Sha256Lanes,
    /** Each inspector's load, in the module's memory: chooseTeam() reads them, the caller raises them. */
    readonly loads: Int32Array,
    private readonly longestInspectorId: number,
  ) {}

  /** The team of `unitId` from `eligible`; null when its label needs two blocks (then ./draw chooseTeam, with these loads). */
  choose(unitId: string, eligible: readonly number[], size: number): number[] | null {
    return this.fits(unitId) ? this.lanes.chooseTeam(`|assign|${unitId}|`, eligible, size) : null;
  }

  /** Whether `unitId`'s team can be chosen here (its label fits one block with every inspector id). */
  fits(unitId: string): boolean {
    return TEAM_LABEL_EXTRA + unitId.length + this.longestInspectorId <= ONE_BLOCK;
  }

  /**
   * The teams of `unitIds[from..to-1]` (each fits()), all from the same `eligible`, in turn, as
   * choose() would pick them one by one, in calls of at most TEAM_RUN units. Unlike choose(), the
   * loads are raised here, after each unit (the caller must not raise them again). `take(j, members,
   * at)` gets unit j's members: members[at..at+size-1] (a view, valid during the call).
   */
  chooseRun(unitIds: readonly string[], from: number, to: number, eligible: readonly number[], size: number, take: (j: number, members: Int32Array, at: number) => void): void {
    for (let start = from; start < to; start += TEAM_RUN) {
      const end = Math.min(start + TEAM_RUN, to);
      const members = this.lanes.chooseTeams(unitIds, start, end, eligible, size);
      for (let j = start; j < end; j++) take(j, members, (j - start) * size);
    }
  }
}

/** The draw's ticket hashing for one seed (64 hex characters). */
export class TicketHasher {
  /** The SHA-256 state after the seed's block. */
  readonly midstate = new Int32Array(8);

  constructor(readonly seed: string) {
    if (!/^[0-9a-f]{64}$/.test(seed)) throw new Error(`a seed is 64 lowercase hex characters, got ${JSON.stringify(seed)}`);
    W.fill(0, 0, 16);
    place(seed, 0);
    schedule();
    this.midstate.set(IV);
    rounds(this.midstate, 0, 64);
    for (let i = 0; i < 8; i++) this.midstate[i] = ((this.midstate[i] as number) + (IV[i] as number)) | 0;
  }

  prefix(fixed: string): TicketPrefix {
    return new TicketPrefix(this, fixed);
  }

  /**
   * Team choice in WebAssembly SIMD for a draw whose inspectors' ids are `inspectors`, up to
   * `maxEligible` of them eligible for a unit, teams of `size`; null where batches do not run.
   */
  teams(inspectors: IdBytes, maxEligible: number, size: number): TeamLanes | null {
    const lanes = batching ? sha256Lanes(K) : null;
    const loads = lanes?.beginTeams(this.midstate, inspectors, maxEligible, size);
    if (!lanes || !loads) return null;
    let longest = 0;
    for (const l of inspectors.idLength) if (l > longest) longest = l;
    return new TeamLanes(lanes, loads, longest);
  }

  /** node:crypto for a tail too long for one block (ids of up to 64 characters allow it). */
  fallback(tail: string, out: Int32Array, o: number): void {
    // Hex, not a Buffer: verify.html's browser stand-in for node:crypto gives hex only.
    const hex = crypto.createHash('sha256').update(this.seed + tail).digest('hex');
    for (let i = 0; i < 8; i++) out[o + i] = parseInt(hex.slice(8 * i, 8 * i + 8), 16) ^ SIGN;
  }
}

/** Compares the tickets at word offsets `i` of `a` and `j` of `b`: negative, 0 or positive. */
export function compareTickets(a: Int32Array, i: number, b: Int32Array, j: number): number {
  for (let w = 0; w < 8; w++) {
    const x = a[i + w] as number;
    const y = b[j + w] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A ticket's hex text (for tests and logs). */
export function ticketHex(t: Int32Array, o: number): string {
  let hex = '';
  for (let i = 0; i < 8; i++) hex += (((t[o + i] as number) ^ SIGN) >>> 0).toString(16).padStart(8, '0');
  return hex;
}
