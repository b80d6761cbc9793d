import type { Handler } from '@taskoverflow/events';
import { jobTransitions } from './store.ts';

/**
 * The todo service's reactions to the calendar service's events. Job transitions only
 * move forward, so redelivered, duplicated or out-of-order events (SNS → SQS standard
 * queues do not keep order) leave a finished job as it is.
 */
export function calendarJobHandlers(): {
  [T in 'CalendarStarted' | 'CalendarGenerated' | 'CalendarFailed']: Handler<T>;
} {
  return {
    async CalendarStarted(event, { tx, log }) {
      const changed = await jobTransitions.started(tx, event.data.jobId);
      log.debug({ jobId: event.data.jobId, changed }, 'calendar job started');
    },
    async CalendarGenerated(event, { tx, log }) {
      const { jobId, ...result } = event.data;
      const changed = await jobTransitions.succeeded(tx, jobId, result);
      if (!changed) log.info({ jobId }, 'CalendarGenerated for a finished or unknown job; ignored');
    },
    async CalendarFailed(event, { tx, log }) {
      const { jobId, reason } = event.data;
      const changed = await jobTransitions.failed(tx, jobId, reason);
      log.warn({ jobId, reason, changed }, 'calendar job failed');
    },
  };
}
