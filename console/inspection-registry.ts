// The registry facts the inspection page shows: the unit (name, code, address), department names
// and the agencies a finding may be referred to. The registry as it stands today, through
// console/registry-cache.ts like console/people.ts, so the page reads them without waiting.
import type { Department, Unit } from '../domain/registry';
import type { RegistryStore } from '../stores/registry-store';
import { registryIndex } from './registry-cache';

export interface InspectionRegistry {
  unit(id: string): Unit | null;
  department(id: string): Department | null;
  /** Departments of kind `agency`: where a finding outside environmental law is referred (移送). */
  agencies(): Department[];
}

export async function inspectionRegistry(registry: RegistryStore, now?: () => Date): Promise<InspectionRegistry> {
  const cache = await registryIndex(registry, now);
  return {
    unit: (id) => cache.current().units.get(id) ?? null,
    department: (id) => cache.current().departments.get(id) ?? null,
    agencies: () => [...cache.current().departments.values()].filter((d) => d.kind === 'agency'),
  };
}
