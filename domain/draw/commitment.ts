// ssj-draw/2's commit-then-reveal (DRAW-SPEC section 11, rule 3): pure, no node:crypto, so the
// campaign workflow's validators can check a reveal against its commitment before recording it.
import { z } from 'zod';
import { DRAW_SPEC_V2, HEX64_RE, RULES, SALT_RE, witnessCommitment } from './spec';

export { DRAW_SPEC_V2, witnessCommitment };

/** 32 lowercase hex characters (128 random bits), made on the witness's own device. */
export const saltSchema = z.string().regex(SALT_RE, RULES.salt);
export const commitmentSchema = z.string().regex(HEX64_RE, RULES.commitment);
