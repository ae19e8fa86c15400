// The registry as it stands today (Beijing date), for the console's pages: read once when the
// console starts, then again in the background when a page asks after it is a minute old, so a
// page view never waits for a snapshot and never holds a connection of its own.
import { beijingDate } from '../domain/calendar';
import type { Department, Person, RegistrySnapshot, Unit } from '../domain/registry';
import type { RegistryStore } from '../stores/registry-store';

export const REGISTRY_CACHE_MS = 60_000;

export interface RegistryCache<T> {
  /** The latest view; starts a background refresh when it is older than REGISTRY_CACHE_MS. */
  current(): T;
  /** Reads the registry now (tests, and pages that must see a change at once). */
  refresh(): Promise<T>;
}

export async function registryCache<T>(registry: RegistryStore, view: (s: RegistrySnapshot) => T, now: () => Date = () => new Date()): Promise<RegistryCache<T>> {
  let at = now().getTime();
  let value = view(await registry.snapshotAt(beijingDate(at)));
  let pending: Promise<T> | null = null;
  const refresh = (): Promise<T> => {
    pending ??= (async () => {
      const t = now().getTime();
      try {
        value = view(await registry.snapshotAt(beijingDate(t)));
        at = t;
        return value;
      } finally {
        pending = null;
      }
    })();
    return pending;
  };
  return {
    current() {
      // A failed refresh keeps the last view and is tried again on the next page view.
      if (now().getTime() - at > REGISTRY_CACHE_MS && !pending) refresh().catch(() => undefined);
      return value;
    },
    refresh,
  };
}

/** Today's registry by id: what the console's pages look up (names, units, departments). */
export interface RegistryIndex {
  people: Map<string, Person>;
  units: Map<string, Unit>;
  departments: Map<string, Department>;
}

const indexes = new WeakMap<RegistryStore, Map<() => Date, Promise<RegistryCache<RegistryIndex>>>>();
const systemClock = () => new Date();

/**
 * ONE cache of today's registry per store (and clock) for every page that looks things up, so the
 * console reads one snapshot a minute however many pages need names, units or departments.
 */
export function registryIndex(registry: RegistryStore, now: () => Date = systemClock): Promise<RegistryCache<RegistryIndex>> {
  let byClock = indexes.get(registry);
  if (!byClock) indexes.set(registry, (byClock = new Map()));
  let cache = byClock.get(now);
  if (!cache) {
    cache = registryCache(
      registry,
      (s) => ({ people: new Map(s.people.map((p) => [p.id, p])), units: new Map(s.units.map((u) => [u.id, u])), departments: new Map(s.departments.map((d) => [d.id, d])) }),
      now,
    );
    // A failed first read is not kept: the next page asks again.
    cache.catch(() => byClock!.delete(now));
    byClock.set(now, cache);
  }
  return cache;
}

/**
 * Reads today's registry again for every page's index of this store: after an import from the
 * console, so what it changed (a person's roles, a unit's area) is in force at the next page, not
 * within the minute. An import from the command line is seen within the minute as before.
 */
export async function registryChanged(registry: RegistryStore): Promise<void> {
  await Promise.all([...(indexes.get(registry)?.values() ?? [])].map(async (cache) => (await cache).refresh()));
}
