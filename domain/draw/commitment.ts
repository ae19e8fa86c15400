// ssj-draw/2's commit-then-reveal (DRAW-SPEC section 11, rule 3): pure, no node:crypto, so the
// campaign workflow's validators can check a reveal against its commitment before recording it.
import { z } from 'zod';
import { sha256HexPure } from '../sha256';

export const DRAW_SPEC_V2 = 'ssj-draw/2';

/** 32 lowercase hex characters (128 random bits), made on the witness's own device. */
export const saltSchema = z.string().regex(/^[0-9a-f]{32}$/, 'salt must be exactly 32 lowercase hex characters (128 random bits)');
export const commitmentSchema = z.string().regex(/^[0-9a-f]{64}$/, 'commitment must be 64 lowercase hex characters (a SHA-256)');

/** commitment = hex SHA-256("ssj-draw/2 commit|" + manifest_digest + "|" + role + ":" + person_id + ":" + salt + ":" + entropy). */
export function witnessCommitment(manifestDigest: string, role: string, personId: string, salt: string, entropy: string): string {
  return sha256HexPure(`${DRAW_SPEC_V2} commit|${manifestDigest}|${role}:${personId}:${salt}:${entropy}`);
}
