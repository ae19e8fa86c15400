// Crash points for the test worker process (tests/helpers/campaign-worker.ts): places where the
// worker stops dead and says so on stdout, so a crash test can SIGKILL it at that exact point
// instead of guessing with sleeps. Nothing here changes what the activities do before the point.
import * as fs from 'node:fs';

/** The line a paused worker prints: `ssj-test-worker paused <what> <detail>`. */
export const PAUSED = 'ssj-test-worker paused';

function announce(what: string, detail: string): void {
  // Synchronous, so the line is out before the pause begins.
  fs.writeSync(1, `${PAUSED} ${what} ${detail}\n`);
}

/**
 * After the first sendNotice whose key matches `pattern` has returned (the SMTP server answered,
 * the outbox marked it sent), the activity never completes: Temporal never learns that the
 * notice went out. Other activities keep running.
 */
export function pauseAfterSend<A extends { sendNotice(a: { key: string }): Promise<unknown> }>(activities: A, pattern: RegExp): A {
  const send = activities.sendNotice.bind(activities);
  let paused = false;
  const wrapped = async (a: { key: string }) => {
    const out = await send(a);
    if (!paused && pattern.test(a.key)) {
      paused = true;
      announce('after-send', a.key);
      await new Promise(() => undefined);
    }
    return out;
  };
  return { ...activities, sendNotice: wrapped };
}

/**
 * When a file is about to be created (flag `wx`, as the staged folders do) under a path starting
 * with `under`, for the `nth` time: the whole process blocks, with the earlier files written and
 * this one not yet, until it is killed.
 */
export function pauseWhenWriting(under: string, nth: number): void {
  // The module object itself: `import * as fs` gives a view whose properties cannot be set.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeFs = require('node:fs') as typeof fs;
  const real = nodeFs.openSync;
  let seen = 0;
  nodeFs.openSync = ((file: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode | null) => {
    if (flags === 'wx' && String(file).startsWith(under) && ++seen === nth) {
      announce('writing', String(file));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    return (real as (f: fs.PathLike, fl?: fs.OpenMode, m?: fs.Mode | null) => number)(file, flags, mode);
  }) as typeof fs.openSync;
}
