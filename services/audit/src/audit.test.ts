import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AnyEvent, makeEvent } from '@taskoverflow/events';
import { sampleTodo, serviceTestApp, waitFor } from '@taskoverflow/events/testing';
import { createLogger } from '@taskoverflow/platform';
import { type TestAuth, testAuth } from '@taskoverflow/platform/auth/testing';
import { openApiViolations } from '@taskoverflow/platform/http/openapi-contract';
import { openTestDb, type TestDb, testDrivers } from '@taskoverflow/platform/testing';
import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream';
import manifest from '../service.ts';
import { auditRouters } from './app.ts';
import { appendAuditEntries } from './log/append-audit-entry.ts';
import { auditMigrations } from './migrations.ts';

const log = createLogger('audit-test', 'silent');
const todo = sampleTodo;
const created = (id: number) =>
  makeEvent({ type: 'TodoCreated', source: 'todo', subject: String(id), data: todo(id), sequence: 1 }) as AnyEvent;
const deleted = (id: number) =>
  makeEvent({ type: 'TodoDeleted', source: 'todo', subject: String(id), data: todo(id), sequence: 2 }) as AnyEvent;

for (const driver of testDrivers) {
  describe(`audit service (${driver})`, () => {
    let test: TestDb;
    let server: Server;
    let base: string;
    let auth: TestAuth;
    let reader: { authorization: string };
    const record = (...events: AnyEvent[]) =>
      test.db.transaction((tx) => appendAuditEntries.batch(events, { tx, log }));
    const get = async (query: string, headers = reader) => {
      const response = await fetch(`${base}/api/v1/audit${query}`, { headers });
      const body = (await response.json()) as Record<string, unknown>;
      const observed = { status: response.status, headers: Object.fromEntries(response.headers), json: body };
      assert.deepEqual(
        openApiViolations('GET', `/api/v1/audit${query}`, observed),
        [],
        'differs from the OpenAPI document',
      );
      return { status: response.status, body };
    };

    before(async () => {
      test = await openTestDb('audit', auditMigrations, driver);
      auth = await testAuth(); // anonymous callers may use the todo API, never the audit log
      reader = await auth.bearer(['audit:read']);
      server = createServer(
        serviceTestApp(manifest, { db: test.db, log, api: auth.settings }, (access) =>
          auditRouters(test.db, access),
        ).callback(),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.close();
      await test.drop();
    });
    beforeEach(() =>
      test.db.exec(
        'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; DELETE FROM audit_log; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;',
      ),
    );

    it('when there is no token, then 401 JSON with a Bearer challenge, and nothing is shown', async () => {
      await record(created(1));

      const response = await fetch(`${base}/api/v1/audit`);

      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
      assert.deepEqual(await response.json(), { error: 'A bearer token with scope audit:read is required' });
    });

    it('when the token lacks audit:read, then 403 JSON; with admin, then 200', async () => {
      const writer = await get('', await auth.bearer(['todos:read', 'todos:write', 'webhooks:manage']));
      const admin = await get('', await auth.bearer(['admin']));

      assert.deepEqual(writer, { status: 403, body: { error: 'Token lacks scope audit:read' } });
      assert.equal(admin.status, 200);
    });

    it('when the same event is recorded twice, then it appears once', async () => {
      const event = created(1);

      await record(event);
      await record(event);

      const { body } = await get('');
      assert.equal((body.items as unknown[]).length, 1);
    });

    it('when a batch is recorded, then each event appears once in the order given', async () => {
      const recorded = created(2);
      await record(recorded);
      const events = [created(1), recorded, deleted(1)]; // the batch skips the recorded one
      const note = makeEvent({
        type: 'TodoCreated',
        source: 'todo',
        subject: '3',
        data: { ...todo(3), description: 'say "hi", {x}\\ ünïcode' },
        correlationid: 'corr-1',
      }) as AnyEvent;

      await record(...events, note);

      const items = (await get('')).body.items as Array<Record<string, unknown>>;
      assert.deepEqual(
        items.map((item) => [item.type, item.subject]),
        [
          ['TodoCreated', '3'],
          ['TodoDeleted', '1'],
          ['TodoCreated', '1'],
          ['TodoCreated', '2'],
        ],
      );
      assert.deepEqual(
        items[0]?.data,
        note.data,
        'quotes, braces, backslashes and non-ASCII survive the array round trip',
      );
      assert.equal(items[0]?.correlationid, 'corr-1');
      assert.equal(items[1]?.correlationid, null);
      assert.equal(items[1]?.sequence, 2);
    });

    it('when entries exist, then they are listed newest first with the event fields', async () => {
      const first = created(1);
      await record(first);
      await record(deleted(1));

      const { status, body } = await get('');

      assert.equal(status, 200);
      const items = body.items as Array<Record<string, unknown>>;
      assert.deepEqual(
        items.map((item) => item.type),
        ['TodoDeleted', 'TodoCreated'],
      );
      assert.equal(items[0]?.subject, '1');
      assert.equal(items[0]?.source, 'taskoverflow/todo');
      assert.deepEqual(items[1]?.data, todo(1));
      assert.equal(items[1]?.time, first.time, 'the event time as the event wrote it');
      assert.match(String(items[1]?.recorded_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(body.next_cursor, null);
    });

    it('when filtered by subject and type, then only matching entries come back', async () => {
      await record(created(1));
      await record(created(2));
      await record(deleted(2));

      const bySubject = await get('?subject=2');
      const byType = await get('?type=TodoCreated');
      const both = await get('?subject=2&type=TodoCreated');

      assert.equal((bySubject.body.items as unknown[]).length, 2);
      assert.equal((byType.body.items as unknown[]).length, 2);
      assert.equal((both.body.items as unknown[]).length, 1);
    });

    it('when paging with the cursor, then every entry is seen exactly once', async () => {
      for (let id = 1; id <= 12; id++) await record(created(id)); // positions cross a digit boundary

      const seen: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const page = await get(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...(page.body.items as Array<{ subject: string }>).map((item) => item.subject));
        cursor = page.body.next_cursor as string | null;
      }

      assert.deepEqual(
        seen,
        Array.from({ length: 12 }, (_, index) => String(12 - index)),
      );
    });

    it('when the query is invalid, then 400 with a JSON error', async () => {
      for (const query of [
        '?limit=0',
        '?limit=101',
        '?limit=abc',
        '?type=Nope',
        '?cursor=garbage',
        '?subject=a&subject=b',
        '?subject=%00',
      ]) {
        const { status, body } = await get(query);
        assert.equal(status, 400, query);
        assert.equal(typeof body.error, 'string', query);
      }
    });

    describe('the live stream (GET /api/v1/audit/stream)', () => {
      const streams: AbortController[] = [];
      afterEach(() => {
        for (const stream of streams.splice(0)) stream.abort();
      });
      /** Opens the stream and collects its events until the test ends. */
      const open = async (query = '', headers: Record<string, string> = {}) => {
        const controller = new AbortController();
        streams.push(controller);
        const response = await fetch(`${base}/api/v1/audit/stream${query}`, {
          headers: { ...reader, ...headers },
          signal: controller.signal,
        });
        const events: EventSourceMessage[] = [];
        const body = response.body;
        if (response.ok && body) {
          void body
            .pipeThrough(new TextDecoderStream())
            .pipeThrough(new EventSourceParserStream())
            .pipeTo(new WritableStream({ write: (event) => void events.push(event) }))
            .catch(() => {}); // aborted when the test ends
        }
        const subjects = (count: number) =>
          waitFor(() => events.length >= count && events.map((event) => JSON.parse(event.data).subject as string), {
            timeoutMs: 10_000,
            what: `${count} streamed events`,
          });
        return { response, events, subjects };
      };

      it('when entries are recorded while a client listens, then each arrives once, in order, with its position as id', async () => {
        await record(created(1));
        const stream = await open();
        assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);

        await record(created(2));
        await record(deleted(2));

        assert.deepEqual(await stream.subjects(3), ['1', '2', '2']);
        const [first, second, third] = stream.events;
        assert.equal(second?.event, 'audit');
        assert.ok(Number(first?.id) < Number(second?.id) && Number(second?.id) < Number(third?.id));
        assert.equal(JSON.parse(third?.data ?? '{}').type, 'TodoDeleted');
      });

      it('when a client resumes with Last-Event-ID, then it gets only what came after that id', async () => {
        await record(created(1), created(2));
        const first = await open();
        await first.subjects(2);
        const lastId = first.events[0]?.id ?? '';
        await record(created(3));

        const resumed = await open('', { 'last-event-id': lastId });

        assert.deepEqual(await resumed.subjects(2), ['2', '3']);
      });

      it('when a client connects without Last-Event-ID, then it starts with the latest backlog entries', async () => {
        await record(created(1), created(2), created(3));

        const stream = await open('?backlog=2');
        await record(created(4));

        assert.deepEqual(await stream.subjects(3), ['2', '3', '4']);
      });

      it('when an earlier position commits after a later one, then the late entry is still sent', async () => {
        const stream = await open('?backlog=0');
        await record(created(1));
        await stream.subjects(1);
        const [{ position } = { position: '0' }] = await test.db.query<{ position: string }>(
          'SELECT max(position)::text AS position FROM audit_log',
        );
        const late = Number(position) + 1;
        // The next position is taken by a transaction that commits late: 1 ahead is visible first.
        await test.db.query(
          `INSERT INTO audit_log (position, event_id, type, subject, source, time, data)
           OVERRIDING SYSTEM VALUE VALUES ($1, gen_random_uuid(), 'TodoCreated', 'later', 'taskoverflow/todo', now(), '{}')`,
          [late + 1],
        );
        await stream.subjects(2);
        await test.db.query(
          `INSERT INTO audit_log (position, event_id, type, subject, source, time, data)
           OVERRIDING SYSTEM VALUE VALUES ($1, gen_random_uuid(), 'TodoCreated', 'late', 'taskoverflow/todo', now(), '{}')`,
          [late],
        );

        assert.deepEqual(await stream.subjects(3), ['1', 'later', 'late']);
      });

      it('when the caller has no token, then 401 and nothing is streamed', async () => {
        const response = await fetch(`${base}/api/v1/audit/stream`);
        assert.equal(response.status, 401);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
      });

      it('when Last-Event-ID or backlog is not valid, then 400 with a JSON error', async () => {
        for (const [query, headers] of [
          ['', { 'last-event-id': 'abc' }],
          ['?backlog=101', {}],
          ['?backlog=x', {}],
        ] as const) {
          const { response } = await open(query, headers);
          assert.equal(response.status, 400, query);
          assert.equal(typeof ((await response.json()) as { error: unknown }).error, 'string');
        }
      });
    });

    it('when someone tries to change the log, then the database refuses', async () => {
      await record(created(1));

      await assert.rejects(test.db.query('UPDATE audit_log SET subject = $1', ['x']), /append-only/);
    });
  });
}
