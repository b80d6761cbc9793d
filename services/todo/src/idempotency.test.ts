import assert from 'node:assert/strict';
import { testDrivers } from '@taskoverflow/platform/testing';
import { outboxRows, sharedTestApi, type TestApi } from './todos/test-api.ts';

for (const testDriver of testDrivers) {
  describe(`todo API: Idempotency-Key on POST /todos and POST /todos/ical (${testDriver})`, () => {
    let api: TestApi;
    before(async () => {
      api = await sharedTestApi(testDriver);
    });
    beforeEach(() => api.reset());

    const postTodo = (key: string | undefined, body: unknown = { title: 'Pay rent' }, headers = {}) =>
      api.request('POST', '/api/v1/todos', {
        json: body,
        headers: { ...headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      });
    const count = async (table: string) =>
      Number((await api.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n);

    it('when a create is retried with the same key, then the first response comes back and nothing more is created', async () => {
      const first = await postTodo('retry-1');

      const second = await postTodo('retry-1');

      assert.equal(first.status, 201);
      assert.deepEqual([second.status, second.text], [201, first.text]);
      assert.equal(second.headers['idempotent-replayed'], 'true');
      assert.equal(first.headers['idempotent-replayed'], undefined);
      assert.equal(await count('todos'), 1);
      assert.equal((await outboxRows(api.db)).length, 1, 'one TodoCreated');
    });

    it('when the todo changed since, then the replay is still the first response', async () => {
      const first = await postTodo('retry-2');
      await api.request('PUT', '/api/v1/todos/1', { json: { completed: true } });

      const replay = await postTodo('retry-2');

      assert.equal(replay.text, first.text);
    });

    it('when many retries with one key race, then exactly one todo is created and all get its response', async () => {
      const responses = await Promise.all(Array.from({ length: 6 }, () => postTodo('race')));

      assert.equal(await count('todos'), 1);
      assert.deepEqual(new Set(responses.map((response) => `${response.status} ${response.text}`)).size, 1);
    });

    it('when the same key comes with a different body, then 422 JSON and nothing is created', async () => {
      await postTodo('reused', { title: 'first' });

      const response = await postTodo('reused', { title: 'second' });

      assert.equal(response.status, 422);
      assert.deepEqual(response.json, { error: 'Idempotency-Key was already used with a different request' });
      assert.equal(await count('todos'), 1);
    });

    it('when no key is sent, then each POST creates a todo', async () => {
      await postTodo(undefined);
      await postTodo(undefined);

      assert.equal(await count('todos'), 2);
    });

    it('when two callers use the same key, then each gets its own todo', async () => {
      const ann = await api.auth.bearer(['todos:write'], 'ann');

      const anonymous = await postTodo('shared');
      const annResponse = await postTodo('shared', undefined, ann);

      assert.notEqual(annResponse.text, anonymous.text);
      assert.equal(await count('todos'), 2);
    });

    it('when the key is older than 24 hours, then it no longer replays', async () => {
      await postTodo('old');
      await api.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'");

      const response = await postTodo('old');

      assert.equal(response.status, 201);
      assert.equal(response.headers['idempotent-replayed'], undefined);
      assert.equal(await count('todos'), 2);
    });

    it('when the first request was rejected, then the key stays free for a corrected one', async () => {
      const rejected = await postTodo('fix-me', { title: '' });

      const accepted = await postTodo('fix-me', { title: 'fixed' });

      assert.equal(rejected.status, 400);
      assert.equal(accepted.status, 201);
      assert.equal(await count('todos'), 1);
    });

    it('when the key is too long or holds a control character, then 400 JSON and nothing is created', async () => {
      for (const key of ['x'.repeat(256), 'tab\there']) {
        const response = await postTodo(key);

        assert.equal(response.status, 400, key);
        assert.deepEqual(response.json, { error: 'Idempotency-Key must be 1-255 visible ASCII characters' });
      }
      assert.equal(await count('todos'), 0);
    });

    it('when an iCal export is retried with the same key, then the same job comes back and one is requested', async () => {
      const post = () => api.request('POST', '/api/v1/todos/ical', { headers: { 'idempotency-key': 'export-1' } });

      const first = await post();
      const second = await post();

      assert.equal(first.status, 202);
      assert.deepEqual([second.status, second.json], [202, first.json]);
      assert.equal(await count('calendar_jobs'), 1);
      assert.deepEqual(
        (await outboxRows(api.db)).map((row) => row.type),
        ['CalendarRequested'],
      );
    });
  });
}
