// The programme clock: programme dates to instants, in real and rehearsal time.
import { describe, expect, it } from 'vitest';
import { endOfDayMs, msUntilEndOf, programmeDate, programmeInstantIso, resolveClock, startOfDayMs, clockSpecSchema } from '../domain/programme-clock';

describe('programme clock', () => {
  it('real time: a date starts at 00:00 Beijing (16:00 UTC the day before)', () => {
    const clock = resolveClock({ mode: 'real' }, 0);
    expect(new Date(startOfDayMs(clock, '2024-01-10')).toISOString()).toBe('2024-01-09T16:00:00.000Z');
    expect(new Date(endOfDayMs(clock, '2024-01-10')).toISOString()).toBe('2024-01-10T16:00:00.000Z');
    expect(programmeDate(clock, Date.parse('2024-01-09T16:00:00Z'))).toBe('2024-01-10');
    expect(programmeDate(clock, Date.parse('2024-01-09T15:59:59Z'))).toBe('2024-01-09');
  });

  it('rehearsal: startedAt stands for 00:00 of programmeStart; each day lasts secondsPerDay', () => {
    const clock = resolveClock({ mode: 'rehearsal', programmeStart: '2023-12-28', secondsPerDay: 2 }, 1_000_000);
    expect(clock).toEqual({ mode: 'rehearsal', programmeStart: '2023-12-28', startedAt: 1_000_000, secondsPerDay: 2 });
    expect(startOfDayMs(clock, '2023-12-28')).toBe(1_000_000);
    expect(startOfDayMs(clock, '2024-01-01')).toBe(1_008_000); // 4 days later
    expect(endOfDayMs(clock, '2023-12-31')).toBe(1_008_000);
    expect(programmeDate(clock, 1_007_999)).toBe('2023-12-31');
    expect(programmeDate(clock, 1_008_000)).toBe('2024-01-01');
    expect(programmeInstantIso(clock, 1_001_000)).toBe('2023-12-28T12:00:00+08:00');
    // A past deadline is a zero wait, never negative.
    expect(msUntilEndOf(clock, '2023-12-01', 1_000_000)).toBe(0);
    expect(msUntilEndOf(clock, '2023-12-28', 1_000_500)).toBe(1_500);
  });

  it('keeps a given startedAt, and refuses a bad spec', () => {
    expect(resolveClock({ mode: 'rehearsal', programmeStart: '2024-03-01', secondsPerDay: 1, startedAt: 5 }, 99)).toMatchObject({ startedAt: 5 });
    expect(clockSpecSchema.safeParse({ mode: 'rehearsal', programmeStart: '2024-3-1', secondsPerDay: 1 }).success).toBe(false);
    expect(clockSpecSchema.safeParse({ mode: 'rehearsal', programmeStart: '2024-03-01', secondsPerDay: 0 }).success).toBe(false);
    expect(() => resolveClock({ mode: 'rehearsal', programmeStart: '2024-02-30', secondsPerDay: 1 }, 0)).toThrow(/not a real calendar date/);
  });
});
