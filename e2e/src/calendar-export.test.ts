import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { makeEvent } from '@taskoverflow/events';
import { waitFor } from '@taskoverflow/events/testing';
import { createLogger } from '@taskoverflow/platform';
import { testDriver } from '@taskoverflow/platform/testing';
import nodeIcal from 'node-ical';
import { type EmbeddedStack, startEmbeddedStack } from './embedded-stack.ts';

const log = createLogger('calendar-e2e', process.env.TEST_LOG_LEVEL ?? 'silent');

describe(`calendar export end to end: todo API → SNS/SQS (fauxqs) → calendar → S3 → todo (${testDriver})`, function () {
  // Each test takes well under 2 s; the margin is for a machine shared with other test runs.
  this.timeout(40_000);
  let stack: EmbeddedStack;
  before(async () => {
    stack = await startEmbeddedStack(log);
  });
  after(() => stack.close());

  const json = async <T>(url: string, init?: RequestInit) => (await (await fetch(url, init)).json()) as T;

  async function exportCalendar() {
    const { task_url } = await json<{ task_url: string }>(`${stack.origin}/api/v1/todos/ical`, { method: 'POST' });
    const done = await waitFor(
      async () => {
        const { task_status } = await json<{ task_status: string }>(task_url);
        return task_status === 'SUCCESS' || task_status === 'FAILURE' ? task_status : undefined;
      },
      { timeoutMs: 30_000, what: 'the calendar job to finish' },
    );
    return { done, resultUrl: task_url.replace(/status$/, 'result') };
  }

  it('when a few todos are exported, then the job succeeds and the download has their VEVENTs', async () => {
    for (const [title, deadline_at] of [
      ['Pay rent, today; really', '2026-07-01T09:00:00'],
      ['Undated', null],
      ['東京 🎌', '2026-07-02T18:30:00'],
    ]) {
      const created = await fetch(`${stack.origin}/api/v1/todos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title, deadline_at }),
      });
      assert.equal(created.status, 201);
    }

    const { done, resultUrl } = await exportCalendar();

    assert.equal(done, 'SUCCESS');
    const result = await fetch(resultUrl);
    assert.equal(result.status, 200);
    const events = Object.values(nodeIcal.sync.parseICS(await result.text())).filter((c) => c?.type === 'VEVENT');
    assert.deepEqual(events.map((event) => event.summary).sort(), ['Pay rent, today; really', '東京 🎌']);
  });

  it('when 5,000 todos are exported, then the request goes through the claim check and the job succeeds', async () => {
    await stack.todoDb.query(
      `INSERT INTO todos (title, description, deadline_at)
       SELECT 'Bulk todo ' || i, repeat('x', 100), timestamp '2026-08-01' + make_interval(mins => i)
       FROM generate_series(1, 5000) AS i`,
    );

    const { done, resultUrl } = await exportCalendar();

    assert.equal(done, 'SUCCESS');
    const text = await (await fetch(resultUrl)).text();
    assert.equal(text.split('BEGIN:VEVENT').length - 1, 5_002); // and the two dated todos from before
  });

  describe('the calendar queue, fed directly', () => {
    const queue = () => {
      const applied = stack.queues.calendar;
      assert.ok(applied);
      return applied;
    };
    const send = (body: unknown) =>
      stack.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue().queueUrl,
          MessageBody: JSON.stringify(body),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'CalendarRequested' } },
        }),
      );
    const drained = async (queueUrl: string) => {
      const { Attributes: a = {} } = await stack.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
      );
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0;
    };

    it('when the same request is delivered twice, then the calendar is reported once', async () => {
      const jobId = randomUUID();
      const todos = [
        { id: 1, title: 'Twice', description: null, completed: false, deadline_at: '2026-09-01T08:00:00' },
      ].map((todo) => ({ ...todo, created_at: '2026-01-01T00:00:00', updated_at: '2026-01-01T00:00:00' }));
      const request = makeEvent({ type: 'CalendarRequested', source: 'todo', subject: jobId, data: { jobId, todos } });

      // The relay deletes what it published, so the reports are counted where they arrive: todo's inbox.
      const generatedAtTodo = async () =>
        (
          await stack.todoDb.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM inbox WHERE event_type = 'CalendarGenerated'",
          )
        )[0]?.n ?? 0;
      const before = await generatedAtTodo();

      await send(request);
      await send(request);

      const todoQueue = stack.queues.todo?.queueUrl ?? '';
      const published = async () => (await stack.calendarDb.query('SELECT 1 FROM outbox')).length === 0;
      // Handled, every report published (SNS delivers before the relay deletes), and todo has consumed them all.
      await waitFor(async () => (await drained(queue().queueUrl)) && (await published()) && drained(todoQueue), {
        what: 'both deliveries handled and their reports consumed by todo',
      });
      assert.equal((await generatedAtTodo()) - before, 1);
    });

    it('when a request does not match its schema, then it goes to the dead-letter queue untried', async () => {
      const poison = {
        ...makeEvent({ type: 'CalendarStarted', source: 'todo', subject: 'x', data: { jobId: randomUUID() } }),
      };
      const body = { ...poison, type: 'CalendarRequested', data: { jobId: 'not-a-uuid', todos: 'none' } };

      await send(body);

      const dead = await waitFor(
        async () => {
          const { Messages } = await stack.sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queue().dlqUrl, WaitTimeSeconds: 1, VisibilityTimeout: 30 }),
          );
          return Messages?.find((message) => message.Body?.includes(poison.id));
        },
        { what: 'the poisoned request in the DLQ' },
      );
      assert.ok(dead);
      assert.deepEqual(await stack.calendarDb.query('SELECT 1 FROM inbox WHERE event_id = $1', [poison.id]), []);
    });
  });
});
