// A minimal WebAssembly assembler for the draw's hand-written functions (./tickets-simd: SHA-256
// four lanes at a time; ./units-scan-wasm: units.csv checked and indexed). A module is a few
// hundred bytes assembled from its instructions at run time: no binary blob, no build step.
//
// Code is a flat list: an op's name, then its immediate where it has one. `block`, `loop` and `if`
// may be followed by a label ('$name'); `br`/`br_if` take a depth or such a label.

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
// concat, not spreads: these run once, cold, over the whole module (spreads cost ~2 ms there).
export const vec = (items: number[][]): number[] => uleb(items.length).concat(...items);
export const section = (id: number, body: number[]): number[] => [id].concat(uleb(body.length), body);
export const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

/** Opcodes (WebAssembly core 2.0 with SIMD); a number after an op in the code is its immediate. */
const OP: Record<string, number[]> = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: [0x0c],
  br_if: [0x0d],
  return: [0x0f],
  call: [0x10], // (function index follows)
  get: [0x20], // local.get
  set: [0x21], // local.set
  tee: [0x22], // local.tee
  const: [0x41], // i32.const
  eqz: [0x45],
  eq: [0x46],
  ne: [0x47],
  lt_s: [0x48],
  lt_u: [0x49],
  gt_s: [0x4a],
  gt_u: [0x4b],
  le_u: [0x4d],
  ge_u: [0x4f],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  or: [0x72],
  xor: [0x73],
  shl: [0x74],
  shr_u: [0x76],
  ctz: [0x68], // i32.ctz
  i32load: [0x28], // (offset follows)
  i32store: [0x36], // (offset follows)
  load8: [0x2d], // i32.load8_u (offset follows)
  store8: [0x3a], // i32.store8 (offset follows)
  extract: [0xfd, 0x1b], // i32x4.extract_lane (lane follows)
  splat: [0xfd, 0x11], // i32x4.splat
  veq8: [0xfd, 0x23], // i8x16.eq
  bitmask8: [0xfd, 0x64], // i8x16.bitmask
  shuffle: [0xfd, 0x0d], // i8x16.shuffle (16 lane indices follow: 0-15 the first operand's bytes, 16-31 the second's)
  load: [0xfd, 0x00], // v128.load (offset follows)
  store: [0xfd, 0x0b], // v128.store (offset follows)
  vand: [0xfd, 0x4e],
  vor: [0xfd, 0x50],
  vxor: [0xfd, 0x51],
  vshl: [0xfd, 0xab, 0x01], // i32x4.shl
  vshr: [0xfd, 0xad, 0x01], // i32x4.shr_u
  vadd: [0xfd, 0xae, 0x01], // i32x4.add
};
/** Ops and immediates; nested lists read as if spread in place (building code with spreads costs ~3 ms at start-up). */
export type Code = (string | number | Code)[];
/**
 * Sets local `into` to the first byte, from local `from` on, at which two byte strings differ when
 * it is within the 16 bytes from `from`, else to `from` + 16: one SIMD comparison. Each string is
 * at a base (code leaving an address on the stack, or null for none) plus an offset. It reads 16
 * bytes of each, wherever the strings end: differsBefore() then decides only below their end.
 */
export function firstDifference(left: Code | null, leftOffset: number, right: Code | null, rightOffset: number, from: number, into: number): Code {
  const at = (base: Code | null, offset: number): Code => [base === null ? [] : [base], 'get', from, base === null ? [] : 'add', 'load', offset];
  return [at(left, leftOffset), at(right, rightOffset), 'veq8', 'bitmask8', 'const', -1, 'xor', 'ctz', 'get', from, 'add', 'set', into];
}

/** Whether local `x`, set by firstDifference() from local `from`, is a difference before local `end`. */
export const differsBefore = (x: number, from: number, end: number): Code => ['get', x, 'get', end, 'lt_u', 'get', x, 'get', from, 'const', 16, 'add', 'lt_u', 'and'];

/** The alignment (log2 bytes) of each memory access. */
const ALIGN: Record<string, number> = { load: 4, store: 4, i32load: 2, i32store: 2, load8: 0, store8: 0 };

export function assemble(nested: Code): number[] {
  const code = nested.flat(Infinity as 1) as (string | number)[];
  const out: number[] = [];
  const labels: (string | null)[] = []; // the open blocks, innermost last
  for (let i = 0; i < code.length; i++) {
    const op = code[i] as string;
    const bytes = OP[op];
    if (!bytes) throw new Error(`wasm-assembler: unknown op ${JSON.stringify(op)} at ${i}`);
    out.push(...bytes);
    if (op === 'block' || op === 'loop' || op === 'if') {
      const next = code[i + 1];
      labels.push(typeof next === 'string' && next.startsWith('$') ? (i++, next) : null);
    } else if (op === 'end') {
      labels.pop();
    } else if (op in ALIGN) {
      out.push(ALIGN[op] as number, ...uleb(code[++i] as number)); // log2 alignment, offset
    } else if (op === 'const') {
      out.push(...sleb(code[++i] as number));
    } else if (op === 'extract') {
      out.push(code[++i] as number);
    } else if (op === 'shuffle') {
      for (let k = 0; k < 16; k++) out.push(code[++i] as number);
    } else if (op === 'br' || op === 'br_if') {
      const target = code[++i] as number | string;
      const depth = typeof target === 'number' ? target : labels.length - 1 - labels.lastIndexOf(target);
      if (depth >= labels.length || (typeof target === 'string' && !labels.includes(target))) throw new Error(`wasm-assembler: no block ${target} to branch to at ${i}`);
      out.push(...uleb(depth));
    } else if (op === 'get' || op === 'set' || op === 'tee' || op === 'call') {
      out.push(...uleb(code[++i] as number));
    }
  }
  return out;
}
