import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type AnyEvent, type BackfillTargets, makeEvent } from '@taskoverflow/events';
import { forEachEmulator, sampleTodo, serviceTestApp, waitFor } from '@taskoverflow/events/testing';
import { createLogger } from '@taskoverflow/platform';
import { testAuth } from '@taskoverflow/platform/auth/testing';
import { openApiViolations } from '@taskoverflow/platform/http/openapi-contract';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import manifest from '../../service.ts';
import { auditRouters } from '../app.ts';
import { appendAuditEntries } from '../log/append-audit-entry.ts';
import { auditMigrations } from '../migrations.ts';
import { readReplayJob, requestManifestBackfills } from './jobs.ts';
import { startReplayer } from './replayer.ts';

const log = createLogger('replay-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const minute = (n: number) => new Date(Date.UTC(2026, 10, 1, 8, n));

forEachEmulator((emulator) => {
  describe('audit replay into one queue', function () {
    this.timeout(240_000);
    let test: TestDb;
    let server: Server;
    let base: string;
    let targets: BackfillTargets;
    let otherQueueUrl: string;
    let admin: { authorization: string };
    let reader: { authorization: string };
    const sqs = () => emulator.clients.sqs;

    /** A replayer on this test's database and queues; `options` overrides the page size and rate. */
    const startWith = (options: { eventsPerSecond: number; pageSize?: number }) =>
      startReplayer({ db: test.db, sqs: sqs(), targets, log, bucket: undefined, ...options });
    const record = (events: AnyEvent[]) => test.db.transaction((tx) => appendAuditEntries.batch(events, { tx, log }));
    const post = async (body: unknown, headers = admin) => {
      const response = await fetch(`${base}/api/v1/audit/replays`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as Record<string, unknown>;
      const observed = { status: response.status, headers: Object.fromEntries(response.headers), json };
      assert.deepEqual(
        openApiViolations('POST', '/api/v1/audit/replays', observed),
        [],
        'differs from the OpenAPI document',
      );
      return { status: response.status, body: json };
    };
    /** Receives and deletes until `count` distinct events arrived (or the deadline passes). */
    const drain = async (queueUrl: string, count: number) => {
      const bodies: { body: string; attributes: Record<string, string | undefined> }[] = [];
      await waitFor(
        async () => {
          const { Messages = [] } = await sqs().send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
            }),
          );
          for (const message of Messages) {
            bodies.push({
              body: message.Body ?? '',
              attributes: {
                type: message.MessageAttributes?.type?.StringValue,
                subject: message.MessageAttributes?.subject?.StringValue,
              },
            });
          }
          if (Messages.length) {
            await sqs().send(
              new DeleteMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: Messages.map((message, index) => ({
                  Id: String(index),
                  ReceiptHandle: message.ReceiptHandle,
                })),
              }),
            );
          }
          return new Set(bodies.map(({ body }) => (JSON.parse(body) as { id: string }).id)).size >= count;
        },
        { timeoutMs: 120_000, what: `${count} messages on ${queueUrl}` },
      );
      return bodies;
    };
    const queue = async (label: string) =>
      (await sqs().send(new CreateQueueCommand({ QueueName: emulator.uniquePrefix(label) }))).QueueUrl as string;

    beforeEach(async () => {
      test = await openTestDb('audit', auditMigrations);
      targets = {
        digest: { queueUrl: await queue('digest'), types: ['TodoCreated', 'TodoDeleted'], since: null },
      };
      otherQueueUrl = await queue('other');
      const auth = await testAuth();
      admin = await auth.bearer(['admin']);
      reader = await auth.bearer(['audit:read']);
      server = createServer(
        serviceTestApp(manifest, { db: test.db, log, api: auth.settings }, (access) =>
          auditRouters(test.db, access, { targets, onCreated: () => {} }),
        ).callback(),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      server.close();
      await test.drop();
    });

    it('when a replay is requested, then the queue receives the original envelopes of the matching events in time order, once', async () => {
      // Recorded out of time order; a TodoUpdated the digest does not consume; an older one before `since`.
      const events = [
        makeEvent({ type: 'TodoCreated', source: 'todo', subject: '2', data: sampleTodo(2), time: minute(5) }),
        makeEvent({
          type: 'TodoCreated',
          source: 'todo',
          subject: '1',
          data: sampleTodo(1),
          time: minute(3),
          sequence: 1,
          correlationid: 'req-1',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        }),
        makeEvent({ type: 'TodoUpdated', source: 'todo', subject: '1', data: sampleTodo(1), time: minute(4) }),
        makeEvent({ type: 'TodoDeleted', source: 'todo', subject: '1', data: sampleTodo(1), time: minute(6) }),
        makeEvent({ type: 'TodoCreated', source: 'todo', subject: '0', data: sampleTodo(0), time: minute(1) }),
      ] as AnyEvent[];
      await record(events);
      const replayer = startWith({ eventsPerSecond: 5000 });

      try {
        const { status, body } = await post({ service: 'digest', since: minute(2).toISOString() });
        assert.equal(status, 202);
        replayer.wake();
        const received = await drain(targets.digest?.queueUrl as string, 3);
        const job = await waitFor(async () => {
          const current = await readReplayJob(test.db, String(body.id));
          return current?.status === 'done' && current;
        });

        assert.deepEqual(
          received.map(({ body }) => JSON.parse(body)),
          [events[1], events[0], events[3]].map((event) => JSON.parse(JSON.stringify(event))),
          'same ids and envelopes, in order of their time; TodoUpdated and the event before since left out',
        );
        assert.deepEqual(received[0]?.attributes, { type: 'TodoCreated', subject: '1' });
        assert.equal(job.sent, 3);
        assert.equal(job.total, 3);
        assert.equal((await drain(otherQueueUrl, 0)).length, 0, 'no other queue receives anything');
      } finally {
        await replayer.stop();
      }
    });

    it('when a replay is stopped halfway and a new worker starts, then it resumes at its last recorded page and every event arrives', async () => {
      const events = Array.from(
        { length: 300 },
        (_, index) =>
          makeEvent({
            type: 'TodoCreated',
            source: 'todo',
            subject: String(index),
            data: sampleTodo(index),
          }) as AnyEvent,
      );
      await record(events);
      const { body } = await post({ service: 'digest' });
      const pageSize = 20;
      const first = startWith({ pageSize, eventsPerSecond: 200 });
      const halfway = await waitFor(async () => {
        const job = await readReplayJob(test.db, String(body.id));
        return job && job.sent >= 60 && job;
      });
      await first.stop();
      const paused = await readReplayJob(test.db, String(body.id));
      assert.equal(paused?.status, 'running');
      assert.ok((paused?.sent ?? 0) < events.length, `stopped halfway (${halfway.sent} sent)`);

      const second = startWith({ pageSize, eventsPerSecond: 5000 });
      try {
        await waitFor(async () => (await readReplayJob(test.db, String(body.id)))?.status === 'done', {
          timeoutMs: 120_000,
        });
        const ids = (await drain(targets.digest?.queueUrl as string, events.length)).map(
          ({ body }) => (JSON.parse(body) as { id: string }).id,
        );
        assert.deepEqual(new Set(ids), new Set(events.map((event) => event.id)));
        // The page under way at the stop is sent again (the consumer's inbox drops it); nothing else is.
        assert.ok(ids.length - events.length <= pageSize, `${ids.length - events.length} sent twice`);
      } finally {
        await second.stop();
      }
    });

    it('when a row was recorded before envelopes were kept, then its envelope is rebuilt from the columns', async () => {
      const event = makeEvent({
        type: 'TodoCreated',
        source: 'todo',
        subject: '7',
        data: sampleTodo(7),
        time: minute(1),
        sequence: 2,
        correlationid: 'req-7',
      }) as AnyEvent;
      await test.db.query(
        `INSERT INTO audit_log (event_id, type, subject, source, time, correlation_id, sequence, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          event.id,
          event.type,
          event.subject,
          event.source,
          event.time,
          event.correlationid,
          event.sequence,
          JSON.stringify(event.data),
        ],
      );
      const replayer = startWith({ eventsPerSecond: 5000 });
      try {
        await post({ service: 'digest' });
        replayer.wake();
        const [received] = await drain(targets.digest?.queueUrl as string, 1);

        // Those rows kept no dataschema or traceparent: the rebuilt envelope has what the columns hold.
        const {
          dataschema: _schema,
          traceparent: _trace,
          ...expected
        } = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
        assert.deepEqual(JSON.parse(received?.body ?? '{}'), expected);
      } finally {
        await replayer.stop();
      }
    });

    it('when events are recorded while a replay runs, then it stops at the end of the log it started with', async () => {
      const todoCreated = (index: number) =>
        makeEvent({ type: 'TodoCreated', source: 'todo', subject: String(index), data: sampleTodo(index) }) as AnyEvent;
      const history = Array.from({ length: 50 }, (_, index) => todoCreated(index));
      await record(history);
      const { body } = await post({ service: 'digest' });
      const replayer = startWith({ pageSize: 10, eventsPerSecond: 100 });
      try {
        await waitFor(async () => ((await readReplayJob(test.db, String(body.id)))?.sent ?? 0) > 0);
        await record(Array.from({ length: 20 }, (_, index) => todoCreated(100 + index))); // live traffic meanwhile
        const job = await waitFor(async () => {
          const current = await readReplayJob(test.db, String(body.id));
          return current?.status === 'done' && current;
        });

        assert.deepEqual([job.sent, job.total], [history.length, history.length]);
      } finally {
        await replayer.stop();
      }
    });

    it('when the request is not one the event store may serve, then 400 names the reason and nothing is created', async () => {
      const cases: [unknown, RegExp][] = [
        [{ service: 'notification' }, /notification does not ask for backfill.*services that do: digest/],
        [{ service: 'digest', types: ['TodoUpdated'] }, /digest does not consume TodoUpdated/],
        [{ service: 'digest', since: 'yesterday' }, /since must be an ISO 8601 date/],
        [{ service: 'digest', since: '2026-12-02', until: '2026-12-01' }, /since must be before until/],
        [{ service: 'digest', force: true }, /Unexpected field\(s\): force/],
        [{}, /service is required/],
      ];
      for (const [request, message] of cases) {
        const { status, body } = await post(request);
        assert.equal(status, 400, JSON.stringify(request));
        assert.match(String(body.error), message);
      }
      const list = await fetch(`${base}/api/v1/audit/replays`, { headers: admin });
      assert.deepEqual(await list.json(), { items: [] });
      assert.equal(
        (await fetch(`${base}/api/v1/audit/replays/${crypto.randomUUID()}`, { headers: admin })).status,
        404,
      );
    });

    it('when the caller is not an admin, then 401 without a token and 403 with a reader token, and nothing is created', async () => {
      assert.equal((await post({ service: 'digest' }, {} as typeof admin)).status, 401);
      assert.equal((await post({ service: 'digest' }, reader)).status, 403);
      assert.equal((await fetch(`${base}/api/v1/audit/replays`, { headers: reader })).status, 403);

      const list = await fetch(`${base}/api/v1/audit/replays`, { headers: admin });
      assert.deepEqual(await list.json(), { items: [] });
    });

    it('when the event store starts again, then a manifest backfill is requested only the first time', async () => {
      assert.deepEqual(await requestManifestBackfills(test.db, targets), ['digest']);
      assert.deepEqual(await requestManifestBackfills(test.db, targets), []);

      const { items } = (await (await fetch(`${base}/api/v1/audit/replays`, { headers: admin })).json()) as {
        items: unknown[];
      };
      assert.equal(items.length, 1);
    });
  });
});
