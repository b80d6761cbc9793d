import assert from 'node:assert/strict';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startConsumer } from '@taskoverflow/events';
import { type AwsClients, awsClients } from '@taskoverflow/events/aws';
import { publishEvents, waitFor } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import { type AppliedTopology, applyTopology } from '@taskoverflow/events/topology-apply';
import { createLogger } from '@taskoverflow/platform';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import { startFauxqs } from 'fauxqs';
import { Webhook } from 'standardwebhooks';
import manifest from '../../service.ts';
import { notificationMigrations } from '../migrations.ts';
import { type Receiver, startReceiver, todoCreated } from '../test-support.ts';
import { newSigningSecret } from '../webhooks/secret.ts';
import { webhookStore } from '../webhooks/store.ts';
import { deliverToWebhooks } from './deliver-event.ts';
import { notificationHandlers } from './handlers.ts';
import { postWebhook } from './send.ts';

const log = createLogger('notification-test', process.env.TEST_LOG_LEVEL ?? 'silent');

// The real path: SNS topic → filtered subscription → the notification queue → consumer
// runtime → handlers → a webhook receiver on 127.0.0.1.
describe(`notification: events from its queue reach webhooks (fauxqs, ${testDriver})`, () => {
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  let aws: AwsClients;
  let test: TestDb;
  let receiver: Receiver;
  let applied: AppliedTopology;
  let consumer: { stop(): Promise<void> };

  before(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    aws = awsClients({ AWS_ENDPOINT_URL: fauxqs.address, AWS_REGION: 'us-east-1' });
    test = await openTestDb('notification', notificationMigrations);
  });
  after(async () => {
    await test.drop();
    await fauxqs.stop();
  });
  beforeEach(async () => {
    // A topology of its own per test, so no test sees another's messages.
    applied = await applyTopology(aws, buildTopology([manifest], `n${Date.now().toString(36)}`));
    receiver = await startReceiver();
    const deliver = deliverToWebhooks({
      db: test.db,
      send: postWebhook,
      policy: { allowPrivate: true },
      timeoutMs: 2000,
      schedule: { delaysSeconds: [1] },
    });
    consumer = startConsumer({
      service: 'notification',
      queueUrl: queueUrl(),
      handlers: notificationHandlers(deliver),
      db: test.db,
      sqs: aws.sqs,
      log,
      waitTimeSeconds: 1,
      drainTimeoutMs: 3000,
    });
  });
  afterEach(async () => {
    await consumer.stop();
    await receiver.close();
  });

  const queueUrl = () => {
    const queue = applied.queues.notification;
    if (!queue) throw new Error('the notification queue was not created');
    return queue.queueUrl;
  };
  const statusOf = async (webhookId: string, eventId: string) =>
    (
      await test.db.query<{ status: string; attempts: number }>(
        'SELECT status, attempts FROM deliveries WHERE webhook_id = $1 AND event_id = $2',
        [webhookId, eventId],
      )
    )[0];
  const queueIsEmpty = async () => {
    const { Attributes = {} } = await aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl(),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
  };

  it('when the endpoint fails once, then the queue brings the event back and it is delivered, signed', async () => {
    const secret = newSigningSecret();
    const hook = await webhookStore(test.db).create({
      url: receiver.url(),
      events: ['TodoCreated'],
      description: null,
      secret,
      owner: 'tester',
    });
    receiver.reply = (_request, index) => (index === 0 ? { status: 502 } : { status: 200 });
    const event = todoCreated();

    await publishEvents(aws.sns, applied.topicArn, [event]);

    const done = await waitFor(
      async () => (await statusOf(hook.id, event.id))?.status === 'succeeded' && statusOf(hook.id, event.id),
      {
        timeoutMs: 15_000,
        what: 'the delivery to succeed',
      },
    );
    assert.deepEqual(done, { status: 'succeeded', attempts: 2 });
    assert.equal(receiver.requests.length, 2);
    const last = receiver.requests[1];
    assert.ok(last);
    assert.doesNotThrow(() => new Webhook(secret).verify(last.body, last.headers as Record<string, string>));
    await waitFor(queueIsEmpty, { what: 'the message to be deleted' });
  });

  it('when the same event is published again after it was delivered, then the endpoint receives it once', async () => {
    const hook = await webhookStore(test.db).create({
      url: receiver.url(),
      events: ['TodoCreated'],
      description: null,
      secret: newSigningSecret(),
      owner: 'tester',
    });
    const event = todoCreated();
    await publishEvents(aws.sns, applied.topicArn, [event]);
    await waitFor(async () => (await statusOf(hook.id, event.id))?.status === 'succeeded', {
      what: 'the first delivery',
    });
    await waitFor(queueIsEmpty, { what: 'the first message to be deleted' });

    // A fresh event after the duplicate: once it is delivered and the queue is empty, the duplicate was handled too.
    const next = todoCreated();
    await publishEvents(aws.sns, applied.topicArn, [event, next]);
    await waitFor(async () => (await statusOf(hook.id, next.id))?.status === 'succeeded', { what: 'the next event' });
    await waitFor(queueIsEmpty, { what: 'both messages to be deleted' });

    assert.deepEqual(
      receiver.requests.map((request) => request.headers['webhook-id']),
      [event.id, next.id],
    );
  });
});
