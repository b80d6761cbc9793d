import assert from 'node:assert/strict';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { makeEvent } from './envelope.ts';
import { defineService } from './manifest.ts';
import { publishEvents, receiveSome } from './testing/bus.ts';
import { forEachEmulator } from './testing/emulators.ts';
import { waitFor } from './testing/wait.ts';
import { buildTopology } from './topology.ts';
import { applyTopology } from './topology-apply.ts';

const manifests = [
  defineService({
    name: 'audit',
    description: 'all todo events',
    consumes: ['TodoCreated', 'TodoDeleted'],
    publishes: [],
  }),
  defineService({
    name: 'calendar',
    description: 'calendar jobs',
    consumes: ['CalendarRequested'],
    publishes: [],
    queue: { visibilityTimeoutSeconds: 45, maxReceiveCount: 3 },
  }),
  defineService({ name: 'todo', description: 'producer only', consumes: [], publishes: ['TodoCreated'] }),
];

const todo = { id: '5f0c3f0e-8d7e-4a53-9a55-0d6f0f4b8a01', title: 'write tests' };

forEachEmulator((emulator) => {
  describe('applyTopology', () => {
    it('when applied twice, then queues, DLQs, policies and one filtered raw subscription per consumer exist', async () => {
      const prefix = emulator.uniquePrefix('topo');
      const topology = buildTopology(manifests, prefix);
      const bucket = `${prefix}-bucket`;

      const first = await applyTopology(emulator.clients, topology, { bucket });
      const second = await applyTopology(emulator.clients, topology, { bucket });

      assert.deepEqual(second, first);
      assert.deepEqual(Object.keys(first.queues).sort(), ['audit', 'calendar']);
      const calendar = first.queues.calendar;
      assert.ok(calendar);
      const { sqs, sns, s3 } = emulator.clients;
      const queue = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: calendar.queueUrl, AttributeNames: ['All'] }),
      );
      assert.equal(queue.Attributes?.VisibilityTimeout, '45');
      assert.deepEqual(JSON.parse(queue.Attributes?.RedrivePolicy ?? '{}'), {
        deadLetterTargetArn: calendar.dlqArn,
        maxReceiveCount: 3,
      });
      const policy = JSON.parse(queue.Attributes?.Policy ?? '{}');
      assert.deepEqual(policy.Statement[0].Action, 'sqs:SendMessage');
      assert.deepEqual(policy.Statement[0].Condition, { ArnEquals: { 'aws:SourceArn': first.topicArn } });
      const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: calendar.dlqUrl, AttributeNames: ['All'] }));
      // moto 5 accepts RedriveAllowPolicy but never returns it; fauxqs and AWS do.
      if (emulator.name !== 'moto') {
        assert.deepEqual(JSON.parse(dlq.Attributes?.RedriveAllowPolicy ?? '{}'), {
          redrivePermission: 'byQueue',
          sourceQueueArns: [calendar.queueArn],
        });
      }

      const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: first.topicArn }));
      assert.deepEqual(
        Subscriptions.map((s) => s.Endpoint).sort(),
        [first.queues.audit?.queueArn, calendar.queueArn].sort(),
      );
      const calendarSubscription = Subscriptions.find((s) => s.Endpoint === calendar.queueArn);
      const { Attributes = {} } = await sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: calendarSubscription?.SubscriptionArn }),
      );
      assert.equal(Attributes.RawMessageDelivery, 'true');
      assert.deepEqual(JSON.parse(Attributes.FilterPolicy ?? '{}'), { type: ['CalendarRequested'] });
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    });

    it('when events of several types are published, then each queue receives only the types it consumes', async () => {
      const topology = buildTopology(manifests, emulator.uniquePrefix('fanout'));
      const applied = await applyTopology(emulator.clients, topology);
      const created = makeEvent({ type: 'TodoCreated', source: 'todo', subject: todo.id, data: todo as never });
      const deleted = makeEvent({ type: 'TodoDeleted', source: 'todo', subject: todo.id, data: todo as never });
      const requested = makeEvent({ type: 'CalendarRequested', source: 'todo', subject: 'job-1', data: {} as never });
      const updated = makeEvent({ type: 'TodoUpdated', source: 'todo', subject: todo.id, data: todo as never });

      await publishEvents(emulator.clients.sns, applied.topicArn, [created, deleted, requested, updated]);

      const collect = async (queueUrl: string | undefined, expected: number) => {
        const seen = new Map<string, string>();
        await waitFor(
          async () => {
            for (const message of await receiveSome(emulator.clients.sqs, queueUrl ?? '', 30)) {
              const body = JSON.parse(message.Body ?? '{}');
              seen.set(body.id, message.MessageAttributes?.type?.StringValue ?? '');
            }
            return seen.size >= expected;
          },
          { what: `${expected} messages on ${queueUrl}` },
        );
        return [...seen.values()].sort();
      };
      assert.deepEqual(await collect(applied.queues.audit?.queueUrl, 2), ['TodoCreated', 'TodoDeleted']);
      assert.deepEqual(await collect(applied.queues.calendar?.queueUrl, 1), ['CalendarRequested']);
      // Nothing else arrives: the TodoUpdated event matched no filter.
      assert.deepEqual(await receiveSome(emulator.clients.sqs, applied.queues.audit?.queueUrl ?? ''), []);
    });
  });
});
