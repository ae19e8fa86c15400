// Keeps the console's projection up to date from one coroutine started with the workflow: it
// watches a snapshot of the workflow's state and, whenever it differs from the last one written,
// writes it with the next revision. Update handlers only change state; nothing awaits the write
// there. Best-effort like the notices: a write that fails after its retries is logged, never fatal.
import { ActivityFailure, condition, log } from '@temporalio/workflow';

export class Projector<T> {
  private written = '';
  private writing = false;
  private revision = 0;

  /** Starts the coroutine: construct it in workflow code. `snapshot` must not read the clock. */
  constructor(
    private readonly snapshot: () => T,
    private readonly write: (state: T, revision: number) => Promise<unknown>,
  ) {
    void this.loop();
  }

  /** The current state is written and nothing is being written: the workflow may end. */
  get idle(): boolean {
    return !this.writing && JSON.stringify(this.snapshot()) === this.written;
  }

  private async loop(): Promise<never> {
    for (;;) {
      await condition(() => JSON.stringify(this.snapshot()) !== this.written);
      const state = this.snapshot();
      this.writing = true;
      try {
        await this.write(state, ++this.revision);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('console projection not written', { revision: this.revision, error: err.cause?.message ?? err.message });
      } finally {
        this.written = JSON.stringify(state);
        this.writing = false;
      }
    }
  }
}
