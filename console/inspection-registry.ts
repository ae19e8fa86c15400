// The registry facts the inspection page shows: the unit (name, code, address), department names
// and the agencies a finding may be referred to. The registry as it stands today, through
// console/registry-cache.ts like console/people.ts, so the page reads them without waiting.
import { referralAgencies, type Department, type Unit } from '../domain/registry';
import type { RegistryStore } from '../stores/registry-store';
import { registryIndex } from './registry-cache';

export interface InspectionRegistry {
  unit(id: string): Unit | null;
  department(id: string): Department | null;
  /** Where a finding outside environmental law is referred (移送): domain/registry.ts referralAgencies. */
  agencies(): Department[];
}

/** `issuer`: the programme's issuing bureau, never a referral agency (domain/registry.ts referralAgencies). */
export async function inspectionRegistry(registry: RegistryStore, now?: () => Date, issuer: string | null = null): Promise<InspectionRegistry> {
  const cache = await registryIndex(registry, now);
  return {
    unit: (id) => cache.current().units.get(id) ?? null,
    department: (id) => cache.current().departments.get(id) ?? null,
    agencies: () => referralAgencies(cache.current().departments.values(), issuer),
  };
}
