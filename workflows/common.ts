// Helpers shared by the workflows: activity proxies (timeouts fitting each activity), timers against programme dates, a mutex for
// handlers that call activities, and search-attribute upserts.
import { ApplicationFailure, condition, patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { CampaignActivities } from '../activities';
import { bundledCalendar, CalendarError, WorkingCalendar, type CalendarSlice } from '../domain/calendar';
import { SsjDepartment, SsjPhase, SsjQuarter, SsjYear } from './search-attributes';

// Refusals are thrown non-retryable by the activities themselves (activities/steps/refusals.ts);
// the list repeats the older types for activities that predate it. Anything else retries, backing
// off to once a minute: SQLITE_BUSY, a full disk, an SMTP server that is down.
const retry: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '1 minute',
  backoffCoefficient: 2,
  nonRetryableErrorTypes: ['CampaignRefused', 'DrawFailed', 'ReplacementFailed', 'MailRejected'],
};

type ActivityName = keyof CampaignActivities;

/** Writes of a row or two to the campaign store, and answers computed from it. */
const storeWrites = proxyActivities<CampaignActivities>({ startToCloseTimeout: '30 seconds', retry });
/** Reads of the registry, the roster or the draw record (a large registry takes seconds). */
const registryReads = proxyActivities<CampaignActivities>({ startToCloseTimeout: '2 minutes', retry });
/** Notices and documents: an SMTP server may answer slowly (the outbox keeps each send once). */
const mailing = proxyActivities<CampaignActivities>({ startToCloseTimeout: '5 minutes', retry });
/**
 * Freeze, draw and publication: long for 200,000 units, so a long start-to-close, and a heartbeat
 * (they heartbeat between steps) so a worker lost mid-way is noticed within two minutes.
 */
const heavy = proxyActivities<CampaignActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry });

const STORE_WRITES: readonly ActivityName[] = ['recordChangeList', 'recordCeremony', 'recordResult', 'recordHandling', 'recordNote', 'saveStats', 'campaignCalendar', 'campaignSettings', 'operatorsOf'];
const MAILING: readonly ActivityName[] = ['sendNotice', 'issueCaseDocument', 'fileAnnualPlan'];
const HEAVY: readonly ActivityName[] = ['freezeCampaign', 'drawCampaign', 'publishCampaign'];

/** The timeouts an activity gets; any not listed (registry reads, replacements) gets `registryReads`'. */
export function proxyFor(name: ActivityName): CampaignActivities {
  if (HEAVY.includes(name)) return heavy;
  if (MAILING.includes(name)) return mailing;
  if (STORE_WRITES.includes(name)) return storeWrites;
  return registryReads;
}

/** Every activity, each with the timeouts that fit it (names and arguments as the activities have them). */
export const acts: CampaignActivities = new Proxy({} as CampaignActivities, {
  get: (_target, name) => (typeof name === 'string' ? proxyFor(name as ActivityName)[name as ActivityName] : undefined),
});

/**
 * The working-day calendar a workflow computes with: the slice its campaign recorded at start
 * (`dates-from-activity`), or, for quarters started before, the calendar bundled with the code.
 */
export function workingCalendarOf(slice: CalendarSlice | undefined): WorkingCalendar {
  return slice ? WorkingCalendar.fromSlice(slice) : bundledCalendar;
}

/**
 * Runs a date computation; a date the calendar cannot answer for fails the workflow at once,
 * non-retryable and named (`CalendarRefused`), instead of a workflow task retried for ever.
 */
export function withCalendar<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw calendarRefusal(where, err);
  }
}

/** A CalendarError as that `CalendarRefused` failure; any other error as it is. */
export function calendarRefusal(where: string, err: unknown): unknown {
  return err instanceof CalendarError ? ApplicationFailure.create({ message: `${where}: ${err.message}`, type: 'CalendarRefused', nonRetryable: true }) : err;
}

/** Waits until `fn()` holds or the instant `atMs` passes. True: `fn()` held. Never a zero-length timer. */
export async function waitUntil(fn: () => boolean, atMs: number): Promise<boolean> {
  if (fn()) return true;
  const ms = atMs - Date.now();
  if (ms <= 0) return fn();
  return condition(fn, ms);
}

/** Serialises handlers that change state through activities (recusals, replacements). */
export class Mutex {
  private busy = false;
  get idle(): boolean {
    return !this.busy;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !this.busy);
    // Waiters released in one activation all pass the condition; each after the first finds the
    // lock taken and waits again. Before `mutex-exclusive` they all ran at once (two recusals
    // replacing inspectors together): a history recorded so scheduled their activities in the
    // same task, so it must replay that way. The patch is asked only when that race happens.
    while (this.busy && patched('mutex-exclusive')) await condition(() => !this.busy);
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Marks a workflow promise handled at creation, for one awaited only later: a rejection before
 * then would otherwise be an unhandled rejection, which fails the workflow task on every replay.
 * The promise itself still rejects for whoever awaits it.
 */
export function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Rejects an Update in its validator: nothing is recorded, the caller gets this message. */
export function reject(message: string): never {
  throw ApplicationFailure.create({ message, type: 'MessageRejected', nonRetryable: true });
}

/**
 * Upserts the search attributes, unless the server has none registered (the time-skipping test
 * server cannot register custom ones: tests start with `searchAttributes: false`).
 */
export function visibilityFor(enabled: boolean | undefined) {
  return (v: VisibilityValues): void => {
    if (enabled !== false) visibility(v);
  };
}

interface VisibilityValues {
  year?: number;
  quarter?: number;
  departments?: string[];
  phase?: string;
}

function visibility(v: VisibilityValues): void {
  const pairs = [];
  if (v.year !== undefined) pairs.push({ key: SsjYear, value: v.year });
  if (v.quarter !== undefined) pairs.push({ key: SsjQuarter, value: v.quarter });
  if (v.departments !== undefined) pairs.push({ key: SsjDepartment, value: v.departments });
  if (v.phase !== undefined) pairs.push({ key: SsjPhase, value: v.phase });
  upsertSearchAttributes(pairs as Parameters<typeof upsertSearchAttributes>[0] & unknown[]);
}
