import assert from 'node:assert/strict';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createLogger, type Db } from '@taskoverflow/platform';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { awsClients } from '../aws.ts';
import { claimCheckThresholdBytes, offloadIfLarge } from '../claim-check.ts';
import { type CloudEvent, makeEvent } from '../envelope.ts';
import { defineService } from '../manifest.ts';
import { inboxMigrations } from '../migrations.ts';
import { publishEvents, receiveSome } from '../testing/bus.ts';
import { type Emulator, forEachEmulator } from '../testing/emulators.ts';
import { sampleTodo } from '../testing/fixtures.ts';
import { gates, waitFor } from '../testing/wait.ts';
import { buildTopology } from '../topology.ts';
import { type AppliedQueue, applyTopology } from '../topology-apply.ts';
import { type ConsumerOptions, startConsumer } from './runtime.ts';
import { type BatchHandler, type Handler, PermanentError, RetryLaterError } from './types.ts';

const log = createLogger('consumer-test', process.env.TEST_LOG_LEVEL ?? 'silent');

const todo = sampleTodo;
const created = (id: number, title?: string) =>
  makeEvent({ type: 'TodoCreated', source: 'todo', subject: String(id), data: todo(id, title) });

/** A handler whose calls the test can watch; its side effect is a row written through ctx.tx. */
function recorder(behaviour: (event: CloudEvent<'TodoCreated'>, call: number) => Promise<void> = async () => {}) {
  const calls: { event: CloudEvent<'TodoCreated'>; at: number; receiveCount: number }[] = [];
  const handler: Handler<'TodoCreated'> = async (event, { tx, receiveCount }) => {
    calls.push({ event, at: Date.now(), receiveCount });
    await behaviour(event, calls.length);
    await tx.query('INSERT INTO effects (event_id, title) VALUES ($1, $2)', [event.id, event.data.title]);
  };
  return { calls, handler };
}

/** Gates opened by afterEach too, so a failed test never leaves a handler (and its transaction) hanging. */
const { gate: hold, openAll } = gates();

async function queueDepth(sqs: SQSClient, queueUrl: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    hidden: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

forEachEmulator((emulator: Emulator) => {
  describe('startConsumer', () => {
    let testDb: TestDb;
    let db: Db;
    const running: { stop(): Promise<void> }[] = [];

    before(async () => {
      testDb = await openTestDb('consumer', [inboxMigrations]);
      db = testDb.db;
      await db.exec('CREATE TABLE effects (event_id uuid NOT NULL, title text NOT NULL)');
    });
    afterEach(async () => {
      openAll();
      await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
    });
    after(async () => {
      await testDb.drop();
    });

    /** A fresh topology (queue + DLQ subscribed to TodoCreated) for one test. */
    async function topology(queue = { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }) {
      const prefix = emulator.uniquePrefix('consumer');
      const manifest = defineService({
        name: 'audit',
        description: 'test consumer',
        consumes: ['TodoCreated'],
        publishes: [],
        queue,
      });
      const applied = await applyTopology(emulator.clients, buildTopology([manifest], prefix));
      return { prefix, topicArn: applied.topicArn, queue: applied.queues.audit as AppliedQueue };
    }

    function consume(queueUrl: string, service: string, options: Partial<ConsumerOptions> = {}) {
      const consumer = startConsumer({
        service,
        queueUrl,
        handlers: {},
        db,
        sqs: emulator.clients.sqs,
        log,
        waitTimeSeconds: 1,
        backoff: { baseSeconds: 0 },
        drainTimeoutMs: 5_000,
        ...options,
      });
      running.push(consumer);
      return consumer;
    }

    const effectsOf = async (events: readonly { id: string }[]) =>
      (
        await db.query<{ count: number }>('SELECT count(*)::int AS count FROM effects WHERE event_id = ANY($1)', [
          events.map((event) => event.id),
        ])
      )[0]?.count ?? 0;

    /** Publishes the events and waits until SQS shows every copy waiting in the queue. */
    async function publishQueued(
      topicArn: string,
      queueUrl: string,
      events: readonly CloudEvent[],
      timeoutMs?: number,
    ) {
      await publishEvents(emulator.clients.sns, topicArn, events);
      await waitFor(async () => (await queueDepth(emulator.clients.sqs, queueUrl)).visible === events.length, {
        what: `${events.length} queued messages`,
        ...(timeoutMs ? { timeoutMs } : {}),
      });
    }

    /** Waits until the queue holds nothing, visible or in flight. */
    const queueDrained = (queueUrl: string) =>
      waitFor(async () => {
        const depth = await queueDepth(emulator.clients.sqs, queueUrl);
        return depth.visible + depth.hidden === 0;
      });

    async function deadLetters(queue: AppliedQueue, expected: number) {
      const seen = new Map<string, Awaited<ReturnType<typeof receiveSome>>[number]>();
      await waitFor(
        async () => {
          for (const message of await receiveSome(emulator.clients.sqs, queue.dlqUrl, 30)) {
            seen.set(message.MessageId ?? '', message);
          }
          return seen.size >= expected;
        },
        { what: `${expected} dead letters` },
      );
      return [...seen.values()];
    }

    it('when the same event is delivered twice, then its side effect happens once and both are deleted', async () => {
      const { prefix, topicArn, queue } = await topology();
      const { calls, handler } = recorder();
      const event = created(1);
      await publishQueued(topicArn, queue.queueUrl, [event, event]);

      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler } });

      await queueDrained(queue.queueUrl);
      assert.equal(calls.length, 1);
      assert.equal(await effectsOf([event]), 1);
    });

    it('when messages share one transaction and one handler fails, then the others commit once and only it retries', async () => {
      const { prefix, topicArn, queue } = await topology({ visibilityTimeoutSeconds: 30, maxReceiveCount: 2 });
      const events = [created(31), created(32, 'poison'), created(33), created(34)];
      const { calls, handler } = recorder(async (event) => {
        if (event.data.title === 'poison') throw new Error('cannot take this one');
      });
      await publishQueued(topicArn, queue.queueUrl, [...events, events[0] as CloudEvent]); // and a duplicate

      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, transactionBatchSize: 10 });

      await deadLetters(queue, 1);
      await queueDrained(queue.queueUrl);
      const good = events.filter((event) => event.data.title !== 'poison');
      assert.equal(await effectsOf(good), 3);
      assert.equal(await effectsOf([events[1] as CloudEvent]), 0);
      assert.ok(calls.filter((call) => call.event.data.title === 'poison').length >= 2, 'the failing one was retried');
    });

    it('when a batch handler serves the type, then it runs once per transaction with the new events and a failure is retried alone', async () => {
      const { prefix, topicArn, queue } = await topology({ visibilityTimeoutSeconds: 30, maxReceiveCount: 2 });
      const events = [created(41), created(42, 'poison'), created(43), created(44)];
      const batches: string[][] = [];
      const batchHandler: BatchHandler<'TodoCreated'> = {
        async batch(group, { tx }) {
          batches.push(group.map((event) => event.data.title));
          if (group.some((event) => event.data.title === 'poison')) throw new Error('cannot take this one');
          await tx.query('INSERT INTO effects (event_id, title) SELECT * FROM unnest($1::uuid[], $2::text[])', [
            group.map((event) => event.id),
            group.map((event) => event.data.title),
          ]);
        },
      };
      await publishQueued(topicArn, queue.queueUrl, [...events, events[0] as CloudEvent]); // and a duplicate

      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: batchHandler }, transactionBatchSize: 10 });

      await deadLetters(queue, 1);
      await queueDrained(queue.queueUrl);
      const good = events.filter((event) => event.data.title !== 'poison');
      assert.equal(await effectsOf(good), 3, 'each good event once, the duplicate skipped');
      assert.equal(await effectsOf([events[1] as CloudEvent]), 0);
      assert.ok(
        batches.some((titles) => titles.length > 1),
        `one call took several events: ${JSON.stringify(batches)}`,
      );
      assert.ok(batches.filter((titles) => titles.length === 1 && titles[0] === 'poison').length >= 1, 'retried alone');
      for (const titles of batches) assert.equal(new Set(titles).size, titles.length, 'no event twice in a call');
    });

    it('when a backlog arrives, then a batch handler gets groups of more than one receive, up to transactionBatchSize', async () => {
      const { prefix, topicArn, queue } = await topology();
      const { sqs } = awsClients({ AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'us-east-1' });
      let receives = 0;
      sqs.middlewareStack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          if (context.commandName === 'ReceiveMessageCommand') receives++;
          return result;
        },
        { step: 'initialize', name: 'countReceives' },
      );
      const sizes: number[] = [];
      const batchHandler: BatchHandler<'TodoCreated'> = {
        async batch(group, { tx }) {
          sizes.push(group.length);
          // The first group is still running when two more receives come back: their 20 messages form one group.
          if (sizes.length === 1) await waitFor(() => receives >= 3, { what: 'two more receives' });
          await tx.query('INSERT INTO effects (event_id, title) SELECT * FROM unnest($1::uuid[], $2::text[])', [
            group.map((event) => event.id),
            group.map((event) => event.data.title),
          ]);
        },
      };
      const events = Array.from({ length: 200 }, (_, index) => created(3000 + index));
      await publishQueued(topicArn, queue.queueUrl, events, 30_000);

      consume(queue.queueUrl, prefix, {
        handlers: { TodoCreated: batchHandler },
        transactionBatchSize: 20,
        concurrency: 40,
        sqs,
      });

      await waitFor(async () => (await effectsOf(events)) === 200, { what: '200 handled events', timeoutMs: 30_000 });
      // SQS returns at most 10 a receive: a group of 20 waited for the next receive instead of starting with 10.
      // (Groups reach the handler in any order: the first formed may call it after the second.)
      assert.ok(sizes.includes(20), `group sizes: ${sizes.join(', ')}`);
      assert.ok(
        sizes.every((size) => size <= 20),
        `group sizes: ${sizes.join(', ')}`,
      );
    });

    it('when a handler always throws, then the message is retried and dead-lettered after maxReceiveCount', async () => {
      const { prefix, topicArn, queue } = await topology({ visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
      const { calls, handler } = recorder(async () => {
        throw new Error('database on fire');
      });
      const event = created(2);
      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler } });

      await publishEvents(emulator.clients.sns, topicArn, [event]);

      const [dead] = await deadLetters(queue, 1);
      assert.deepEqual(
        calls.map((call) => call.receiveCount),
        [1, 2, 3],
      );
      assert.equal(JSON.parse(dead?.Body ?? '{}').id, event.id);
      assert.match(dead?.MessageAttributes?.failure_reason?.StringValue ?? '', /failed 3 times.*database on fire/);
      assert.equal(dead?.MessageAttributes?.type?.StringValue, 'TodoCreated');
      assert.equal(await effectsOf([event]), 0);
    });

    it('when a message fails the schema, then it goes to the DLQ at once with the reason and no handler runs', async () => {
      const { prefix, topicArn, queue } = await topology();
      const { calls, handler } = recorder();
      const invalid = { ...created(3), data: { id: 'not a number' } };
      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler } });

      await publishEvents(emulator.clients.sns, topicArn, [
        invalid as never,
        { body: 'not json', type: 'TodoCreated', subject: '3' },
      ]);

      const dead = await deadLetters(queue, 2);
      const reasons = dead.map((message) => message.MessageAttributes?.failure_reason?.StringValue ?? '').sort();
      assert.match(reasons[0] ?? '', /invalid TodoCreated data: id:/);
      assert.match(reasons[1] ?? '', /unreadable message/);
      assert.deepEqual(
        dead.map((message) => message.MessageAttributes?.failure_receive_count?.StringValue),
        ['1', '1'],
      );
      assert.equal(calls.length, 0);
    });

    it('when a handler throws PermanentError, then the message goes to the DLQ on the first attempt', async () => {
      const { prefix, topicArn, queue } = await topology();
      const { calls, handler } = recorder(async () => {
        throw new PermanentError('todo belongs to nobody');
      });
      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler } });

      await publishEvents(emulator.clients.sns, topicArn, [created(4)]);

      const [dead] = await deadLetters(queue, 1);
      assert.equal(dead?.MessageAttributes?.failure_reason?.StringValue, 'todo belongs to nobody');
      assert.equal(calls.length, 1);
    });

    it('when a handler keeps failing, then each retry waits longer than the last (exponential backoff)', async () => {
      const { prefix, topicArn, queue } = await topology({ visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
      const { calls, handler } = recorder(async () => {
        throw new Error('still down');
      });
      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, backoff: { baseSeconds: 1 } });

      await publishEvents(emulator.clients.sns, topicArn, [created(5)]);

      await deadLetters(queue, 1);
      const [first, second, third] = calls.map((call) => call.at);
      const gaps = [(second ?? 0) - (first ?? 0), (third ?? 0) - (second ?? 0)];
      assert.ok(gaps[0] !== undefined && gaps[0] >= 900 && gaps[0] < 10_000, `first retry after ${gaps[0]} ms`);
      assert.ok(gaps[1] !== undefined && gaps[1] >= 1_900 && gaps[1] < 15_000, `second retry after ${gaps[1]} ms`);
    });

    it('when a handler throws RetryLaterError, then the next attempt comes after the delay it asked for', async () => {
      const { prefix, topicArn, queue } = await topology();
      const { calls, handler } = recorder(async (_event, call) => {
        if (call === 1) throw new RetryLaterError('calendar service busy', 1);
      });
      const event = created(8);
      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler } });

      await publishEvents(emulator.clients.sns, topicArn, [event]);

      await waitFor(async () => (await effectsOf([event])) === 1, { what: 'the retried event to be handled' });
      const [first, second] = calls.map((call) => call.at);
      assert.ok((second ?? 0) - (first ?? 0) >= 900, `retried after ${(second ?? 0) - (first ?? 0)} ms`);
    });

    it('when a handler outlasts the visibility timeout, then the heartbeat keeps the message hidden', async () => {
      const visibilityTimeoutSeconds = 2;
      const { prefix, topicArn, queue } = await topology({ visibilityTimeoutSeconds, maxReceiveCount: 3 });
      const gate = hold();
      const { calls, handler } = recorder(() => gate.opened);
      const event = created(6);
      // Concurrency 1: the consumer itself stops receiving, so only the test's receiver could catch a reappearance.
      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, concurrency: 1 });
      await publishEvents(emulator.clients.sns, topicArn, [event]);
      await waitFor(() => calls.length === 1, { what: 'the handler to start' });

      // Watch for two visibility timeouts: another receiver must never get the message.
      const until = Date.now() + 2 * visibilityTimeoutSeconds * 1000;
      while (Date.now() < until) {
        assert.deepEqual(await receiveSome(emulator.clients.sqs, queue.queueUrl), []);
      }
      gate.open();

      await waitFor(async () => (await effectsOf([event])) === 1, { what: 'the slow handler to commit' });
      assert.equal(calls.length, 1);
    });

    it('when stopped with messages in flight, then it finishes those and releases the unstarted ones at once', async () => {
      const { prefix, topicArn, queue } = await topology({ visibilityTimeoutSeconds: 60, maxReceiveCount: 3 });
      const gate = hold();
      const { calls, handler } = recorder(() => gate.opened);
      const events = [1, 2, 3, 4, 5, 6].map((id) => created(100 + id));
      await publishQueued(topicArn, queue.queueUrl, events);
      const consumer = consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, concurrency: 2 });
      // PGlite has one connection, so the second handler waits for the first one's transaction.
      await waitFor(() => calls.length === (db.driver === 'pglite' ? 1 : 2), { what: 'the handlers to start' });

      const stopped = consumer.stop();
      // The four prefetched messages are visible again long before their 60 s timeout.
      const released = new Set<string>();
      await waitFor(
        async () => {
          for (const message of await receiveSome(emulator.clients.sqs, queue.queueUrl, 60)) {
            released.add(JSON.parse(message.Body ?? '{}').id);
          }
          return released.size === 4;
        },
        { what: 'four released messages' },
      );
      gate.open();
      await stopped;

      const started = calls.map((call) => call.event.id);
      assert.equal(await effectsOf(events), 2);
      assert.deepEqual([...released, ...started].sort(), events.map((event) => event.id).sort());
      assert.equal(calls.length, 2);
    });

    it('when a handler hangs past the drain timeout, then stop() still returns in time', async () => {
      const { prefix, topicArn, queue } = await topology();
      const gate = hold();
      const { calls, handler } = recorder(() => gate.opened);
      const consumer = consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, drainTimeoutMs: 1_500 });
      await publishEvents(emulator.clients.sns, topicArn, [created(9)]);
      await waitFor(() => calls.length === 1, { what: 'the handler to start' });

      const started = Date.now();
      await consumer.stop();

      assert.ok(Date.now() - started < 2_500, `stop took ${Date.now() - started} ms`);
    });

    it('when an event is larger than SNS allows, then it travels by claim check and the handler sees all its data', async () => {
      const { prefix, topicArn, queue } = await topology();
      const bucket = `${prefix}-claims`;
      await applyTopology(emulator.clients, { topicName: `${prefix}-events`, consumers: [] }, { bucket });
      const store = { s3: emulator.clients.s3, bucket };
      const { calls, handler } = recorder();
      const big = created(7, 'x'.repeat(300 * 1024));
      const { data, ...envelope } = big;
      const body = await offloadIfLarge(envelope, JSON.stringify(data), store);
      assert.ok(Buffer.byteLength(body) < claimCheckThresholdBytes);
      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, claimCheck: store });

      await publishEvents(emulator.clients.sns, topicArn, [{ body, type: big.type, subject: big.subject }]);

      await waitFor(async () => (await effectsOf([big])) === 1, { what: 'the large event to be handled' });
      assert.equal(calls[0]?.event.data.title, big.data.title);
      assert.equal(calls[0]?.event.dataref, undefined);
    });

    it('when the queue is idle, then every receiver but one parks and the one long-polls', async () => {
      const { prefix, queue } = await topology();
      const sqs = countingClient(emulator);
      const waitTimeSeconds = 1;
      const windowMs = 2_000;

      const consumer = consume(queue.queueUrl, prefix, { sqs: sqs.client, concurrency: 30, waitTimeSeconds });
      await waitFor(() => sqs.count() >= 2, { what: 'the queue attributes and a first receive' });
      const before = sqs.count();
      const until = Date.now() + windowMs;
      await waitFor(() => Date.now() >= until, { timeoutMs: windowMs + 1_000, intervalMs: 100, what: 'the window' });
      const receives = sqs.count() - before;
      await consumer.stop();

      // One long poll per waitTimeSeconds (20 s in production: 3 a minute), not one per receiver.
      assert.ok(receives <= windowMs / 1000 / waitTimeSeconds + 1, `${receives} receives in ${windowMs} ms`);
    });

    it('when a receive brings a part batch, then the next receive waits receiveLingerMs so that batches fill', async () => {
      const { prefix, topicArn, queue } = await topology();
      const { handler } = recorder();
      const events = [created(900), created(901), created(902)];
      await publishQueued(topicArn, queue.queueUrl, events);
      const sqs = countingClient(emulator, 'ReceiveMessageCommand');

      consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, sqs: sqs.client, receiveLingerMs: 1_500 });
      await waitFor(async () => (await effectsOf(events)) === 3, { what: 'the part batch handled' });
      const receivedAt = sqs.count();
      const late = created(903);
      await publishQueued(topicArn, queue.queueUrl, [late]);

      assert.equal(await effectsOf([late]), 0, 'not received while the loop lingers');
      assert.equal(sqs.count(), receivedAt, 'no receive while the loop lingers');
      await waitFor(async () => (await effectsOf([late])) === 1, { what: 'the next receive after the linger' });
    });

    it('when a grouped consumer receives a part batch, then it starts in one group with what arrives during the linger', async () => {
      const { prefix, topicArn, queue } = await topology();
      const sizes: number[] = [];
      const batchHandler: BatchHandler<'TodoCreated'> = {
        async batch(group, { tx }) {
          sizes.push(group.length);
          await tx.query('INSERT INTO effects (event_id, title) SELECT * FROM unnest($1::uuid[], $2::text[])', [
            group.map((event) => event.id),
            group.map((event) => event.data.title),
          ]);
        },
      };
      const first = [created(950), created(951), created(952)];
      const during = [created(953), created(954), created(955), created(956)];
      await publishQueued(topicArn, queue.queueUrl, first);

      consume(queue.queueUrl, prefix, {
        handlers: { TodoCreated: batchHandler },
        transactionBatchSize: 20,
        receiveLingerMs: 3_000,
      });
      await waitFor(async () => (await queueDepth(emulator.clients.sqs, queue.queueUrl)).hidden === 3, {
        what: 'the part batch received',
      });
      await publishEvents(emulator.clients.sns, topicArn, during);
      assert.equal(await effectsOf(first), 0, 'held while the loop lingers');

      await waitFor(async () => (await effectsOf([...first, ...during])) === 7, { what: 'both receives handled' });
      assert.deepEqual(sizes, [7], 'one group: the part batch and what the next receive brought');
    });

    it('when 200 events arrive, then the consumer makes at most 0.5 SQS requests per event', async function () {
      this.timeout(45_000); // moto handles a few hundred requests a second on a busy machine
      const { prefix, topicArn, queue } = await topology();
      const { handler } = recorder();
      const events = Array.from({ length: 200 }, (_, index) => created(1000 + index));
      await publishQueued(topicArn, queue.queueUrl, events, 30_000);
      const sqs = countingClient(emulator);

      const consumer = consume(queue.queueUrl, prefix, { handlers: { TodoCreated: handler }, sqs: sqs.client });
      await waitFor(async () => (await effectsOf(events)) === 200, { what: '200 handled events', timeoutMs: 30_000 });
      // Counted when the work is done: the idle long polls while the test stops it are not load.
      const requests = sqs.count();
      await consumer.stop();

      assert.ok(requests / events.length <= 0.5, `${requests} SQS requests for ${events.length} events`);
    });
  });
});

/** A separate SQS client whose requests (or only those of one command) are counted; the shared one serves the test itself. */
function countingClient(emulator: Emulator, command?: string) {
  const { sqs } = awsClients({ AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'us-east-1' });
  let requests = 0;
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (!command || context.commandName === command) requests++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { client: sqs, count: () => requests };
}
