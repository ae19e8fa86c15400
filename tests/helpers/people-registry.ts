// A real SQLite registry holding the test city's departments and the given people, in a temporary
// folder: what the console pages that check a person against the registry (用户管理) need.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Person } from '../../domain/registry';
import { openRegistryStore, type RegistryStore } from '../../stores/registry-store';
import { cityDepartments } from './registry-snapshot';

/** A section-1 person with no inspector card and no e-mail. */
export const staffPerson = (id: string, name: string, roles: Person['roles'], active = true): Person => ({ id, name, department: 'section-1', roles, email: null, inspector: null, active });

export async function openPeopleRegistry(prefix: string, people: readonly Person[]): Promise<{ registry: RegistryStore; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const registry = await openRegistryStore({ dataDir: dir, databaseUrl: null });
  await registry.applyBatch({
    key: 'base',
    kind: 'test',
    source: 'test',
    reason: 'test',
    effectiveDate: '2024-01-01',
    changes: [...cityDepartments().map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })), ...people.map((p) => ({ entityKind: 'person' as const, entityId: p.id, state: p }))],
  });
  return {
    registry,
    close: async () => {
      await registry.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Records changed people (state null: gone from the registry) taking effect on `effectiveDate`. */
export async function changePeople(registry: RegistryStore, key: string, effectiveDate: string, changes: readonly { id: string; state: Person | null }[]): Promise<void> {
  await registry.applyBatch({ key, kind: 'test', source: 'test', reason: 'test', effectiveDate, changes: changes.map((c) => ({ entityKind: 'person' as const, entityId: c.id, state: c.state })) });
}
