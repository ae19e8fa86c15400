// The fixture's registry (its own registry.db, which the worker's activities still read) carried
// into the shared store of its data folder, which the command line's `--as` checks and the
// console read. Goes away once tests/helpers/campaign-fixture.ts fills the shared store itself.
import { adoptLegacyRegistryInto } from '../../activities/registry/adopt-legacy';

export async function shareFixtureRegistry(fx: { registryDb: string; dataDir: string }): Promise<void> {
  await adoptLegacyRegistryInto(fx.registryDb, { dataDir: fx.dataDir, databaseUrl: null });
}
