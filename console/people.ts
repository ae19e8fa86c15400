// Registry persons for the console: names to show, and the check that an account's person exists
// and is active. The registry is read as it stands today (Beijing date), cached for a minute so
// a page view does not rebuild the snapshot.
import { openRegistry } from '../activities/registry/store';
import { beijingDate } from '../domain/calendar';
import type { Person } from '../domain/registry';

export interface People {
  person(id: string): Person | null;
  name(id: string): Promise<string | null>;
  close(): void;
}

export function registryPeople(registryDb: string, now: () => Date = () => new Date()): People {
  const registry = openRegistry(registryDb);
  let cache: { at: number; byId: Map<string, Person> } | null = null;
  const byId = () => {
    const t = now().getTime();
    if (!cache || t - cache.at > 60_000) cache = { at: t, byId: new Map(registry.snapshotAt(beijingDate(t)).people.map((p) => [p.id, p])) };
    return cache.byId;
  };
  return {
    person: (id) => byId().get(id) ?? null,
    name: async (id) => byId().get(id)?.name ?? null,
    close: () => registry.close(),
  };
}
