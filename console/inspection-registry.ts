// The registry facts the inspection page shows: the unit (name, code, address), department names
// and the agencies a finding may be referred to. Read as the registry stands today (Beijing date),
// cached for a minute like console/people.ts so a page view does not rebuild the snapshot.
import { openRegistry } from '../activities/registry/store';
import { beijingDate } from '../domain/calendar';
import type { Department, RegistrySnapshot, Unit } from '../domain/registry';

export interface InspectionRegistry {
  unit(id: string): Unit | null;
  department(id: string): Department | null;
  /** Departments of kind `agency`: where a finding outside environmental law is referred (移送). */
  agencies(): Department[];
  close(): void;
}

export function inspectionRegistry(registryDb: string, now: () => Date = () => new Date()): InspectionRegistry {
  const registry = openRegistry(registryDb);
  let cache: { at: number; units: Map<string, Unit>; departments: Map<string, Department> } | null = null;
  const current = () => {
    const t = now().getTime();
    if (!cache || t - cache.at > 60_000) {
      const s: RegistrySnapshot = registry.snapshotAt(beijingDate(t));
      cache = { at: t, units: new Map(s.units.map((u) => [u.id, u])), departments: new Map(s.departments.map((d) => [d.id, d])) };
    }
    return cache;
  };
  return {
    unit: (id) => current().units.get(id) ?? null,
    department: (id) => current().departments.get(id) ?? null,
    agencies: () => [...current().departments.values()].filter((d) => d.kind === 'agency'),
    close: () => registry.close(),
  };
}
