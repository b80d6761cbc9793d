// What bench:web and its profiler report of their runs.

/** The middle run (the upper middle of an even count). */
export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Milliseconds to one decimal. */
export const round = (value: number) => Math.round(value * 10) / 10;
