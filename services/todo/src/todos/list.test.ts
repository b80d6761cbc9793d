import assert from 'node:assert/strict';
import { testDrivers } from '@taskoverflow/platform/testing';
import { sharedTestApi, type TestApi, wireTodo } from './test-api.ts';

const DAY = 86_400_000;
/** A deadline `days` from now, as a client would send it (UTC, no offset). */
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().replace('Z', '');

for (const testDriver of testDrivers) {
  describe(`todo REST API: list filters (${testDriver})`, () => {
    let api: TestApi;
    before(async () => {
      api = await sharedTestApi(testDriver);
      await api.reset();
      for (const [title, completed, deadline_at] of [
        ['overdue', false, inDays(-3)],
        ['overdue, done', true, inDays(-1)],
        ['in half a day', false, inDays(0.5)],
        ['in two and a half days', true, inDays(2.5)],
        ['in ten days', false, inDays(10)],
        ['no deadline', false, null],
        ['no deadline, done', true, null],
      ] as const) {
        const response = await api.request('POST', '/api/v1/todos', { json: { title, completed, deadline_at } });
        assert.equal(response.status, 201, response.text);
      }
    });

    const titles = async (query: string) => {
      const response = await api.request('GET', `/api/v1/todos${query}`);
      assert.equal(response.status, 200, response.text);
      return wireTodo
        .array()
        .parse(response.json)
        .map((todo) => todo.title);
    };

    const everyTodo = [
      'overdue',
      'overdue, done',
      'in half a day',
      'in two and a half days',
      'in ten days',
      'no deadline',
      'no deadline, done',
    ];
    const cases: [string, string[]][] = [
      ['', everyTodo],
      ['?completed=true', ['overdue, done', 'in two and a half days', 'no deadline, done']],
      ['?completed=false', ['overdue', 'in half a day', 'in ten days', 'no deadline']],
      ['?window=0', ['overdue', 'overdue, done']],
      ['?window=1', ['overdue', 'overdue, done', 'in half a day']],
      ['?window=3', ['overdue', 'overdue, done', 'in half a day', 'in two and a half days']],
      ['?window=003', ['overdue', 'overdue, done', 'in half a day', 'in two and a half days']],
      [
        '?window=99999999999999999999',
        ['overdue', 'overdue, done', 'in half a day', 'in two and a half days', 'in ten days'],
      ],
      ['?window=3&completed=false', ['overdue', 'in half a day']],
      ['?completed=true&window=0', ['overdue, done']],
      ['?unrelated=1', everyTodo],
    ];
    for (const [query, expected] of cases) {
      it(`when GET /todos${query}, then exactly the matching todos in id order`, async () => {
        assert.deepEqual(await titles(query), expected);
      });
    }

    for (const query of [
      'completed=',
      'completed=TRUE',
      'completed=1',
      'completed=yes',
      'completed=true&completed=false',
      'completed',
    ]) {
      it(`when GET /todos?${query}, then 400 "completed must be true or false"`, async () => {
        const response = await api.request('GET', `/api/v1/todos?${query}`);

        assert.equal(response.status, 400);
        assert.deepEqual(response.json, { error: 'completed must be true or false' });
      });
    }

    for (const query of [
      'window=',
      'window=-1',
      'window=1.5',
      'window=abc',
      'window=1e3',
      'window=%201',
      'window=+1',
      'window=0x10',
      'window=1&window=2',
      'window',
    ]) {
      it(`when GET /todos?${query}, then 400 with the window rule`, async () => {
        const response = await api.request('GET', `/api/v1/todos?${query}`);

        assert.equal(response.status, 400);
        assert.deepEqual(response.json, { error: 'window must be a whole number of days (0 or more)' });
      });
    }
  });
}
