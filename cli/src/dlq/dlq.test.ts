// Acceptance: a poison message is seen with `dlq peek`, returned with `dlq redrive` once the
// handler is fixed, and then handled exactly once — with the real consumer runtime.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type Handler, makeEvent, PermanentError, startConsumer } from '@taskoverflow/events';
import { awsClients } from '@taskoverflow/events/aws';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import { type Emulator, forEachEmulator, receiveSome, sampleTodo, waitFor } from '@taskoverflow/events/testing';
import type { AppliedTopology } from '@taskoverflow/events/topology-apply';
import { createLogger, type Db } from '@taskoverflow/platform';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { startFauxqs } from 'fauxqs';
import { exitCodes } from '../exit-codes.ts';
import { depthOf } from '../queues.ts';
import { emulatorEnv, runCli } from '../testing.ts';

const reason = (text: string) => ({ failure_reason: { DataType: 'String', StringValue: text } });
const log = createLogger('cli-dlq-test', process.env.TEST_LOG_LEVEL ?? 'silent');

forEachEmulator((emulator: Emulator) => {
  describe('taskoverflow dlq', function () {
    this.timeout(90_000);
    let testDb: TestDb;
    let db: Db;
    let prefix: string;
    let applied: AppliedTopology;
    const cli = (args: string[], stdin?: string) =>
      runCli(['--prefix', prefix, ...args], { env: emulatorEnv(emulator), ...(stdin ? { stdin } : {}) });

    before(async () => {
      testDb = await openTestDb('cli-dlq', [inboxMigrations]);
      db = testDb.db;
      await db.exec('CREATE TABLE effects (event_id uuid NOT NULL)');
    });
    after(async () => {
      await testDb.drop();
    });
    beforeEach(async () => {
      prefix = emulator.uniquePrefix('dlq');
      const result = await cli(['topology', 'apply', '--json']);
      assert.equal(result.code, exitCodes.ok, result.stderr);
      applied = JSON.parse(result.stdout) as AppliedTopology;
    });

    const audit = () => {
      const queues = applied.queues.audit;
      if (!queues) throw new Error('audit has no queue in the applied topology');
      return queues;
    };
    const effectsOf = async (eventId: string) =>
      (
        await db.query<{ count: number }>('SELECT count(*)::int AS count FROM effects WHERE event_id = $1', [eventId])
      )[0]?.count;

    it('when a handler rejects an event, then peek shows it with the reason, redrive after the fix returns it, and it is handled exactly once', async () => {
      let broken = true;
      const handler: Handler<'TodoCreated'> = async (event, { tx }) => {
        if (broken) throw new PermanentError(`cannot handle todo ${event.subject} yet`);
        await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [event.id]);
      };
      const consumer = startConsumer({
        service: 'audit',
        queueUrl: audit().queueUrl,
        handlers: { TodoCreated: handler },
        db,
        sqs: emulator.clients.sqs,
        log,
        waitTimeSeconds: 1,
        backoff: { baseSeconds: 0 },
        drainTimeoutMs: 5_000,
      });
      try {
        const event = makeEvent({ type: 'TodoCreated', source: 'todo', subject: '7', data: sampleTodo(7) });
        const published = await cli(['events', 'publish', '-'], JSON.stringify(event));
        assert.equal(published.code, exitCodes.ok, published.stderr);
        await waitFor(async () => (await depthOf(emulator.clients.sqs, audit().dlqUrl)).visible === 1, {
          what: 'the poison message in the DLQ',
        });

        const peeked = await cli(['dlq', 'peek', 'audit', '--json']);

        assert.equal(peeked.code, exitCodes.ok, peeked.stderr);
        const [letter, ...more] = JSON.parse(peeked.stdout) as {
          event: { id: string };
          reason: string;
          consumer: string;
        }[];
        assert.deepEqual(more, []);
        assert.equal(letter?.event.id, event.id);
        assert.equal(letter?.reason, 'cannot handle todo 7 yet');
        assert.equal(letter?.consumer, 'audit');
        const afterPeek = await depthOf(emulator.clients.sqs, audit().dlqUrl);
        assert.equal(afterPeek.visible + afterPeek.inFlight, 1, 'peek consumed nothing');
        const listed = await cli(['dlq', 'list', '--json']);
        const auditRow = (
          JSON.parse(listed.stdout) as {
            service: string;
            depth: { visible: number; inFlight: number };
            oldestAgeSeconds: number;
          }[]
        ).find((row) => row.service === 'audit');
        assert.equal((auditRow?.depth.visible ?? 0) + (auditRow?.depth.inFlight ?? 0), 1);
        assert.equal(typeof auditRow?.oldestAgeSeconds, 'number');

        broken = false;
        const redriven = await cli(['dlq', 'redrive', 'audit', '--json']);

        assert.equal(redriven.code, exitCodes.ok, redriven.stderr);
        assert.equal((JSON.parse(redriven.stdout) as { moved: number }).moved, 1);
        await waitFor(async () => (await effectsOf(event.id)) === 1, { what: 'the redriven event to be handled' });
        await waitFor(
          async () => {
            const depth = await depthOf(emulator.clients.sqs, audit().queueUrl);
            return depth.visible + depth.inFlight === 0;
          },
          { what: 'the queue to drain' },
        );
        assert.equal((await depthOf(emulator.clients.sqs, audit().dlqUrl)).visible, 0);

        // An interrupted redrive may send a message twice: the inbox runs the handler once.
        await emulator.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: audit().queueUrl, MessageBody: JSON.stringify(event) }),
        );
        await waitFor(
          async () => {
            const depth = await depthOf(emulator.clients.sqs, audit().queueUrl);
            return depth.visible + depth.inFlight === 0;
          },
          { what: 'the duplicate to be acknowledged' },
        );
        assert.equal(await effectsOf(event.id), 1);
      } finally {
        await consumer.stop();
      }
    });

    it('when the handler is still broken, then redrive moves each dead letter once and ends instead of chasing it', async () => {
      const consumer = startConsumer({
        service: 'audit',
        queueUrl: audit().queueUrl,
        handlers: {
          TodoCreated: async () => {
            throw new PermanentError('still broken');
          },
        },
        db,
        sqs: emulator.clients.sqs,
        log,
        waitTimeSeconds: 1,
        drainTimeoutMs: 5_000,
      });
      try {
        const event = makeEvent({ type: 'TodoCreated', source: 'todo', subject: '8', data: sampleTodo(8) });
        assert.equal((await cli(['events', 'publish', '-'], JSON.stringify(event))).code, exitCodes.ok);
        const deadLettered = async () => {
          const depth = await depthOf(emulator.clients.sqs, audit().dlqUrl);
          return depth.visible + depth.inFlight === 1;
        };
        await waitFor(deadLettered, { what: 'the poison message in the DLQ' });

        const redriven = await cli(['dlq', 'redrive', 'audit', '--json']);

        assert.equal(redriven.code, exitCodes.ok, redriven.stderr);
        assert.equal((JSON.parse(redriven.stdout) as { moved: number }).moved, 1);
        await waitFor(deadLettered, { what: 'the message to be dead-lettered again' });
      } finally {
        await consumer.stop();
      }
    });

    it('when redrive has a limit, then only that many move, copied with their type and without the failure attributes', async () => {
      const attributes = (subject: string) => ({
        type: { DataType: 'String', StringValue: 'TodoCreated' },
        subject: { DataType: 'String', StringValue: subject },
        failure_reason: { DataType: 'String', StringValue: 'boom' },
      });
      for (const subject of ['1', '2', '3']) {
        await emulator.clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: audit().dlqUrl,
            MessageBody: `not an event ${subject}`,
            MessageAttributes: attributes(subject),
          }),
        );
      }

      const peeked = await cli(['dlq', 'peek', 'audit', '--limit', '5']);
      const redriven = await cli(['dlq', 'redrive', 'audit', '--limit', '2']);

      assert.equal(peeked.code, exitCodes.ok, peeked.stderr);
      assert.equal(peeked.lines.filter((line) => line.includes('unreadable: not an event')).length, 3);
      assert.equal(peeked.lines.filter((line) => line === '  reason: boom').length, 3);
      assert.equal(redriven.code, exitCodes.ok, redriven.stderr);
      assert.match(redriven.stdout, /moved 2 message\(s\) .* \(receive-send-delete\)/);
      assert.equal((await depthOf(emulator.clients.sqs, audit().dlqUrl)).visible, 1);
      const moved = await receiveSome(emulator.clients.sqs, audit().queueUrl);
      assert.equal(moved.length, 2);
      for (const message of moved) {
        assert.equal(message.MessageAttributes?.type?.StringValue, 'TodoCreated');
        assert.equal(message.MessageAttributes?.failure_reason, undefined);
      }
    });

    it('when the service has no queue, then peek exits with "not found" and names the consuming services', async () => {
      const result = await cli(['dlq', 'peek', 'nosuch']);

      assert.equal(result.code, exitCodes.notFound);
      assert.match(result.stderr, /nosuch has no queue; services that consume events: .*audit/);
    });

    it('when the DLQ is empty, then peek says so and redrive moves nothing', async () => {
      const peeked = await cli(['dlq', 'peek', 'calendar']);
      const redriven = await cli(['dlq', 'redrive', 'calendar', '--json']);

      assert.match(peeked.stdout, /-calendar-dlq is empty/);
      assert.equal(redriven.code, exitCodes.ok, redriven.stderr);
      assert.equal((JSON.parse(redriven.stdout) as { moved: number }).moved, 0);
    });
  });
});

describe('taskoverflow dlq peek on npm start’s emulator (fauxqs with its state on disk)', function () {
  this.timeout(30_000);
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cli-fauxqs-'));
    server = await startFauxqs({ port: 0, logger: false, dataDir });
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when dead letters are peeked twice, then both peeks see them and they stay in the DLQ', async () => {
    const env = { AWS_ENDPOINT_URL: server.address, AWS_REGION: 'us-east-1' };
    const prefix = 'peek-on-disk';
    assert.equal((await runCli(['--prefix', prefix, 'topology', 'apply'], { env })).code, exitCodes.ok);
    const { sqs } = awsClients(env);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-audit-dlq` }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'dead', MessageAttributes: reason('boom') }));

    const first = await runCli(['--prefix', prefix, 'dlq', 'peek', 'audit', '--json'], { env });
    // Released for one second: a second peek sees it again once that has passed.
    const second = await waitFor(
      async () => {
        const peek = await runCli(['--prefix', prefix, 'dlq', 'peek', 'audit', '--json'], { env });
        return peek.stdout.includes('boom') && peek;
      },
      { what: 'the second peek to see the dead letter' },
    );

    assert.equal(first.stderr, '');
    for (const peek of [first, second]) {
      assert.deepEqual(
        (JSON.parse(peek.stdout) as { reason: string }[]).map((letter) => letter.reason),
        ['boom'],
      );
    }
    const depth = await depthOf(sqs, QueueUrl ?? '');
    assert.equal(depth.visible + depth.inFlight, 1);
  });
});
