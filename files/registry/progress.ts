// Progress for long imports: a cli-progress bar on stderr when stderr is a terminal, else nothing
// (scripts and CI logs stay clean).
import { SingleBar, Presets } from 'cli-progress';

export interface ProgressSink {
  start(total: number, label: string): void;
  update(done: number): void;
  stop(): void;
}

export const silentProgress: ProgressSink = { start() {}, update() {}, stop() {} };

/** Rows below which a bar is not worth drawing. */
export const PROGRESS_MIN_ROWS = 2000;

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (!stream.isTTY) return silentProgress;
  let bar: SingleBar | null = null;
  return {
    start(total, label) {
      bar?.stop();
      bar = new SingleBar(
        { stream, format: `${label.padEnd(10)} [{bar}] {percentage}% | {value}/{total}`, hideCursor: true, clearOnComplete: false },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
