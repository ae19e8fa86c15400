// The console on its settings, listening: what `npm run console` (console/main.ts) and the demo
// (scripts/demo.ts) start. The console's tables and the registries share one database
// (SSJ_DATABASE_URL or ssj.db in the data folder); Temporal comes as a client with the codec.
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { loadProgramme } from '../config/programme';
import type { RuntimeSettings } from '../config/runtime';
import { openStoreDatabase } from '../stores/open';
import { SqlConsoleStore } from '../stores/sql-console-store';
import { SqlRegistryStore } from '../stores/registry-store';
import { SqlBlobStore } from '../stores/blob-store';
import { ResultDraftStore } from '../stores/result-drafts';
import { codecEndpointFromEnv } from './codec';
import { storeDocuments } from './documents';
import { storeHandoverPreview } from './handover-preview';
import { inspectionRegistry } from './inspection-registry';
import { registryPeople } from './people';
import { buildConsole } from './server';
import type { ConsoleSettings } from './settings';

export interface ServedConsole {
  app: FastifyInstance;
  store: SqlConsoleStore;
  registry: SqlRegistryStore;
  /** The public URL (SSJ_CONSOLE_PUBLIC_URL, or the address it listens on). */
  url: string;
  close(): Promise<void>;
}

export async function serveConsole(o: { runtime: RuntimeSettings; settings: ConsoleSettings; client: Client; logger?: boolean }): Promise<ServedConsole> {
  const { runtime, settings, client } = o;
  const programme = loadProgramme(runtime.programmeFile ?? undefined);
  const db = await openStoreDatabase(settings.store);
  const store = new SqlConsoleStore(db, false);
  const registryStore = new SqlRegistryStore(db);
  const people = await registryPeople(registryStore);
  const registry = await inspectionRegistry(registryStore, undefined, programme.issuer);
  const inspections = { registry, checkItems: programme.checkItems, couldNotInspect: programme.reasons?.couldNotInspect ?? [], requests: { recusal: programme.reasons?.recusal ?? [], unitClosed: programme.reasons?.unitClosed ?? [] }, results: { drafts: new ResultDraftStore(db), blobs: new SqlBlobStore(db) } };
  const operations = {
    programme: { id: programme.id, name: programme.name, year: programme.year, rehearsalSecondsPerDay: programme.rehearsal.secondsPerDay, publisher: programme.detachment.name },
    taskQueue: runtime.temporal.taskQueue,
    dataDir: runtime.dataDir,
    config: programme,
    registry: registryStore,
  };
  const app = await buildConsole({ settings, store, personName: people.name, people, temporal: client, rejectionReasons: programme.reasons?.rejection ?? [], inspections, operations, registry: registryStore, documents: { ...storeDocuments(db), handoverPreview: storeHandoverPreview(db, { unit: registry.unit, issuer: programme.detachment.name }) }, codec: codecEndpointFromEnv(), logger: o.logger ?? false });
  await app.listen({ host: settings.host, port: settings.port });
  return {
    app,
    store,
    registry: registryStore,
    url: settings.publicUrl,
    close: async () => {
      await app.close();
      await store.close();
      await db.close();
    },
  };
}
