// The witnessed draw, DRAW-SPEC sections 2–5 and 7: seed, tickets, unit selection, team assignment.
// Pure: the same manifest and witnesses always give the same record.
//
// Cost (section 9) is dominated by ticket hashing, so: one pass over the units (columns, see
// ./unit-table) buckets them into the pools' candidate lists; tickets are hashed in bulk by
// ./tickets (one SHA-256 block each from the seed's state, a pool's candidates or a load group at
// once, four at a time in WebAssembly SIMD where it runs, into typed arrays: no string per
// ticket); selection hashes a pool's whole bucket at once (units taken by earlier pools are
// skipped after) and keeps only the `quota` best tickets in a heap; assignment hashes only the
// inspectors in the lowest load groups it needs, the teams chosen in WebAssembly where it runs
// (a run of units without conflicts in one call).
// ticketKey (crypto.hash) serves the replacements.
import * as crypto from 'node:crypto';
import { DrawManifest, Manifest, ManifestPool, compareUtf8 } from './manifest';
import type { Assignment, DrawPool, DrawRecord, RecordWitness, Witness, WitnessReveal, WitnessV1, WitnessV2 } from './record';
import { DRAW_SPEC_V1, DRAW_SPEC_V2, DrawSpec, SALT_RE, RULES, isWitnessV2, witnessProblems, witnessCommitment } from './spec';
import { sha256Hex } from './digest';
import { TicketHasher, TicketPrefix, compareTickets, ticketLanes } from './tickets';
import { IdBytes, UnitTable, compareUnitIds, idBytesOf, unitIdAt, unitIdsAt, unitTableOf } from './unit-table';

export type { Witness, WitnessV1, WitnessV2, WitnessReveal, RecordWitness, DrawRecord, Assignment, DrawPool, DrawSpec };

/** The draw cannot be made (bad witnesses, too few eligible inspectors). No record exists. */
export class DrawError extends Error {
  constructor(
    message: string,
    readonly poolId?: string,
    readonly unitId?: string,
  ) {
    super(message);
    this.name = 'DrawError';
  }
}

/** An ssj-draw/2 witness whose revealed salt and entropy do not reproduce their commitment. */
export class CommitmentMismatchError extends DrawError {
  constructor(
    readonly role: string,
    readonly personId: string,
  ) {
    super(`witness ${role}:${personId}: the revealed salt and entropy do not reproduce the commitment (${DRAW_SPEC_V2} commit, then reveal)`);
    this.name = 'CommitmentMismatchError';
  }
}

// crypto.hash exists from Node 20.12 / 21.7; engines allows any 20.x, so keep a fallback.
const oneShotHash = (crypto as { hash?: (alg: string, data: string, enc: 'hex' | 'latin1') => string }).hash;

/** hex SHA-256 of a UTF-8 string, as fast as this Node allows. */
export const sha256HexFast: (input: string) => string = oneShotHash
  ? (input) => oneShotHash('sha256', input, 'hex')
  : (input) => crypto.createHash('sha256').update(input).digest('hex');

/**
 * A ticket as the draw compares it: the SHA-256's 32 bytes as a latin1 string (one character a
 * byte). Such strings order (JS `<`) exactly as their hex text does, as 256-bit numbers, and cost
 * less to make than hex; no ticket is ever written out, so the hex form is needed only in logs.
 * (verify.html's browser stand-in for node:crypto returns hex here: the same order.)
 */
export const ticketKey: (input: string) => string = oneShotHash
  ? (input) => oneShotHash('sha256', input, 'latin1')
  : (input) => crypto.createHash('sha256').update(input).digest('binary'); // 'binary' is latin1

/** ticket(label) = hex SHA-256(seed + "|" + label) (section 3). */
export function ticket(seed: string, label: string): string {
  return sha256HexFast(`${seed}|${label}`);
}

/** A witness as typed on the command line, before it is bound to a manifest: v1 form or a v2 reveal. */
export type WitnessArg = WitnessV1 | WitnessReveal;

/** `role:person_id` of a witness: names them in messages without echoing their secrets. */
const who = (w: { role: string; person_id: string }): string => `${w.role}:${w.person_id}`;

/**
 * Parses a witness as given to `ssj draw --witness`: `role:person_id:entropy` (ssj-draw/1) or
 * `role:person_id:salt:entropy` (ssj-draw/2, a reveal). Which one a manifest needs is decided by
 * bindWitnesses, which also computes a reveal's commitment once the manifest digest is known.
 * Errors name the witness by role and person only (never the salt or entropy).
 */
export function parseWitness(text: string): WitnessArg {
  const parts = text.split(':');
  const name = parts.length >= 2 ? `${parts[0]}:${parts[1]}` : JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
  if (parts.length === 3 || parts.length === 4) {
    const [role, person_id] = parts as [string, string];
    const entropy = parts[parts.length - 1] as string;
    const salt = parts.length === 4 ? (parts[2] as string) : undefined;
    const fields = { role, person_id, entropy };
    const [problem] = witnessProblems(fields, false);
    if (problem) throw new DrawError(`witness ${name}: ${problem}`);
    if (salt === undefined) return fields;
    if (!SALT_RE.test(salt)) throw new DrawError(`witness ${name}: ${RULES.salt}`);
    return { role, person_id, salt, entropy };
  }
  throw new DrawError(`witness ${name}: expected role:person_id:entropy (${DRAW_SPEC_V1}) or role:person_id:salt:entropy (${DRAW_SPEC_V2}), found ${parts.length} part(s)`);
}

/** A v2 witness from their reveal: the commitment recomputed for this manifest digest. */
export function revealedWitness(manifestDigest: string, reveal: WitnessReveal): WitnessV2 {
  return {
    role: reveal.role,
    person_id: reveal.person_id,
    commitment: witnessCommitment(manifestDigest, reveal.role, reveal.person_id, reveal.salt, reveal.entropy),
    salt: reveal.salt,
    entropy: reveal.entropy,
  };
}

/**
 * Binds command-line witnesses to the manifest they draw from: an ssj-draw/1 manifest takes the
 * `role:person_id:entropy` form only, an ssj-draw/2 manifest the `role:person_id:salt:entropy`
 * form only (its commitment computed here). A form that does not fit is a DrawError.
 */
export function bindWitnesses(args: readonly WitnessArg[], manifest: Pick<Manifest, 'params' | 'manifestDigest'>): RecordWitness[] {
  const spec = manifest.params.spec;
  return args.map((w) => {
    const isReveal = 'salt' in w;
    if (spec === DRAW_SPEC_V2 && !isReveal) {
      throw new DrawError(`witness ${who(w)}: the manifest is ${DRAW_SPEC_V2} (commit, then reveal): give role:person_id:salt:entropy`);
    }
    if (spec === DRAW_SPEC_V1 && isReveal) {
      throw new DrawError(`witness ${who(w)}: the manifest is ${DRAW_SPEC_V1} (no spec key in params.txt): give role:person_id:entropy, without a salt`);
    }
    return isReveal ? revealedWitness(manifest.manifestDigest, w) : w;
  });
}

/**
 * Checks the witnesses (section 2; ssj-draw/2: section 11, every commitment reproduced by its
 * salt and entropy) and returns them sorted by role (bytes), in the record's key order.
 * Without `manifest`, the witnesses are checked as ssj-draw/1.
 */
export function validateWitnesses(
  witnesses: readonly RecordWitness[],
  manifest: { spec: DrawSpec; manifestDigest: string } = { spec: DRAW_SPEC_V1, manifestDigest: '' },
): RecordWitness[] {
  const problems: string[] = [];
  const v2 = manifest.spec === DRAW_SPEC_V2;
  if (witnesses.length < 2) problems.push(`at least two witnesses are needed, got ${witnesses.length}`);
  const roles = new Set<string>();
  const persons = new Set<string>();
  for (const w of witnesses) {
    if (isWitnessV2(w) !== v2 || (!v2 && 'salt' in w)) {
      problems.push(
        v2
          ? `witness ${who(w)}: the manifest is ${DRAW_SPEC_V2}: each witness needs a commitment, salt and entropy`
          : `witness ${who(w)}: the manifest is ${DRAW_SPEC_V1}: a witness gives role, person_id and entropy only (no commitment or salt)`,
      );
      continue;
    }
    for (const problem of witnessProblems(w, v2)) problems.push(`witness ${who(w)}: ${problem}`);
    if (roles.has(w.role)) problems.push(`two witnesses have the role ${JSON.stringify(w.role)}; roles must be distinct`);
    if (persons.has(w.person_id)) problems.push(`person ${JSON.stringify(w.person_id)} witnesses twice; witnesses must be distinct persons`);
    roles.add(w.role);
    persons.add(w.person_id);
  }
  if (problems.length > 0) throw new DrawError(`invalid witnesses: ${problems.join('; ')}`);
  if (v2) {
    for (const w of witnesses as readonly WitnessV2[]) {
      if (witnessCommitment(manifest.manifestDigest, w.role, w.person_id, w.salt, w.entropy) !== w.commitment) {
        throw new CommitmentMismatchError(w.role, w.person_id);
      }
    }
  }
  return [...witnesses]
    .map((w): RecordWitness =>
      isWitnessV2(w)
        ? { role: w.role, person_id: w.person_id, commitment: w.commitment, salt: w.salt, entropy: w.entropy }
        : { role: w.role, person_id: w.person_id, entropy: w.entropy },
    )
    .sort((a, b) => compareUtf8(a.role, b.role));
}

/**
 * seed = hex SHA-256(spec + "|" + manifest_digest + "|" + join("|", role:person:entropy)), witnesses
 * sorted by role; the spec is "ssj-draw/1" or "ssj-draw/2" (the salt is not part of the seed).
 */
export function computeSeed(manifestDigest: string, sortedWitnesses: readonly RecordWitness[], spec: DrawSpec = DRAW_SPEC_V1): string {
  const parts = sortedWitnesses.map((w) => `${w.role}:${w.person_id}:${w.entropy}`);
  return sha256Hex(`${spec}|${manifestDigest}|${parts.join('|')}`);
}

/** The published commitment to the seed (section 8): SHA-256 of the seed's hex text. */
export function seedCommitment(seed: string): string {
  return sha256Hex(seed);
}

/** Lookups the draw and the replacement rules share, built once per manifest. */
export interface DrawIndex {
  inspectorIds: string[];
  inspectorIndex: Map<string, number>;
  /** Inspector indices of each department, in inspector_id order. */
  departmentInspectors: Map<string, number[]>;
  /** unit_id -> indices of inspectors in conflict with it. */
  conflictsByUnit: Map<string, Set<number>>;
}

export function buildDrawIndex(manifest: Pick<Manifest, 'inspectors' | 'conflicts'>): DrawIndex {
  const inspectorIds = manifest.inspectors.map((i) => i.inspectorId);
  const inspectorIndex = new Map(inspectorIds.map((id, i) => [id, i] as const));
  const departmentInspectors = new Map<string, number[]>();
  manifest.inspectors.forEach((ins, i) => {
    const list = departmentInspectors.get(ins.department);
    if (list) list.push(i);
    else departmentInspectors.set(ins.department, [i]);
  });
  const conflictsByUnit = new Map<string, Set<number>>();
  for (const c of manifest.conflicts) {
    const i = inspectorIndex.get(c.inspectorId);
    if (i === undefined) continue; // parseManifest rejects unknown inspectors
    const set = conflictsByUnit.get(c.unitId);
    if (set) set.add(i);
    else conflictsByUnit.set(c.unitId, new Set([i]));
  }
  return { inspectorIds, inspectorIndex, departmentInspectors, conflictsByUnit };
}

/** Section 5 step 1: the department's inspectors without a conflict with the unit. */
export function eligibleInspectors(index: DrawIndex, department: string, unitId: string): number[] {
  const all = index.departmentInspectors.get(department) ?? [];
  const conflicts = index.conflictsByUnit.get(unitId);
  return conflicts ? all.filter((i) => !conflicts.has(i)) : all;
}

/**
 * What would make any draw of this manifest fail, whatever the witnesses give (section 5 step 2):
 * a pool with a quota whose department has fewer inspectors than team_size. Checked before the
 * ceremony (`ssj draw-digest`), so witnesses are never called for a draw that cannot be made.
 * Conflicts can still leave a particular unit short; that depends on which units are drawn.
 */
export function drawPrecheck(manifest: Pick<Manifest, 'inspectors' | 'pools' | 'params'>): string[] {
  const perDepartment = new Map<string, number>();
  for (const i of manifest.inspectors) perDepartment.set(i.department, (perDepartment.get(i.department) ?? 0) + 1);
  const problems: string[] = [];
  for (const pool of manifest.pools) {
    const n = perDepartment.get(pool.department) ?? 0;
    if (pool.quota > 0 && n < manifest.params.teamSize) {
      problems.push(`pool ${pool.poolId}: department ${pool.department} has ${n} inspector(s), fewer than team_size ${manifest.params.teamSize}`);
    }
  }
  return problems;
}

/** The ticket hasher of `seed`, kept for the next call with the same seed (a draw, a replacement). */
let lastHasher: TicketHasher | null = null;
function hasherFor(seed: string): TicketHasher {
  if (lastHasher?.seed !== seed) lastHasher = new TicketHasher(seed);
  return lastHasher;
}

/** Optional instrumentation: every label the draw hashed, in order (for the benchmark's floor). */
export interface DrawOptions {
  ticketLog?: string[];
}

/** Scratch of chooseTeam, grown to the largest load group seen and reused (a draw calls it per unit). */
let groupScratch = new Int32Array(64);
let groupTickets = new Int32Array(8 * 64);
/** The inspector ids chooseTeam was given, as bytes (the same array each call of a draw). */
const inspectorBytes = new WeakMap<readonly string[], IdBytes>();
function inspectorIdBytes(inspectorIds: readonly string[]): IdBytes {
  let ids = inspectorBytes.get(inspectorIds);
  if (!ids) inspectorBytes.set(inspectorIds, (ids = idBytesOf(inspectorIds)));
  return ids;
}

/**
 * The first `size` of `eligible` ordered by (load, ticket("assign|unit|inspector"), id) —
 * section 5 step 3, which section 6 reuses with size 1. Only inspectors in the load groups
 * that reach the team are hashed; a group of one needs no ticket.
 */
export function chooseTeam(
  seed: string,
  unitId: string,
  eligible: readonly number[],
  loads: Int32Array,
  size: number,
  inspectorIds: readonly string[],
  log?: string[],
): number[] {
  const team: number[] = [];
  const n = eligible.length;
  if (groupScratch.length < n) {
    groupScratch = new Int32Array(n);
    groupTickets = new Int32Array(8 * n);
  }
  const group = groupScratch;
  const tickets = groupTickets;
  let prefix: TicketPrefix | null = null;
  // Loads do not change while a team is chosen, so the groups are the distinct loads in
  // ascending order: each round takes the lowest load above the previous round's.
  let above = -Infinity;
  while (team.length < size) {
    let min = Infinity;
    for (let k = 0; k < n; k++) {
      const l = loads[eligible[k] as number] as number;
      if (l > above && l < min) min = l;
    }
    if (min === Infinity) break; // no one left
    let g = 0;
    for (let k = 0; k < n; k++) if (loads[eligible[k] as number] === min) group[g++] = eligible[k] as number;
    above = min;
    if (g === 1) {
      team.push(group[0] as number);
      continue;
    }
    // Keep the best (ticket, id) of the group the team still needs, in order: an insertion into a
    // short list, not a sort of the whole group (at most the team size kept; groups can be large).
    if (log) for (let j = 0; j < g; j++) log.push(`assign|${unitId}|${inspectorIds[group[j] as number] as string}`);
    prefix ??= hasherFor(seed).prefix(`assign|${unitId}|`);
    prefix.writeUnits(inspectorIdBytes(inspectorIds), group, g, tickets);
    const precedes = (a: number, b: number): boolean => {
      const c = compareTickets(tickets, 8 * a, tickets, 8 * b);
      return c < 0 || (c === 0 && compareUtf8(inspectorIds[group[a] as number] as string, inspectorIds[group[b] as number] as string) < 0);
    };
    const keep = Math.min(size - team.length, g);
    const best: number[] = []; // positions in group
    for (let j = 0; j < g; j++) {
      let pos = best.length;
      while (pos > 0 && precedes(j, best[pos - 1] as number)) pos--;
      if (pos >= keep) continue;
      best.splice(pos, 0, j);
      if (best.length > keep) best.pop();
    }
    for (const j of best) team.push(group[j] as number);
  }
  return team;
}

/**
 * Candidates of each pool (section 4 step 1) before exclusivity, found in one pass over the units:
 * the pools of each kind of unit (category, jurisdiction, tier) are worked out once per kind.
 * Unit indices ascending, in typed arrays sized by a first count (no array grows).
 */
export function bucketUnits(pools: readonly ManifestPool[], units: UnitTable): Int32Array[] {
  const poolsOfKind = units.kinds.map((k) =>
    pools.flatMap((p, pi) =>
      p.category === k.category && (p.jurisdiction === '*' || p.jurisdiction === k.jurisdiction) && (p.tier === '*' || p.tier === k.tier) ? [pi] : [],
    ),
  );
  // In WebAssembly where it runs: the same buckets, no loop over the units here.
  const inLanes = ticketLanes()?.bucket(units.kind, units.count, poolsOfKind, pools.length);
  if (inLanes) return inLanes;
  const perKind = new Int32Array(units.kinds.length);
  const kind = units.kind;
  for (let ui = 0; ui < units.count; ui++) perKind[kind[ui] as number] = (perKind[kind[ui] as number] as number) + 1;
  const sizes = new Int32Array(pools.length);
  poolsOfKind.forEach((ps, k) => {
    for (const pi of ps) sizes[pi] = (sizes[pi] as number) + (perKind[k] as number);
  });
  const buckets = Array.from(sizes, (n) => new Int32Array(n));
  const filled = new Int32Array(pools.length);
  // Indexed loops, not for...of: this runs once per draw, mostly before V8 optimizes it, and an
  // unoptimized for...of allocates an iterator and result objects for every unit.
  for (let ui = 0; ui < units.count; ui++) {
    const ps = poolsOfKind[kind[ui] as number] as number[];
    for (let t = 0; t < ps.length; t++) {
      const pi = ps[t] as number;
      const at = filled[pi] as number;
      (buckets[pi] as Int32Array)[at] = ui;
      filled[pi] = at + 1;
    }
  }
  return buckets;
}

/** Scratch tickets of selectLowest, grown to the largest pool and reused. */
let poolTickets = new Int32Array(0);

/**
 * Section 4 steps 1–3 for one pool: of the units of `bucket` (the pool's matches, unit indices
 * ascending) not yet `taken` by an earlier pool (exclusive draws; null: none are), the `quota`
 * with the lowest (ticket, id), in that order, and how many candidates there were. Every unit of
 * the bucket is hashed in one batch, taken ones too (a few, and cheaper than copying the rest out).
 */
function selectLowest(
  bucket: Int32Array,
  quota: number,
  taken: Uint8Array | null,
  units: UnitTable,
  prefix: TicketPrefix,
  logPrefix: string,
  log?: string[],
): { selected: number[]; candidates: number } {
  const n = bucket.length;
  if (quota > 0) {
    if (log) for (const ui of bucket) log.push(logPrefix + unitIdAt(units, ui));
    // In WebAssembly where it runs: the same selection, not a ticket handled here.
    const inLanes = prefix.selectLowest(units, bucket, n, quota, taken);
    if (inLanes) return inLanes;
  }
  // tickets[8j..8j+7]: the ticket of bucket[j].
  if (poolTickets.length < 8 * n) poolTickets = new Int32Array(8 * n);
  const tickets = poolTickets;
  const worse = (a: number, b: number): boolean => {
    const c = compareTickets(tickets, 8 * a, tickets, 8 * b);
    return c > 0 || (c === 0 && compareUnitIds(units, bucket[a] as number, bucket[b] as number) > 0);
  };
  if (quota > 0) prefix.writeUnits(units, bucket, n, tickets);
  // Max-heap of the best `quota` candidates seen so far (heap[0] is the worst kept).
  const heap: number[] = [];
  let candidates = 0;
  // Once the heap is full, most candidates lose to its worst on their ticket's first word alone:
  // that word (kept in `worstFirst`) settles them without a call (a short process runs this loop
  // mostly unoptimized); an equal first word goes to the full comparison.
  let worstFirst = 0;
  for (let j = 0; j < n; j++) {
    if (taken !== null && taken[bucket[j] as number] !== 0) continue;
    candidates++;
    if (heap.length === quota && (tickets[8 * j] as number) > worstFirst) continue;
    if (heap.length < quota) {
      let c = heap.length;
      heap.push(j);
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(j, heap[p] as number)) break;
        heap[c] = heap[p] as number;
        c = p;
      }
      heap[c] = j;
    } else if (quota > 0 && worse(heap[0] as number, j)) {
      const k = heap.length;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= k) break;
        const r = l + 1;
        const m = r < k && worse(heap[r] as number, heap[l] as number) ? r : l;
        if (!worse(heap[m] as number, j)) break;
        heap[c] = heap[m] as number;
        c = m;
      }
      heap[c] = j;
    }
    if (heap.length === quota && quota > 0) worstFirst = tickets[8 * (heap[0] as number)] as number;
  }
  heap.sort((a, b) => (worse(a, b) ? 1 : -1));
  return { selected: heap.map((j) => bucket[j] as number), candidates };
}

/**
 * Every candidate of pool `poolIndex` in ticket order (section 4 step 2), all of them, for the
 * replacement rules. `excluded` holds the unit ids taken by earlier pools (exclusive draws).
 */
export function candidateOrder(manifest: Manifest, seed: string, poolIndex: number, excluded: ReadonlySet<string>): string[] {
  const pool = manifest.pools[poolIndex];
  if (!pool) throw new DrawError(`no pool at index ${poolIndex}`);
  const ids: string[] = [];
  for (const u of manifest.units) {
    if (
      u.category === pool.category &&
      (pool.jurisdiction === '*' || u.jurisdiction === pool.jurisdiction) &&
      (pool.tier === '*' || u.tier === pool.tier) &&
      !excluded.has(u.unitId)
    ) {
      ids.push(u.unitId);
    }
  }
  const prefix = `${seed}|select|${pool.poolId}|`;
  const keyed = ids.map((id) => ({ id, t: ticketKey(prefix + id) }));
  keyed.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : compareUtf8(a.id, b.id)));
  return keyed.map((k) => k.id);
}

/**
 * Runs the draw under the manifest's spec: the record of section 7, or a DrawError and no record.
 * An ssj-draw/1 manifest takes WitnessV1 entries; an ssj-draw/2 manifest takes WitnessV2 entries
 * (commitment as recorded at commit time, salt and entropy as revealed) and fails with a
 * CommitmentMismatchError naming the first witness whose reveal does not reproduce the commitment.
 */
export function runDraw(manifest: Manifest | DrawManifest, witnesses: readonly RecordWitness[], options: DrawOptions = {}): DrawRecord {
  const log = options.ticketLog;
  const spec = manifest.params.spec;
  const sortedWitnesses = validateWitnesses(witnesses, { spec, manifestDigest: manifest.manifestDigest });
  const seed = computeSeed(manifest.manifestDigest, sortedWitnesses, spec);
  const { pools, params } = manifest;
  const units = 'unitTable' in manifest ? manifest.unitTable : unitTableOf(manifest.units);
  const hasher = hasherFor(seed);

  // Section 4: selection.
  const buckets = bucketUnits(pools, units);
  const taken = new Uint8Array(units.count);
  const drawPools: DrawPool[] = [];
  const selectedIdx: number[][] = [];
  pools.forEach((pool, pi) => {
    const bucket = buckets[pi] as Int32Array;
    const fixed = `select|${pool.poolId}|`;
    const { selected, candidates } = selectLowest(bucket, pool.quota, params.exclusive ? taken : null, units, hasher.prefix(fixed), fixed, log);
    for (let k = 0; k < selected.length; k++) taken[selected[k] as number] = 1;
    selectedIdx.push(selected);
    drawPools.push({ pool_id: pool.poolId, department: pool.department, candidates, quota: pool.quota, selected: unitIdsAt(units, selected) });
    buckets[pi] = new Int32Array(0); // free as we go
  });

  // Section 5: assignment, walking pools then selection order; the teams chosen in WebAssembly
  // where it runs (the same rule; chooseTeam below with the same loads for a label too long for it).
  const index = buildDrawIndex(manifest);
  let maxEligible = 0;
  for (const list of index.departmentInspectors.values()) if (list.length > maxEligible) maxEligible = list.length;
  const teams = log ? null : hasher.teams(inspectorIdBytes(index.inspectorIds), maxEligible, params.teamSize);
  const loads = teams?.loads ?? new Int32Array(index.inspectorIds.length);
  const assignments: Assignment[] = [];
  // Indexed loops, as in bucketUnits: this runs once, mostly before V8 optimizes it.
  pools.forEach((pool, pi) => {
    const selected = selectedIdx[pi] as number[];
    const ids = (drawPools[pi] as DrawPool).selected;
    const department = index.departmentInspectors.get(pool.department) ?? [];
    const size = params.teamSize;
    const take = (k: number, members: ArrayLike<number>, at: number): void => {
      const inspectors: string[] = new Array(size);
      for (let m = 0; m < size; m++) inspectors[m] = index.inspectorIds[members[at + m] as number] as string;
      assignments.push({ pool_id: pool.poolId, unit_id: ids[k] as string, method: units.positive[selected[k] as number] ? 'offsite' : 'onsite', inspectors });
    };
    for (let k = 0; k < selected.length; k++) {
      // A run of units with their whole department eligible (no conflict), labels fitting one block:
      // their teams in one call, the loads raised in WebAssembly (the same rule, in the same order).
      let end = k;
      if (teams && department.length >= size) while (end < selected.length && !index.conflictsByUnit.has(ids[end] as string) && teams.fits(ids[end] as string)) end++;
      if (teams && end > k) {
        teams.chooseRun(ids, k, end, department, size, take);
        k = end - 1;
        continue;
      }
      // One unit: a conflict narrows its team's choice (or a label too long for one block).
      const id = ids[k] as string;
      const eligible = eligibleInspectors(index, pool.department, id);
      if (eligible.length < size) {
        throw new DrawError(
          `pool ${pool.poolId}, unit ${id}: only ${eligible.length} eligible inspector(s) in department ${pool.department} ` +
            `(team_size ${size}); add inspectors or resolve conflicts, then freeze again`,
          pool.poolId,
          id,
        );
      }
      const team = teams?.choose(id, eligible, size) ?? chooseTeam(seed, id, eligible, loads, size, index.inspectorIds, log);
      for (let m = 0; m < team.length; m++) loads[team[m] as number] = (loads[team[m] as number] as number) + 1;
      take(k, team, 0);
    }
  });

  const common = {
    campaign: params.campaign,
    manifest: { ...manifest.fileDigests },
    manifest_digest: manifest.manifestDigest,
    seed,
    team_size: params.teamSize,
    exclusive: params.exclusive,
    pools: drawPools,
    assignments,
  };
  return spec === DRAW_SPEC_V2
    ? { spec, witnesses: sortedWitnesses as WitnessV2[], ...common }
    : { spec, witnesses: sortedWitnesses as WitnessV1[], ...common };
}
