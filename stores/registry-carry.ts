// A change dated before changes already recorded for its entity: every change holds the entity's
// whole state and a snapshot takes the latest-dated one, so from the date of the first later record
// on, the new change would be hidden (a unit closed on 15 March shown active again from a 25 March
// address correction, and drawn). Its effect is carried forward instead: for each later recorded
// state, one more record on that state's date holding it with the fields the new change set, except
// the fields a later record itself changed (those stand). Appended, like every change: nothing is
// rewritten, and the history says why.

/** A recorded change of one entity: its date, its state (null: removed). In record order. */
export interface RecordedState {
  effectiveDate: string;
  state: Record<string, unknown> | null;
}

/** A change of the batch being applied, for the same entity. */
export interface NewState {
  effectiveDate: string;
  state: Record<string, unknown> | null;
  reason: string;
}

export interface CarriedState {
  effectiveDate: string;
  state: Record<string, unknown>;
  reason: string;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The state in force on each date that has records: the last recorded on that date. */
function byDate(records: readonly RecordedState[]): Map<string, Record<string, unknown> | null> {
  const out = new Map<string, Record<string, unknown> | null>();
  for (const r of records) out.set(r.effectiveDate, r.state);
  return out;
}

/** The latest of `dates` (ascending) not after `date`, or null. */
function atOrBefore(dates: readonly string[], date: string): string | null {
  let found: string | null = null;
  for (const d of dates) {
    if (d > date) break;
    found = d;
  }
  return found;
}

/**
 * The records to append so that `changes` (one entity's, from one batch) stay in force past the
 * later-dated records of `recorded` (that entity's history, in record order). Empty when no change
 * is dated before a recorded one, which is the usual case.
 */
export function carriedForward(recorded: readonly RecordedState[], changes: readonly NewState[]): CarriedState[] {
  const original = byDate(recorded);
  const dates = [...original.keys()].sort();
  // The states as they will stand: the batch's own changes win on their dates.
  const current = new Map(original);
  const batchDates = [...new Set(changes.map((c) => c.effectiveDate))].sort();
  const carried = new Map<string, string>(); // date → reason of the carried record
  for (const c of [...changes].sort((a, b) => (a.effectiveDate < b.effectiveDate ? -1 : a.effectiveDate > b.effectiveDate ? 1 : 0))) {
    const beforeDate = atOrBefore(dates, c.effectiveDate);
    const before = beforeDate === null ? null : (original.get(beforeDate) ?? null);
    current.set(c.effectiveDate, c.state);
    if (c.state === null) continue;
    // The fields this change sets, against the state it follows.
    const fields = new Set(Object.keys(c.state).filter((f) => !same(c.state![f], before?.[f])));
    let previous = before;
    // A later change of this same batch was made with the batch's own view: from its date on, it stands.
    const nextInBatch = batchDates.find((d) => d > c.effectiveDate) ?? null;
    for (const d of dates) {
      if (d <= c.effectiveDate) continue;
      if (nextInBatch !== null && d >= nextInBatch) break;
      const later = original.get(d) ?? null;
      if (later === null) break; // removed: nothing to carry onto
      for (const f of [...fields]) if (!same(later[f], previous?.[f])) fields.delete(f);
      if (fields.size === 0) break;
      const merged = { ...(current.get(d) as Record<string, unknown>) };
      for (const f of fields) merged[f] = c.state[f];
      current.set(d, merged);
      carried.set(d, `${c.effectiveDate}的变更延续至此（${c.reason}）`);
      previous = later;
    }
  }
  return [...carried].sort(([a], [b]) => (a < b ? -1 : 1)).map(([effectiveDate, reason]) => ({ effectiveDate, state: current.get(effectiveDate) as Record<string, unknown>, reason }));
}
