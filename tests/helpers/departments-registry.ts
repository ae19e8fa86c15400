// A registry store of its own (a SQLite file in a temporary folder) holding the example departments:
// what the import tests refuse files against, checking the database is unchanged after.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importRegistryFile } from '../../files/registry/import-file';
import { SQLITE_STORE_FILE } from '../../stores/open';
import { openRegistryStore, type RegistryStore } from '../../stores/registry-store';

export const EXAMPLE_REGISTRY = path.resolve(__dirname, '..', '..', 'examples', 'registry');

export interface DepartmentsRegistry {
  /** The temporary folder, for the test's own files. */
  tmp: string;
  store: RegistryStore;
  /** The SQLite file (sqliteDigest of it shows nothing changed). */
  dbFile: string;
  close(): Promise<void>;
}

export async function departmentsRegistry(prefix: string): Promise<DepartmentsRegistry> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const store = await openRegistryStore({ dataDir: path.join(tmp, 'data'), databaseUrl: null });
  await importRegistryFile(store, path.join(EXAMPLE_REGISTRY, 'departments.csv'), { kind: 'departments', date: '2022-12-31', progress: false });
  return {
    tmp,
    store,
    dbFile: path.join(tmp, 'data', SQLITE_STORE_FILE),
    close: async () => {
      await store.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
