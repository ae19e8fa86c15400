// Replacements after the draw (DRAW-SPEC section 6). Pure: given the manifest, the record and the
// replacements so far, the rules decide the one possible replacement. Workflows call
// proposeReplacement in an activity and append the entry it returns; verify calls
// applyReplacements, which recomputes every entry's `replacement` and refuses any that differs.
import { DrawError, DrawIndex, buildDrawIndex, candidateOrder, chooseTeam, eligibleInspectors } from './draw';
import { Manifest } from './manifest';
import { Assignment, DrawRecord, Replacement, replacementReasonProblem } from './record';

/** A replacement the rules cannot make or an entry that does not follow them. */
export class ReplacementError extends Error {
  constructor(
    message: string,
    /** seq of the entry concerned, or null for a new request. */
    readonly seq: number | null = null,
  ) {
    super(seq === null ? message : `replacements seq ${seq}: ${message}`);
    this.name = 'ReplacementError';
  }
}

export interface UnitReplacementRequest {
  kind: 'unit';
  pool_id: string;
  /** The unit now on the list, to be replaced. */
  unit_id: string;
}
export interface InspectorReplacementRequest {
  kind: 'inspector';
  pool_id: string;
  unit_id: string;
  /** The inspector leaving the unit's team. */
  inspector_id: string;
}
export type ReplacementRequest = UnitReplacementRequest | InspectorReplacementRequest;

/** The list as it stands after some replacements: walk order, teams and loads. */
class ListState {
  readonly index: DrawIndex;
  readonly assignments: Assignment[];
  readonly loads: Int32Array;
  /** Units brought in by unit replacements so far. */
  readonly broughtIn = new Set<string>();
  /** unit_id -> inspectors replaced on that unit so far. */
  readonly replacedOn = new Map<string, Set<string>>();
  private readonly selectedByAnyPool = new Set<string>();
  private readonly orderCache = new Map<number, string[]>();

  constructor(
    private readonly manifest: Manifest,
    private readonly record: DrawRecord,
  ) {
    this.index = buildDrawIndex(manifest);
    this.loads = new Int32Array(this.index.inspectorIds.length);
    this.assignments = record.assignments.map((a) => ({ ...a, inspectors: [...a.inspectors] }));
    for (const a of this.assignments) for (const id of a.inspectors) this.bump(this.inspector(id), 1);
    for (const p of record.pools) for (const u of p.selected) this.selectedByAnyPool.add(u);
  }

  private bump(i: number, delta: number): void {
    this.loads[i] = (this.loads[i] as number) + delta;
  }

  private inspector(id: string): number {
    const i = this.index.inspectorIndex.get(id);
    if (i === undefined) throw new ReplacementError(`inspector ${id} is not in the manifest's inspectors.csv`);
    return i;
  }

  private poolIndex(poolId: string): number {
    const pi = this.manifest.pools.findIndex((p) => p.poolId === poolId);
    if (pi < 0) throw new ReplacementError(`no pool ${poolId} in the manifest`);
    return pi;
  }

  private place(req: ReplacementRequest): number {
    const at = this.assignments.findIndex((a) => a.pool_id === req.pool_id && a.unit_id === req.unit_id);
    if (at < 0) throw new ReplacementError(`unit ${req.unit_id} is not on pool ${req.pool_id}'s list (as it now stands)`);
    return at;
  }

  /** Section 4 step 2 order of a pool's candidates (exclusive draws: minus earlier pools' selections). */
  private order(pi: number): string[] {
    let order = this.orderCache.get(pi);
    if (!order) {
      const excluded = new Set<string>();
      if (this.record.exclusive) for (const p of this.record.pools.slice(0, pi)) for (const u of p.selected) excluded.add(u);
      order = candidateOrder(this.manifest, this.record.seed, pi, excluded);
      this.orderCache.set(pi, order);
    }
    return order;
  }

  /** The unit that replaces `req.unit_id`: next in the pool's order, not selected by any pool, not brought in before. */
  unitReplacement(req: UnitReplacementRequest): string {
    this.place(req);
    const order = this.order(this.poolIndex(req.pool_id));
    const next = order.find((u) => !this.selectedByAnyPool.has(u) && !this.broughtIn.has(u));
    if (next === undefined) {
      throw new ReplacementError(
        `no unit left to replace ${req.unit_id} in pool ${req.pool_id}: all ${order.length} candidate(s) are selected or already brought in`,
      );
    }
    return next;
  }

  /** The inspector who replaces `req.inspector_id` on the unit's team, by section 5 step 3 with current loads. */
  inspectorReplacement(req: InspectorReplacementRequest): string {
    const a = this.assignments[this.place(req)] as Assignment;
    if (!a.inspectors.includes(req.inspector_id)) {
      throw new ReplacementError(`inspector ${req.inspector_id} is not on the team of unit ${req.unit_id} (team: ${a.inspectors.join(', ')})`);
    }
    const pool = this.manifest.pools[this.poolIndex(req.pool_id)]!;
    const replaced = this.replacedOn.get(req.unit_id) ?? new Set<string>();
    const eligible = eligibleInspectors(this.index, pool.department, req.unit_id).filter((i) => {
      const id = this.index.inspectorIds[i] as string;
      return !a.inspectors.includes(id) && !replaced.has(id);
    });
    const [first] = chooseTeam(this.record.seed, req.unit_id, eligible, this.loads, 1, this.index.inspectorIds);
    if (first === undefined) {
      throw new ReplacementError(
        `no inspector left to replace ${req.inspector_id} on unit ${req.unit_id}: department ${pool.department} has no eligible inspector outside the team ` +
          `who has not already been replaced on this unit`,
      );
    }
    return this.index.inspectorIds[first] as string;
  }

  /** Applies a unit replacement: the new unit takes the old one's place and gets a fresh team. */
  applyUnit(req: UnitReplacementRequest, newUnitId: string): void {
    const at = this.place(req);
    const old = this.assignments[at] as Assignment;
    const pool = this.manifest.pools[this.poolIndex(req.pool_id)]!;
    const unit = this.manifest.units.find((u) => u.unitId === newUnitId);
    if (!unit) throw new ReplacementError(`unit ${newUnitId} is not in the manifest's units.csv`);
    for (const id of old.inspectors) this.bump(this.inspector(id), -1);
    const eligible = eligibleInspectors(this.index, pool.department, newUnitId);
    if (eligible.length < this.record.team_size) {
      throw new ReplacementError(
        `unit ${newUnitId} (replacing ${req.unit_id} in pool ${pool.poolId}) has only ${eligible.length} eligible inspector(s) (team_size ${this.record.team_size})`,
      );
    }
    const team = chooseTeam(this.record.seed, newUnitId, eligible, this.loads, this.record.team_size, this.index.inspectorIds);
    for (const i of team) this.bump(i, 1);
    this.assignments[at] = {
      pool_id: pool.poolId,
      unit_id: newUnitId,
      method: unit.positive ? 'offsite' : 'onsite',
      inspectors: team.map((i) => this.index.inspectorIds[i] as string),
    };
    this.broughtIn.add(newUnitId);
  }

  /** Applies an inspector replacement: same place in the team; loads follow. */
  applyInspector(req: InspectorReplacementRequest, newInspectorId: string): void {
    const a = this.assignments[this.place(req)] as Assignment;
    const pos = a.inspectors.indexOf(req.inspector_id);
    if (pos < 0) throw new ReplacementError(`inspector ${req.inspector_id} is not on the team of unit ${req.unit_id}`);
    a.inspectors[pos] = newInspectorId;
    this.bump(this.inspector(req.inspector_id), -1);
    this.bump(this.inspector(newInspectorId), 1);
    let replaced = this.replacedOn.get(req.unit_id);
    if (!replaced) this.replacedOn.set(req.unit_id, (replaced = new Set()));
    replaced.add(req.inspector_id);
  }

  compute(req: ReplacementRequest): string {
    return req.kind === 'unit' ? this.unitReplacement(req) : this.inspectorReplacement(req);
  }

  apply(req: ReplacementRequest, replacement: string): void {
    if (req.kind === 'unit') this.applyUnit(req, replacement);
    else this.applyInspector(req, replacement);
  }
}

/** The list after the replacements: assignments in walk order and each inspector's load. */
export interface ReplacedList {
  assignments: Assignment[];
  loads: Record<string, number>;
}

function replay(manifest: Manifest, record: DrawRecord, replacements: readonly Replacement[]): ListState {
  const state = new ListState(manifest, record);
  replacements.forEach((entry, i) => {
    if (entry.seq !== i + 1) throw new ReplacementError(`expected seq ${i + 1} at position ${i + 1}, found seq ${entry.seq}`, entry.seq);
    const reason = replacementReasonProblem(record.spec, entry.reason);
    if (reason) throw new ReplacementError(`reason ${reason}`, entry.seq);
    let expected: string;
    try {
      expected = state.compute(entry);
    } catch (err) {
      if (err instanceof ReplacementError || err instanceof DrawError) throw new ReplacementError(err.message, entry.seq);
      throw err;
    }
    if (entry.replacement !== expected) {
      throw new ReplacementError(`replacement: entry has ${entry.replacement}, the rules give ${expected}`, entry.seq);
    }
    try {
      state.apply(entry, expected);
    } catch (err) {
      if (err instanceof ReplacementError) throw new ReplacementError(err.message, entry.seq);
      throw err;
    }
  });
  return state;
}

/**
 * Applies the replacements in seq order to the record, checking each entry's `replacement`
 * against the rules. Throws ReplacementError naming the first entry that does not follow them.
 */
export function applyReplacements(manifest: Manifest, record: DrawRecord, replacements: readonly Replacement[]): ReplacedList {
  const state = replay(manifest, record, replacements);
  const loads: Record<string, number> = {};
  state.index.inspectorIds.forEach((id, i) => (loads[id] = state.loads[i] as number));
  return { assignments: state.assignments, loads };
}

/** The unit that replaces `req.unit_id`, after the replacements so far. */
export function computeUnitReplacement(
  manifest: Manifest,
  record: DrawRecord,
  previous: readonly Replacement[],
  req: Omit<UnitReplacementRequest, 'kind'>,
): string {
  return replay(manifest, record, previous).unitReplacement({ kind: 'unit', ...req });
}

/** The inspector who replaces `req.inspector_id` on `req.unit_id`, after the replacements so far. */
export function computeInspectorReplacement(
  manifest: Manifest,
  record: DrawRecord,
  previous: readonly Replacement[],
  req: Omit<InspectorReplacementRequest, 'kind'>,
): string {
  return replay(manifest, record, previous).inspectorReplacement({ kind: 'inspector', ...req });
}

/** The next entry to append for a requested replacement: seq and `replacement` filled in by the rules. */
export function proposeReplacement(
  manifest: Manifest,
  record: DrawRecord,
  previous: readonly Replacement[],
  req: ReplacementRequest & { reason: string; approved_by: string; at: string },
): Replacement {
  // Checked first: under ssj-draw/2 a free-text reason would be published (private reasons never are).
  const reason = replacementReasonProblem(record.spec, req.reason);
  if (reason) throw new ReplacementError(`reason ${reason}`);
  const replacement = replay(manifest, record, previous).compute(req);
  const seq = previous.length + 1;
  const tail = { replacement, reason: req.reason, approved_by: req.approved_by, at: req.at };
  return req.kind === 'unit'
    ? { seq, kind: 'unit', pool_id: req.pool_id, unit_id: req.unit_id, ...tail }
    : { seq, kind: 'inspector', pool_id: req.pool_id, unit_id: req.unit_id, inspector_id: req.inspector_id, ...tail };
}
