export interface BackoffOptions {
  baseSeconds?: number;
  maxSeconds?: number;
}

/** SQS refuses visibility timeouts above 12 hours. */
const sqsMaxVisibilitySeconds = 43_200;

/**
 * The one backoff (consumer retries, the outbox relay, the local runner's restarts): the
 * delay before attempt n+1 after n failed ones is base · 2^(n-1), capped, in the unit of
 * `base`. Deterministic on purpose: failures already spread out by when they happened, and
 * a predictable schedule is easier to reason about when reading a DLQ's history.
 */
export function backoffDelay(failures: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, failures - 1));
}

/** backoffDelay in whole seconds for SQS visibility: default 5 s doubling to 15 min. */
export function backoffSeconds(receiveCount: number, options: BackoffOptions = {}): number {
  const max = Math.min(options.maxSeconds ?? 900, sqsMaxVisibilitySeconds);
  return Math.round(backoffDelay(receiveCount, options.baseSeconds ?? 5, max));
}
