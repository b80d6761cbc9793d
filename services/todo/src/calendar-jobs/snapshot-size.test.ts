import assert from 'node:assert/strict';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { claimCheckThresholdBytes, offloadIfLarge, resolveData } from '@taskoverflow/events';
import { testDriver } from '@taskoverflow/platform/testing';
import { BUCKET, type Harness, startHarness } from './test-harness.ts';

// SNS Publish and SQS messages are limited to 256 KiB (262,144 bytes), attributes included.
const SNS_MAX_BYTES = 256 * 1024;

describe(`CalendarRequested snapshot size (${testDriver})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('when 5,000 todos are exported, then the event exceeds the SNS limit and the claim check carries it', async () => {
    await h.seedTodos(5_000);
    const response = await fetch(`${h.origin}/api/v1/todos/ical`, { method: 'POST' });
    assert.equal(response.status, 202);
    const [event] = await h.outboxEvents('CalendarRequested');
    assert.ok(event);

    const bytes = Buffer.byteLength(JSON.stringify(event));
    assert.equal(event.data.todos.length, 5_000);
    assert.ok(bytes > SNS_MAX_BYTES, `${bytes} bytes should exceed ${SNS_MAX_BYTES}`);

    const { data, ...head } = event;
    const body = await offloadIfLarge(head, JSON.stringify(data), { s3: h.s3, bucket: BUCKET });
    assert.ok(Buffer.byteLength(body) < claimCheckThresholdBytes, 'what goes on the bus fits');
    const envelope = JSON.parse(body) as { dataref: string; data?: unknown };
    assert.equal(envelope.data ?? null, null, 'the todos are not on the bus');
    const key = envelope.dataref.replace(`s3://${BUCKET}/`, '');
    const stored = await h.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.ok((stored.ContentLength ?? 0) > SNS_MAX_BYTES);
    assert.deepEqual((await resolveData(envelope, { s3: h.s3, bucket: BUCKET })).data, event.data);
  });
});
