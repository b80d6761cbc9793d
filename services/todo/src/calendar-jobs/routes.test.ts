import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { catalog } from '@taskoverflow/events';
import { testDriver } from '@taskoverflow/platform/testing';
import { calendarJobHandlers } from './handlers.ts';
import { BUCKET, type Harness, log, startHarness } from './test-harness.ts';

const uuidPattern = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;

describe(`iCal job API (${testDriver})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  const post = (init: RequestInit = {}) => fetch(`${h.origin}/api/v1/todos/ical`, { method: 'POST', ...init });
  const getJson = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${h.origin}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const createJob = async () => {
    const response = await post();
    assert.equal(response.status, 202);
    return ((await response.json()) as { task_id: string }).task_id;
  };
  const handlers = calendarJobHandlers();
  const event = <D>(data: D) => ({ data }) as never; // handlers read only `data`
  const generated = (jobId: string) => ({ jobId, objectKey: `calendars/${jobId}.ics`, bytes: 10, events: 1 });
  const deliver = <R>(work: (ctx: { tx: Parameters<Parameters<typeof h.db.transaction>[0]>[0] }) => Promise<R>) =>
    h.db.transaction((tx) => work({ tx }));

  describe('POST /todos/ical', () => {
    it('when posted without a body, then 202 with the task id and its absolute status URL', async () => {
      const response = await post({ headers: { 'x-request-id': 'req-42' } });

      assert.equal(response.status, 202);
      const body = (await response.json()) as Record<string, string>;
      assert.deepEqual(Object.keys(body).sort(), ['task_id', 'task_url']);
      assert.match(body.task_id ?? '', uuidPattern);
      assert.equal(body.task_url, `${h.origin}/api/v1/todos/ical/${body.task_id}/status`);
    });

    it('when posted with an empty JSON body, then 202 too', async () => {
      const response = await post({ headers: { 'content-type': 'application/json' }, body: '{}' });

      assert.equal(response.status, 202);
    });

    it('when posted, then the job and a CalendarRequested carrying every todo commit together', async () => {
      await h.seedTodos(5, 2);

      const response = await post({ headers: { 'x-request-id': 'req-7' } });

      const { task_id } = (await response.json()) as { task_id: string };
      const [event, ...others] = await h.outboxEvents('CalendarRequested');
      assert.equal(others.length, 0);
      assert.equal(event?.subject, task_id);
      assert.equal(event?.correlationid, 'req-7');
      const data = catalog.CalendarRequested.schema.parse(event?.data);
      assert.equal(data.jobId, task_id);
      assert.deepEqual(
        data.todos.map((todo) => [todo.id, todo.deadline_at === null]),
        [
          [1, false],
          [2, true],
          [3, false],
          [4, true],
          [5, false],
        ],
      );
      const todos = (await (await fetch(`${h.origin}/api/v1/todos`)).json()) as unknown[];
      assert.deepEqual(data.todos, todos, 'the snapshot is the todos exactly as the API shows them');
    });

    it('when there are no todos, then the snapshot is an empty list', async () => {
      await createJob();

      const [event] = await h.outboxEvents('CalendarRequested');
      assert.deepEqual(event?.data.todos, []);
    });
  });

  describe('GET /todos/ical/:id/status', () => {
    it('when the job is new, then it is PENDING with an absolute result URL', async () => {
      const id = await createJob();

      const { status, body } = await getJson(`/api/v1/todos/ical/${id}/status`);

      assert.equal(status, 200);
      assert.deepEqual(body, {
        task_id: id,
        task_status: 'PENDING',
        result_url: `${h.origin}/api/v1/todos/ical/${id}/result`,
      });
    });

    it('when behind a proxy, then URLs use X-Forwarded-Proto and X-Forwarded-Host', async () => {
      const id = await createJob();

      const { body } = await getJson(`/api/v1/todos/ical/${id}/status`, {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'todo.example.com',
      });

      assert.equal(body.result_url, `https://todo.example.com/api/v1/todos/ical/${id}/result`);
    });

    for (const id of ['0b4e7a8e-8f4e-4a8e-9a6e-4a8e9a6e4a8e', 'not-a-uuid', '123', "x'; DROP TABLE todos; --"]) {
      it(`when the id is ${JSON.stringify(id)} (unknown or malformed), then 404 JSON`, async () => {
        const { status, body } = await getJson(`/api/v1/todos/ical/${encodeURIComponent(id)}/status`);

        assert.equal(status, 404);
        assert.deepEqual(body, { error: 'Task not found' });
      });
    }
  });

  describe('calendar events → job status', () => {
    const status = async (id: string) => (await getJson(`/api/v1/todos/ical/${id}/status`)).body.task_status;

    it('when Started then Generated arrive, then the job goes STARTED then SUCCESS', async () => {
      const id = await createJob();

      await deliver(({ tx }) => handlers.CalendarStarted(event({ jobId: id }), { tx, log, receiveCount: 1 }));
      assert.equal(await status(id), 'STARTED');
      await deliver(({ tx }) => handlers.CalendarGenerated(event(generated(id)), { tx, log, receiveCount: 1 }));
      assert.equal(await status(id), 'SUCCESS');
      assert.equal(
        (await getJson(`/api/v1/todos/ical/${id}/status`)).body.reason,
        undefined,
        'no reason unless FAILURE',
      );
    });

    it('when Started arrives after Generated, then the job stays SUCCESS', async () => {
      const id = await createJob();

      await deliver(({ tx }) => handlers.CalendarGenerated(event(generated(id)), { tx, log, receiveCount: 1 }));
      await deliver(({ tx }) => handlers.CalendarStarted(event({ jobId: id }), { tx, log, receiveCount: 1 }));
      await deliver(({ tx }) =>
        handlers.CalendarFailed(event({ jobId: id, reason: 'late' }), { tx, log, receiveCount: 1 }),
      );

      assert.equal(await status(id), 'SUCCESS');
    });

    it('when Failed arrives, then the job is FAILURE and a later Generated does not revive it', async () => {
      const id = await createJob();

      await deliver(({ tx }) =>
        handlers.CalendarFailed(event({ jobId: id, reason: 'boom' }), { tx, log, receiveCount: 1 }),
      );
      await deliver(({ tx }) => handlers.CalendarGenerated(event(generated(id)), { tx, log, receiveCount: 1 }));

      const { body } = await getJson(`/api/v1/todos/ical/${id}/status`);
      assert.equal(body.task_status, 'FAILURE');
      assert.equal(body.reason, 'boom', 'the status says why');
      const [row] = await h.db.query('SELECT reason, object_key FROM calendar_jobs WHERE id = $1', [id]);
      assert.deepEqual(row, { reason: 'boom', object_key: null });
    });

    it('when an event names an unknown job, then it is acknowledged without effect', async () => {
      const unknown = '0b4e7a8e-8f4e-4a8e-9a6e-4a8e9a6e4a8e';

      await deliver(({ tx }) => handlers.CalendarGenerated(event(generated(unknown)), { tx, log, receiveCount: 1 }));

      assert.deepEqual(await h.db.query('SELECT * FROM calendar_jobs'), []);
    });
  });

  describe('GET /todos/ical/:id/result', () => {
    it('when the job is not finished, then 404 "Task not finished"', async () => {
      const id = await createJob();

      const { status, body } = await getJson(`/api/v1/todos/ical/${id}/result`);

      assert.equal(status, 404);
      assert.deepEqual(body, { error: 'Task not finished' });
    });

    it('when the job failed, then 404 "Task not finished" as well', async () => {
      const failed = await createJob();
      await deliver(({ tx }) =>
        handlers.CalendarFailed(event({ jobId: failed, reason: 'x' }), { tx, log, receiveCount: 1 }),
      );

      const { status, body } = await getJson(`/api/v1/todos/ical/${failed}/result`);

      assert.equal(status, 404);
      assert.deepEqual(body, { error: 'Task not finished' });
    });

    it('when the job is unknown or its id malformed, then 404 "Task not found", as /status says', async () => {
      for (const id of ['0b4e7a8e-8f4e-4a8e-9a6e-4a8e9a6e4a8e', 'junk']) {
        const { status, body } = await getJson(`/api/v1/todos/ical/${id}/result`);
        assert.equal(status, 404);
        assert.deepEqual(body, { error: 'Task not found' });
      }
    });

    it('when the job succeeded, then the stored calendar is streamed as an attachment', async () => {
      const id = await createJob();
      const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Taskoverflow Calendar//mxm.dk//\r\nEND:VCALENDAR\r\n';
      await h.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `calendars/${id}.ics`, Body: ics }));
      await deliver(({ tx }) =>
        handlers.CalendarGenerated(event({ ...generated(id), bytes: ics.length }), { tx, log, receiveCount: 1 }),
      );

      const response = await fetch(`${h.origin}/api/v1/todos/ical/${id}/result`);

      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/calendar; charset=utf-8');
      assert.equal(response.headers.get('content-disposition'), 'attachment; filename="taskoverflow.ics"');
      assert.equal(response.headers.get('content-length'), String(ics.length));
      assert.equal(await response.text(), ics);
    });

    it('when the stored file has gone, then 404 instead of a 500', async () => {
      const id = await createJob();
      await deliver(({ tx }) => handlers.CalendarGenerated(event(generated(id)), { tx, log, receiveCount: 1 }));

      const { status, body } = await getJson(`/api/v1/todos/ical/${id}/result`);

      assert.equal(status, 404);
      assert.deepEqual(body, { error: 'Calendar file no longer available' });
    });
  });
});
