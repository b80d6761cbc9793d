/**
 * When a failed delivery is tried again. `delaysSeconds[n]` is the wait after attempt n+1,
 * so there are `delaysSeconds.length + 1` attempts in all. The default (5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h) follows the Standard Webhooks reference schedule: about 17.5 hours, 7
 * attempts, well inside the queue's 20 receives and SQS's 12-hour visibility limit.
 */
export interface RetrySchedule {
  delaysSeconds: readonly number[];
}

/** Seconds to wait after `attempts` failed attempts, or undefined when it was the last one. */
export function retryDelay(schedule: RetrySchedule, attempts: number): number | undefined {
  return schedule.delaysSeconds[attempts - 1];
}
