// A wrong password costs a full-strength scrypt whatever the account holds: one still keeping a
// hash made before the costs were raised (N=2^15, replaced at its next sign-in) is checked against
// the dummy too, so its quicker answer cannot single out accounts nobody has used lately. Counted
// by the scrypt cost each check runs (node:crypto's own scrypt, wrapped to record N), not timed.
import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { hashPassword, verifyAtFullCost } from '../console/passwords';

// Hoisted with vi.mock (which runs before the imports): the costs the wrapped scrypt records.
const costs = vi.hoisted((): number[] => []);
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    scrypt: (password: string, salt: Buffer, keyLength: number, opts: crypto.ScryptOptions, cb: (err: Error | null, key: Buffer) => void) => {
      costs.push(opts.N ?? 0);
      return real.scrypt(password, salt, keyLength, opts, cb);
    },
  };
});


/** A hash as the console stored them before the costs were raised (N=2^15). */
async function oldHash(password: string): Promise<string> {
  const real = await vi.importActual<typeof import('node:crypto')>('node:crypto');
  const salt = real.randomBytes(16);
  const key = real.scryptSync(password, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 128 * 2 ** 15 * 8 * 2 });
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

describe('a sign-in password check', () => {
  it('runs a full-strength scrypt for an unknown login, a current hash and an old one alike', async () => {
    const current = await hashPassword('the right password 1');
    const old = await oldHash('the right password 1');
    await verifyAtFullCost('warm up the dummy', null);
    const strongest = async (stored: string | null, password: string) => {
      costs.length = 0;
      const ok = await verifyAtFullCost(password, stored);
      return { ok, strongest: Math.max(...costs) };
    };
    expect(await strongest(null, 'a wrong password 1')).toEqual({ ok: false, strongest: 2 ** 17 });
    expect(await strongest(current, 'a wrong password 1')).toEqual({ ok: false, strongest: 2 ** 17 });
    expect(await strongest(old, 'a wrong password 1')).toEqual({ ok: false, strongest: 2 ** 17 });
    // The right password on the old hash is accepted (its rehash at today's cost follows in the sign-in).
    expect((await strongest(old, 'the right password 1')).ok).toBe(true);
  });
});
