// The console the approval tests run against a campaign fixture: the fixture's registry people by
// name, its reason codes, and the inspection pages without registry facts (ids where names would be).
import type { Client } from '@temporalio/client';
import type { Person } from '../../domain/registry';
import { startConsole, type RunningConsole } from './browser-console';
import { withRegistry, type Fixture } from './campaign-fixture';

export async function startFixtureConsole(fx: Fixture, client: Client): Promise<{ console: RunningConsole; people: Map<string, Person> }> {
  const people = new Map((await withRegistry(fx.dataDir, (reg) => reg.snapshotAt('2024-01-01'))).people.map((p) => [p.id, p]));
  const reasons = fx.programme.reasons!;
  const running = await startConsole({
    personName: async (id) => people.get(id)?.name ?? null,
    temporal: client,
    rejectionReasons: reasons.rejection ?? [],
    inspections: { registry: { unit: () => null, department: () => null, agencies: () => [] }, checkItems: fx.programme.checkItems, couldNotInspect: reasons.couldNotInspect ?? [], requests: { recusal: reasons.recusal ?? [], unitClosed: reasons.unitClosed ?? [] } },
  });
  return { console: running, people };
}
