// The working-day calendar as shipped (config/calendar-cn.json), and cut back to what was known
// earlier: the calendar-parking tests need one that lacks next year's holidays.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CalendarData } from '../../domain/calendar';

/** config/calendar-cn.json as data (a fresh copy each call). */
export function shippedCalendar(): CalendarData {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'calendar-cn.json'), 'utf8')) as CalendarData;
}

/** The shipped calendar without the years after `year`: as it stood before the State Council's notice for year + 1 was recorded. */
export function calendarUpTo(year: number): CalendarData {
  return { years: shippedCalendar().years.filter((y) => y.year <= year) };
}
