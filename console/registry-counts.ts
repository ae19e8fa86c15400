// What an import would do, counted for its preview: each change is new (the entity is absent
// before it), retired (removed, a unit closed or banned, a person leaving), or changed; rows that
// restate the registry are unchanged (the importer counts those). Each change is compared with
// the state before it: an earlier change of the same file, else the store at its effective date.
import type { Person, Unit } from '../domain/registry';
import type { EntityKind, EntityState, RegistryBatch, RegistryChange, RegistryStore } from '../stores/registry-store';

export interface ImportCounts {
  added: number;
  changed: number;
  unchanged: number;
  retired: number;
}

export type ChangeKind = 'added' | 'changed' | 'retired';

export interface ClassifiedChange {
  change: RegistryChange;
  kind: ChangeKind;
  before: EntityState | null;
}

function isRetirement(kind: EntityKind, before: EntityState | null, after: EntityState | null): boolean {
  if (after === null) return true;
  if (kind === 'unit') return (after as Unit).status !== 'active' && (before === null || (before as Unit).status === 'active');
  if (kind === 'person') return !(after as Person).active && (before === null || (before as Person).active);
  return false;
}

export async function classifyChanges(store: Pick<RegistryStore, 'statesAt'>, batch: RegistryBatch): Promise<ClassifiedChange[]> {
  // One statesAt per (kind, date): a file has one or a few dates, so a few queries in all.
  const asked = new Map<string, Set<string>>();
  for (const c of batch.changes) {
    const k = `${c.entityKind} ${c.effectiveDate ?? batch.effectiveDate}`;
    (asked.get(k) ?? asked.set(k, new Set()).get(k)!).add(c.entityId);
  }
  const stored = new Map<string, EntityState | null>();
  for (const [k, ids] of asked) {
    const [kind, date] = k.split(' ') as [EntityKind, string];
    for (const [id, state] of await store.statesAt(kind, ids, date)) stored.set(`${k} ${id}`, state);
  }
  const running = new Map<string, EntityState | null>();
  return batch.changes.map((change) => {
    const entity = `${change.entityKind} ${change.entityId}`;
    const before = running.has(entity) ? running.get(entity)! : (stored.get(`${change.entityKind} ${change.effectiveDate ?? batch.effectiveDate} ${change.entityId}`) ?? null);
    running.set(entity, change.state);
    const kind: ChangeKind = isRetirement(change.entityKind, before, change.state) ? 'retired' : before === null ? 'added' : 'changed';
    return { change, kind, before };
  });
}

export function countChanges(classified: readonly ClassifiedChange[], unchanged: number): ImportCounts {
  const counts: ImportCounts = { added: 0, changed: 0, unchanged, retired: 0 };
  for (const c of classified) counts[c.kind] += 1;
  return counts;
}
