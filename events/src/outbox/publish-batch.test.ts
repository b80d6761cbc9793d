import assert from 'node:assert/strict';
import { chunkForPublish, type Outgoing } from './publish-batch.ts';

const message = (key: string, bytes: number): Outgoing => ({
  key,
  body: 'x'.repeat(bytes),
  type: 'TodoCreated',
  subject: key,
  eventId: key,
});

describe('chunkForPublish', () => {
  it('when 23 small messages are sent, then they go in calls of 10, 10 and 3 in order', () => {
    const messages = Array.from({ length: 23 }, (_, index) => message(String(index), 100));

    const chunks = chunkForPublish(messages);

    assert.deepEqual(
      chunks.map((chunk) => chunk.length),
      [10, 10, 3],
    );
    assert.deepEqual(chunks.flat(), messages);
  });

  it('when messages are large, then no call exceeds 256 KiB', () => {
    const messages = Array.from({ length: 5 }, (_, index) => message(String(index), 100 * 1024));

    const chunks = chunkForPublish(messages);

    assert.deepEqual(
      chunks.map((chunk) => chunk.length),
      [2, 2, 1],
    );
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, m) => sum + Buffer.byteLength(m.body), 0);
      assert.ok(bytes <= 256 * 1024, `${bytes} bytes in one call`);
    }
  });
});
