// Helpers shared by the workflows: activity proxies, timers against programme dates, a mutex for
// handlers that call activities, and search-attribute upserts.
import { ApplicationFailure, condition, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign/activities';
import { SsjDepartment, SsjPhase, SsjQuarter, SsjYear } from './search-attributes';

export const acts = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    backoffCoefficient: 2,
    nonRetryableErrorTypes: ['CampaignRefused', 'DrawFailed', 'ReplacementFailed', 'MailRejected'],
  },
});

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
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
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
