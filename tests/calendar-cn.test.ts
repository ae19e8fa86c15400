import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { shippedCalendar } from './helpers/calendars';
import {
  CalendarError,
  CalendarYearMissing,
  bundledCalendar,
  mergeSlices,
  WorkingCalendar,
  type CalendarData,
  addDays,
  addWorkingDays,
  beijingDate,
  beijingMidnightMs,
  calendarCoverage,
  dayOfWeek,
  drawDeadline,
  holidayName,
  isDrawOnTime,
  isWorkingDay,
  lastWorkingDayOnOrBefore,
  nextWorkingDayOnOrAfter,
  publicationDeadline,
  quarterEnd,
  quarterOf,
  quarterStart,
  workingDaysBetween,
} from '../domain/calendar';

describe('coverage and sources', () => {
  it('covers 2022–2026 (2022 for the first quarter of 2023: its update window closes in 2022) and cites each year’s notice', () => {
    expect(calendarCoverage.first).toBe('2022-01-01');
    expect(calendarCoverage.last).toBe('2026-12-31');
    expect(calendarCoverage.notices.map((n) => [n.year, n.number])).toEqual([
      [2022, '国办发明电〔2021〕11号'],
      [2023, '国办发明电〔2022〕16号'],
      [2024, '国办发明电〔2023〕7号'],
      [2025, '国办发明电〔2024〕12号'],
      [2026, '国办发明电〔2025〕7号'],
    ]);
    for (const n of calendarCoverage.notices) expect(n.title).toBe(`国务院办公厅关于${n.year}年部分节假日安排的通知`);
  });

  it('throws a clear error outside the calendar instead of guessing', () => {
    expect(() => isWorkingDay('2021-12-30')).toThrow(CalendarError);
    expect(() => isWorkingDay('2027-01-04')).toThrow(/outside the working-day calendar \(2022–2026\).*2027/);
    expect(() => addWorkingDays('2026-12-30', 5)).toThrow(/2027-01-01 is outside/);
    expect(() => addWorkingDays('2022-01-05', -3)).toThrow(/2021-12-31 is outside/);
  });

  it('knows 2022 (国办发明电〔2021〕11号), for the update window before the first quarter of 2023', () => {
    expect(isWorkingDay('2022-12-30')).toBe(true); // a Friday
    expect(isWorkingDay('2022-10-07')).toBe(false); // 国庆节
    expect(isWorkingDay('2022-10-08')).toBe(true); // 调休上班 (Saturday)
    expect(isWorkingDay('2022-01-30')).toBe(true); // 调休上班 (Sunday)
    // The last five working days before the window closes on 2022-12-31 (a Saturday).
    expect(addWorkingDays('2022-12-31', -5)).toBe('2022-12-26');
    expect(addWorkingDays('2022-12-30', 2)).toBe('2023-01-04'); // over 元旦 2023
  });

  it('rejects malformed and impossible dates', () => {
    expect(() => isWorkingDay('2023-2-1')).toThrow(/not a date YYYY-MM-DD/);
    expect(() => isWorkingDay('2023-02-29')).toThrow(/not a real calendar date/);
    expect(() => isWorkingDay('2023-13-01')).toThrow(/not a real calendar date/);
    expect(isWorkingDay('2024-02-29')).toBe(true); // leap day, a Thursday
    expect(() => addWorkingDays('2023-03-01', 1.5)).toThrow(/whole number/);
  });
});

describe('weekdays', () => {
  it('knows the day of the week without the host time zone', () => {
    expect(dayOfWeek('2023-01-01')).toBe(0); // Sunday
    expect(dayOfWeek('2024-02-29')).toBe(4);
    expect(dayOfWeek('2026-10-10')).toBe(6);
    expect(dayOfWeek('1970-01-01')).toBe(4);
  });
});

// Each case straight from the year's notice.
const cases: Array<[string, boolean, string]> = [
  // 2023 (国办发明电〔2022〕16号)
  ['2023-01-02', false, '元旦 in lieu (Monday)'],
  ['2023-01-20', true, 'Friday before Spring Festival (除夕 was a working day)'],
  ['2023-01-21', false, '春节 first day'],
  ['2023-01-27', false, '春节 last day (Friday)'],
  ['2023-01-28', true, '调休上班 Saturday'],
  ['2023-01-29', true, '调休上班 Sunday'],
  ['2023-04-05', false, '清明节 (Wednesday)'],
  ['2023-04-23', true, '调休上班 Sunday'],
  ['2023-05-03', false, '劳动节 last day'],
  ['2023-05-06', true, '调休上班 Saturday'],
  ['2023-06-23', false, '端午节 in lieu (Friday)'],
  ['2023-06-25', true, '调休上班 Sunday'],
  ['2023-09-29', false, '中秋节'],
  ['2023-10-06', false, '国庆节 last day (Friday)'],
  ['2023-10-07', true, '调休上班 Saturday'],
  ['2023-10-08', true, '调休上班 Sunday'],
  ['2023-10-14', false, 'ordinary Saturday'],
  // 2024 (国办发明电〔2023〕7号)
  ['2024-01-01', false, '元旦'],
  ['2024-02-04', true, '调休上班 Sunday'],
  ['2024-02-09', true, '除夕 stays a working day'],
  ['2024-02-16', false, '春节 (Friday)'],
  ['2024-02-18', true, '调休上班 Sunday'],
  ['2024-04-05', false, '清明节 (Friday)'],
  ['2024-04-07', true, '调休上班 Sunday'],
  ['2024-04-28', true, '调休上班 Sunday'],
  ['2024-05-11', true, '调休上班 Saturday'],
  ['2024-06-10', false, '端午节 (Monday)'],
  ['2024-09-14', true, '调休上班 Saturday'],
  ['2024-09-16', false, '中秋节 in lieu (Monday)'],
  ['2024-09-29', true, '调休上班 Sunday'],
  ['2024-10-07', false, '国庆节 last day (Monday)'],
  ['2024-10-12', true, '调休上班 Saturday'],
  // 2025 (国办发明电〔2024〕12号): Spring Festival and Labour Day one day longer
  ['2025-01-01', false, '元旦 (Wednesday, no swap)'],
  ['2025-01-26', true, '调休上班 Sunday'],
  ['2025-01-28', false, '除夕 is now a holiday'],
  ['2025-02-04', false, '春节 8th day (Tuesday)'],
  ['2025-02-05', true, 'back to work'],
  ['2025-02-08', true, '调休上班 Saturday'],
  ['2025-04-04', false, '清明节 (Friday)'],
  ['2025-04-27', true, '调休上班 Sunday (the only Labour Day swap)'],
  ['2025-05-05', false, '劳动节 5th day (Monday)'],
  ['2025-05-10', false, 'ordinary Saturday (no second swap)'],
  ['2025-06-02', false, '端午节 (Monday)'],
  ['2025-09-28', true, '调休上班 Sunday'],
  ['2025-10-08', false, '国庆节、中秋节 8th day (Wednesday)'],
  ['2025-10-11', true, '调休上班 Saturday'],
  // 2026 (国办发明电〔2025〕7号)
  ['2026-01-02', false, '元旦 (Friday)'],
  ['2026-01-04', true, '调休上班 Sunday'],
  ['2026-02-14', true, '调休上班 Saturday'],
  ['2026-02-16', false, '春节 (Monday)'],
  ['2026-02-23', false, '春节 9th day (Monday)'],
  ['2026-02-28', true, '调休上班 Saturday'],
  ['2026-04-06', false, '清明节 (Monday)'],
  ['2026-05-05', false, '劳动节 (Tuesday)'],
  ['2026-05-09', true, '调休上班 Saturday'],
  ['2026-06-19', false, '端午节 (Friday)'],
  ['2026-09-20', true, '调休上班 Sunday'],
  ['2026-09-25', false, '中秋节 (Friday)'],
  ['2026-10-07', false, '国庆节 (Wednesday)'],
  ['2026-10-10', true, '调休上班 Saturday'],
  ['2026-12-31', true, 'last day of the calendar (Thursday)'],
];

describe('holidays and adjusted working weekends', () => {
  it.each(cases)('%s working=%s (%s)', (date, working) => {
    expect(isWorkingDay(date)).toBe(working);
  });

  it('counts the working days of whole years (weekdays minus the legal holidays: 11 a year, 13 from 2025)', () => {
    // 2023-01-01 is a holiday, so the half-open (01-01, 12-31] holds the whole year's working days.
    expect(workingDaysBetween('2023-01-01', '2023-12-31')).toBe(249); // 260 weekdays − 11
    expect(workingDaysBetween('2023-12-31', '2024-12-31')).toBe(251); // 262 − 11
    expect(workingDaysBetween('2024-12-31', '2025-12-31')).toBe(248); // 261 − 13
    expect(workingDaysBetween('2025-12-31', '2026-12-31')).toBe(248); // 261 − 13
  });

  it('names holidays', () => {
    expect(holidayName('2025-01-28')).toBe('春节');
    expect(holidayName('2023-10-01')).toBe('中秋节、国庆节');
    expect(holidayName('2023-10-14')).toBeNull();
    expect(holidayName('2023-01-28')).toBeNull();
  });
});

describe('working-day arithmetic', () => {
  it('adds across Spring Festival 2023', () => {
    // Fri 2023-01-20 is the last working day before the break; 1-28 and 1-29 are working weekends.
    expect(addWorkingDays('2023-01-20', 1)).toBe('2023-01-28');
    expect(addWorkingDays('2023-01-20', 2)).toBe('2023-01-29');
    expect(addWorkingDays('2023-01-20', 3)).toBe('2023-01-30');
    expect(addWorkingDays('2023-01-30', -3)).toBe('2023-01-20');
  });

  it('adds across Spring Festival 2025 and National Day 2024', () => {
    expect(addWorkingDays('2025-01-27', 1)).toBe('2025-02-05');
    expect(addWorkingDays('2025-02-05', -1)).toBe('2025-01-27');
    expect(addWorkingDays('2024-09-30', 1)).toBe('2024-10-08');
    expect(addWorkingDays('2024-09-27', 1)).toBe('2024-09-29'); // Friday → Sunday working day
  });

  it('the 20-working-day publication rule across National Day 2023', () => {
    // Check on Mon 2023-09-25 (not counted): 26–28 Sep (3) | 7, 8 Oct swapped (5) | 9–13 (10) | 16–20 (15) | 23–27 (20).
    expect(publicationDeadline('2023-09-25')).toBe('2023-10-27');
    expect(workingDaysBetween('2023-09-25', '2023-10-27')).toBe(20);
    expect(workingDaysBetween('2023-09-25', '2023-10-26')).toBe(19);
  });

  it('crosses year boundaries', () => {
    expect(addWorkingDays('2023-12-29', 1)).toBe('2024-01-02');
    expect(addWorkingDays('2024-01-02', -1)).toBe('2023-12-29');
    expect(addWorkingDays('2025-12-31', 1)).toBe('2026-01-04'); // Jan 1–3 off, Sunday the 4th is worked
    expect(workingDaysBetween('2025-12-31', '2026-01-05')).toBe(2);
  });

  it('is the inverse of workingDaysBetween, both ways', () => {
    for (const start of ['2023-03-01', '2023-01-19', '2024-02-08', '2025-09-26', '2026-02-13', '2026-10-01']) {
      for (const n of [0, 1, 5, 20, 60, -1, -10]) {
        const end = addWorkingDays(start, n);
        expect(workingDaysBetween(start, end)).toBe(n);
      }
    }
  });

  it('n = 0 and starting on a rest day', () => {
    expect(addWorkingDays('2023-01-22', 0)).toBe('2023-01-22');
    expect(addWorkingDays('2023-10-14', 1)).toBe('2023-10-16'); // Saturday → Monday
    expect(nextWorkingDayOnOrAfter('2024-02-10')).toBe('2024-02-18');
    expect(lastWorkingDayOnOrBefore('2026-01-10')).toBe('2026-01-09');
    expect(lastWorkingDayOnOrBefore('2026-01-09')).toBe('2026-01-09');
  });

  it('plain calendar days work for any year', () => {
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
  });
});

describe('quarters and the draw deadline', () => {
  it('quarter bounds', () => {
    expect([1, 2, 3, 4].map((q) => [quarterStart(2023, q as 1), quarterEnd(2023, q as 1)])).toEqual([
      ['2023-01-01', '2023-03-31'],
      ['2023-04-01', '2023-06-30'],
      ['2023-07-01', '2023-09-30'],
      ['2023-10-01', '2023-12-31'],
    ]);
    expect(quarterOf('2024-06-30')).toEqual({ year: 2024, quarter: 2 });
    expect(quarterOf('2024-07-01')).toEqual({ year: 2024, quarter: 3 });
    expect(() => quarterStart(2023, 5 as 1)).toThrow(/not a quarter/);
  });

  it('the draw is due by the 10th of the quarter’s first month, inclusive', () => {
    expect(drawDeadline(2023, 1)).toBe('2023-01-10');
    expect(drawDeadline(2023, 4)).toBe('2023-10-10');
    expect(isDrawOnTime('2023-01-10', 2023, 1)).toBe(true);
    expect(isDrawOnTime('2023-01-11', 2023, 1)).toBe(false);
    expect(isDrawOnTime('2022-12-30', 2023, 1)).toBe(false);
    // 2026-01-10 is a Saturday: the deadline stays; the last working day before it is Friday the 9th.
    expect(lastWorkingDayOnOrBefore(drawDeadline(2026, 1))).toBe('2026-01-09');
  });
});

describe('a recorded slice and a year it lacks', () => {
  it('names the year a date outside it needs; widened by a year fetched later, keeps the answers of its own days', () => {
    // The calendar before 2025's notice was recorded, with a made-up holiday week in October 2024.
    const data = JSON.parse(JSON.stringify({ years: bundledData().years.filter((y) => y.year <= 2024) })) as CalendarData;
    data.years.find((y) => y.year === 2024)!.holidays.push({ name: '测试假期', from: '2024-10-14', to: '2024-10-18' });
    const recorded = WorkingCalendar.fromData(data, 'to 2024').slice('2024-08-01', '2025-06-30');
    expect(recorded.last).toBe('2024-12-31');
    let missing: unknown = null;
    try {
      WorkingCalendar.fromSlice(recorded).addWorkingDays('2024-12-27', 5);
    } catch (err) {
      missing = err;
    }
    expect(missing).toBeInstanceOf(CalendarYearMissing);
    expect(missing).toBeInstanceOf(CalendarError);
    expect(missing).toMatchObject({ year: 2025, date: '2025-01-01' });
    // 2025 fetched from a calendar that holds it (and not the made-up week): the recorded days
    // keep their answer, the new year's are added.
    const merged = mergeSlices(recorded, bundledCalendar.slice('2024-08-01', '2025-12-31'));
    expect(merged).toMatchObject({ first: '2024-08-01', last: '2025-12-31' });
    const cal = WorkingCalendar.fromSlice(merged);
    expect(cal.isWorkingDay('2024-10-15')).toBe(false); // 测试假期, as recorded
    expect(cal.addWorkingDays('2024-12-27', 5)).toBe('2025-01-06'); // 元旦 not counted
    expect(cal.isWorkingDay('2025-01-26')).toBe(true); // 调休上班 (a Sunday) of the fetched year
    expect(merged.notices).toEqual([...recorded.notices, '国办发明电〔2024〕12号']);
    expect(() => mergeSlices(recorded, bundledCalendar.slice('2025-02-01', '2025-12-31'))).toThrow(/does not meet/);
  });
});

/** config/calendar-cn.json as data. */
const bundledData = shippedCalendar;

describe('Beijing time', () => {
  it('maps instants to Beijing calendar days regardless of the host zone', () => {
    // 2023-01-31T16:00:00Z is 2023-02-01 00:00 in Beijing.
    expect(beijingDate(Date.UTC(2023, 0, 31, 15, 59, 59))).toBe('2023-01-31');
    expect(beijingDate(Date.UTC(2023, 0, 31, 16, 0, 0))).toBe('2023-02-01');
    expect(beijingMidnightMs('2023-02-01')).toBe(Date.UTC(2023, 0, 31, 16, 0, 0));
    expect(beijingDate(beijingMidnightMs('2025-10-08'))).toBe('2025-10-08');
  });
});

describe('fit for workflow code', () => {
  it('imports nothing but the calendar data (no Node built-ins, no side effects)', async () => {
    const fs = await import('node:fs');
    const src = fs.readFileSync('domain/calendar.ts', 'utf8');
    const imports = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['../config/calendar-cn.json']);
    expect(src).not.toMatch(/\bnew Date\b|Date\.now|require\(/);
  });
});
