// Notices leave from one coroutine started with the workflow, never from an Update handler: a
// handler queues its notice and answers at once, however slow or refusing the mail server is.
// Notices are best-effort: a refused one is logged (its failure stays in the history) and never
// fails the workflow.
import { ActivityFailure, condition, isCancellation, log } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities';
import { acts } from './common';

export type NoticeArgs = Parameters<CampaignActivities['sendNotice']>[0];

export class NoticeQueue {
  private readonly items: NoticeArgs[] = [];
  private sending = false;

  /** Starts the sending coroutine: construct it in workflow code, before any notice is queued. */
  constructor() {
    // Handled from creation: a cancelled workflow ends the loop quietly (it awaits in the root
    // scope, so its condition rejects on cancellation); anything else is a bug in workflow code,
    // which fails the workflow task (retried until a fixed worker replays it).
    this.drain().catch(endQuietlyOnCancel);
  }

  push(n: NoticeArgs): void {
    this.items.push(n);
  }

  /** Nothing queued and nothing being sent: the workflow may end. */
  get idle(): boolean {
    return this.items.length === 0 && !this.sending;
  }

  private async drain(): Promise<void> {
    for (;;) {
      await condition(() => this.items.length > 0);
      const n = this.items.shift()!;
      this.sending = true;
      try {
        await acts.sendNotice(n);
      } catch (err) {
        if (isCancellation(err)) return;
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('notice not sent', { key: n.key, kind: n.kind, error: err.cause?.message ?? err.message });
      } finally {
        this.sending = false;
      }
    }
  }
}

/**
 * The catch of a coroutine started with its workflow: cancellation ends it quietly; any other
 * error is rethrown as the workflow task's failure, as the same bug in the main function would be.
 */
export function endQuietlyOnCancel(err: unknown): void {
  if (isCancellation(err)) return;
  throw err;
}
