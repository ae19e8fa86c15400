// Unit ids: the unified social credit code (统一社会信用代码, GB 32100-2015) and the local codes
// this project gives to construction projects that have none. Pure functions, no I/O.

/** The 31 characters a USCC may use, in the order that gives each its value 0..30 (no I, O, S, V, Z). */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

const USCC_SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;
const PREFIX_SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{17}$/;

/**
 * A local code: `LOCAL-` then 1–58 of [0-9A-Z-], e.g. `LOCAL-SH-2023-0007`. It fits the DRAW-SPEC
 * id pattern and can never be mistaken for a USCC (which is 18 characters without `-`).
 */
export const LOCAL_CODE_PATTERN = /^LOCAL-[0-9A-Z][0-9A-Z-]{0,57}$/;

/** The check character for the first 17 characters of a USCC. Throws on a character outside the charset. */
export function usccCheckChar(prefix17: string): string {
  if (!PREFIX_SHAPE.test(prefix17)) {
    throw new Error(`USCC prefix must be 17 characters of ${USCC_CHARSET}, got ${JSON.stringify(prefix17)}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(prefix17[i] as string) * (WEIGHTS[i] as number);
  const check = (31 - (sum % 31)) % 31; // 31 -> 0
  return USCC_CHARSET[check] as string;
}

/** A valid USCC from its first 17 characters (used by the synthetic generator and tests). */
export function makeUscc(prefix17: string): string {
  return prefix17 + usccCheckChar(prefix17);
}

export type UsccCheck =
  | { ok: true }
  | { ok: false; rule: 'length' | 'charset'; message: string }
  | { ok: false; rule: 'check-digit'; expected: string; message: string };

/** Check a USCC's length, charset and check character; the message says what is wrong (in English). */
export function checkUscc(code: string): UsccCheck {
  if (code.length !== 18) {
    return { ok: false, rule: 'length', message: `a unified social credit code has 18 characters, this one has ${code.length}` };
  }
  if (!USCC_SHAPE.test(code)) {
    const bad = [...code].filter((c) => !USCC_CHARSET.includes(c));
    return {
      ok: false,
      rule: 'charset',
      message: `characters not allowed in a unified social credit code: ${[...new Set(bad)].join(' ')} (allowed: 0-9 and A-Z without I O S V Z, upper case)`,
    };
  }
  const expected = usccCheckChar(code.slice(0, 17));
  if (code[17] !== expected) {
    return {
      ok: false,
      rule: 'check-digit',
      expected,
      message: `check character is ${code[17]}, expected ${expected} (GB 32100-2015)`,
    };
  }
  return { ok: true };
}

export function isValidUscc(code: string): boolean {
  return checkUscc(code).ok;
}

export function isLocalCode(id: string): boolean {
  return LOCAL_CODE_PATTERN.test(id);
}

/** Which kind of unit id this is, or why it is neither. */
export function classifyUnitId(id: string): { ok: true; idKind: 'uscc' | 'local' } | { ok: false; message: string } {
  if (id.startsWith('LOCAL-')) {
    return isLocalCode(id)
      ? { ok: true, idKind: 'local' }
      : { ok: false, message: 'a local code is LOCAL- followed by 1-58 of 0-9, A-Z and -' };
  }
  if (/^\d+(\.\d+)?E\+\d+$/i.test(id)) {
    return { ok: false, message: `${id} is a number in scientific notation: a spreadsheet turned the code into a number and lost its digits; format the column as text and type the code again` };
  }
  const c = checkUscc(id);
  return c.ok ? { ok: true, idKind: 'uscc' } : { ok: false, message: c.message };
}
