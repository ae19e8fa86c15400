// Keeps the console's projection up to date from one coroutine started with the workflow: it
// watches a snapshot of the workflow's state and, whenever it differs from the last one written,
// writes it with the next revision. Update handlers only change state; nothing awaits the write
// there. Best-effort like the notices: a write that fails after its retries is logged, never fatal.
import { ActivityFailure, condition, isCancellation, log } from '@temporalio/workflow';
import { endQuietlyOnCancel } from './notice-queue';

export class Projector<T> {
  private written = '';
  private writing = false;
  private revision = 0;

  /** Starts the coroutine: construct it in workflow code. `snapshot` must not read the clock. */
  constructor(
    private readonly snapshot: () => T,
    private readonly write: (state: T, revision: number) => Promise<unknown>,
  ) {
    // Handled from creation: ends quietly when the workflow is cancelled (as the notice queue).
    this.loop().catch(endQuietlyOnCancel);
  }

  /** The current state is written and nothing is being written: the workflow may end. */
  get idle(): boolean {
    return !this.writing && JSON.stringify(this.snapshot()) === this.written;
  }

  private async loop(): Promise<void> {
    for (;;) {
      await condition(() => JSON.stringify(this.snapshot()) !== this.written);
      const state = this.snapshot();
      this.writing = true;
      try {
        await this.write(state, ++this.revision);
      } catch (err) {
        if (isCancellation(err)) return;
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('console projection not written', { revision: this.revision, error: err.cause?.message ?? err.message });
      } finally {
        this.written = JSON.stringify(state);
        this.writing = false;
      }
    }
  }
}
