// Password hashing with scrypt (node:crypto): a fresh 16-byte salt per password, the parameters
// stored with the hash so they can be raised later, and a constant-time comparison. The costs are
// OWASP's minimum for scrypt (N=2^17, r=8, p=1: 128 MiB and ~0.35 s of one core here a hash); a
// hash made with lower ones (2^15 before) is replaced at the person's next sign-in.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 2 ** 17, r: 8, p: 1, keyLength: 32 } as const;
/** Minimum password length: the bureau's policy asks for 10. */
export const MIN_PASSWORD_LENGTH = 10;

function scryptAsync(password: string, salt: Buffer, keyLength: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, opts, (err, key) => (err ? reject(err) : resolve(key))));
}
const options = (N: number, r: number, p: number): ScryptOptions => ({ N, r, p, maxmem: 128 * N * r * 2 });

/** `scrypt$N$r$p$salt(base64)$hash(base64)`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, PARAMS.keyLength, options(PARAMS.N, PARAMS.r, PARAMS.p));
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, options(Number(n), Number(r), Number(p)));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Whether a stored hash was made with lower costs than hashPassword uses today (or is not one of ours). */
export function weakerThanCurrent(stored: string): boolean {
  const [kind, n, r, p] = stored.split('$');
  return kind !== 'scrypt' || Number(n) < PARAMS.N || Number(r) < PARAMS.r || Number(p) < PARAMS.p;
}

/** A hash to verify against when the login is unknown, so a wrong login costs the same time as a wrong password. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

/**
 * Checks a sign-in's password against the account's stored hash, or against the dummy when the login
 * is unknown, at today's full cost either way: a wrong password for an account still holding a
 * cheaper hash (made before the costs were raised; replaced at its next sign-in) is checked against
 * the dummy too, or its quicker answer would single out the accounts nobody has used lately.
 */
export async function verifyAtFullCost(password: string, stored: string | null): Promise<boolean> {
  const target = stored ?? (await dummyHash());
  const ok = await verifyPassword(password, target);
  if (!ok && weakerThanCurrent(target)) await verifyPassword(password, await dummyHash());
  return ok;
}

/** Why a new password is refused, in Chinese for the form; null when acceptable. */
export function passwordProblem(password: string, login: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `密码至少${MIN_PASSWORD_LENGTH}个字符。`;
  if (password.length > 200) return '密码不能超过200个字符。';
  if (password.toLowerCase().includes(login.toLowerCase())) return '密码不能包含登录名。';
  return null;
}
