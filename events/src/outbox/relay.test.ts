import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createLogger } from '@taskoverflow/platform';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { createProxyServer } from 'http-proxy-3';
import { awsClients } from '../aws.ts';
import { defineService } from '../manifest.ts';
import { outboxMigrations } from '../migrations.ts';
import { forEachEmulator, receiveSome, sampleTodo, waitFor } from '../testing/index.ts';
import { buildTopology } from '../topology.ts';
import { type AppliedTopology, applyTopology } from '../topology-apply.ts';
import { appendToOutbox } from './append.ts';
import { type Relay, startOutboxRelay } from './relay.ts';

const log = createLogger('relay-test', 'silent');
const consumer = defineService({
  name: 'watcher',
  description: 'sees todo events',
  consumes: ['TodoCreated', 'TodoUpdated'],
  publishes: [],
});
const todo = sampleTodo;

/** An SNS endpoint in front of the emulator that can be switched off, as an outage would. */
async function switchableEndpoint(target: string) {
  const proxy = createProxyServer({ target });
  let up = true;
  const server: Server = createServer((req, res) => {
    if (up) return proxy.web(req, res);
    res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setUp(value: boolean) {
      up = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

forEachEmulator((emulator) => {
  describe('outbox relay', () => {
    let test: TestDb;
    let topology: AppliedTopology;
    let relay: Relay | undefined;
    let queueUrl: string;

    before(async () => {
      test = await openTestDb('relay', [outboxMigrations]);
    });
    after(() => test.drop());
    beforeEach(async () => {
      await test.db.exec('TRUNCATE outbox');
      topology = await applyTopology(emulator.clients, buildTopology([consumer], emulator.uniquePrefix('relay')));
      queueUrl = topology.queues.watcher?.queueUrl ?? '';
    });
    afterEach(async () => {
      await relay?.stop();
      relay = undefined;
    });

    async function receiveAll(count: number) {
      const bodies: Array<{ subject: string; sequence: number; type: string; id: string }> = [];
      await waitFor(
        async () => {
          const messages = await receiveSome(emulator.clients.sqs, queueUrl, 30);
          bodies.push(...messages.map((message) => JSON.parse(message.Body ?? '{}')));
          if (messages.length) {
            await emulator.clients.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: messages.map((message, index) => ({
                  Id: String(index),
                  ReceiptHandle: message.ReceiptHandle,
                })),
              }),
            );
          }
          return bodies.length >= count;
        },
        { timeoutMs: 15_000, what: `${count} messages` },
      );
      return bodies;
    }

    it('when todo events are committed, then each arrives once as a CloudEvent with type and subject', async () => {
      relay = await startOutboxRelay({
        db: test.db,
        sns: emulator.clients.sns,
        topicArn: topology.topicArn,
        source: 'todo',
        log,
      });

      await test.db.transaction(async (tx) => {
        await appendToOutbox(tx, {
          type: 'TodoCreated',
          subject: '1',
          data: todo(1, 'a'),
          sequence: 1,
          correlationId: 'req-1',
        });
        await appendToOutbox(tx, {
          type: 'TodoUpdated',
          subject: '1',
          data: todo(1, 'b'),
          sequence: 2,
          correlationId: 'req-2',
        });
      });
      const received = await receiveAll(2);

      assert.deepEqual(
        received.map((event) => [event.type, event.subject, event.sequence]),
        [
          ['TodoCreated', '1', 1],
          ['TodoUpdated', '1', 2],
        ],
      );
      assert.equal((received[0] as Record<string, unknown>).source, 'taskoverflow/todo');
      assert.equal((received[0] as Record<string, unknown>).correlationid, 'req-1');
      // Deleted once the relay's round ends, which may be just after SQS delivered them.
      await waitFor(
        async () => {
          const rows = await test.db.query<{ pending: number }>('SELECT count(*)::int AS pending FROM outbox');
          return rows[0]?.pending === 0;
        },
        { what: 'both published rows deleted' },
      );
    });

    it('when the relay has sent events from PGlite, then it vacuums and analyzes the outbox (PGlite has no autovacuum)', async () => {
      const pglite = await openTestDb('relay-vacuum', [outboxMigrations], 'pglite');
      const vacuums = async () =>
        (
          await pglite.db.query<{ vacuums: number; analyzes: number }>(
            `SELECT vacuum_count::int AS vacuums, analyze_count::int AS analyzes
             FROM pg_stat_user_tables WHERE relname = 'outbox'`,
          )
        )[0];
      try {
        assert.deepEqual(await vacuums(), { vacuums: 0, analyzes: 0 });
        relay = await startOutboxRelay({
          db: pglite.db,
          sns: emulator.clients.sns,
          topicArn: topology.topicArn,
          source: 'todo',
          log,
        });

        await appendToOutbox(pglite.db, { type: 'TodoCreated', subject: '5', data: todo(5), sequence: 1 });
        relay.wake();
        await receiveAll(1);

        await waitFor(async () => (await vacuums())?.analyzes === 1, { what: 'the outbox vacuumed and analyzed' });
        assert.equal((await vacuums())?.vacuums, 1);
      } finally {
        await relay?.stop();
        relay = undefined;
        await pglite.drop();
      }
    });

    it('when SNS is unreachable for a while, then every event arrives once after recovery', async () => {
      const endpoint = await switchableEndpoint(emulator.endpoint);
      try {
        endpoint.setUp(false);
        const { sns } = awsClients({ AWS_ENDPOINT_URL: endpoint.url, AWS_REGION: 'us-east-1' });
        relay = await startOutboxRelay({
          db: test.db,
          sns,
          topicArn: topology.topicArn,
          source: 'todo',
          log,
          pollIntervalMs: 50,
          retryBaseMs: 20,
          retryMaxMs: 200,
        });
        for (let sequence = 1; sequence <= 5; sequence++) {
          for (const subject of [1, 2, 3, 4]) {
            await appendToOutbox(test.db, {
              type: sequence === 1 ? 'TodoCreated' : 'TodoUpdated',
              subject: String(subject),
              data: todo(subject, `v${sequence}`),
              sequence,
            });
          }
        }
        await waitFor(
          async () => {
            const rows = await test.db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM outbox WHERE last_error IS NOT NULL AND attempts >= 2',
            );
            return (rows[0]?.n ?? 0) > 0;
          },
          { what: 'failed publish attempts' },
        );

        endpoint.setUp(true);
        const received = await receiveAll(20);

        assert.equal(received.length, 20);
        assert.equal(new Set(received.map((event) => event.id)).size, 20);
        for (const subject of ['1', '2', '3', '4']) {
          const sequences = received.filter((event) => event.subject === subject).map((event) => event.sequence);
          assert.deepEqual(sequences.sort(), [1, 2, 3, 4, 5], `subject ${subject}`);
        }
      } finally {
        await endpoint.close();
      }
    });
  });
});
