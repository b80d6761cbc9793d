// Producer contract: every statement the todo service writes events with, run for real, and
// each outbox row checked against the catalog the way a consumer will parse it.
import assert from 'node:assert/strict';
import { readOutboxEvents } from '@taskoverflow/events/testing';
import { testDrivers } from '@taskoverflow/platform/testing';
import manifest from '../service.ts';
import { sharedTestApi, type TestApi } from './todos/test-api.ts';

const goodTrace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

for (const testDriver of testDrivers) {
  describe(`todo producer contract: outbox rows match the catalog (${testDriver})`, () => {
    let api: TestApi;
    before(async () => {
      api = await sharedTestApi(testDriver);
    });
    beforeEach(async () => {
      await api.reset();
      await api.db.exec('TRUNCATE calendar_jobs');
    });

    it('when every write and an iCal request run, then each row parses as its published event type', async () => {
      const created = await api.request('POST', '/api/v1/todos', {
        json: { title: 'a', deadline_at: '2026-12-01T17:00:00+01:00' },
        headers: { traceparent: goodTrace },
      });
      const id = (created.json as { id: number }).id;
      await api.request('PUT', `/api/v1/todos/${id}`, { json: { completed: true } });
      await api.request('POST', '/api/v1/todos/ical');
      await api.request('DELETE', `/api/v1/todos/${id}`);

      const events = await readOutboxEvents(api.db, 'todo');

      assert.deepEqual(
        events.map((event) => [event.type, event.sequence]),
        [
          ['TodoCreated', 1],
          ['TodoUpdated', 2],
          ['CalendarRequested', undefined],
          ['TodoDeleted', 3],
        ],
      );
      assert.deepEqual([...new Set(events.map((event) => event.type))].sort(), [...manifest.publishes].sort());
      assert.equal(events[0]?.traceparent, goodTrace);
    });

    for (const traceparent of [
      'not-a-traceparent',
      `ff${goodTrace.slice(2)}`,
      `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
    ]) {
      it(`when a request carries traceparent "${traceparent}", then it succeeds and its event is publishable without it`, async () => {
        const todo = await api.request('POST', '/api/v1/todos', { json: { title: 'x' }, headers: { traceparent } });
        const job = await api.request('POST', '/api/v1/todos/ical', { headers: { traceparent } });

        assert.equal(todo.status, 201);
        assert.equal(job.status, 202);
        const events = await readOutboxEvents(api.db, 'todo');
        assert.deepEqual(
          events.map((event) => [event.type, event.traceparent]),
          [
            ['TodoCreated', undefined],
            ['CalendarRequested', undefined],
          ],
        );
      });
    }

    it('when a malformed traceparent reaches the table anyway, then the write fails instead of the relay', async () => {
      await assert.rejects(
        api.db.query(`INSERT INTO outbox (type, subject, data, traceparent) VALUES ('TodoDeleted', '1', '{}', 'bad')`),
        /outbox_traceparent_w3c/,
      );
    });
  });
}
