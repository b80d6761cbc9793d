// What the benches report of their samples: one rule for all of them.

/**
 * Nearest rank: the smallest sample with at least `p` % of the samples at or below it; with
 * few runs p99 is the slowest, which is what it should say. NaN (JSON null) for no samples.
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** The middle run (the lower middle of an even count). */
export const median = (values: readonly number[]) => percentile(values, 50);

/** Milliseconds to one decimal. */
export const round = (value: number) => Math.round(value * 10) / 10;
