import { type Logger, pino } from 'pino';
import { activeTraceIds } from './telemetry/active-trace.ts';

export type { Logger };

/** JSON lines to stdout, or to `destination` (the local runner makes them readable). */
export function createLogger(service: string, level = 'info', destination?: { write(line: string): void }): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: activeTraceIds, // trace_id/span_id on every line written inside a span
  };
  return destination ? pino(options, destination) : pino(options);
}
