// Four tickets at a time: the ticket block's SHA-256 compression (see ./tickets) in WebAssembly
// SIMD, one ticket in each 32-bit lane of 128-bit vectors. Measured ~5x faster per ticket than the
// JavaScript rounds, which hashing dominates the draw's cost (DRAW-SPEC section 9). The module is
// a few hundred bytes assembled below from its instructions (no binary blob, no build step).
// Where WebAssembly or its SIMD is missing (an old browser, a page whose policy forbids
// compiling it), lanes() gives null and ./tickets hashes ticket by ticket in JavaScript: the same
// result, as tests/draw-tickets.test.ts checks on both paths against node:crypto.

/** Blocks a run takes at most; the memory holds this many blocks and their results. */
const CHUNK = 4096;
// Memory layout, in bytes. Each vector holds one 32-bit word of four blocks.
const K_AT = 0; // the 64 round constants, each in all four lanes
const START_AT = 1024; // the state the rounds start from (8 words, in all lanes)
const INITIAL_AT = 1152; // the state added at the end (8 words, in all lanes)
const W_AT = 2048; // the message schedule, 64 vectors
const BLOCKS_AT = 4096; // CHUNK / 4 groups of 16 vectors: word w of the group's four blocks
const OUT_AT = BLOCKS_AT + CHUNK * 64; // CHUNK / 4 groups of 8 vectors: the results
const PAGES = Math.ceil((OUT_AT + CHUNK * 32) / 65536);

// --- a minimal assembler for the one function -------------------------------------------------
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

/** Opcodes (WebAssembly core 2.0 with SIMD); a number after an op in the code is its immediate. */
const OP: Record<string, number[]> = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: [0x0c],
  br_if: [0x0d],
  get: [0x20], // local.get
  set: [0x21], // local.set
  tee: [0x22], // local.tee
  const: [0x41], // i32.const
  eqz: [0x45],
  ne: [0x47],
  add: [0x6a],
  sub: [0x6b],
  load: [0xfd, 0x00], // v128.load (offset follows)
  store: [0xfd, 0x0b], // v128.store (offset follows)
  vand: [0xfd, 0x4e],
  vor: [0xfd, 0x50],
  vxor: [0xfd, 0x51],
  vshl: [0xfd, 0xab, 0x01], // i32x4.shl
  vshr: [0xfd, 0xad, 0x01], // i32x4.shr_u
  vadd: [0xfd, 0xae, 0x01], // i32x4.add
};
type Code = (string | number)[];

function assemble(code: Code): number[] {
  const out: number[] = [];
  for (let i = 0; i < code.length; i++) {
    const op = code[i] as string;
    out.push(...(OP[op] as number[]));
    if (op === 'load' || op === 'store') out.push(4, ...uleb(code[++i] as number)); // 16-byte aligned
    else if (op === 'const') out.push(...sleb(code[++i] as number));
    else if (op === 'br' || op === 'br_if' || op === 'get' || op === 'set' || op === 'tee') out.push(...uleb(code[++i] as number));
  }
  return out;
}

// run(groups, blocks, out, from): for each group of four blocks, the schedule, then the rounds
// from round `from` (given as from * 16) on the start state, plus the initial state, to `out`.
const [GROUPS, BLOCKS, OUT, FROM, T] = [0, 1, 2, 3, 4]; // i32 parameters and local
const [A, B, C, D, E, F, G, H, T1, T2, X, Y] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]; // v128 locals
const get = (l: number): Code => ['get', l];
const rotr = (l: number, n: number): Code => [...get(l), 'const', n, 'vshr', ...get(l), 'const', 32 - n, 'vshl', 'vor'];
const shr = (l: number, n: number): Code => [...get(l), 'const', n, 'vshr'];
/** T += 16; loop while T != end. */
const next = (end: number): Code => [...get(T), 'const', 16, 'add', 'tee', T, 'const', end, 'ne', 'br_if', 0];
const STATE = [A, B, C, D, E, F, G, H];

const CODE: Code = [
  'block', 'loop',
  ...get(GROUPS), 'eqz', 'br_if', 1,
  // W[0..15] = the group's words
  'const', 0, 'set', T,
  'loop', ...get(T), ...get(BLOCKS), ...get(T), 'add', 'load', 0, 'store', W_AT, ...next(256), 'end',
  // W[16..63]: W[t] = W[t-16] + s0(W[t-15]) + W[t-7] + s1(W[t-2])
  'loop',
  ...get(T), 'load', W_AT - 15 * 16, 'set', X,
  ...get(T), 'load', W_AT - 2 * 16, 'set', Y,
  ...get(T),
  ...get(T), 'load', W_AT - 16 * 16,
  ...rotr(X, 7), ...rotr(X, 18), 'vxor', ...shr(X, 3), 'vxor', 'vadd',
  ...get(T), 'load', W_AT - 7 * 16, 'vadd',
  ...rotr(Y, 17), ...rotr(Y, 19), 'vxor', ...shr(Y, 10), 'vxor', 'vadd',
  'store', W_AT,
  ...next(1024),
  'end',
  ...STATE.flatMap((l, i) => ['const', 0, 'load', START_AT + 16 * i, 'set', l]),
  ...get(FROM), 'set', T,
  'loop',
  // T1 = h + S1(e) + ch(e, f, g) + K[t] + W[t]
  ...get(H),
  ...rotr(E, 6), ...rotr(E, 11), 'vxor', ...rotr(E, 25), 'vxor', 'vadd',
  ...get(G), ...get(E), ...get(F), ...get(G), 'vxor', 'vand', 'vxor', 'vadd',
  ...get(T), 'load', K_AT, 'vadd',
  ...get(T), 'load', W_AT, 'vadd', 'set', T1,
  // T2 = S0(a) + maj(a, b, c)
  ...rotr(A, 2), ...rotr(A, 13), 'vxor', ...rotr(A, 22), 'vxor',
  ...get(A), ...get(B), 'vand', ...get(C), ...get(A), ...get(B), 'vor', 'vand', 'vor', 'vadd', 'set', T2,
  ...get(G), 'set', H, ...get(F), 'set', G, ...get(E), 'set', F,
  ...get(D), ...get(T1), 'vadd', 'set', E,
  ...get(C), 'set', D, ...get(B), 'set', C, ...get(A), 'set', B,
  ...get(T1), ...get(T2), 'vadd', 'set', A,
  ...next(1024),
  'end',
  ...STATE.flatMap((l, i) => [...get(OUT), 'const', 0, 'load', INITIAL_AT + 16 * i, ...get(l), 'vadd', 'store', 16 * i]),
  ...get(OUT), 'const', 128, 'add', 'set', OUT,
  ...get(BLOCKS), 'const', 256, 'add', 'set', BLOCKS,
  ...get(GROUPS), 'const', 1, 'sub', 'set', GROUPS,
  'br', 0,
  'end', 'end',
];

function moduleBytes(): Uint8Array {
  const i32 = 0x7f;
  const v128 = 0x7b;
  const body = [...vec([[1, i32], [12, v128]]), ...assemble(CODE), 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[i32], [i32], [i32], [i32]]), 0]])), // type: (i32 x4) -> ()
    ...section(2, vec([[...name('m'), ...name('memory'), 0x02, 0x00, ...uleb(PAGES)]])), // import the memory
    ...section(3, vec([[0]])), // one function of that type
    ...section(7, vec([[...name('run'), 0x00, 0]])), // exported as run
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/** What this module uses of WebAssembly (the project's TypeScript libraries do not declare it). */
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Hashes queued blocks four at a time. One per process (it holds scratch memory only). */
export class Sha256Lanes {
  private readonly memory: Int32Array;
  private readonly run: (groups: number, blocks: number, out: number, from: number) => void;
  private queued = 0;
  private from = 0;
  private out: Int32Array = new Int32Array(0);
  private xor = 0;
  /** Where each queued block's result goes in `out`. */
  private readonly targets = new Int32Array(CHUNK);

  constructor(K: Int32Array) {
    if (!wasm) throw new Error('no WebAssembly here');
    const memory = new wasm.Memory({ initial: PAGES, maximum: PAGES });
    const instance = new wasm.Instance(new wasm.Module(moduleBytes()), { m: { memory } });
    this.run = instance.exports.run as Sha256Lanes['run'];
    this.memory = new Int32Array(memory.buffer);
    for (let t = 0; t < 64; t++) this.splat(K_AT + 16 * t, K[t] as number);
  }

  private splat(at: number, word: number): void {
    this.memory.fill(word, at >> 2, (at >> 2) + 4);
  }

  /**
   * Starts a batch: each block's rounds start at round `from` on `start`, the result adds
   * `initial` and is XORed with `xor`, then written to `out`.
   */
  begin(start: Int32Array, initial: Int32Array, from: number, out: Int32Array, xor: number): void {
    for (let i = 0; i < 8; i++) {
      this.splat(START_AT + 16 * i, start[i] as number);
      this.splat(INITIAL_AT + 16 * i, initial[i] as number);
    }
    this.from = from;
    this.out = out;
    this.xor = xor;
    this.queued = 0;
  }

  /** Queues the block in `w` (16 words) for the result at out[o..o+7]. */
  push(w: Int32Array, o: number): void {
    const q = this.queued;
    const m = this.memory;
    let at = (BLOCKS_AT >> 2) + (q >> 2) * 64 + (q & 3);
    for (let i = 0; i < 16; i++, at += 4) m[at] = w[i] as number;
    this.targets[q] = o;
    if (++this.queued === CHUNK) this.flush();
  }

  /** Hashes what is queued (the last group's unused lanes hash leftovers, never read). */
  flush(): void {
    const n = this.queued;
    if (n === 0) return;
    this.run((n + 3) >> 2, BLOCKS_AT, OUT_AT, this.from * 16);
    const m = this.memory;
    const out = this.out;
    const xor = this.xor;
    for (let q = 0; q < n; q++) {
      const o = this.targets[q] as number;
      let at = (OUT_AT >> 2) + (q >> 2) * 32 + (q & 3);
      for (let i = 0; i < 8; i++, at += 4) out[o + i] = (m[at] as number) ^ xor;
    }
    this.queued = 0;
  }
}

let lanes: Sha256Lanes | null | undefined;

/** The process's Sha256Lanes, or null where WebAssembly SIMD cannot run here. */
export function sha256Lanes(K: Int32Array): Sha256Lanes | null {
  if (lanes === undefined) {
    try {
      lanes = wasm ? new Sha256Lanes(K) : null;
    } catch {
      lanes = null; // no SIMD, or compiling WebAssembly is not allowed here
    }
  }
  return lanes;
}
