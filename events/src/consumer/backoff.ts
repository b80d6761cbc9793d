export interface BackoffOptions {
  baseSeconds?: number;
  maxSeconds?: number;
}

/** SQS refuses visibility timeouts above 12 hours. */
const sqsMaxVisibilitySeconds = 43_200;

/**
 * Delay before the next attempt after `receiveCount` failed ones: base · 2^(n-1), capped.
 * Deterministic on purpose: messages already spread out by when they were received, and a
 * predictable schedule is easier to reason about when reading a DLQ's history.
 */
export function backoffSeconds(receiveCount: number, options: BackoffOptions = {}): number {
  const base = options.baseSeconds ?? 5;
  const max = Math.min(options.maxSeconds ?? 900, sqsMaxVisibilitySeconds);
  const exponent = Math.max(0, receiveCount - 1);
  return Math.min(max, Math.round(base * 2 ** exponent));
}
