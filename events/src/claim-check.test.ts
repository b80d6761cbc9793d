import assert from 'node:assert/strict';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { claimCheckKey, offloadIfLarge, resolveData } from './claim-check.ts';
import { PermanentError } from './consumer/types.ts';
import { makeEvent, parseEnvelope, parseEvent } from './envelope.ts';
import { forEachEmulator } from './testing/emulators.ts';
import { sampleTodo } from './testing/fixtures.ts';
import { applyTopology } from './topology-apply.ts';

const todo = (title: string) => sampleTodo(1, title);
const created = (title: string) => makeEvent({ type: 'TodoCreated', source: 'todo', subject: '1', data: todo(title) });

forEachEmulator((emulator) => {
  describe('claim check', () => {
    let bucket: string;
    before(async () => {
      bucket = `${emulator.uniquePrefix('claims')}-bucket`;
      await applyTopology(emulator.clients, { topicName: `${bucket}-events`, consumers: [] }, { bucket });
    });
    const store = () => ({ s3: emulator.clients.s3, bucket });

    it('when an event is small, then its body is the event itself and nothing is stored', async () => {
      const { data, ...envelope } = created('small');

      const body = await offloadIfLarge(envelope, JSON.stringify(data), store());

      assert.deepEqual(JSON.parse(body), { ...envelope, data });
    });

    it('when an event exceeds the threshold, then data moves to S3 and resolveData brings it back', async () => {
      const event = created('y'.repeat(260 * 1024));
      const { data, ...head } = event;

      const body = await offloadIfLarge(head, JSON.stringify(data), store());
      const envelope = parseEnvelope(JSON.parse(body));
      const resolved = parseEvent(await resolveData(envelope, store()));

      assert.ok(Buffer.byteLength(body) < 2_000, `published body is ${Buffer.byteLength(body)} bytes`);
      assert.equal(envelope.dataref, `s3://${bucket}/${claimCheckKey(event)}`);
      assert.deepEqual(resolved, event);
      const stored = await emulator.clients.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: claimCheckKey(event) }),
      );
      assert.deepEqual(JSON.parse((await stored.Body?.transformToString()) ?? ''), event.data);
    });

    it('when the dataref points elsewhere or at nothing, then resolveData throws PermanentError', async () => {
      const event = created('gone');

      await assert.rejects(resolveData({ ...event, dataref: 's3://other-bucket/x.json' }, store()), PermanentError);
      await assert.rejects(
        resolveData({ ...event, dataref: `s3://${bucket}/claim-checks/missing.json` }, store()),
        PermanentError,
      );
      await assert.rejects(resolveData({ ...event, dataref: `s3://${bucket}/x.json` }, undefined), PermanentError);
    });
  });
});
