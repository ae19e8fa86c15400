// The one data converter of every Temporal client and worker of the programme: the encryption
// codec plus a failure converter that moves messages and stack traces into encrypted attributes.
// Workflow bundles must be built with FAILURE_CONVERTER_PATH too (bundleOptions below).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { Keyring } from './keyring';

/** The SDK wants an existing file: the .ts under tsx, the .js in a compiled build. */
export const FAILURE_CONVERTER_PATH = ['.ts', '.js'].map((ext) => path.join(__dirname, `failure-converter${ext}`)).find((f) => fs.existsSync(f)) ?? path.join(__dirname, 'failure-converter.js');

export function ssjDataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** What `bundleWorkflowCode` needs so workflow failures are encoded as the worker encodes them. */
export const bundleOptions = { failureConverterPath: FAILURE_CONVERTER_PATH } as const;

/**
 * The keyring of a client built with ssjDataConverter, or null for a client without one. The
 * client that can read the payloads is the one that can name inspections (keyring.inspectionWorkflowId).
 */
export function keyringOf(client: Client): Keyring | null {
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  const codec = codecs.find((c): c is EncryptionCodec => c instanceof EncryptionCodec);
  return codec?.keyring ?? null;
}
