// The keyring: the AES-256 keys that encrypt every Temporal payload, by id, the id of the key new
// payloads use, and a separate secret (never rotated) that turns a drawn unit into an opaque
// inspection workflow id. Whoever holds it can read every quarter's histories: keep it like a
// private key (docs/operations.md).
//
// Read from a key file ($SSJ_CODEC_KEYS_FILE, refused when group or others may read it, as ssh
// does) or from the environment ($SSJ_CODEC_KEYS, the same JSON). `ssj keys init|rotate` write it.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readEnvFile } from '../config/runtime';
import { firstIssue } from '../domain/messages';

export const KEY_FILE_VARIABLE = 'SSJ_CODEC_KEYS_FILE';
export const KEYS_VARIABLE = 'SSJ_CODEC_KEYS';

const base64Key = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, { error: 'must be 32 bytes in base64 (44 characters ending in =)' });

const keyId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, dots, dashes or underscores' });

export const keyFileSchema = z
  .object({
    version: z.literal(1),
    /** The key new payloads are encrypted with. */
    current: keyId,
    keys: z.record(keyId, base64Key).refine((k) => Object.keys(k).length > 0, { error: 'must hold at least one key' }),
    /** HMAC secret for opaque inspection workflow ids: never rotated (running workflows are found by it). */
    idSecret: base64Key,
  })
  .strict()
  .refine((f) => f.keys[f.current] !== undefined, { error: 'names a key that is not in keys', path: ['current'] });

export type KeyFile = z.infer<typeof keyFileSchema>;

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

export const CREATE_KEYRING_HINT =
  `create a key file with \`npm run --silent ssj -- keys init --file /secure/ssj-keys.json\` and set ${KEY_FILE_VARIABLE}=/secure/ssj-keys.json ` +
  '(the worker, the command line and the codec server must use the same file; see docs/operations.md, "Payload encryption")';

export class Keyring {
  readonly currentKeyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly idSecret: Buffer;

  constructor(file: KeyFile) {
    this.currentKeyId = file.current;
    this.keys = new Map(Object.entries(file.keys).map(([id, k]) => [id, Buffer.from(k, 'base64')]));
    this.idSecret = Buffer.from(file.idSecret, 'base64');
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  currentKey(): { id: string; key: Buffer } {
    return { id: this.currentKeyId, key: this.keys.get(this.currentKeyId)! };
  }

  /** The key of `id`, or a clear error (a payload written with a key this keyring lacks). */
  key(id: string): Buffer {
    const k = this.keys.get(id);
    if (!k) {
      throw new KeyringError(
        `payload encrypted with key id ${JSON.stringify(id)}, which this keyring does not hold (it holds: ${this.keyIds.join(', ')}); ` +
          'use the key file the worker uses, with every key ever rotated out kept in it',
      );
    }
    return k;
  }

  /**
   * `<campaignId>.insp.<24 hex>`: the inspection of `unitId`, named without naming the unit.
   * HMAC keeps the unit from being guessed from the id even though unit ids are few and public.
   */
  inspectionWorkflowId(campaignId: string, unitId: string): string {
    const mac = crypto.createHmac('sha256', this.idSecret).update(`${campaignId}|${unitId}`, 'utf8').digest('hex');
    return `${campaignId}.insp.${mac.slice(0, 24)}`;
  }
}

/** Parses key-file JSON; errors name `where` (the file or the variable) and the field. */
export function parseKeyFile(text: string, where: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KeyringError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const r = keyFileSchema.safeParse(json);
  if (!r.success) throw new KeyringError(`${where}: ${firstIssue(r.error)}`);
  return r.data;
}

/** Reads a key file, refusing one that group or others may read or write (like ssh with a private key). */
export function readKeyFile(file: string, label: string = KEY_FILE_VARIABLE): KeyFile {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new KeyringError(`${label}: the key file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!st.isFile()) throw new KeyringError(`${label}: ${file} is not a file`);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new KeyringError(
      `${label}: the key file ${file} may be read by group or others (mode ${(st.mode & 0o777).toString(8)}); ` +
        `it must be readable by its owner only: chmod 600 ${file}`,
    );
  }
  return parseKeyFile(fs.readFileSync(file, 'utf8'), file);
}

/**
 * The keyring from the environment: $SSJ_CODEC_KEYS_FILE, else $SSJ_CODEC_KEYS, each also read
 * from $SSJ_ENV_FILE (the environment wins, as for the runtime settings). None: a KeyringError
 * that says how to create one. Relative paths are from the working folder.
 */
export function loadKeyring(env: NodeJS.ProcessEnv = process.env): Keyring {
  const merged: Record<string, string | undefined> = {};
  const envFile = env.SSJ_ENV_FILE?.trim();
  if (envFile && fs.existsSync(envFile)) Object.assign(merged, readEnvFile(path.resolve(envFile)));
  for (const k of [KEY_FILE_VARIABLE, KEYS_VARIABLE]) if (env[k] !== undefined && env[k] !== '') merged[k] = env[k];
  const file = merged[KEY_FILE_VARIABLE]?.trim();
  if (file) return new Keyring(readKeyFile(path.resolve(file)));
  const inline = merged[KEYS_VARIABLE]?.trim();
  if (inline) return new Keyring(parseKeyFile(inline, KEYS_VARIABLE));
  throw new KeyringError(`no payload encryption keys: neither ${KEY_FILE_VARIABLE} nor ${KEYS_VARIABLE} is set`);
}

// --- making and rotating key files -------------------------------------------------------------

const newSecret = (): string => crypto.randomBytes(32).toString('base64');

/** A fresh keyring: one key `k1` and an id secret. */
export function newKeyFile(): KeyFile {
  return { version: 1, current: 'k1', keys: { k1: newSecret() }, idSecret: newSecret() };
}

/** Adds key k<n+1> and makes it current; old keys stay so old payloads still decrypt. */
export function rotatedKeyFile(f: KeyFile): KeyFile {
  const used = Object.keys(f.keys).map((id) => /^k(\d+)$/.exec(id)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  const id = `k${Math.max(0, ...used) + 1}`;
  return { ...f, current: id, keys: { ...f.keys, [id]: newSecret() } };
}

export function formatKeyFile(f: KeyFile): string {
  return `${JSON.stringify(f, null, 2)}\n`;
}

/** Creates `file` (mode 0600); refuses to overwrite an existing one. */
export function createKeyFile(file: string): KeyFile {
  const f = newKeyFile();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new KeyringError(`--file: ${file} exists already; it is not overwritten (its keys decrypt existing histories). To add a key: ssj keys rotate --file ${file}`);
    }
    throw err;
  }
  try {
    fs.writeFileSync(fd, formatKeyFile(f));
  } finally {
    fs.closeSync(fd);
  }
  return f;
}

/** Rotates `file` in place: written to a 0600 temporary file, then renamed over it. */
export function rotateKeyFile(file: string): KeyFile {
  const f = rotatedKeyFile(readKeyFile(file, '--file'));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, formatKeyFile(f), { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  return f;
}
