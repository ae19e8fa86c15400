// The worker process: `npm run worker` (development) or `node dist/worker/main.js` in the image.
// Reads the runtime settings (config/runtime.ts), polls the task queue, logs JSON lines to stdout,
// and on SIGTERM or SIGINT stops polling, lets running activities finish (SSJ_SHUTDOWN_GRACE_SECONDS),
// closes its stores and exits 0. A second signal exits at once.
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { loadRuntimeSettings, SettingsError } from '../config/runtime';
import { TemporalUnavailableError } from '../config/temporal';
import { createJsonLogger, type JsonLogger } from './log';
import { createSsjWorker } from './run';
import { CREATE_KEYRING_HINT, KeyringError, loadKeyring } from '../codec/keyring';
import { useLocalServer } from '../client/local-server';

export async function main(): Promise<number> {
  let log: JsonLogger = createJsonLogger('info');
  try {
    // In development, a server from `npm run dev-server` or the demo in this checkout; set
    // TEMPORAL_ADDRESS (as production does) and this does nothing.
    const local = useLocalServer();
    if (local) log.info('using the local development server', { settings: local });
    const settings = loadRuntimeSettings();
    log = createJsonLogger(settings.logLevel);
    Runtime.install({
      logger: quietBundlerStats(log),
      // Signals are ours to handle (below), so shutdown is logged and ordered.
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'WARN' }), forward: {} } },
    });
    const running = await createSsjWorker(settings, log, loadKeyring());

    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.error('second signal: exiting without waiting', { signal });
        process.exit(130);
      }
      stopping = true;
      log.info('shutdown requested: no new tasks; waiting for running ones', { signal, graceSeconds: settings.shutdownGraceSeconds });
      running.worker.shutdown();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    log.info('worker polling', { identity: running.identity, taskQueue: settings.temporal.taskQueue, namespace: settings.temporal.namespace });
    try {
      await running.worker.run();
    } finally {
      await running.close();
    }
    log.info('worker stopped', { identity: running.identity });
    return 0;
  } catch (err) {
    if (err instanceof SettingsError) {
      log.error('settings are not valid', { problems: err.problems });
      return 2;
    }
    if (err instanceof KeyringError) {
      log.error('payload encryption keys are missing or not valid', { error: err.message, hint: CREATE_KEYRING_HINT });
      return 2;
    }
    if (err instanceof TemporalUnavailableError) {
      log.error('Temporal is not reachable', { error: err.message });
      return 4;
    }
    log.error('worker failed', { error: err });
    return 1;
  }
}

/** The bundler's webpack statistics (many lines, development only) belong at debug level. */
function quietBundlerStats(log: JsonLogger): JsonLogger {
  const isStats = (msg: string) => msg.startsWith('asset workflow-bundle');
  return {
    ...log,
    info: (msg, meta) => (isStats(msg) ? log.debug(msg, meta) : log.info(msg, meta)),
    log: (level, msg, meta) => (isStats(msg) ? log.debug(msg, meta) : log.log(level, msg, meta)),
  };
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
