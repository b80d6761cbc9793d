/**
 * Polls `check` until it returns something other than undefined/false, or fails with the
 * last seen value once `timeoutMs` has passed. Tests wait for outcomes, never a fixed time.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${String(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Promises a test opens by hand, e.g. to hold a handler until the test has looked.
 * `openAll` (in afterEach) releases any a failed test left shut, so nothing waits on into the next.
 */
export function gates() {
  const shut = new Set<() => void>();
  return {
    gate() {
      const { promise: opened, resolve: open } = Promise.withResolvers<void>();
      shut.add(open);
      return { open, opened };
    },
    openAll() {
      for (const open of shut) open();
      shut.clear();
    },
  };
}
