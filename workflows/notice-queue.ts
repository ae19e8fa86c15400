// Notices leave from one coroutine started with the workflow, never from an Update handler: a
// handler queues its notice and answers at once, however slow or refusing the mail server is.
// Notices are best-effort: a refused one is logged (its failure stays in the history) and never
// fails the workflow.
import { ActivityFailure, condition, log } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities';
import { acts } from './common';

export type NoticeArgs = Parameters<CampaignActivities['sendNotice']>[0];

export class NoticeQueue {
  private readonly items: NoticeArgs[] = [];
  private sending = false;

  /** Starts the sending coroutine: construct it in workflow code, before any notice is queued. */
  constructor() {
    void this.drain();
  }

  push(n: NoticeArgs): void {
    this.items.push(n);
  }

  /** Nothing queued and nothing being sent: the workflow may end. */
  get idle(): boolean {
    return this.items.length === 0 && !this.sending;
  }

  private async drain(): Promise<never> {
    for (;;) {
      await condition(() => this.items.length > 0);
      const n = this.items.shift()!;
      this.sending = true;
      try {
        await acts.sendNotice(n);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('notice not sent', { key: n.key, kind: n.kind, error: err.cause?.message ?? err.message });
      } finally {
        this.sending = false;
      }
    }
  }
}
