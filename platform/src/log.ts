import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON lines to stdout, or to `destination` (the local runner makes them readable). */
export function createLogger(service: string, level = 'info', destination?: { write(line: string): void }): Logger {
  const options = { name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}
