// Heartbeats for the long activities (freeze, draw, publication): the workflow gives them a long
// start-to-close timeout and a short heartbeat timeout, so a worker that dies mid-way is noticed
// in a minute, not half an hour. Called outside an activity (unit tests, the CLI) it does nothing.
import { Context } from '@temporalio/activity';

export function heartbeat(details?: unknown): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  ctx.heartbeat(details);
}

/**
 * When this activity was first scheduled (the same for every retry: `scheduledTimestampMs`, not
 * `currentAttemptScheduledTimestampMs`), as an ISO-8601 UTC instant; undefined outside an activity.
 */
export function firstScheduledIso(): string | undefined {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return undefined;
  }
  return new Date(ctx.info.scheduledTimestampMs).toISOString();
}
