import { SingleBar } from 'cli-progress';
import { type CliContext, isTerminal } from './context.ts';

export interface Progress {
  increment(by?: number): void;
  /** For work whose size is learnt on the way (a message move task). */
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise and with --json, so pipes stay clean. */
export function progressBar(context: CliContext, label: string, total: number, json: boolean): Progress {
  if (json || !isTerminal(context.io.stderr)) {
    return { increment() {}, update() {}, stop() {} };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total}`,
    stream: context.io.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(total, 0);
  return {
    increment: (by = 1) => bar.increment(by),
    update(done, newTotal) {
      bar.setTotal(newTotal);
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}
