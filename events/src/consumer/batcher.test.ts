import assert from 'node:assert/strict';
import { type BatchResult, createBatcher } from './batcher.ts';

function recordingFlush(
  fail: (key: string, call: number) => BatchResult['failed'][number] | undefined = () => undefined,
) {
  const calls: { key: string; value: number }[][] = [];
  const flush = async (entries: { key: string; value: number }[]): Promise<BatchResult> => {
    calls.push(entries);
    return { failed: entries.flatMap((entry) => fail(entry.key, calls.length) ?? []) };
  };
  return { calls, flush };
}

describe('createBatcher', () => {
  it('when 25 entries are added at once, then they are sent as batches of 10, 10 and 5', async () => {
    const { calls, flush } = recordingFlush();
    const batcher = createBatcher({ flush, maxDelayMs: 1_000 });

    await Promise.all(Array.from({ length: 25 }, (_, index) => batcher.add(`h${index}`, index)));

    assert.deepEqual(
      calls.map((batch) => batch.length),
      [10, 10, 5],
    );
  });

  it('when an entry is replaced before it is sent, then only the latest value goes out and both callers resolve', async () => {
    const { calls, flush } = recordingFlush();
    const batcher = createBatcher({ flush, maxDelayMs: 5 });

    await Promise.all([batcher.add('h', 30), batcher.add('h', 4)]);

    assert.deepEqual(calls, [[{ key: 'h', value: 4 }]]);
  });

  it('when the service fails an entry retryably, then it is sent again; a sender fault rejects', async () => {
    const { calls, flush } = recordingFlush((key, call) => {
      if (key === 'flaky' && call === 1) return { key, reason: 'throttled', retryable: true };
      if (key === 'bad') return { key, reason: 'ReceiptHandleIsInvalid', retryable: false };
      return undefined;
    });
    const batcher = createBatcher({ flush, maxDelayMs: 5 });

    const [flaky, bad] = await Promise.allSettled([batcher.add('flaky', 1), batcher.add('bad', 2)]);

    assert.equal(flaky.status, 'fulfilled');
    assert.equal(bad.status, 'rejected');
    assert.equal(calls.length, 2);
  });

  it('when flush() is called, then pending entries are sent without waiting for the delay', async () => {
    const { calls, flush } = recordingFlush();
    const batcher = createBatcher({ flush, maxDelayMs: 60_000 });
    const added = batcher.add('h', 1);

    await batcher.flush();

    await added;
    assert.equal(calls.length, 1);
  });
});
