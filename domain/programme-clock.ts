// The programme clock: maps programme dates (YYYY-MM-DD, Beijing) to instants, so workflows can
// turn every deadline into a timer. Two modes:
//   real       a date is its Beijing midnight (the bureau's working quarter);
//   rehearsal  a whole programme day lasts `secondsPerDay` seconds from `startedAt`, which
//              stands for 00:00 of `programmeStart` (a demo runs a quarter in minutes).
// Pure and deterministic: workflow code passes its own (sandbox-deterministic) Date.now().
import { z } from 'zod';
import { addDays, assertDate, beijingDate, beijingMidnightMs, daysBetween } from './calendar';

export const clockSpecSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('real') }),
  z.strictObject({
    mode: z.literal('rehearsal'),
    /** The programme date that `startedAt` stands for (its 00:00). */
    programmeStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'programmeStart must be a date YYYY-MM-DD'),
    /** Epoch ms of programmeStart's 00:00; omitted: the workflow's start time (then fixed in history). */
    startedAt: z.number().int().nonnegative().optional(),
    /** Seconds of wall time per programme day (86400: real speed; 60: a quarter in about 90 minutes). */
    secondsPerDay: z.number().positive('secondsPerDay must be more than 0'),
  }),
]);
export type ClockSpec = z.infer<typeof clockSpecSchema>;
/** A clock whose rehearsal start is fixed: what workflows pass to their children. */
export type ResolvedClock = { mode: 'real' } | { mode: 'rehearsal'; programmeStart: string; startedAt: number; secondsPerDay: number };

export const REAL_CLOCK: ResolvedClock = { mode: 'real' };

/** Fixes a rehearsal clock's start at `nowMs` if the caller left it open. */
export function resolveClock(spec: ClockSpec | undefined, nowMs: number): ResolvedClock {
  if (!spec || spec.mode === 'real') return REAL_CLOCK;
  assertDate(spec.programmeStart);
  return { mode: 'rehearsal', programmeStart: spec.programmeStart, secondsPerDay: spec.secondsPerDay, startedAt: spec.startedAt ?? nowMs };
}

/** The instant (epoch ms) at which programme date `date` begins (00:00 Beijing). */
export function startOfDayMs(clock: ResolvedClock, date: string): number {
  if (clock.mode === 'real') return beijingMidnightMs(date);
  return clock.startedAt + Math.round(daysBetween(clock.programmeStart, date) * clock.secondsPerDay * 1000);
}

/** The instant a deadline "by `date`" passes: the start of the next day. */
export function endOfDayMs(clock: ResolvedClock, date: string): number {
  return startOfDayMs(clock, addDays(date, 1));
}

/** Milliseconds from `nowMs` until the start of `date` (0 if already past): a timer duration. */
export function msUntilStartOf(clock: ResolvedClock, date: string, nowMs: number): number {
  return Math.max(0, startOfDayMs(clock, date) - nowMs);
}

/** Milliseconds from `nowMs` until the deadline "by the end of `date`" passes (0 if past). */
export function msUntilEndOf(clock: ResolvedClock, date: string, nowMs: number): number {
  return Math.max(0, endOfDayMs(clock, date) - nowMs);
}

/** The programme date at instant `nowMs`. */
export function programmeDate(clock: ResolvedClock, nowMs: number): string {
  if (clock.mode === 'real') return beijingDate(nowMs);
  const days = Math.floor((nowMs - clock.startedAt) / (clock.secondsPerDay * 1000));
  return addDays(clock.programmeStart, days);
}

/** The programme instant at `nowMs`, as an ISO-8601 string with +08:00 (for "at" fields in records). */
export function programmeInstantIso(clock: ResolvedClock, nowMs: number): string {
  const date = programmeDate(clock, nowMs);
  const intoDayMs = clock.mode === 'real' ? nowMs - beijingMidnightMs(date) : ((nowMs - startOfDayMs(clock, date)) / (clock.secondsPerDay * 1000)) * 86_400_000;
  const secs = Math.max(0, Math.min(86_399, Math.floor(intoDayMs / 1000)));
  const hh = String(Math.floor(secs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((secs % 3600) / 60)).padStart(2, '0');
  const ss = String(secs % 60).padStart(2, '0');
  return `${date}T${hh}:${mm}:${ss}+08:00`;
}

/** A span of programme hours as wall milliseconds (a rehearsal compresses it like its days). */
export function programmeHoursMs(clock: ResolvedClock, hours: number): number {
  const dayMs = clock.mode === 'real' ? 86_400_000 : clock.secondsPerDay * 1000;
  return Math.max(1, Math.round((hours / 24) * dayMs));
}
