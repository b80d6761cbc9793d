// Standard SNS/SQS and concurrent handlers reorder a subject's events; the runtime's
// per-subject sequence check keeps a handler from applying an older update after a newer one.
import assert from 'node:assert/strict';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createLogger } from '@taskoverflow/platform';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { makeEvent } from '../envelope.ts';
import { defineService } from '../manifest.ts';
import { inboxMigrations } from '../migrations.ts';
import { publishEvents } from '../testing/bus.ts';
import { type Emulator, forEachEmulator } from '../testing/emulators.ts';
import { sampleTodo } from '../testing/fixtures.ts';
import { waitFor } from '../testing/wait.ts';
import { buildTopology } from '../topology.ts';
import { applyTopology } from '../topology-apply.ts';
import type { Ordering } from './handle-message.ts';
import { type RunningConsumer, startConsumer } from './runtime.ts';
import type { Handler } from './types.ts';

const log = createLogger('ordering-test', process.env.TEST_LOG_LEVEL ?? 'silent');

const updated = (id: number, sequence: number) =>
  makeEvent({
    type: 'TodoUpdated',
    source: 'todo',
    subject: String(id),
    sequence,
    data: sampleTodo(id, `v${sequence}`),
  });

/** A naive projection: last write wins, as most state-keeping handlers are written. */
const project: Handler<'TodoUpdated'> = async (event, { tx }) => {
  await tx.query(
    `INSERT INTO todo_titles (id, title) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = excluded.title`,
    [event.data.id, event.data.title],
  );
};

forEachEmulator((emulator: Emulator) => {
  describe('consumer ordering: stale updates by sequence', () => {
    let test: TestDb;
    let consumer: RunningConsumer | undefined;
    before(async () => {
      test = await openTestDb('ordering', [inboxMigrations]);
      await test.db.exec('CREATE TABLE todo_titles (id integer PRIMARY KEY, title text NOT NULL)');
    });
    afterEach(async () => {
      await consumer?.stop();
      consumer = undefined;
    });
    after(() => test.drop());

    async function queue() {
      const prefix = emulator.uniquePrefix('ordering');
      const manifest = defineService({ name: 'orders', description: 'test', consumes: ['TodoUpdated'], publishes: [] });
      const applied = await applyTopology(emulator.clients, buildTopology([manifest], prefix));
      return { prefix, topicArn: applied.topicArn, queueUrl: applied.queues.orders?.queueUrl ?? '' };
    }

    const start = (queueUrl: string, service: string, ordering: Ordering) => {
      consumer = startConsumer({
        service,
        queueUrl,
        handlers: { TodoUpdated: project },
        db: test.db,
        sqs: emulator.clients.sqs,
        log,
        waitTimeSeconds: 1,
        drainTimeoutMs: 5_000,
        ordering,
      });
    };

    const titleOf = async (id: number) =>
      (await test.db.query<{ title: string }>('SELECT title FROM todo_titles WHERE id = $1', [id]))[0]?.title;

    const drained = (queueUrl: string) =>
      waitFor(async () => {
        const { Attributes = {} } = await emulator.clients.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return (
          Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) ===
          0
        );
      });

    /** Delivers v3 and, once it is applied, v2: the newer update overtook the older one. */
    async function deliverReordered(ordering: Ordering, id: number) {
      const { prefix, topicArn, queueUrl } = await queue();
      start(queueUrl, prefix, ordering);
      await publishEvents(emulator.clients.sns, topicArn, [updated(id, 3)]);
      await waitFor(async () => (await titleOf(id)) === 'v3', { what: 'v3 applied' });
      await publishEvents(emulator.clients.sns, topicArn, [updated(id, 2)]);
      await drained(queueUrl);
      return queueUrl;
    }

    it('when TodoUpdated v3 arrives before v2, then v2 is acknowledged and the consumer keeps v3', async () => {
      await deliverReordered('latest', 101);

      assert.equal(await titleOf(101), 'v3');
    });

    it('when ordering is `all` (a log), then the late v2 is handled too: the check is what keeps v3', async () => {
      await deliverReordered('all', 102);

      assert.equal(await titleOf(102), 'v2');
    });

    it('when v2 and v3 arrive together in every order, then v3 is what stays', async () => {
      const { prefix, topicArn, queueUrl } = await queue();
      await publishEvents(emulator.clients.sns, topicArn, [
        updated(103, 3),
        updated(103, 2),
        updated(104, 2),
        updated(104, 3),
        updated(105, 5),
        updated(105, 4),
        updated(105, 3),
      ]);

      start(queueUrl, prefix, 'latest');
      await drained(queueUrl);

      assert.deepEqual([await titleOf(103), await titleOf(104), await titleOf(105)], ['v3', 'v3', 'v5']);
    });
  });
});
