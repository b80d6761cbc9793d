import type { Logger } from './log.ts';

/**
 * Runs `stop` once on SIGTERM or SIGINT and exits; a second signal or the hard deadline
 * exits at once, so an orchestrator never has to SIGKILL a stuck process.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>, hardDeadlineMs = 10_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, hardDeadlineMs).unref();
    stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}
