// The whole job with the bus taken out: the todo API and its handlers, the calendar
// service's handler and renderer, each with its own database, a fauxqs bucket between
// them, and events carried from one outbox to the other handler by hand.
import assert from 'node:assert/strict';
import { renderRequestedCalendar } from '@taskoverflow/calendar/src/jobs/render-requested-calendar.ts';
import { calendarMigrations } from '@taskoverflow/calendar/src/migrations.ts';
import type { CloudEvent } from '@taskoverflow/events';
import { readOutboxEvents, runHandlers, waitFor } from '@taskoverflow/events/testing';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import { calendarJobHandlers } from '@taskoverflow/todo/src/calendar-jobs/handlers.ts';
import { BUCKET, type Harness, log, startHarness } from '@taskoverflow/todo/src/calendar-jobs/test-harness.ts';
import nodeIcal, { type VEvent } from 'node-ical';

describe(`iCal job lifecycle: API → calendar handler → S3 → todo handlers (${testDriver})`, () => {
  let h: Harness;
  let calendarDb: TestDb;
  before(async () => {
    h = await startHarness();
    calendarDb = await openTestDb('calendar', calendarMigrations);
  });
  after(async () => {
    await calendarDb.drop();
    await h.close();
  });
  beforeEach(async () => {
    await h.reset();
    await calendarDb.db.exec('TRUNCATE outbox, inbox');
  });

  const todoHandlers = calendarJobHandlers();

  /** Runs the calendar service on the request, then hands what it published to the todo service. */
  async function runCalendarService(request: CloudEvent<'CalendarRequested'>, receiveCount = 1, bucket = BUCKET) {
    const render = renderRequestedCalendar({ s3: h.s3, bucket, maxReceiveCount: 5 });
    const [rendered] = await runHandlers(calendarDb.db, { CalendarRequested: render }, [request], {
      service: 'calendar',
      log,
      receiveCount,
    });
    assert.deepEqual(rendered, { kind: 'ack', duplicate: false });
    const published = await readOutboxEvents(calendarDb.db, 'calendar');
    const outcomes = await runHandlers(h.db, todoHandlers, published, { service: 'todo', log });
    assert.ok(
      outcomes.every((outcome) => outcome.kind === 'ack'),
      JSON.stringify(outcomes),
    );
  }

  const statusOf = async (url: string) => ((await (await fetch(url)).json()) as { task_status: string }).task_status;

  it('when a job completes, then status goes PENDING → SUCCESS and the result parses back to the dated todos', async () => {
    await h.seedTodos(50, 5);
    const { task_url } = (await (await fetch(`${h.origin}/api/v1/todos/ical`, { method: 'POST' })).json()) as {
      task_url: string;
    };
    assert.equal(await statusOf(task_url), 'PENDING');

    const [request] = await h.outboxEvents('CalendarRequested');
    assert.ok(request);
    await runCalendarService(request);

    assert.equal(await statusOf(task_url), 'SUCCESS');
    const result = await fetch(task_url.replace(/status$/, 'result'));
    assert.equal(result.status, 200);
    const parsed = nodeIcal.sync.parseICS(await result.text());
    const events = Object.values(parsed).filter((c): c is VEvent => c?.type === 'VEVENT');
    const dated = request.data.todos.filter((todo) => todo.deadline_at !== null);
    assert.equal(dated.length, 40);
    assert.deepEqual(
      events.map((e) => [e.uid, e.summary, e.start.toISOString()]).sort(),
      dated.map((t) => [`todo-${t.id}@taskoverflow`, t.title, `${t.deadline_at}.000Z`]).sort(),
    );
  });

  it('when the calendar is still being stored, then the job already reads STARTED, and SUCCESS once stored', async () => {
    await h.seedTodos(5, 5);
    const { task_url } = (await (await fetch(`${h.origin}/api/v1/todos/ical`, { method: 'POST' })).json()) as {
      task_url: string;
    };
    const [request] = await h.outboxEvents('CalendarRequested');
    assert.ok(request);
    const held = Promise.withResolvers<void>();
    let uploading = false;
    h.s3.middlewareStack.add(
      (next) => async (args) => {
        uploading = true;
        await held.promise;
        return next(args);
      },
      { step: 'initialize', name: 'holdUpload' },
    );
    const deliver = async (events: readonly CloudEvent[]) => {
      const outcomes = await runHandlers(h.db, todoHandlers, events, { service: 'todo', log });
      assert.ok(
        outcomes.every((outcome) => outcome.kind === 'ack'),
        JSON.stringify(outcomes),
      );
    };

    try {
      const render = renderRequestedCalendar({ s3: h.s3, bucket: BUCKET, maxReceiveCount: 5 });
      const rendering = runHandlers(calendarDb.db, { CalendarRequested: render }, [request], {
        service: 'calendar',
        log,
      });
      await waitFor(() => uploading, { what: 'the upload to start' });
      const publishedSoFar = await readOutboxEvents(calendarDb.db, 'calendar');
      await deliver(publishedSoFar);
      const whileStoring = await statusOf(task_url);
      held.resolve();
      assert.deepEqual(await rendering, [{ kind: 'ack', duplicate: false }]);
      await deliver(await readOutboxEvents(calendarDb.db, 'calendar'));

      assert.deepEqual(
        publishedSoFar.map((event) => event.type),
        ['CalendarStarted'],
      );
      assert.equal(whileStoring, 'STARTED');
      assert.equal(await statusOf(task_url), 'SUCCESS');
    } finally {
      held.resolve();
      h.s3.middlewareStack.remove('holdUpload');
    }
  });

  it('when the calendar cannot be stored on the last attempt, then the job is FAILURE and has no result', async () => {
    await h.seedTodos(3);
    const { task_id } = (await (await fetch(`${h.origin}/api/v1/todos/ical`, { method: 'POST' })).json()) as {
      task_id: string;
    };
    const [request] = await h.outboxEvents('CalendarRequested');
    assert.ok(request);

    await runCalendarService(request, 5, 'bucket-that-does-not-exist');

    assert.equal(await statusOf(`${h.origin}/api/v1/todos/ical/${task_id}/status`), 'FAILURE');
    const result = await fetch(`${h.origin}/api/v1/todos/ical/${task_id}/result`);
    assert.equal(result.status, 404);
    assert.deepEqual(await result.json(), { error: 'Task not finished' });
  });
});
