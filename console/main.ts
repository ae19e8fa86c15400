// `npm run console`: the web console (工作台) on the runtime settings (config/runtime.ts: the
// registry, Temporal, the payload keys) and the console's own (console/settings.ts). Prints
// `console: <URL>` once it listens; stops cleanly on SIGINT/SIGTERM.
import { loadRuntimeSettings, SettingsError } from '../config/runtime';
import { connectTemporalClient, TemporalUnavailableError } from '../config/temporal';
import { CREATE_KEYRING_HINT, KeyringError, loadKeyring } from '../codec/keyring';
import { serveConsole } from './serve';
import { loadConsoleSettings } from './settings';

async function main(): Promise<void> {
  const runtime = loadRuntimeSettings();
  const settings = loadConsoleSettings();
  const { client, connection } = await connectTemporalClient(runtime, loadKeyring());
  const served = await serveConsole({ runtime, settings, client, logger: true });
  console.log(`console: ${served.url}`);
  const stop = async () => {
    await served.close();
    await connection.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  if (err instanceof SettingsError) console.error(err.message);
  else if (err instanceof KeyringError) console.error(`${err.message}\n${CREATE_KEYRING_HINT}`);
  else if (err instanceof TemporalUnavailableError) console.error(`${err.message}\nstart Temporal (npm run dev-server) or set TEMPORAL_ADDRESS`);
  else console.error(err);
  process.exit(err instanceof SettingsError || err instanceof KeyringError ? 2 : err instanceof TemporalUnavailableError ? 4 : 1);
});
