// Unified social credit codes (GB 32100-2015) and local codes.
import { describe, expect, it } from 'vitest';
import { checkUscc, classifyUnitId, isValidUscc, makeUscc, usccCheckChar, USCC_CHARSET } from '../domain/uscc';

describe('USCC check character', () => {
  it('accepts published codes', () => {
    // The standard's own example, and two codes of well-known companies.
    for (const code of ['91350100M000100Y43', '911100007109288314', '91110000100011743X']) {
      expect(checkUscc(code)).toEqual({ ok: true });
    }
  });

  it('computes the check character by the weights, 31 - sum mod 31, 31 -> 0', () => {
    // All zeros: sum 0 -> 31 - 0 = 31 -> 0.
    expect(usccCheckChar('00000000000000000')).toBe('0');
    // A single 1 in position 1 (weight 1): 31 - 1 = 30 -> 'Y' (the 31st character).
    expect(usccCheckChar('10000000000000000')).toBe('Y');
    // A single 1 in position 2 (weight 3): 31 - 3 = 28 -> 'W'.
    expect(usccCheckChar('01000000000000000')).toBe(USCC_CHARSET[28]);
    expect(USCC_CHARSET).toHaveLength(31);
    expect(USCC_CHARSET).not.toMatch(/[IOSVZ]/);
  });

  it('makeUscc gives codes that validate, and any other last character fails with the expected one named', () => {
    const code = makeUscc('91411502MA44X0K1A');
    expect(isValidUscc(code)).toBe(true);
    for (const c of USCC_CHARSET) {
      if (c === code[17]) continue;
      const r = checkUscc(code.slice(0, 17) + c);
      expect(r.ok).toBe(false);
      if (!r.ok && r.rule === 'check-digit') expect(r.expected).toBe(code[17]);
      else throw new Error('expected a check-digit failure');
    }
  });

  it('refuses wrong length, lower case and letters outside the charset', () => {
    expect(checkUscc('91350100M000100Y4')).toMatchObject({ ok: false, rule: 'length' });
    expect(checkUscc('91350100m000100Y43')).toMatchObject({ ok: false, rule: 'charset' });
    expect(checkUscc('91350100M0001OOY43')).toMatchObject({ ok: false, rule: 'charset' }); // letter O
    expect(checkUscc('9135010SM000100Y43')).toMatchObject({ ok: false, rule: 'charset' });
    expect(() => usccCheckChar('9135010')).toThrow(/17 characters/);
  });

  it('the draw vectors\' made-up ids are not valid codes (they are test data for the draw only)', () => {
    expect(checkUscc('9141150000MH64PQ06')).toMatchObject({ ok: false, rule: 'check-digit', expected: 'D' });
  });
});

describe('unit ids', () => {
  it('classifies USCCs and local codes, and explains the rest', () => {
    expect(classifyUnitId('91350100M000100Y43')).toEqual({ ok: true, idKind: 'uscc' });
    expect(classifyUnitId('LOCAL-SH-2023-0007')).toEqual({ ok: true, idKind: 'local' });
    expect(classifyUnitId('LOCAL-sh-1')).toMatchObject({ ok: false });
    expect(classifyUnitId('LOCAL-')).toMatchObject({ ok: false });
    expect(classifyUnitId('ABC')).toMatchObject({ ok: false, message: expect.stringContaining('18 characters') });
  });
});
