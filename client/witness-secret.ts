// A witness's secret for the ssj-draw/2 ceremony, on the witness's own machine: the salt is made
// here (crypto.randomBytes), the commitment computed here, and salt and entropy kept in a file
// only the witness can read (mode 0600 in a 0700 folder) until the reveal. Only the commitment
// leaves before every witness has committed (DRAW-SPEC section 11, rule 3).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { commitmentSchema, saltSchema, witnessCommitment } from '../domain/draw/commitment';
import { entropySchema, firstIssue, witnessRoles, type WitnessRole } from '../domain/messages';
import { idSchema } from '../domain/registry';

export const witnessSecretSchema = z.strictObject({
  kind: z.literal('ssj-draw/2 witness secret'),
  campaignId: z.string().min(1),
  ceremony: z.number().int().positive(),
  manifestDigest: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  role: z.enum(witnessRoles),
  personId: idSchema,
  salt: saltSchema,
  entropy: entropySchema,
  commitment: commitmentSchema,
});
export type WitnessSecret = z.infer<typeof witnessSecretSchema>;

/** A secret file that is missing, unreadable, too open, or not a witness secret. */
export class WitnessSecretError extends Error {
  override name = 'WitnessSecretError';
}

/** 128 random bits as 32 lowercase hex characters, from this machine's CSPRNG. */
export function newSalt(): string {
  return crypto.randomBytes(16).toString('hex');
}

/** Makes the salt and the commitment for one witness of one ceremony. */
export function makeWitnessSecret(a: { campaignId: string; ceremony: number; manifestDigest: string; role: WitnessRole; personId: string; entropy: string }): WitnessSecret {
  const salt = newSalt();
  return witnessSecretSchema.parse({
    kind: 'ssj-draw/2 witness secret',
    ...a,
    salt,
    commitment: witnessCommitment(a.manifestDigest, a.role, a.personId, salt, a.entropy),
  });
}

/** `~/.ssj/witness/<campaign>.c<ceremony>.<role>.<person>.json`: one file per witness and ceremony. */
export function defaultSecretPath(a: { campaignId: string; ceremony: number; role: string; personId: string }, home = os.homedir()): string {
  return path.join(home, '.ssj', 'witness', `${a.campaignId}.c${a.ceremony}.${a.role}.${a.personId}.json`);
}

/** Writes the secret with mode 0600; never overwrites (an earlier secret may still be needed for its reveal). */
export function writeSecretFile(file: string, secret: WitnessSecret): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new WitnessSecretError(`${file} already exists; it may hold a secret still needed for a reveal, so it is not overwritten`);
    throw new WitnessSecretError(`cannot create ${file}: ${(err as Error).message}`);
  }
  try {
    fs.fchmodSync(fd, 0o600); // whatever the umask
    fs.writeSync(fd, `${JSON.stringify(secret, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a secret file back; refuses one that others can read or that is not a witness secret. */
export function readSecretFile(file: string): WitnessSecret {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new WitnessSecretError(`${file}: no such secret file (it is written by ssj witness commit; give its path with --secret-file)`);
  }
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new WitnessSecretError(`${file} can be read by others (mode ${(st.mode & 0o777).toString(8)}); a witness secret must be mode 600: chmod 600 ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WitnessSecretError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const p = witnessSecretSchema.safeParse(json);
  if (!p.success) throw new WitnessSecretError(`${file}: not a witness secret: ${firstIssue(p.error)}`);
  if (witnessCommitment(p.data.manifestDigest, p.data.role, p.data.personId, p.data.salt, p.data.entropy) !== p.data.commitment) {
    throw new WitnessSecretError(`${file}: its salt and entropy do not reproduce its commitment; the file was changed`);
  }
  return p.data;
}
