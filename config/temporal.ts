// Connecting to Temporal by the runtime settings: one place that knows about TLS client
// certificates and API keys, for the command line (client Connection) and the worker
// (NativeConnection). The worker side loads @temporalio/worker lazily so the command line never
// loads the native core bridge.
import * as fs from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { RuntimeSettings } from './runtime';
import { ssjDataConverter } from '../codec/data-converter';
import type { Keyring } from '../codec/keyring';

type TemporalSettings = Pick<RuntimeSettings, 'temporal'>;

/** The connection options both kinds of connection share. Reads the certificate files. */
export function temporalConnectionOptions(settings: TemporalSettings): {
  address: string;
  tls: TLSConfig | undefined;
  apiKey: string | undefined;
} {
  const t = settings.temporal;
  let tls: TLSConfig | undefined;
  if (t.tls) {
    tls = {};
    if (t.tls.serverName) tls.serverNameOverride = t.tls.serverName;
    if (t.tls.caPath) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', t.tls.caPath);
    if (t.tls.certPath && t.tls.keyPath) {
      tls.clientCertPair = { crt: readPem('TEMPORAL_TLS_CERT', t.tls.certPath), key: readPem('TEMPORAL_TLS_KEY', t.tls.keyPath) };
    }
  }
  return { address: t.address, tls, apiKey: t.apiKey ?? undefined };
}

/** A client connection (command line, tests, scripts). */
export async function connectTemporal(settings: TemporalSettings, opts: { connectTimeoutMs?: number } = {}): Promise<Connection> {
  const o = temporalConnectionOptions(settings);
  try {
    return await Connection.connect({ address: o.address, tls: o.tls, apiKey: o.apiKey, connectTimeout: opts.connectTimeoutMs ?? 10_000 });
  } catch (err) {
    throw new TemporalUnavailableError(settings, err);
  }
}

/** A client on the settings' namespace that encrypts and decrypts payloads with `keyring`. */
export async function connectTemporalClient(settings: TemporalSettings, keyring: Keyring): Promise<{ client: Client; connection: Connection }> {
  const connection = await connectTemporal(settings);
  return { client: ssjClient(connection, settings.temporal.namespace, keyring), connection };
}

/** Every client of the programme's workflows goes through here: the codec is not optional. */
export function ssjClient(connection: Connection, namespace: string, keyring: Keyring): Client {
  return new Client({ connection, namespace, dataConverter: ssjDataConverter(keyring) });
}

/** A worker connection (the native core bridge). */
export async function connectTemporalNative(settings: TemporalSettings): Promise<NativeConnection> {
  const o = temporalConnectionOptions(settings);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NativeConnection: Native } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  try {
    return await Native.connect({ address: o.address, tls: o.tls, apiKey: o.apiKey });
  } catch (err) {
    throw new TemporalUnavailableError(settings, err);
  }
}

export class TemporalUnavailableError extends Error {
  constructor(settings: TemporalSettings, cause: unknown) {
    const t = settings.temporal;
    super(
      `cannot reach Temporal at ${t.address} (namespace ${t.namespace}${t.tls ? ', TLS' : ''}${t.apiKey ? ', API key' : ''}): ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'TemporalUnavailableError';
  }
}

function readPem(variable: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${variable}: the file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/**
 * How long one workflow activation may run in the worker's sandbox before it is abandoned. The
 * SDK's 5 s default is reached on a starved host (a 2-core machine at load 20 running thousands of
 * inspections), and Node then aborts the whole worker process with "async hook stack has become
 * corrupted" (the vm timeout bug behind sdk-typescript#939) instead of failing the task: seen twice
 * in bench:campaign at 2,000 units. A generous limit still catches a workflow that never yields.
 * The SDK reads `isolateExecutionTimeout` from the worker options but does not declare it in
 * WorkerOptions ("not exposed at the moment"), hence the untyped spread: `...WORKFLOW_ACTIVATION_TIMEOUT`.
 */
export const WORKFLOW_ACTIVATION_TIMEOUT: object = { isolateExecutionTimeout: '60s' };
