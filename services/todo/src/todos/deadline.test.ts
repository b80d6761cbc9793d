import assert from 'node:assert/strict';
import { testDrivers } from '@taskoverflow/platform/testing';
import { parseDeadline } from './deadline.ts';
import { sharedTestApi, type TestApi, wireTodo } from './test-api.ts';

// [sent, stored as UTC and written back]
const accepted: [string, string][] = [
  ['2023-02-27T00:00:00', '2023-02-27T00:00:00'],
  ['2023-02-27T00:00:00Z', '2023-02-27T00:00:00'],
  ['2023-02-27t00:00:00z', '2023-02-27T00:00:00'],
  ['2023-04-04 14:00:00.000', '2023-04-04T14:00:00'],
  ['2023-04-04 14:00:00.5', '2023-04-04T14:00:00.500000'],
  ['2023-04-04T14:00:00.123456', '2023-04-04T14:00:00.123456'],
  ['2023-04-04T14:00:00.1234569', '2023-04-04T14:00:00.123456'], // beyond microseconds is cut, as PostgreSQL keeps 6 digits
  ['2023-04-04T14:00:00,25', '2023-04-04T14:00:00.250000'],
  ['2023-04-04T14:00', '2023-04-04T14:00:00'],
  ['2023-02-27T23:30:00-05:00', '2023-02-28T04:30:00'], // offset crosses midnight forwards
  ['2023-02-28T01:00:00+02:00', '2023-02-27T23:00:00'], // and backwards
  ['2024-03-01T01:00:00+02:00', '2024-02-29T23:00:00'], // back into a leap day
  ['2023-03-01T01:00:00+02:00', '2023-02-28T23:00:00'], // no leap day in 2023
  ['2023-12-31T23:00:00-01:30', '2024-01-01T00:30:00'], // across a year
  ['2023-06-01T12:00:00+0530', '2023-06-01T06:30:00'],
  ['2023-06-01T12:00:00+05', '2023-06-01T07:00:00'],
  ['2023-06-01T12:00:00-00:00', '2023-06-01T12:00:00'],
  ['2024-02-29T12:00:00', '2024-02-29T12:00:00'],
  ['2000-02-29T00:00:00', '2000-02-29T00:00:00'],
  ['0001-01-01T00:00:00', '0001-01-01T00:00:00'],
  ['0004-02-29T00:00:00', '0004-02-29T00:00:00'],
  ['9999-12-31T23:59:59.999999', '9999-12-31T23:59:59.999999'],
];

const rejected = [
  '2023-02-30T00:00:00',
  '2023-02-29T00:00:00',
  '1900-02-29T00:00:00',
  '2023-04-31T00:00:00',
  '2023-13-01T00:00:00',
  '2023-00-10T00:00:00',
  '2023-01-00T00:00:00',
  '2023-01-01T24:00:00',
  '2023-01-01T12:60:00',
  '2023-01-01T12:00:60',
  '2023-01-01T12:00:00+24:00',
  '2023-01-01T12:00:00+01:60',
  '0000-01-01T00:00:00',
  '0001-01-01T00:30:00+01:00', // before year 1 in UTC
  '9999-12-31T23:30:00-01:00', // after year 9999 in UTC
  '2023-02-27',
  '2023-02-27T',
  '2023-2-27T00:00:00',
  '23-02-27T00:00:00',
  '2023-02-27T00:00:00.',
  '2023-02-27T00:00:00 Z',
  '2023-02-27T00:00:00+1',
  ' 2023-02-27T00:00:00',
  '2023-02-27T00:00:00\n',
  '2023-02-27X00:00:00',
  '1677456000',
  '',
  '٢٠٢٣-٠٢-٢٧T00:00:00', // Arabic-Indic digits are digits to \d with /u, not to us
];

describe('parseDeadline', () => {
  for (const [sent, stored] of accepted) {
    it(`when given ${sent}, then it is ${stored} UTC`, () => {
      const timestampLiteral = `${stored.replace('T', ' ')}${stored.length === 19 ? '.000000' : ''}`;

      assert.equal(parseDeadline(sent), timestampLiteral);
    });
  }
  for (const sent of rejected) {
    it(`when given ${JSON.stringify(sent)}, then it is not a date-time`, () => {
      assert.equal(parseDeadline(sent), undefined);
    });
  }
});

for (const testDriver of testDrivers) {
  describe(`todo REST API: deadline_at (${testDriver})`, () => {
    let api: TestApi;
    before(async () => {
      api = await sharedTestApi(testDriver);
      await api.reset();
    });

    for (const [sent, stored] of accepted) {
      it(`when deadline_at is ${sent}, then 201 and it reads back as ${stored}`, async () => {
        const created = await api.request('POST', '/api/v1/todos', { json: { title: 't', deadline_at: sent } });

        assert.equal(created.status, 201, created.text);
        const todo = wireTodo.parse(created.json);
        assert.equal(todo.deadline_at, stored);
        assert.equal(wireTodo.parse((await api.request('GET', `/api/v1/todos/${todo.id}`)).json).deadline_at, stored);
      });
    }

    for (const sent of rejected) {
      it(`when deadline_at is ${JSON.stringify(sent)}, then POST and PUT are 400`, async () => {
        const created = await api.request('POST', '/api/v1/todos', { json: { title: 't', deadline_at: sent } });
        const updated = await api.request('PUT', '/api/v1/todos/1', { json: { deadline_at: sent } });

        for (const response of [created, updated]) {
          assert.equal(response.status, 400);
          assert.deepEqual(response.json, {
            error: 'deadline_at must be an ISO 8601 date-time such as 2023-02-27T00:00:00',
          });
        }
      });
    }

    it('when a deadline is changed with PUT, then the new one is stored in UTC', async () => {
      const created = wireTodo.parse(
        (await api.request('POST', '/api/v1/todos', { json: { title: 't', deadline_at: '2023-01-01T00:00:00' } })).json,
      );

      const updated = await api.request('PUT', `/api/v1/todos/${created.id}`, {
        json: { deadline_at: '2023-02-27T23:30:00-05:00' },
      });

      assert.equal(wireTodo.parse(updated.json).deadline_at, '2023-02-28T04:30:00');
    });
  });
}
