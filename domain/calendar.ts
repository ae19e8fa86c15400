// The Chinese working-day calendar (Beijing time) and the programme's quarter dates.
//
// Imported by Temporal workflow code: pure and deterministic, no Node built-ins, no Date objects.
// Dates are 'YYYY-MM-DD' strings naming a calendar day in Beijing time (UTC+8); arithmetic is
// done on day numbers (days since 1970-01-01), so no host time zone can shift a day.
// The holiday data is config/calendar-cn.json, copied from the State Council General Office's
// yearly notices; a date outside the years it covers is an error, never a guess.
import data from '../config/calendar-cn.json';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** A date the calendar cannot answer for: malformed, impossible, or outside the years it holds. */
export class CalendarError extends Error {
  override name = 'CalendarError';
}

/**
 * A real date in a year the calendar does not hold (its holiday notice not yet recorded): the
 * answer exists once the year is added, so a running workflow can wait for it instead of failing.
 */
export class CalendarYearMissing extends CalendarError {
  override name = 'CalendarYearMissing';
  readonly year: number;
  constructor(
    message: string,
    readonly date: string,
  ) {
    super(message);
    this.year = Number(date.slice(0, 4));
  }
}

export type Quarter = 1 | 2 | 3 | 4;

export interface HolidayNotice {
  year: number;
  title: string;
  number: string;
  issuedOn: string;
}

// ---------------------------------------------------------------------------------------------
// Day numbers (proleptic Gregorian; H. Hinnant's days_from_civil / civil_from_days)

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatDay(day: number): string {
  const [y, m, d] = civilFromDays(day);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** Parse a 'YYYY-MM-DD' string to its day number; throws CalendarError on a malformed or impossible date. */
function parseDay(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new CalendarError(`"${date}" is not a date YYYY-MM-DD`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const day = daysFromCivil(y, mo, d);
  if (mo < 1 || mo > 12 || d < 1 || formatDay(day) !== date) throw new CalendarError(`"${date}" is not a real calendar date`);
  return day;
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------
// A working-day calendar: the bundled data, a file in the same format, or a slice recorded in a
// workflow's history (so a holiday edit changes no running quarter)

/** The shape of config/calendar-cn.json (extra fields such as notes are ignored). */
export interface CalendarData {
  years: {
    year: number;
    source: { title: string; number: string; issuedOn: string };
    holidays: { name: string; from: string; to: string }[];
    workingWeekends: { date: string; for: string }[];
  }[];
}

/**
 * A contiguous stretch of the working-day calendar as plain data, for a workflow's history:
 * the weekdays that are rest days (holidays) and the weekend days that are working days, between
 * `first` and `last` inclusive. Every other day follows the Monday-to-Friday rule.
 */
export interface CalendarSlice {
  first: string;
  last: string;
  restWeekdays: string[];
  workingWeekends: string[];
  /** The State Council notices the slice rests on (their numbers), for whoever reads the history. */
  notices: string[];
}

/**
 * `kept` widened by the days of `added` outside it (they must meet or overlap): the days `kept`
 * already covers keep its answer, so a workflow that fetches a missing year later computes its
 * earlier dates as before.
 */
export function mergeSlices(kept: CalendarSlice, added: CalendarSlice): CalendarSlice {
  const [k0, k1, a0, a1] = [parseDay(kept.first), parseDay(kept.last), parseDay(added.first), parseDay(added.last)];
  if (a0 > k1 + 1 || a1 < k0 - 1) throw new CalendarError(`${added.first} to ${added.last} does not meet ${kept.first} to ${kept.last}`);
  const outsideKept = (d: string) => parseDay(d) < k0 || parseDay(d) > k1;
  const merged = (a: string[], b: string[]) => [...a, ...b.filter(outsideKept)].sort();
  return {
    first: formatDay(Math.min(k0, a0)),
    last: formatDay(Math.max(k1, a1)),
    restWeekdays: merged(kept.restWeekdays, added.restWeekdays),
    workingWeekends: merged(kept.workingWeekends, added.workingWeekends),
    notices: [...new Set([...kept.notices, ...added.notices])],
  };
}

/** Working-day arithmetic over a known stretch of days; a day outside it is a CalendarError. */
export class WorkingCalendar {
  private constructor(
    private readonly firstDay: number,
    private readonly lastDay: number,
    private readonly holidays: ReadonlyMap<number, string>,
    private readonly workingWeekends: ReadonlySet<number>,
    readonly notices: readonly HolidayNotice[],
    /** Says what to do about a day outside the calendar (e.g. add a year's notice, which file). */
    private readonly outside: (date: string) => string,
  ) {}

  /** Expands and checks data in the format of config/calendar-cn.json; `where` names it in errors. */
  static fromData(data: CalendarData, where: string): WorkingCalendar {
    const holidays = new Map<number, string>();
    const workingWeekends = new Set<number>();
    const notices: HolidayNotice[] = [];
    const seen = new Set<number>();
    if (!Array.isArray(data?.years) || data.years.length === 0) throw new CalendarError(`${where}: no years`);
    for (const y of data.years) {
      const at = `${where}, year ${y.year}`;
      if (!Number.isInteger(y.year)) throw new CalendarError(`${at}: "year" must be a whole number`);
      if (seen.has(y.year)) throw new CalendarError(`${at}: the year is listed twice`);
      seen.add(y.year);
      for (const h of y.holidays ?? []) {
        const from = parseDay(h.from);
        const to = parseDay(h.to);
        if (to < from) throw new CalendarError(`${at}: holiday ${h.name} ends (${h.to}) before it starts (${h.from})`);
        for (let d = from; d <= to; d++) {
          if (civilFromDays(d)[0] !== y.year) throw new CalendarError(`${at}: holiday ${h.name} has ${formatDay(d)}, outside ${y.year}`);
          if (holidays.has(d)) throw new CalendarError(`${at}: ${formatDay(d)} is listed in two holidays`);
          holidays.set(d, h.name);
        }
      }
      for (const w of y.workingWeekends ?? []) {
        const d = parseDay(w.date);
        const wd = weekdayOfDay(d);
        if (civilFromDays(d)[0] !== y.year) throw new CalendarError(`${at}: working weekend ${w.date} is outside ${y.year}`);
        if (wd !== 0 && wd !== 6) throw new CalendarError(`${at}: working weekend ${w.date} is not a Saturday or Sunday`);
        if (holidays.has(d)) throw new CalendarError(`${at}: ${w.date} is both a holiday and a working weekend`);
        workingWeekends.add(d);
      }
      notices.push({ year: y.year, title: y.source?.title, number: y.source?.number, issuedOn: y.source?.issuedOn });
    }
    const covered = [...seen].sort((a, b) => a - b);
    const firstYear = covered[0]!;
    const lastYear = covered[covered.length - 1]!;
    for (let yr = firstYear; yr <= lastYear; yr++) {
      if (!seen.has(yr)) throw new CalendarError(`${where}: year ${yr} is missing between ${firstYear} and ${lastYear}`);
    }
    notices.sort((a, b) => a.year - b.year);
    return new WorkingCalendar(daysFromCivil(firstYear, 1, 1), daysFromCivil(lastYear, 12, 31), holidays, workingWeekends, notices, (date) =>
      `${date} is outside the working-day calendar (${firstYear}–${lastYear}); add the State Council's holiday notice for ${date.slice(0, 4)} to ${where}`,
    );
  }

  /** The calendar a workflow recorded (see `slice`); checked as strictly as the data it came from. */
  static fromSlice(s: CalendarSlice, where = 'the calendar recorded when the campaign started'): WorkingCalendar {
    const first = parseDay(s.first);
    const last = parseDay(s.last);
    if (last < first) throw new CalendarError(`${where}: ends (${s.last}) before it starts (${s.first})`);
    const inside = (date: string, what: string, weekend: boolean) => {
      const d = parseDay(date);
      if (d < first || d > last) throw new CalendarError(`${where}: ${what} ${date} is outside ${s.first}–${s.last}`);
      const wd = weekdayOfDay(d);
      if ((wd === 0 || wd === 6) !== weekend) throw new CalendarError(`${where}: ${what} ${date} is ${weekend ? 'not ' : ''}a Saturday or Sunday`);
      return d;
    };
    const holidays = new Map(s.restWeekdays.map((d) => [inside(d, 'rest weekday', false), '']));
    const workingWeekends = new Set(s.workingWeekends.map((d) => inside(d, 'working weekend', true)));
    const notices = s.notices.map((number) => ({ year: 0, title: '', number, issuedOn: '' }));
    return new WorkingCalendar(first, last, holidays, workingWeekends, notices, (date) =>
      `${date} is outside ${where} (${s.first} to ${s.last}); a running quarter keeps the calendar it started with ` +
        "and fetches a year it lacks only when an operator resumes the step parked for it, once the State Council's holiday notice for that year is in the calendar",
    );
  }

  get first(): string {
    return formatDay(this.firstDay);
  }
  get last(): string {
    return formatDay(this.lastDay);
  }

  /** The days from `from` to `to`, clipped to what this calendar covers, as plain data. */
  slice(from: string, to: string): CalendarSlice {
    const a = Math.max(parseDay(from), this.firstDay);
    const b = Math.min(parseDay(to), this.lastDay);
    if (b < a) throw new CalendarError(`${from} to ${to} has no day inside the working-day calendar (${this.first} to ${this.last})`);
    const restWeekdays: string[] = [];
    const workingWeekends: string[] = [];
    const years = new Set<number>();
    for (let d = a; d <= b; d++) {
      years.add(civilFromDays(d)[0]);
      const weekend = weekdayOfDay(d) === 0 || weekdayOfDay(d) === 6;
      if (!weekend && this.holidays.has(d)) restWeekdays.push(formatDay(d));
      if (weekend && this.workingWeekends.has(d)) workingWeekends.push(formatDay(d));
    }
    const notices = this.notices.filter((n) => years.has(n.year)).map((n) => n.number);
    return { first: formatDay(a), last: formatDay(b), restWeekdays, workingWeekends, notices };
  }

  private check(day: number): number {
    if (day < this.firstDay || day > this.lastDay) throw new CalendarYearMissing(this.outside(formatDay(day)), formatDay(day));
    return day;
  }

  /** Working-day test on a day number inside the calendar. */
  isWorkingDayNumber(day: number): boolean {
    this.check(day);
    if (this.workingWeekends.has(day)) return true;
    if (this.holidays.has(day)) return false;
    const wd = weekdayOfDay(day);
    return wd !== 0 && wd !== 6;
  }

  isWorkingDay(date: string): boolean {
    return this.isWorkingDayNumber(parseDay(date));
  }

  /** The holiday `date` belongs to ('' when the calendar is a slice, which keeps no names), or null. */
  holidayName(date: string): string | null {
    return this.holidays.get(this.check(parseDay(date))) ?? null;
  }

  /** See the free function addWorkingDays. */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n)) throw new CalendarError(`addWorkingDays: ${n} is not a whole number of days`);
    let day = parseDay(date);
    const step = n < 0 ? -1 : 1;
    let left = Math.abs(n);
    while (left > 0) {
      day += step;
      if (this.isWorkingDayNumber(day)) left--;
    }
    return formatDay(day);
  }

  /** See the free function workingDaysBetween. */
  workingDaysBetween(from: string, to: string): number {
    const a = parseDay(from);
    const b = parseDay(to);
    if (a === b) return 0;
    let count = 0;
    if (a < b) {
      for (let d = a + 1; d <= b; d++) if (this.isWorkingDayNumber(d)) count++;
      return count;
    }
    for (let d = a - 1; d >= b; d--) if (this.isWorkingDayNumber(d)) count++;
    return -count || 0;
  }
}

/**
 * The calendar bundled with the code (config/calendar-cn.json). Workflow code uses it only in
 * quarters started before `dates-from-activity`; newer ones use the slice their history recorded.
 */
export const bundledCalendar = WorkingCalendar.fromData(data as CalendarData, 'config/calendar-cn.json');

// ---------------------------------------------------------------------------------------------
// Public API

/** The first and last dates the calendar can answer for, and the notices it rests on. */
export const calendarCoverage: { first: string; last: string; notices: readonly HolidayNotice[] } = {
  first: bundledCalendar.first,
  last: bundledCalendar.last,
  notices: bundledCalendar.notices,
};

/** Throws CalendarError unless `date` is a real 'YYYY-MM-DD' date (any year). Returns it. */
export function assertDate(date: string): string {
  parseDay(date);
  return date;
}

/** Whether `date` is a real 'YYYY-MM-DD' calendar date (any year): the one date check every boundary uses. */
export function isRealDate(date: string): boolean {
  try {
    parseDay(date);
    return true;
  } catch {
    return false;
  }
}

/** 0 = Sunday … 6 = Saturday. Works for any real date. */
export function dayOfWeek(date: string): number {
  return weekdayOfDay(parseDay(date));
}

/** The date `n` calendar days after `date` (n may be negative). Works for any real date. */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new CalendarError(`addDays: ${n} is not a whole number of days`);
  return formatDay(parseDay(date) + n);
}

/** Calendar days from `from` to `to` (negative if `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return parseDay(to) - parseDay(from);
}

/** Is `date` a working day: a weekday that is not a holiday, or a weekend day made a working day (调休上班)? */
export function isWorkingDay(date: string): boolean {
  return bundledCalendar.isWorkingDay(date);
}

/** The holiday `date` belongs to (e.g. '春节'), or null. Weekends outside a holiday range are not holidays. */
export function holidayName(date: string): string | null {
  return bundledCalendar.holidayName(date);
}

/**
 * The date `n` working days after `date` (before, if n < 0). `date` itself is not counted, and
 * need not be a working day: addWorkingDays(a Saturday, 1) is the next working day. n = 0 gives
 * `date` unchanged. This is the rule "within 20 working days of the check": the last allowed day
 * is addWorkingDays(checkDate, 20). Throws CalendarError if the walk leaves the calendar.
 * Pass `calendar` to walk a recorded slice instead of the bundled data.
 */
export function addWorkingDays(date: string, n: number, calendar: WorkingCalendar = bundledCalendar): string {
  return calendar.addWorkingDays(date, n);
}

/**
 * The working days stepped onto walking from `from` to `to`: those in (from, to] going forwards,
 * and minus those in [to, from) going backwards. This makes it the exact inverse of
 * addWorkingDays: workingDaysBetween(d, addWorkingDays(d, n)) === n for every n.
 */
export function workingDaysBetween(from: string, to: string, calendar: WorkingCalendar = bundledCalendar): number {
  return calendar.workingDaysBetween(from, to);
}

/** `date` if it is a working day, else the first working day after it. */
export function nextWorkingDayOnOrAfter(date: string): string {
  return isWorkingDay(date) ? date : addWorkingDays(date, 1);
}

/** `date` if it is a working day, else the last working day before it. */
export function lastWorkingDayOnOrBefore(date: string): string {
  return isWorkingDay(date) ? date : addWorkingDays(date, -1);
}

function checkQuarter(year: number, q: number): asserts q is Quarter {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new CalendarError(`${year} is not a four-digit year`);
  if (q !== 1 && q !== 2 && q !== 3 && q !== 4) throw new CalendarError(`${q} is not a quarter (1–4)`);
}

/** First day of the quarter: 01-01, 04-01, 07-01 or 10-01. */
export function quarterStart(year: number, q: Quarter): string {
  checkQuarter(year, q);
  return formatDay(daysFromCivil(year, 3 * (q - 1) + 1, 1));
}

/** Last day of the quarter: 03-31, 06-30, 09-30 or 12-31. */
export function quarterEnd(year: number, q: Quarter): string {
  checkQuarter(year, q);
  return formatDay(daysFromCivil(year, 3 * q + 1, 1) - 1);
}

/** The quarter a date falls in. */
export function quarterOf(date: string): { year: number; quarter: Quarter } {
  const [y, m] = civilFromDays(parseDay(date));
  return { year: y, quarter: (Math.floor((m - 1) / 3) + 1) as Quarter };
}

/**
 * The last day on which the quarter's draw may be held: the 10th of the quarter's first month.
 * The plan says "每季度开始第一个月的10日前"; we read 前 as inclusive (by the end of the 10th,
 * Beijing time), as deadlines written "X日前" are commonly read in Chinese administrative
 * practice. The date is a fixed calendar date and does not move when the 10th is a rest day:
 * schedule the draw on lastWorkingDayOnOrBefore(drawDeadline(year, q)) or earlier.
 */
export function drawDeadline(year: number, q: Quarter): string {
  checkQuarter(year, q);
  return formatDay(daysFromCivil(year, 3 * (q - 1) + 1, 10));
}

/** Is a draw held on `date` on time for the quarter: on or after the quarter's first day and on or before its deadline? */
export function isDrawOnTime(date: string, year: number, q: Quarter): boolean {
  const d = parseDay(date);
  return d >= parseDay(quarterStart(year, q)) && d <= parseDay(drawDeadline(year, q));
}

/** National practice: publish within 20 working days of the check. The last allowed publication day. */
/**
 * How a deadline is shown while it waits for a year the recorded calendar lacks (a Q4 quarter's
 * January deadlines before next year's holidays are recorded): console, CLI and notices.
 */
export const PENDING_DEADLINE_TEXT = '待定（次年节假日安排录入后确定）';

export const PUBLICATION_WORKING_DAYS = 20;
export function publicationDeadline(checkDate: string): string {
  return addWorkingDays(checkDate, PUBLICATION_WORKING_DAYS);
}

/** The Beijing calendar day of an instant given in epoch milliseconds (e.g. the workflow clock). */
export function beijingDate(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new CalendarError(`beijingDate: ${epochMs} is not a time`);
  return formatDay(Math.floor((epochMs + BEIJING_OFFSET_MS) / MS_PER_DAY));
}

/** Epoch milliseconds of 00:00 Beijing time on `date` (use for timers: the end of day D is the start of D+1). */
export function beijingMidnightMs(date: string): number {
  return parseDay(date) * MS_PER_DAY - BEIJING_OFFSET_MS;
}
