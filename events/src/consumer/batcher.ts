/**
 * Collects single SQS operations (delete, change visibility) into batch calls of up to 10
 * entries, so the number of API requests stays a fraction of the number of messages.
 *
 * Entries are keyed (by receipt handle): a later entry for the same key replaces a pending
 * one, so a heartbeat queued just before a backoff cannot overwrite the backoff's delay.
 */
export interface BatchResult {
  /** Keys the service rejected, with the reason; `retryable` ones are sent again. */
  failed: { key: string; reason: string; retryable: boolean }[];
}

export interface BatcherOptions<T> {
  flush: (entries: { key: string; value: T }[]) => Promise<BatchResult>;
  maxSize?: number;
  /** How long a lone entry waits for company before it is sent. */
  maxDelayMs?: number;
  /** Requests under way at once; 1 keeps the order of calls for one key. */
  maxConcurrentFlushes?: number;
  maxAttempts?: number;
}

interface Pending<T> {
  value: T;
  attempts: number;
  settle: { resolve: () => void; reject: (error: Error) => void }[];
}

export interface Batcher<T> {
  /** Resolves once the service accepted the entry; rejects when it refused it for good. */
  add(key: string, value: T): Promise<void>;
  /** Sends everything pending now and waits for it. */
  flush(): Promise<void>;
}

export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const maxSize = options.maxSize ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 20;
  const maxConcurrent = options.maxConcurrentFlushes ?? 4;
  const maxAttempts = options.maxAttempts ?? 3;
  const pending = new Map<string, Pending<T>>();
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  const send = async (batch: [string, Pending<T>][]) => {
    let result: BatchResult;
    try {
      result = await options.flush(batch.map(([key, entry]) => ({ key, value: entry.value })));
    } catch (error) {
      // The whole request failed (network, throttling): every entry is retried.
      const reason = error instanceof Error ? error.message : String(error);
      result = { failed: batch.map(([key]) => ({ key, reason, retryable: true })) };
    }
    const failures = new Map(result.failed.map((failure) => [failure.key, failure]));
    for (const [key, entry] of batch) {
      const failure = failures.get(key);
      if (!failure) {
        for (const { resolve } of entry.settle) resolve();
      } else if (failure.retryable && entry.attempts + 1 < maxAttempts && !pending.has(key)) {
        pending.set(key, { ...entry, attempts: entry.attempts + 1 });
        schedule();
      } else {
        for (const { reject } of entry.settle) reject(new Error(failure.reason));
      }
    }
  };

  const drain = () => {
    while (pending.size > 0 && running.size < maxConcurrent) {
      const batch = [...pending].slice(0, maxSize);
      for (const [key] of batch) pending.delete(key);
      const request = send(batch).finally(() => {
        running.delete(request);
        drain();
      });
      running.add(request);
    }
  };

  function schedule() {
    if (pending.size >= maxSize) {
      clearTimeout(timer);
      timer = undefined;
      drain();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        drain();
      }, maxDelayMs);
    }
  }

  return {
    add(key, value) {
      return new Promise<void>((resolve, reject) => {
        const previous = pending.get(key);
        pending.set(key, {
          value,
          attempts: 0,
          settle: [...(previous?.settle ?? []), { resolve, reject }],
        });
        schedule();
      });
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      while (pending.size > 0 || running.size > 0) {
        drain();
        await Promise.allSettled([...running]);
      }
    },
  };
}
