// Four tickets at a time: the ticket block's SHA-256 compression (see ./tickets) in WebAssembly
// SIMD, one ticket in each 32-bit lane of 128-bit vectors. Measured ~5x faster per ticket than the
// JavaScript rounds, which hashing dominates the draw's cost (DRAW-SPEC section 9). The module is
// a few hundred bytes assembled below from its instructions (./wasm-assembler: no binary blob, no build step).
// Its second function, fill, lays out the blocks of ids whose bytes and places it holds (units.csv,
// the inspector ids): JavaScript hands over a batch's id indices and takes its results back each
// in one copy, nothing done per ticket, which matters most in a short process whose JavaScript is
// not yet optimized (`ssj draw`). Its third, team, chooses a unit's team (DRAW-SPEC section 5 step
// 3, as ./draw chooseTeam does) with the tickets of the load groups it needs; teams does so for a
// run of units in one call, raising the loads after each.
// The rest do the other loops over every unit, which JavaScript runs mostly before V8 optimizes
// them: keep and sortHeap select a pool's quota (section 4) from each hashed batch, countKinds and
// bucket make the pools' buckets, find looks up a conflict's unit. Where WebAssembly or its SIMD
// is missing (an old browser, a page whose policy forbids compiling it), sha256Lanes() gives null
// and ./tickets and ./draw do the same in JavaScript: the same results, as tests/draw-tickets.test.ts
// and tests/draw-fast-path.test.ts check on both paths (and against node:crypto).

import type { IdBytes } from './unit-table';
import { Code, assemble, differsBefore, firstDifference, name, section, uleb, vec } from './wasm-assembler';

/** Blocks a run takes at most; the memory holds this many blocks and their results. */
const CHUNK = 4096;
/** Units chooseTeams() takes at most in one call. */
export const TEAM_RUN = 512;
/** The bytes a team label has besides the unit id: `|assign|` and `|`. */
export const TEAM_LABEL_EXTRA = 9;
const encoder = new TextEncoder();
// Memory layout, in bytes. Each vector holds one 32-bit word of four blocks.
const K_AT = 0; // the 64 round constants, each in all four lanes
const START_AT = 1024; // the state the rounds start from (8 words, in all lanes)
const INITIAL_AT = 1152; // the state added at the end (8 words, in all lanes)
const XOR_AT = 1280; // what each result word is XORed with (in all lanes)
const W_AT = 2048; // the message schedule, 64 vectors
const BLOCKS_AT = 4096; // CHUNK blocks of 64 bytes, each its message bytes in order (run() takes four at a time)
const OUT_AT = BLOCKS_AT + CHUNK * 64; // the results: block q's 8 words at OUT_AT + 32q
const TEMPLATE_AT = 1536; // fill(): the 64 bytes every block starts from (the label's fixed part, then zeros)
const REFS_AT = OUT_AT + CHUNK * 32; // fill(): each block's id, as its index in the id table (i32)
export const SOURCE_AT = REFS_AT + CHUNK * 4; // fill(): the bytes the ids are in (e.g. units.csv), then each id's start (i32) and length (u8)
const PAGE = 65536;
const PAGES = Math.ceil(SOURCE_AT / PAGE);
/** The most memory the module may grow to (for the source bytes); beyond it, ./tickets builds blocks itself. */
const MAX_PAGES = 16384;

// run(groups, blocks, out, from): for each group of four blocks (256 bytes from `blocks`), their
// words into the lanes, the schedule, then the rounds from round `from` (given as from * 16) on the
// start state, plus the initial state, XOR the xor word, to `out`: each block's 8 words in a row
// (JavaScript copies a batch's results at once).
const [GROUPS, BLOCKS, OUT, FROM, T] = [0, 1, 2, 3, 4]; // i32 parameters and local
const [A, B, C, D, E, F, G, H, T1, T2, X, Y] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]; // v128 locals
const get = (l: number): Code => ['get', l];
const rotr = (l: number, n: number): Code => [get(l), 'const', n, 'vshr', get(l), 'const', 32 - n, 'vshl', 'vor'];
const shr = (l: number, n: number): Code => [get(l), 'const', n, 'vshr'];
/** T += 16; loop while T != end. */
const next = (end: number): Code => [get(T), 'const', 16, 'add', 'tee', T, 'const', end, 'ne', 'br_if', 0];
const STATE = [A, B, C, D, E, F, G, H];
/** i8x16.shuffle lanes: 32-bit words `w` and `w + 1` of the first operand and of the second, interleaved, each word's bytes reversed (big-endian to the lane's value). */
const swapPairs = (w: number): number[] =>
  [w, w, w + 1, w + 1].flatMap((word, i) => [3, 2, 1, 0].map((b) => 4 * word + b + (i % 2 === 0 ? 0 : 16)));
/**
 * W[4j..4j+3] from the group's four blocks: bytes 16j..16j+15 of each (A..D), words big-endian,
 * turned so that vector 4j + i holds word 4j + i of the four blocks, block k in lane k.
 */
const wordsOfGroup = (j: number): Code => [
  [A, B, C, D].flatMap((l, k) => [get(BLOCKS), 'load', 64 * k + 16 * j, 'set', l]),
  get(A), get(B), 'shuffle', swapPairs(0), 'set', E, // word 0 of A, B; word 1 of A, B
  get(A), get(B), 'shuffle', swapPairs(2), 'set', F, // words 2, 3
  get(C), get(D), 'shuffle', swapPairs(0), 'set', G,
  get(C), get(D), 'shuffle', swapPairs(2), 'set', H,
  [0, 1, 2, 3].flatMap((i) => {
    const [x, y] = i < 2 ? [E, G] : [F, H];
    const half = i % 2 === 0 ? [0, 1, 2, 3, 4, 5, 6, 7] : [8, 9, 10, 11, 12, 13, 14, 15];
    return ['const', 0, get(x), get(y), 'shuffle', half, half.map((b) => b + 16), 'store', W_AT + 16 * (4 * j + i)];
  }),
];

const CODE: Code = [
  'block', 'loop',
  get(GROUPS), 'eqz', 'br_if', 1,
  // W[0..15] = the group's words
  [0, 1, 2, 3].flatMap(wordsOfGroup),
  'const', 16 * 16, 'set', T,
  // W[16..63]: W[t] = W[t-16] + s0(W[t-15]) + W[t-7] + s1(W[t-2])
  'loop',
  get(T), 'load', W_AT - 15 * 16, 'set', X,
  get(T), 'load', W_AT - 2 * 16, 'set', Y,
  get(T),
  get(T), 'load', W_AT - 16 * 16,
  rotr(X, 7), rotr(X, 18), 'vxor', shr(X, 3), 'vxor', 'vadd',
  get(T), 'load', W_AT - 7 * 16, 'vadd',
  rotr(Y, 17), rotr(Y, 19), 'vxor', shr(Y, 10), 'vxor', 'vadd',
  'store', W_AT,
  next(1024),
  'end',
  STATE.flatMap((l, i) => ['const', 0, 'load', START_AT + 16 * i, 'set', l]),
  get(FROM), 'set', T,
  'loop',
  // T1 = h + S1(e) + ch(e, f, g) + K[t] + W[t]
  get(H),
  rotr(E, 6), rotr(E, 11), 'vxor', rotr(E, 25), 'vxor', 'vadd',
  get(G), get(E), get(F), get(G), 'vxor', 'vand', 'vxor', 'vadd',
  get(T), 'load', K_AT, 'vadd',
  get(T), 'load', W_AT, 'vadd', 'set', T1,
  // T2 = S0(a) + maj(a, b, c)
  rotr(A, 2), rotr(A, 13), 'vxor', rotr(A, 22), 'vxor',
  get(A), get(B), 'vand', get(C), get(A), get(B), 'vor', 'vand', 'vor', 'vadd', 'set', T2,
  get(G), 'set', H, get(F), 'set', G, get(E), 'set', F,
  get(D), get(T1), 'vadd', 'set', E,
  get(C), 'set', D, get(B), 'set', C, get(A), 'set', B,
  get(T1), get(T2), 'vadd', 'set', A,
  next(1024),
  'end',
  STATE.flatMap((l, i) => [
    'const', 0, 'load', INITIAL_AT + 16 * i, get(l), 'vadd', 'const', 0, 'load', XOR_AT, 'vxor', 'set', l,
    [0, 1, 2, 3].flatMap((lane) => [get(OUT), get(l), 'extract', lane, 'i32store', 32 * lane + 4 * i]),
  ]),
  get(OUT), 'const', 128, 'add', 'set', OUT,
  get(BLOCKS), 'const', 256, 'add', 'set', BLOCKS,
  get(GROUPS), 'const', 1, 'sub', 'set', GROUPS,
  'br', 0,
  'end', 'end',
];

// fill(count, at, bits, starts, lengths): lays out blocks 0..count-1 for run(), as ./tickets
// would: the template's 64 bytes (TEMPLATE_AT), the id's bytes at byte `at`, 0x80 after them, and
// in the last word (big-endian) `bits` + 8 * the id's length (the message length in bits). Block
// q's id is the one whose index is at REFS_AT + 4q: its bytes start at SOURCE_AT + the i32 at
// starts + 4 * index, its length is the byte at lengths + index. The id is copied 16 bytes at a
// time: what the last copy brings past its end is zeroed again (one 16-byte store, which may run
// into the next block, laid out after it, or past the last, into results not yet written), so the
// source needs 15 readable bytes after its last id.
const [COUNT, AT, BITS, STARTS, LENGTHS] = [0, 1, 2, 3, 4]; // i32 parameters
const [Q, BASE, SRC, LEN, J, P] = [5, 6, 7, 8, 9, 10]; // i32 locals
/** Stores byte `shift` / 8 of the length word (local J) at byte `offset` of the block at BASE. */
const lengthByte = (shift: number, offset: number): Code => [get(BASE), get(J), 'const', shift, 'shr_u', 'store8', BLOCKS_AT + offset];
const FILL: Code = [
  'block', '$done', 'loop', '$block',
  get(Q), get(COUNT), 'eq', 'br_if', '$done',
  get(Q), 'const', 6, 'shl', 'set', BASE,
  [0, 1, 2, 3].flatMap((k) => [get(BASE), 'const', 0, 'load', TEMPLATE_AT + 16 * k, 'store', BLOCKS_AT + 16 * k]),
  // LEN = the id's index, then SRC = where its bytes are (from SOURCE_AT), LEN = its length
  get(Q), 'const', 2, 'shl', 'i32load', REFS_AT, 'set', LEN,
  get(STARTS), get(LEN), 'const', 2, 'shl', 'add', 'i32load', 0, 'set', SRC,
  get(LENGTHS), get(LEN), 'add', 'load8', 0, 'set', LEN,
  get(BASE), get(AT), 'add', 'set', P,
  'const', 0, 'set', J,
  'block', '$copied', 'loop', '$copy',
  get(J), get(LEN), 'ge_u', 'br_if', '$copied',
  get(P), get(J), 'add', get(SRC), get(J), 'add', 'load', SOURCE_AT, 'store', BLOCKS_AT,
  get(J), 'const', 16, 'add', 'set', J,
  'br', '$copy',
  'end', 'end',
  get(P), get(LEN), 'add', 'tee', P, 'const', 0, 'splat', 'store', BLOCKS_AT,
  get(P), 'const', 0x80, 'store8', BLOCKS_AT,
  get(BITS), get(LEN), 'const', 3, 'shl', 'add', 'set', J,
  lengthByte(24, 60), lengthByte(16, 61), lengthByte(8, 62), lengthByte(0, 63),
  get(Q), 'const', 1, 'add', 'set', Q,
  'br', '$block',
  'end', 'end',
];

// team(count, size, at, bits, starts, lengths, eligible, loads, team) -> members chosen: DRAW-SPEC
// section 5 step 3 for one unit, as ./draw chooseTeam does it. `eligible` holds `count` inspector
// indices (i32), `loads` each inspector's load; the template (TEMPLATE_AT, laid out by the caller)
// is the label up to the inspector's id ("|assign|<unit>|"), whose rounds start from the seed's
// state (TEAM_MIDSTATE_AT, laid out as START_AT and INITIAL_AT; XOR_AT 0, so tickets compare as
// unsigned words: the function sets all three each call, so other batches in between change
// nothing). Load group by load group from the lowest, the group's inspectors are hashed (fill,
// run) and the best (ticket, then id bytes) it still needs are written to `team`, in order. Loads
// are left as they were.
const TEAM_MIDSTATE_AT = 1424; // 8 words: the state after the seed's block
const [TCOUNT, TSIZE, TAT, TBITS, TSTARTS, TLENGTHS, TELIG, TLOADS, TTEAM] = [0, 1, 2, 3, 4, 5, 6, 7, 8]; // i32 parameters
const [CH, FLOOR, MIN, TG, TK, TI, TL, KEEP, BEST, TQ, TW, TX, TY, TL2, TA, TB] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
const TEAM_LOCALS = 16;
/** The i32 at `base` + 4 * local `l`. */
const at4 = (base: number, l: number): Code => [get(base), get(l), 'const', 2, 'shl', 'add', 'i32load', 0];
/** local = local + 1 */
const inc = (l: number): Code => [get(l), 'const', 1, 'add', 'set', l];
/** BEST = TQ when `cond` (a condition on the stack) holds. */
const takeIf = (cond: Code): Code => [cond, 'if', get(TQ), 'set', BEST, 'end'];
const TEAM: Code = [
  // The seed's state to start from and add at the end, no XOR.
  Array.from({ length: 8 }, (_, i) => [START_AT, INITIAL_AT].flatMap((to) => ['const', 0, 'const', 0, 'i32load', TEAM_MIDSTATE_AT + 4 * i, 'splat', 'store', to + 16 * i])).flat(),
  'const', 0, 'const', 0, 'splat', 'store', XOR_AT,
  'const', 0, 'set', CH,
  'const', 0, 'set', FLOOR,
  'block', '$done',
  'loop', '$group',
  get(CH), get(TSIZE), 'ge_u', 'br_if', '$done',
  // MIN = the lowest load from FLOOR up among the eligible (-1: none left)
  'const', -1, 'set', MIN,
  'const', 0, 'set', TK,
  'block', '$minDone', 'loop', '$min',
  get(TK), get(TCOUNT), 'ge_u', 'br_if', '$minDone',
  get(TLOADS), at4(TELIG, TK), 'const', 2, 'shl', 'add', 'i32load', 0, 'set', TL,
  get(TL), get(FLOOR), 'ge_u', get(TL), get(MIN), 'lt_u', 'and', 'if', get(TL), 'set', MIN, 'end',
  inc(TK),
  'br', '$min',
  'end', 'end',
  get(MIN), 'const', -1, 'eq', 'br_if', '$done',
  // The group at MIN, into REFS_AT (the blocks' ids for fill)
  'const', 0, 'set', TG,
  'const', 0, 'set', TK,
  'block', '$groupDone', 'loop', '$members',
  get(TK), get(TCOUNT), 'ge_u', 'br_if', '$groupDone',
  at4(TELIG, TK), 'set', TI,
  at4(TLOADS, TI), get(MIN), 'eq', 'if',
  get(TG), 'const', 2, 'shl', get(TI), 'i32store', REFS_AT,
  inc(TG),
  'end',
  inc(TK),
  'br', '$members',
  'end', 'end',
  get(MIN), 'const', 1, 'add', 'set', FLOOR,
  // A group of one needs no ticket.
  get(TG), 'const', 1, 'eq', 'if',
  get(TTEAM), get(CH), 'const', 2, 'shl', 'add', 'const', 0, 'i32load', REFS_AT, 'i32store', 0,
  inc(CH),
  'br', '$group',
  'end',
  get(TG), get(TAT), get(TBITS), get(TSTARTS), get(TLENGTHS), 'call', 1,
  get(TG), 'const', 3, 'add', 'const', 2, 'shr_u', 'const', BLOCKS_AT, 'const', OUT_AT, 'const', 0, 'call', 0,
  // KEEP = min(size - chosen, group): each time the best not yet taken (taken: its ref set to -1)
  get(TSIZE), get(CH), 'sub', 'set', KEEP,
  get(KEEP), get(TG), 'gt_u', 'if', get(TG), 'set', KEEP, 'end',
  'loop', '$pick',
  'const', -1, 'set', BEST,
  'const', 0, 'set', TQ,
  'block', '$scanDone', 'loop', '$scan',
  get(TQ), get(TG), 'ge_u', 'br_if', '$scanDone',
  get(TQ), 'const', 2, 'shl', 'i32load', REFS_AT, 'const', -1, 'ne', 'if',
  get(BEST), 'const', -1, 'eq', 'if',
  get(TQ), 'set', BEST,
  'else',
  // the ticket at TQ before BEST's: word by word, unsigned
  'const', 0, 'set', TW,
  'block', '$compared',
  'loop', '$word',
  get(TQ), 'const', 5, 'shl', get(TW), 'const', 2, 'shl', 'add', 'i32load', OUT_AT, 'set', TX,
  get(BEST), 'const', 5, 'shl', get(TW), 'const', 2, 'shl', 'add', 'i32load', OUT_AT, 'set', TY,
  get(TX), get(TY), 'ne', 'if',
  takeIf([get(TX), get(TY), 'lt_u']),
  'br', '$compared',
  'end',
  inc(TW),
  get(TW), 'const', 8, 'ne', 'br_if', '$word',
  'end',
  // equal tickets: the id's bytes decide
  get(TQ), 'const', 2, 'shl', 'i32load', REFS_AT, 'set', TA,
  get(BEST), 'const', 2, 'shl', 'i32load', REFS_AT, 'set', TB,
  at4(TSTARTS, TA), 'set', TX,
  at4(TSTARTS, TB), 'set', TY,
  get(TLENGTHS), get(TA), 'add', 'load8', 0, 'set', TL,
  get(TLENGTHS), get(TB), 'add', 'load8', 0, 'set', TL2,
  'const', 0, 'set', TW,
  'loop', '$byte',
  get(TW), get(TL), 'eq', get(TW), get(TL2), 'eq', 'or', 'if',
  takeIf([get(TL), get(TL2), 'lt_u']),
  'br', '$compared',
  'end',
  get(TX), get(TW), 'add', 'load8', SOURCE_AT, 'set', TA,
  get(TY), get(TW), 'add', 'load8', SOURCE_AT, 'set', TB,
  get(TA), get(TB), 'ne', 'if',
  takeIf([get(TA), get(TB), 'lt_u']),
  'br', '$compared',
  'end',
  inc(TW),
  'br', '$byte',
  'end',
  'end',
  'end',
  'end',
  inc(TQ),
  'br', '$scan',
  'end', 'end',
  get(TTEAM), get(CH), 'const', 2, 'shl', 'add', get(BEST), 'const', 2, 'shl', 'i32load', REFS_AT, 'i32store', 0,
  get(BEST), 'const', 2, 'shl', 'const', -1, 'i32store', REFS_AT,
  inc(CH),
  get(KEEP), 'const', 1, 'sub', 'tee', KEEP, 'br_if', '$pick',
  'end',
  'br', '$group',
  'end', 'end',
  get(CH),
];

// Selection (DRAW-SPEC section 4 steps 1-3, as ./draw selectLowest does it in JavaScript): keep()
// takes the results of a batch just hashed (run, with the sign XOR: words compare signed) into a
// max-heap of the `quota` lowest (ticket, then id bytes) candidates not taken; sortHeap() then puts
// them in order. The heap holds slot numbers (i32, at `heap`); slot s is 36 bytes at `slots` + 36s:
// the ticket's 8 words, then the unit's index. SELECT_AT holds the heap's length and the count of
// candidates between batches.
const SELECT_AT = 1600;
const SLOT = 36;
// worse(a, ua, b, ub, starts, lengths) -> 1 when the ticket at address a (unit ua) comes after
// the one at b (unit ub): its first differing word greater (signed), or equal tickets and ua's id
// after ub's (bytes, then length). ./draw's worse().
const [WA, WUA, WB, WUB, WSTARTS, WLENGTHS] = [0, 1, 2, 3, 4, 5];
const [WK, WX, WY, WLA, WLB] = [6, 7, 8, 9, 10];
const WORSE: Code = [
  'const', 0, 'set', WK,
  'loop', '$word',
  get(WA), get(WK), 'add', 'i32load', 0, 'set', WX,
  get(WB), get(WK), 'add', 'i32load', 0, 'set', WY,
  get(WX), get(WY), 'ne', 'if', get(WX), get(WY), 'gt_s', 'return', 'end',
  get(WK), 'const', 4, 'add', 'tee', WK, 'const', 32, 'ne', 'br_if', '$word',
  'end',
  // equal tickets: WA, WB = where the ids' bytes start, WLA, WLB = their lengths
  get(WSTARTS), get(WUA), 'const', 2, 'shl', 'add', 'i32load', 0, 'set', WA,
  get(WSTARTS), get(WUB), 'const', 2, 'shl', 'add', 'i32load', 0, 'set', WB,
  get(WLENGTHS), get(WUA), 'add', 'load8', 0, 'set', WLA,
  get(WLENGTHS), get(WUB), 'add', 'load8', 0, 'set', WLB,
  'const', 0, 'set', WK,
  'loop', '$byte',
  get(WK), get(WLA), 'eq', get(WK), get(WLB), 'eq', 'or', 'if', get(WLA), get(WLB), 'gt_u', 'return', 'end',
  get(WA), get(WK), 'add', 'load8', SOURCE_AT, 'set', WX,
  get(WB), get(WK), 'add', 'load8', SOURCE_AT, 'set', WY,
  get(WX), get(WY), 'ne', 'if', get(WX), get(WY), 'gt_u', 'return', 'end',
  get(WK), 'const', 1, 'add', 'set', WK,
  'br', '$byte',
  'end',
  'const', 0,
];
const WORSE_FN = 3;
const SIFT_FN = 4;
// siftDown(heap, slots, k, slot, starts, lengths): puts `slot` at the heap's top (k entries) and
// moves it down to its place: ./draw selectLowest's replacement of the worst kept.
const [HHEAP, HSLOTS, HK, HSLOT, HSTARTS, HLENGTHS] = [0, 1, 2, 3, 4, 5];
const [HC, HL, HM] = [6, 7, 8];
/** The address of heap entry `l` (a local holding a position). */
const heapAt = (l: number): Code => [get(HHEAP), get(l), 'const', 2, 'shl', 'add'];
/** Pushes worse()'s arguments for slots whose numbers the two codes push, then calls it. */
const worseOfSlots = (slots: number, a: Code, b: Code, starts: number, lengths: number): Code => [
  get(slots), a, 'const', SLOT, 'mul', 'add',
  get(slots), a, 'const', SLOT, 'mul', 'add', 'i32load', 32,
  get(slots), b, 'const', SLOT, 'mul', 'add',
  get(slots), b, 'const', SLOT, 'mul', 'add', 'i32load', 32,
  get(starts), get(lengths), 'call', WORSE_FN,
];
const SIFT: Code = [
  'const', 0, 'set', HC,
  'block', '$placed', 'loop', '$down',
  get(HC), 'const', 1, 'shl', 'const', 1, 'add', 'tee', HL, get(HK), 'ge_u', 'br_if', '$placed',
  get(HL), 'set', HM,
  get(HL), 'const', 1, 'add', get(HK), 'lt_u', 'if',
  worseOfSlots(HSLOTS, [heapAt(HL), 'i32load', 4], [heapAt(HL), 'i32load', 0], HSTARTS, HLENGTHS),
  'if', get(HL), 'const', 1, 'add', 'set', HM, 'end',
  'end',
  worseOfSlots(HSLOTS, [heapAt(HM), 'i32load', 0], get(HSLOT), HSTARTS, HLENGTHS), 'eqz', 'br_if', '$placed',
  heapAt(HC), heapAt(HM), 'i32load', 0, 'i32store', 0,
  get(HM), 'set', HC,
  'br', '$down',
  'end', 'end',
  heapAt(HC), get(HSLOT), 'i32store', 0,
];
// keep(count, quota, heap, slots, taken, starts, lengths): blocks 0..count-1 just hashed (their
// units at REFS_AT, results at OUT_AT) into the heap; `taken` (0: none) holds a byte a unit, not
// 0 for a unit an earlier pool took.
const [KCOUNT, KQUOTA, KHEAP, KSLOTS, KTAKEN, KSTARTS, KLENGTHS] = [0, 1, 2, 3, 4, 5, 6];
const [KQ, KLEN, KCAND, KU, KS, KC, KP] = [7, 8, 9, 10, 11, 12, 13];
/** Copies block KQ's ticket and unit into slot `slot` (a local). */
const intoSlot = (slot: number): Code => [
  [0, 16].flatMap((o) => [get(KSLOTS), get(slot), 'const', SLOT, 'mul', 'add', get(KQ), 'const', 5, 'shl', 'load', OUT_AT + o, 'store', o]),
  get(KSLOTS), get(slot), 'const', SLOT, 'mul', 'add', get(KU), 'i32store', 32,
];
const kheap = (l: number): Code => [get(KHEAP), get(l), 'const', 2, 'shl', 'add'];
const KEEP_BATCH: Code = [
  'const', 0, 'i32load', SELECT_AT, 'set', KLEN,
  'const', 0, 'i32load', SELECT_AT + 4, 'set', KCAND,
  'block', '$done', 'loop', '$next',
  get(KQ), get(KCOUNT), 'eq', 'br_if', '$done',
  'block', '$kept',
  get(KQ), 'const', 2, 'shl', 'i32load', REFS_AT, 'set', KU,
  get(KTAKEN), 'if', get(KTAKEN), get(KU), 'add', 'load8', 0, 'br_if', '$kept', 'end',
  get(KCAND), 'const', 1, 'add', 'set', KCAND,
  get(KQUOTA), 'eqz', 'br_if', '$kept',
  get(KLEN), get(KQUOTA), 'eq', 'if',
  // Full: most candidates lose to the worst kept (the top) on their ticket's first word alone.
  get(KHEAP), 'i32load', 0, 'set', KS,
  get(KQ), 'const', 5, 'shl', 'i32load', OUT_AT, get(KSLOTS), get(KS), 'const', SLOT, 'mul', 'add', 'i32load', 0, 'gt_s', 'br_if', '$kept',
  get(KSLOTS), get(KS), 'const', SLOT, 'mul', 'add',
  get(KSLOTS), get(KS), 'const', SLOT, 'mul', 'add', 'i32load', 32,
  get(KQ), 'const', 5, 'shl', 'const', OUT_AT, 'add', get(KU),
  get(KSTARTS), get(KLENGTHS), 'call', WORSE_FN, 'eqz', 'br_if', '$kept',
  intoSlot(KS),
  get(KHEAP), get(KSLOTS), get(KLEN), get(KS), get(KSTARTS), get(KLENGTHS), 'call', SIFT_FN,
  'else',
  // Not full: into slot KLEN, then up to its place.
  get(KLEN), 'set', KS,
  intoSlot(KS),
  get(KLEN), 'set', KC,
  get(KLEN), 'const', 1, 'add', 'set', KLEN,
  'block', '$up', 'loop', '$climb',
  get(KC), 'eqz', 'br_if', '$up',
  get(KC), 'const', 1, 'sub', 'const', 1, 'shr_u', 'set', KP,
  worseOfSlots(KSLOTS, get(KS), [kheap(KP), 'i32load', 0], KSTARTS, KLENGTHS), 'eqz', 'br_if', '$up',
  kheap(KC), kheap(KP), 'i32load', 0, 'i32store', 0,
  get(KP), 'set', KC,
  'br', '$climb',
  'end', 'end',
  kheap(KC), get(KS), 'i32store', 0,
  'end',
  'end',
  get(KQ), 'const', 1, 'add', 'set', KQ,
  'br', '$next',
  'end', 'end',
  'const', 0, get(KLEN), 'i32store', SELECT_AT,
  'const', 0, get(KCAND), 'i32store', SELECT_AT + 4,
];
// sortHeap(heap, slots, starts, lengths): the heap (SELECT_AT's length) in order, best first.
const [SHEAP, SSLOTS, SSTARTS, SLENGTHS] = [0, 1, 2, 3];
const [SE, SLAST] = [4, 5];
const SORT: Code = [
  'const', 0, 'i32load', SELECT_AT, 'set', SE,
  'block', '$sorted', 'loop', '$pop',
  get(SE), 'const', 1, 'le_u', 'br_if', '$sorted',
  get(SE), 'const', 1, 'sub', 'set', SE,
  get(SHEAP), get(SE), 'const', 2, 'shl', 'add', 'i32load', 0, 'set', SLAST,
  get(SHEAP), get(SE), 'const', 2, 'shl', 'add', get(SHEAP), 'i32load', 0, 'i32store', 0,
  get(SHEAP), get(SSLOTS), get(SE), get(SLAST), get(SSTARTS), get(SLENGTHS), 'call', SIFT_FN,
  'br', '$pop',
  'end', 'end',
];

// Buckets (DRAW-SPEC section 4 step 1, as ./draw bucketUnits does it): countKinds(count, kinds,
// counts) adds 1 to counts[k] (i32) for each unit's kind (i32 each at `kinds`); then, the caller
// having set where each pool's bucket starts, bucket(count, kinds, firsts, lengths, pools, ends)
// writes each unit's index, in order, into the buckets of its kind's pools: kind k's pools are
// pools[firsts[k] .. firsts[k] + lengths[k]) (i32 each), ends[p] the address of pool p's next entry.
/** `body` for each unit: local `u` from 0 (as locals start) until it equals local `count`. */
const eachUnit = (u: number, count: number, body: Code): Code => [
  'block', '$units', 'loop', '$unit',
  get(u), get(count), 'eq', 'br_if', '$units',
  body,
  get(u), 'const', 1, 'add', 'set', u,
  'br', '$unit',
  'end', 'end',
];
const [CCOUNT, CKINDS, CCOUNTS, CU, CA] = [0, 1, 2, 3, 4];
const COUNT_KINDS: Code = eachUnit(CU, CCOUNT, [
  get(CCOUNTS), get(CKINDS), get(CU), 'const', 2, 'shl', 'add', 'i32load', 0, 'const', 2, 'shl', 'add', 'tee', CA,
  get(CA), 'i32load', 0, 'const', 1, 'add', 'i32store', 0,
]);
const [BCOUNT, BKINDS, BFIRSTS, BLENGTHS, BPOOLS, BENDS, BU, BK, BJ, BE, BP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const BUCKET: Code = eachUnit(BU, BCOUNT, [
  get(BKINDS), get(BU), 'const', 2, 'shl', 'add', 'i32load', 0, 'const', 2, 'shl', 'set', BK,
  get(BFIRSTS), get(BK), 'add', 'i32load', 0, 'const', 2, 'shl', get(BPOOLS), 'add', 'set', BJ,
  get(BLENGTHS), get(BK), 'add', 'i32load', 0, 'const', 2, 'shl', get(BJ), 'add', 'set', BE,
  'block', '$pools', 'loop', '$pool',
  get(BJ), get(BE), 'ge_u', 'br_if', '$pools',
  get(BENDS), get(BJ), 'i32load', 0, 'const', 2, 'shl', 'add', 'set', BP,
  get(BP), 'i32load', 0, get(BU), 'i32store', 0,
  get(BP), get(BP), 'i32load', 0, 'const', 4, 'add', 'i32store', 0,
  get(BJ), 'const', 4, 'add', 'set', BJ,
  'br', '$pool',
  'end', 'end',
]);

// find(count, keyLength, starts, lengths) -> 1 when one of the source's ids 0..count-1 (in order:
// bytes, then length, as units.csv's are) is the key (keyLength bytes at REFS_AT), else 0. A binary
// search: ./unit-table hasUnitId. Ids are compared 16 bytes at a time (SIMD): sorted ids share long
// prefixes, and a byte at a time made the conflicts' 1,000 lookups cost ~4 ms.
const [FCOUNT, FKEY, FSTARTS, FLENGTHS, FLO, FMID, FS, FL, FK, FX, FC, FM] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const FIND: Code = [
  'block', '$absent', 'loop', '$search',
  get(FLO), get(FCOUNT), 'ge_u', 'br_if', '$absent',
  get(FLO), get(FCOUNT), 'add', 'const', 1, 'shr_u', 'set', FMID,
  get(FSTARTS), get(FMID), 'const', 2, 'shl', 'add', 'i32load', 0, 'set', FS,
  get(FLENGTHS), get(FMID), 'add', 'load8', 0, 'set', FL,
  // FC = the id against the key: at their first differing byte (FX, found 16 bytes at a time: it
  // may read past either, deciding only below FM = the shorter length), else by length
  get(FL), 'set', FM,
  get(FKEY), get(FM), 'lt_u', 'if', get(FKEY), 'set', FM, 'end',
  'const', 0, 'set', FK,
  'block', '$compared', 'loop', '$window',
  get(FK), get(FM), 'ge_u', 'if', get(FL), get(FKEY), 'sub', 'set', FC, 'br', '$compared', 'end',
  firstDifference([get(FS)], SOURCE_AT, null, REFS_AT, FK, FX),
  differsBefore(FX, FK, FM), 'if',
  get(FS), get(FX), 'add', 'load8', SOURCE_AT, get(FX), 'load8', REFS_AT, 'sub', 'set', FC,
  'br', '$compared',
  'end',
  get(FK), 'const', 16, 'add', 'set', FK,
  'br', '$window',
  'end', 'end',
  get(FC), 'eqz', 'if', 'const', 1, 'return', 'end',
  // the id at FMID before the key: search above it, else below (FCOUNT is the end)
  get(FC), 'const', 0, 'lt_s', 'if', get(FMID), 'const', 1, 'add', 'set', FLO, 'else', get(FMID), 'set', FCOUNT, 'end',
  'br', '$search',
  'end', 'end',
  'const', 0,
];

// teams(n, size, count, ids, idLengths, out, starts, lengths, eligible, loads): the teams of n
// units in a row, each as team() picks it from the same `count` eligible inspectors, with the
// loads raised after each unit (as ./draw's loop raises them): unit j's id is the next idLengths[j]
// (i32) bytes at `ids` (the ids side by side), its template "|assign|<id>|" then zeros; its `size`
// members go to `out` + 4 * size * j. One call for a run of units, not one a unit (JavaScript
// around 8,738 calls cost more than the calls' own work). count >= size; each label fits a block.
const [UN, USIZE, UCOUNT, UIDS, UIDLENGTHS, UOUT, USTARTS, ULENGTHS, UELIG, ULOADS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]; // i32 parameters
const [UJ, UA, UT, UM, UP, UO, UL] = [10, 11, 12, 13, 14, 15, 16]; // i32 locals
/** "|ass" and "ign|" as little-endian words. */
const ASSIGN_WORDS = [0x7373617c, 0x7c6e6769];
const TEAMS: Code = [
  'block', '$done', 'loop', '$unit',
  get(UJ), get(UN), 'ge_u', 'br_if', '$done',
  // the template: "|assign|", the id (UL bytes from UIDS + UO), "|", zeros; UA = the label's length
  [0, 1, 2, 3].map((k) => ['const', 0, 'const', 0, 'splat', 'store', TEMPLATE_AT + 16 * k]),
  ASSIGN_WORDS.map((w, k) => ['const', 0, 'const', w, 'i32store', TEMPLATE_AT + 4 * k]),
  get(UIDLENGTHS), get(UJ), 'const', 2, 'shl', 'add', 'i32load', 0, 'set', UL,
  'const', 0, 'set', UM,
  'block', '$copied', 'loop', '$copy',
  get(UM), get(UL), 'ge_u', 'br_if', '$copied',
  get(UM), get(UIDS), get(UO), 'add', get(UM), 'add', 'load8', 0, 'store8', TEMPLATE_AT + 8,
  get(UM), 'const', 1, 'add', 'set', UM,
  'br', '$copy',
  'end', 'end',
  get(UL), 'const', 0x7c, 'store8', TEMPLATE_AT + 8,
  get(UO), get(UL), 'add', 'set', UO,
  get(UL), 'const', 9, 'add', 'set', UA,
  get(UOUT), get(UJ), get(USIZE), 'mul', 'const', 2, 'shl', 'add', 'set', UT,
  get(UCOUNT), get(USIZE), get(UA), get(UA), 'const', 64, 'add', 'const', 3, 'shl', get(USTARTS), get(ULENGTHS), get(UELIG), get(ULOADS), get(UT),
  'call', 2, 'set', UP,
  // loads[member] += 1 for each member chosen
  'const', 0, 'set', UM,
  'block', '$raised', 'loop', '$raise',
  get(UM), get(UP), 'ge_u', 'br_if', '$raised',
  get(ULOADS), get(UT), get(UM), 'const', 2, 'shl', 'add', 'i32load', 0, 'const', 2, 'shl', 'add', 'tee', UA,
  get(UA), 'i32load', 0, 'const', 1, 'add', 'i32store', 0,
  get(UM), 'const', 1, 'add', 'set', UM,
  'br', '$raise',
  'end', 'end',
  get(UJ), 'const', 1, 'add', 'set', UJ,
  'br', '$unit',
  'end', 'end',
];

function moduleBytes(): Uint8Array {
  const i32 = 0x7f;
  const v128 = 0x7b;
  const params = (n: number): number[] => vec(Array.from({ length: n }, () => [i32]));
  const body = (locals: number[][], code: Code): number[] => {
    const b = vec(locals).concat(assemble(code), [0x0b]);
    return uleb(b.length).concat(b);
  };
  // Functions, in index order (run 0, fill 1, team 2, worse 3, siftDown 4, keep 5, sortHeap 6,
  // countKinds 7, bucket 8, find 9, teams 10): each one's type, locals and code.
  const functions: [number[], number[][], Code][] = [
    [[0x60, ...params(4), 0], [[1, i32], [12, v128]], CODE],
    [[0x60, ...params(5), 0], [[6, i32]], FILL],
    [[0x60, ...params(9), ...vec([[i32]])], [[TEAM_LOCALS, i32]], TEAM],
    [[0x60, ...params(6), ...vec([[i32]])], [[5, i32]], WORSE],
    [[0x60, ...params(6), 0], [[3, i32]], SIFT],
    [[0x60, ...params(7), 0], [[7, i32]], KEEP_BATCH],
    [[0x60, ...params(4), 0], [[2, i32]], SORT],
    [[0x60, ...params(3), 0], [[2, i32]], COUNT_KINDS],
    [[0x60, ...params(6), 0], [[5, i32]], BUCKET],
    [[0x60, ...params(4), ...vec([[i32]])], [[8, i32]], FIND],
    [[0x60, ...params(10), 0], [[7, i32]], TEAMS],
  ];
  const exported: [string, number][] = [['run', 0], ['fill', 1], ['team', 2], ['keep', 5], ['sortHeap', 6], ['countKinds', 7], ['bucket', 8], ['find', 9], ['teams', 10]];
  return new Uint8Array(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00].concat(
      section(1, vec(functions.map(([type]) => type))), // one type a function
      section(2, vec([[...name('m'), ...name('memory'), 0x02, 0x00, ...uleb(PAGES)]])), // import the memory
      section(3, vec(functions.map((_, i) => [i]))),
      section(7, vec(exported.map(([n, i]) => [...name(n), 0x00, i]))),
      section(10, vec(functions.map(([, locals, code]) => body(locals, code)))),
    ),
  );
}

/** What this module uses of WebAssembly (the project's TypeScript libraries do not declare it). */
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Hashes queued blocks four at a time. One per process (it holds scratch memory only). */
export class Sha256Lanes {
  private readonly wasmMemory: { buffer: ArrayBuffer; grow(pages: number): number };
  private memory: Int32Array;
  /** The same memory as bytes (the id table is copied in through it). */
  private bytes: Uint8Array;
  private readonly run: (groups: number, blocks: number, out: number, from: number) => void;
  private readonly fill: (count: number, at: number, bits: number, starts: number, lengths: number) => void;
  private readonly team: (count: number, size: number, at: number, bits: number, starts: number, lengths: number, eligible: number, loads: number, team: number) => number;
  private readonly teams: (n: number, size: number, count: number, templates: number, ats: number, out: number, starts: number, lengths: number, eligible: number, loads: number) => void;
  private readonly keep: (count: number, quota: number, heap: number, slots: number, taken: number, starts: number, lengths: number) => void;
  private readonly sortHeap: (heap: number, slots: number, starts: number, lengths: number) => void;
  private readonly countKinds: (count: number, kinds: number, counts: number) => void;
  private readonly find: (count: number, keyLength: number, starts: number, lengths: number) => number;
  private readonly bucketKinds: (count: number, kinds: number, firsts: number, lengths: number, pools: number, ends: number) => void;
  /** chooseTeams(): where the eligible indices, the loads and the team are; which eligible list is in place. */
  private eligibleAt = 0;
  private loadsAt = 0;
  private teamAt = 0;
  /** chooseTeams(): where a run's unit ids, their lengths and its teams go. */
  private runIdsAt = 0;
  private runIdLengthsAt = 0;
  private runTeamsAt = 0;
  private teamsFor: IdBytes | null = null;
  private eligibleShown: readonly number[] | null = null;
  private teamsMaxEligible = 0;
  private teamsMaxSize = 0;
  /** The id table copied to SOURCE_AT (by identity), for fill(); where its starts and lengths are. */
  private source: IdBytes | null = null;
  private startsAt = 0;
  private lengthsAt = 0;
  /** Where the source and what describes it end (selectLowest() works after it). */
  private sourceEnd = 0;
  /** A table whose bytes are the first `size` at SOURCE_AT (keepInPlace), and how it gets its own copy. */
  private inPlace: { table: IdBytes; size: number; release: () => void } | null = null;
  private inPlaceView: Uint8Array | null = null;
  private longest = 0;
  private fillAt = 0;
  private fillBits = 0;
  private queued = 0;
  private from = 0;
  private out: Int32Array = new Int32Array(0);
  /** Where each queued block's result goes in `out`, or (contiguousAt >= 0) all in a row from there. */
  private readonly targets = new Int32Array(CHUNK);
  private contiguousAt = -1;
  /** What INITIAL_AT and XOR_AT hold (beginFill() leaves them while `initial` is the same array). */
  private initial: Int32Array | null = null;
  private xor = 0;

  constructor(K: Int32Array) {
    if (!wasm) throw new Error('no WebAssembly here');
    // WebAssembly memory is little-endian; the typed arrays over it are the platform's.
    if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('a big-endian platform');
    const memory = new wasm.Memory({ initial: PAGES, maximum: MAX_PAGES });
    const instance = new wasm.Instance(new wasm.Module(moduleBytes()), { m: { memory } });
    this.run = instance.exports.run as Sha256Lanes['run'];
    this.fill = instance.exports.fill as Sha256Lanes['fill'];
    this.team = instance.exports.team as Sha256Lanes['team'];
    this.teams = instance.exports.teams as Sha256Lanes['teams'];
    this.keep = instance.exports.keep as Sha256Lanes['keep'];
    this.sortHeap = instance.exports.sortHeap as Sha256Lanes['sortHeap'];
    this.countKinds = instance.exports.countKinds as Sha256Lanes['countKinds'];
    this.find = instance.exports.find as Sha256Lanes['find'];
    this.bucketKinds = instance.exports.bucket as Sha256Lanes['bucketKinds'];
    this.wasmMemory = memory;
    this.memory = new Int32Array(memory.buffer);
    this.bytes = new Uint8Array(memory.buffer);
    for (let t = 0; t < 64; t++) this.splat(K_AT + 16 * t, K[t] as number);
  }

  /** The module's memory, for a module working on the same bytes (./units-scan-wasm). */
  get memoryObject(): object {
    return this.wasmMemory;
  }

  /** The memory as bytes (a new view after it grows). */
  get memoryBytes(): Uint8Array {
    return this.bytes;
  }

  /**
   * Grows the memory to at least `size` bytes, and 16 more (fill() reads up to 15 bytes past an
   * id, whatever follows it); false when it may not grow that far.
   */
  reserve(size: number): boolean {
    const need = Math.ceil((size + 16) / PAGE);
    const have = this.bytes.length / PAGE;
    if (need > MAX_PAGES) return false;
    if (need > have) {
      try {
        this.wasmMemory.grow(need - have);
      } catch {
        return false; // the host gave no more memory: the caller does without the module
      }
      this.memory = new Int32Array(this.wasmMemory.buffer);
      this.bytes = new Uint8Array(this.wasmMemory.buffer);
    }
    return true;
  }

  /**
   * Takes `table` as the source whose ids are already in memory: its bytes at SOURCE_AT, each id's
   * start (i32) at `startsAt` and length (u8) at `lengthsAt` (./units-scan-wasm put them there),
   * all it laid out ending before `end`; null: no source is in place (its bytes are being replaced).
   */
  adoptSource(table: IdBytes | null, startsAt: number, lengthsAt: number, longest: number, end: number): void {
    if (table === null) this.releaseInPlace(); // other bytes are about to go there
    this.source = table;
    this.startsAt = startsAt;
    this.lengthsAt = lengthsAt;
    this.sourceEnd = end;
    this.longest = longest;
    this.teamsFor = null; // what beginTeams() laid out after the old source is gone
  }

  /**
   * Makes `table`'s bytes the first `size` bytes at SOURCE_AT, read there in place (./units-scan-wasm
   * placeUnitsCsv): its `bytes` becomes a view of them, renewed when the memory grows, until other
   * bytes are put there (a new scan), when it becomes a copy of them. Sources hashed meanwhile (the
   * inspectors) go after them.
   */
  keepInPlace(table: IdBytes, size: number): void {
    this.releaseInPlace();
    let copy: Uint8Array | null = null;
    this.inPlace = { table, size, release: () => (copy = this.inPlaceBytes().slice()) };
    Object.defineProperty(table, 'bytes', { enumerable: true, get: () => copy ?? this.inPlaceBytes() });
  }

  private inPlaceBytes(): Uint8Array {
    const size = (this.inPlace as { size: number }).size;
    if (this.inPlaceView === null || this.inPlaceView.buffer !== this.bytes.buffer) this.inPlaceView = this.bytes.subarray(SOURCE_AT, SOURCE_AT + size);
    return this.inPlaceView;
  }

  /** The table kept in place (if any) gets its own copy of its bytes. */
  private releaseInPlace(): void {
    const kept = this.inPlace;
    if (kept === null) return;
    kept.release();
    this.inPlace = null;
    this.inPlaceView = null;
  }

  /**
   * Sets up team choice for a draw (DRAW-SPEC section 5 step 3, see team above): `inspectors` as
   * the source, tickets from `midstate` (the seed's state), up to `maxEligible` eligible inspectors
   * a unit and teams of `size`. Gives every inspector's load, all 0: a view of the module's memory,
   * which chooseTeam() reads and the caller raises; null when any of it does not fit.
   */
  beginTeams(midstate: Int32Array, inspectors: IdBytes, maxEligible: number, size: number): Int32Array | null {
    if (maxEligible > CHUNK || !this.useSource(inspectors)) return null;
    const count = inspectors.idStart.length;
    const eligibleAt = (this.lengthsAt + count + 3) & ~3;
    const loadsAt = eligibleAt + 4 * maxEligible;
    const teamAt = loadsAt + 4 * count;
    // A run of chooseTeams(), all laid out now: the memory must not grow under the loads' view.
    const runIdsAt = teamAt + 4 * size;
    const runIdLengthsAt = (runIdsAt + 64 * TEAM_RUN + 3) & ~3;
    const runTeamsAt = runIdLengthsAt + 4 * TEAM_RUN;
    if (!this.reserve(runTeamsAt + 4 * size * TEAM_RUN)) return null;
    this.runIdsAt = runIdsAt;
    this.runIdLengthsAt = runIdLengthsAt;
    this.runTeamsAt = runTeamsAt;
    this.memory.set(midstate, TEAM_MIDSTATE_AT >> 2);
    this.eligibleAt = eligibleAt;
    this.loadsAt = loadsAt;
    this.teamAt = teamAt;
    this.teamsFor = inspectors;
    this.eligibleShown = null;
    this.teamsMaxEligible = maxEligible;
    this.teamsMaxSize = size;
    return new Int32Array(this.wasmMemory.buffer, loadsAt, count).fill(0);
  }

  /**
   * The team of one unit, as ./draw chooseTeam picks it from `eligible` (inspector indices) and the
   * loads of beginTeams(): the label up to the inspector's id is `fixed` ("|assign|<unit>|", ASCII);
   * its length + the longest inspector id must be at most 55 (one block).
   */
  chooseTeam(fixed: string, eligible: readonly number[], size: number): number[] {
    // Another source since beginTeams() overwrote the eligible list and the loads (and may have
    // grown the memory under the loads' view): refused, never answered from what is there now.
    if (this.teamsFor === null || this.source !== this.teamsFor) throw new Error('Sha256Lanes.chooseTeam: beginTeams() first (the inspectors are no longer the source)');
    if (eligible.length > this.teamsMaxEligible || size > this.teamsMaxSize) {
      throw new Error(`Sha256Lanes.chooseTeam: ${eligible.length} eligible, team of ${size}: beginTeams() made room for ${this.teamsMaxEligible} and ${this.teamsMaxSize}`);
    }
    if (eligible !== this.eligibleShown) {
      this.memory.set(eligible, this.eligibleAt >> 2);
      this.eligibleShown = eligible;
    }
    const at = fixed.length;
    if (!this.fitsTeam(at)) throw new Error(`Sha256Lanes.chooseTeam: a label of ${at} bytes and ids of up to ${this.longest} need more than one block`);
    this.setTemplate(fixed);
    const n = this.team(eligible.length, size, at, (64 + at) << 3, this.startsAt, this.lengthsAt, this.eligibleAt, this.loadsAt, this.teamAt);
    this.initial = null; // team() laid out its own state: the next beginFill() lays out its own again
    const team: number[] = [];
    for (let j = 0; j < n; j++) team.push(this.memory[(this.teamAt >> 2) + j] as number);
    return team;
  }

  /**
   * The teams of units `from`..`to`-1 (at most TEAM_RUN of them) of `unitIds`, all chosen from the
   * same `eligible`, each as chooseTeam() would pick it in turn, the loads raised after each (in the
   * module; the caller does not raise them again): unit j's members at `size` * (j - from) of the
   * view given back, valid until the next call. Each id is ASCII and its label "|assign|<id>|"
   * fits one block with any inspector id (fitsTeam()).
   */
  chooseTeams(unitIds: readonly string[], from: number, to: number, eligible: readonly number[], size: number): Int32Array {
    if (this.teamsFor === null || this.source !== this.teamsFor) throw new Error('Sha256Lanes.chooseTeams: beginTeams() first (the inspectors are no longer the source)');
    const n = to - from;
    if (n < 0 || n > TEAM_RUN) throw new Error(`Sha256Lanes.chooseTeams: a run of ${n} units; at most ${TEAM_RUN}`);
    if (eligible.length > this.teamsMaxEligible || size > this.teamsMaxSize || eligible.length < size) {
      throw new Error(`Sha256Lanes.chooseTeams: ${eligible.length} eligible, teams of ${size}: beginTeams() made room for ${this.teamsMaxEligible} and ${this.teamsMaxSize}`);
    }
    if (eligible !== this.eligibleShown) {
      this.memory.set(eligible, this.eligibleAt >> 2);
      this.eligibleShown = eligible;
    }
    // The ids side by side, encoded in one go (not byte by byte in JavaScript), and their lengths.
    const m = this.memory;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const length = (unitIds[from + j] as string).length;
      if (!this.fitsTeam(TEAM_LABEL_EXTRA + length)) {
        throw new Error(`Sha256Lanes.chooseTeams: a label of ${TEAM_LABEL_EXTRA + length} bytes and ids of up to ${this.longest} need more than one block`);
      }
      m[(this.runIdLengthsAt >> 2) + j] = length;
      total += length;
    }
    const joined = n === 1 ? (unitIds[from] as string) : unitIds.slice(from, to).join('');
    if (encoder.encodeInto(joined, this.bytes.subarray(this.runIdsAt, this.runIdsAt + total)).written !== joined.length || total !== joined.length) {
      throw new Error('Sha256Lanes.chooseTeams: unit ids are ASCII');
    }
    this.teams(n, size, eligible.length, this.runIdsAt, this.runIdLengthsAt, this.runTeamsAt, this.startsAt, this.lengthsAt, this.eligibleAt, this.loadsAt);
    this.initial = null; // team() laid out its own state: the next beginFill() lays out its own again
    return new Int32Array(this.wasmMemory.buffer, this.runTeamsAt, n * size);
  }

  /** Whether a team label of `length` bytes fits one block with every inspector id (chooseTeams() takes it). */
  fitsTeam(length: number): boolean {
    return length + this.longest <= 55;
  }

  /** The template fill() starts each block from: the ASCII bytes of `fixed`, then zeros. */
  private setTemplate(fixed: string): void {
    const b = this.bytes;
    const n = fixed.length;
    if (n > 55) throw new Error(`Sha256Lanes: a label's fixed part of ${n} bytes leaves no room for an id in one block`);
    for (let j = 0; j < n; j++) b[TEMPLATE_AT + j] = fixed.charCodeAt(j);
    b.fill(0, TEMPLATE_AT + n, TEMPLATE_AT + 64);
  }

  private splat(at: number, word: number): void {
    const m = this.memory;
    const i = at >> 2;
    m[i] = word;
    m[i + 1] = word;
    m[i + 2] = word;
    m[i + 3] = word;
  }

  /**
   * Puts the ids of `table` in the module's memory (once per table), for blocks queued by
   * pushRef() and pushAll(); false when they do not fit the memory the module may have.
   */
  useSource(table: IdBytes): boolean {
    if (this.source === table) return true;
    const count = table.idStart.length;
    // Bytes kept in place for a table stay: its own are there already, any other's go after them
    // (and after the 15 bytes fill() may read past them), their starts moved by as much.
    const kept = this.inPlace;
    const base = kept === null || kept.table === table ? 0 : (kept.size + 16 + 3) & ~3;
    const startsAt = (SOURCE_AT + base + table.bytes.length + 3) & ~3;
    const lengthsAt = startsAt + 4 * count;
    if (!this.reserve(lengthsAt + count)) return false;
    if (kept?.table !== table) this.bytes.set(table.bytes, SOURCE_AT + base);
    this.memory.set(table.idStart, startsAt >> 2);
    if (base !== 0) for (let i = startsAt >> 2, e = (startsAt >> 2) + count; i < e; i++) this.memory[i] = (this.memory[i] as number) + base;
    this.bytes.set(table.idLength, lengthsAt);
    this.teamsFor = null; // what beginTeams() laid out after the old source is overwritten
    this.source = table;
    this.startsAt = startsAt;
    this.lengthsAt = lengthsAt;
    this.sourceEnd = lengthsAt + count;
    let longest = 0;
    for (let i = 0; i < count; i++) if ((table.idLength[i] as number) > longest) longest = table.idLength[i] as number;
    this.longest = longest;
    return true;
  }

  /**
   * Whether `sorted` (ids in order: bytes, then length), which must be the source now, has the id
   * `id`, as ./unit-table hasUnitId answers; null when it is not the source (the caller searches).
   */
  hasId(sorted: IdBytes, id: string): boolean | null {
    if (this.source !== sorted || id.length > CHUNK * 4) return null;
    const b = this.bytes;
    for (let k = 0; k < id.length; k++) {
      const c = id.charCodeAt(k);
      if (c > 0xff) return false; // never one of the source's bytes
      b[REFS_AT + k] = c;
    }
    return this.find(sorted.idStart.length, id.length, this.startsAt, this.lengthsAt) === 1;
  }

  /** The length of the source's longest id: a batch whose ids all fit one block goes by pushAll(). */
  get longestId(): number {
    return this.longest;
  }

  /**
   * Starts a batch of blocks the module lays out itself (pushRef, pushAll): each is `fixed` (ASCII,
   * at most 55 bytes) followed by an id's bytes from the source, padded, its last word `bitsBefore`
   * + 8 * the id's length (the message length in bits).
   * Its rounds start at round `from` on `start`; the result adds `initial`, is XORed with `xor`
   * and written to `out`.
   */
  beginFill(start: Int32Array, initial: Int32Array, from: number, out: Int32Array, xor: number, fixed: string, bitsBefore: number): void {
    for (let i = 0; i < 8; i++) this.splat(START_AT + 16 * i, start[i] as number);
    // The same for every batch of a draw (the seed's state, the sign bit): laid out once.
    if (initial !== this.initial || xor !== this.xor) {
      for (let i = 0; i < 8; i++) this.splat(INITIAL_AT + 16 * i, initial[i] as number);
      this.splat(XOR_AT, xor);
      this.initial = initial;
      this.xor = xor;
    }
    this.setTemplate(fixed);
    this.from = from;
    this.out = out;
    this.queued = 0;
    this.contiguousAt = -1;
    this.fillAt = fixed.length;
    this.fillBits = bitsBefore;
  }

  /**
   * Queues the block of id `index` of the source (useSource; at + its length <= 55) for the
   * result at out[o..o+7]. Only after beginFill().
   */
  pushRef(index: number, o: number): void {
    const q = this.queued;
    this.memory[(REFS_AT >> 2) + q] = index;
    this.targets[q] = o;
    if (++this.queued === CHUNK) this.flush();
  }

  /**
   * Hashes the blocks of ids indices[0..count) of the source (useSource; each at + its length
   * <= 55), their results in a row into out[8j..]: the indices are copied in at once and the
   * results out at once, nothing done per id here. Only after beginFill(), nothing queued.
   */
  pushAll(indices: Int32Array, count: number): void {
    for (let j = 0; j < count; j += CHUNK) {
      const n = Math.min(CHUNK, count - j);
      this.memory.set(indices.subarray(j, j + n), REFS_AT >> 2);
      this.queued = n;
      this.contiguousAt = 8 * j;
      this.flush();
    }
  }

  /**
   * DRAW-SPEC section 4 step 1, as ./draw bucketUnits does it: the indices of the units (of kinds
   * `kind`, `count` of them) whose kind's pools (`poolsOfKind`, of `poolCount` pools) hold each
   * pool, ascending, one Int32Array a pool (the caller's own). Null when the memory cannot hold them.
   * Works after the source (which stays), over anything else laid out there (a team set-up).
   */
  bucket(kind: Uint32Array, count: number, poolsOfKind: readonly (readonly number[])[], poolCount: number): Int32Array[] | null {
    const kinds = poolsOfKind.length;
    const listed = poolsOfKind.reduce((n, ps) => n + ps.length, 0);
    const kindsAt = (Math.max(this.sourceEnd, SOURCE_AT) + 3) & ~3;
    const countsAt = kindsAt + 4 * count;
    const firstsAt = countsAt + 4 * kinds;
    const lengthsAt = firstsAt + 4 * kinds;
    const poolsAt = lengthsAt + 4 * kinds;
    const endsAt = poolsAt + 4 * listed;
    const bucketsAt = endsAt + 4 * poolCount;
    if (!this.reserve(bucketsAt)) return null;
    this.teamsFor = null; // whatever beginTeams() laid out here is gone
    const m = this.memory;
    m.set(kind.subarray(0, count), kindsAt >> 2);
    m.fill(0, countsAt >> 2, firstsAt >> 2);
    let listAt = 0;
    poolsOfKind.forEach((ps, k) => {
      m[(firstsAt >> 2) + k] = listAt;
      m[(lengthsAt >> 2) + k] = ps.length;
      for (const p of ps) m[(poolsAt >> 2) + listAt++] = p;
    });
    this.countKinds(count, kindsAt, countsAt);
    const sizes = new Array<number>(poolCount).fill(0);
    poolsOfKind.forEach((ps, k) => {
      for (const p of ps) sizes[p] = (sizes[p] as number) + (this.memory[(countsAt >> 2) + k] as number);
    });
    const starts: number[] = [];
    let total = 0;
    for (const size of sizes) {
      starts.push(total);
      total += size;
    }
    if (!this.reserve(bucketsAt + 4 * total)) return null;
    starts.forEach((start, p) => {
      this.memory[(endsAt >> 2) + p] = bucketsAt + 4 * start;
    });
    this.bucketKinds(count, kindsAt, firstsAt, lengthsAt, poolsAt, endsAt);
    return starts.map((start, p) => this.memory.slice((bucketsAt >> 2) + start, (bucketsAt >> 2) + start + (sizes[p] as number)));
  }

  /**
   * DRAW-SPEC section 4 steps 1-3 for one pool, as ./draw selectLowest does it: hashes the blocks
   * of ids indices[0..count) of the source (as pushAll, each id in one block; after beginFill()
   * with the sign XOR, nothing queued) and keeps, of those not `taken` (a byte a unit of the
   * source, not 0: taken; null: none are), the `quota` with the lowest (ticket, id), in that order.
   * Null when the memory cannot hold the heap (the caller selects in JavaScript).
   */
  selectLowest(indices: Int32Array, count: number, quota: number, taken: Uint8Array | null): { selected: number[]; candidates: number } | null {
    const source = this.source;
    if (source === null || quota < 1 || this.longest + this.fillAt > 55 || (taken !== null && taken.length !== source.idStart.length)) {
      throw new Error('Sha256Lanes.selectLowest: a source of one-block ids, a quota and a byte a unit for taken');
    }
    const kept = Math.min(quota, count);
    const takenAt = taken ? (this.sourceEnd + 3) & ~3 : 0;
    const heap = ((taken ? takenAt + taken.length : this.sourceEnd) + 3) & ~3;
    const slots = heap + 4 * kept;
    if (!this.reserve(slots + SLOT * kept)) return null;
    if (taken) this.bytes.set(taken, takenAt);
    this.memory[SELECT_AT >> 2] = 0;
    this.memory[(SELECT_AT >> 2) + 1] = 0;
    for (let j = 0; j < count; j += CHUNK) {
      const n = Math.min(CHUNK, count - j);
      this.memory.set(indices.subarray(j, j + n), REFS_AT >> 2);
      this.fill(n, this.fillAt, this.fillBits, this.startsAt, this.lengthsAt);
      this.run((n + 3) >> 2, BLOCKS_AT, OUT_AT, this.from * 16);
      this.keep(n, quota, heap, slots, takenAt, this.startsAt, this.lengthsAt);
    }
    this.sortHeap(heap, slots, this.startsAt, this.lengthsAt);
    const m = this.memory;
    const length = m[SELECT_AT >> 2] as number;
    const selected: number[] = [];
    for (let i = 0; i < length; i++) selected.push(m[((slots + SLOT * (m[(heap >> 2) + i] as number)) >> 2) + 8] as number);
    return { selected, candidates: m[(SELECT_AT >> 2) + 1] as number };
  }

  /** Hashes what is queued (the last group's unused lanes hash leftovers, never read). */
  flush(): void {
    const n = this.queued;
    if (n === 0) return;
    this.fill(n, this.fillAt, this.fillBits, this.startsAt, this.lengthsAt);
    this.run((n + 3) >> 2, BLOCKS_AT, OUT_AT, this.from * 16);
    const m = this.memory;
    const out = this.out;
    const results = OUT_AT >> 2;
    if (this.contiguousAt >= 0) {
      out.set(m.subarray(results, results + 8 * n), this.contiguousAt);
    } else {
      const targets = this.targets;
      for (let q = 0; q < n; q++) {
        const o = targets[q] as number;
        const r = results + 8 * q;
        for (let w = 0; w < 8; w++) out[o + w] = m[r + w] as number;
      }
    }
    this.queued = 0;
    this.contiguousAt = -1;
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
