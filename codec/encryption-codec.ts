// A PayloadCodec that encrypts every payload with AES-256-GCM, so Temporal's server, its database
// and anyone with namespace access see only `binary/encrypted` blobs; only holders of the keyring
// (the worker, the `ssj` command line, the codec server) read them.
//
// An encrypted payload: metadata `encoding: binary/encrypted`, `encryption-key-id: <id>`;
// data = IV (12 random bytes) | ciphertext | GCM tag (16 bytes). The plaintext is the original
// payload framed as: u32 length of a JSON header {metadata: {name: base64}} | header | data.
// The key id is authenticated too (additional data), so a blob cannot be relabelled.
import * as crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Keyring } from './keyring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (s: string) => Buffer.from(s, 'utf8');

export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export class EncryptionCodec implements PayloadCodec {
  constructor(readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  /** Encrypted payloads are decrypted; others (histories saved before encryption) pass through. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (isEncrypted(p) ? this.decrypt(p) : p));
  }

  encrypt(p: Payload): Payload {
    const { id, key } = this.keyring.currentKey();
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(id));
    const body = Buffer.concat([cipher.update(frame(p)), cipher.final()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  decrypt(p: Payload): Payload {
    const idBytes = p.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const id = Buffer.from(idBytes).toString('utf8');
    const key = this.keyring.key(id);
    const data = Buffer.from(p.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`an encrypted payload (key ${id}) is too short to hold an IV and a tag`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(aad(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`an encrypted payload does not authenticate with key ${id}: it was altered, or key ${id} in this keyring is not the key it was written with`);
    }
    return unframe(plain, id);
  }
}

export function isEncrypted(p: Payload): boolean {
  const enc = p.metadata?.encoding;
  return enc !== undefined && enc !== null && Buffer.from(enc).toString('utf8') === ENCRYPTED_ENCODING;
}

function aad(keyId: string): Buffer {
  return utf8(`ssj-codec/1|${keyId}`);
}

function frame(p: Payload): Buffer {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  const header = utf8(JSON.stringify({ metadata }));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return Buffer.concat([len, header, Buffer.from(p.data ?? new Uint8Array())]);
}

function unframe(plain: Buffer, keyId: string): Payload {
  const n = plain.length >= 4 ? plain.readUInt32BE(0) : -1;
  if (n < 0 || 4 + n > plain.length) throw new PayloadDecryptionError(`an encrypted payload (key ${keyId}) holds no valid frame`);
  const header = JSON.parse(plain.subarray(4, 4 + n).toString('utf8')) as { metadata: Record<string, string> };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(header.metadata)) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: plain.subarray(4 + n) };
}
