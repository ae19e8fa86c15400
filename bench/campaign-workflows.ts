// Workflows for bench/campaign.ts: the real ones, plus the baseline (bare children that each run
// one no-op activity, started in waves below the 2,000-pending-children limit).
import { executeChild, proxyActivities } from '@temporalio/workflow';

export * from '../workflows/index';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function baselineChild(): Promise<void> {
  await noop();
}

export async function baselineParent(n: number, wave: number): Promise<number> {
  let done = 0;
  for (let start = 0; start < n; start += wave) {
    const ids = Array.from({ length: Math.min(wave, n - start) }, (_, i) => start + i);
    await Promise.all(ids.map((i) => executeChild(baselineChild, { workflowId: `baseline-${n}-${i}-${wave}-${start}` }).then(() => done++)));
  }
  return done;
}
