// Registry persons for the console: names to show, and the check that an account's person exists
// and is active. The registry as it stands today, through console/registry-cache.ts.
import type { Person } from '../domain/registry';
import type { RegistryStore } from '../stores/registry-store';
import { registryIndex } from './registry-cache';

export interface People {
  person(id: string): Promise<Person | null>;
  name(id: string): Promise<string | null>;
}

/** `now` only for tests that move the clock: without it, the console's one shared registry index. */
export async function registryPeople(registry: RegistryStore, now?: () => Date): Promise<People> {
  const cache = await registryIndex(registry, now);
  return {
    person: async (id) => cache.current().people.get(id) ?? null,
    name: async (id) => cache.current().people.get(id)?.name ?? null,
  };
}
