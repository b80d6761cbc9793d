import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testDrivers } from '@taskoverflow/platform/testing';
import { outboxRows, sharedTestApi, type TestApi, type WireTodo, wireTodo } from './test-api.ts';

for (const testDriver of testDrivers) {
  describe(`todo REST API: CRUD and outbox (${testDriver})`, () => {
    let api: TestApi;
    before(async () => {
      api = await sharedTestApi(testDriver);
    });
    beforeEach(() => api.reset());

    const create = async (body: Record<string, unknown>): Promise<WireTodo> => {
      const response = await api.request('POST', '/api/v1/todos', { json: body });
      assert.equal(response.status, 201, response.text);
      return wireTodo.parse(response.json);
    };

    it('when /api/v1/openapi.json is asked for, then the checked-in document is served without a token', async () => {
      const response = await api.request('GET', '/api/v1/openapi.json');

      assert.equal(response.status, 200);
      assert.deepEqual(
        response.json,
        JSON.parse(readFileSync(new URL('../../../../docs/generated/openapi.json', import.meta.url), 'utf8')),
      );
    });

    describe('POST /todos', () => {
      it('when only a title is sent, then 201 with defaults and one TodoCreated outbox row', async () => {
        const response = await api.request('POST', '/api/v1/todos', {
          json: { title: 'Buy milk' },
          headers: { 'x-request-id': 'req-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        });

        assert.equal(response.status, 201);
        assert.match(String(response.headers['content-type']), /^application\/json/);
        const todo = wireTodo.parse(response.json);
        assert.deepEqual(
          { ...todo, created_at: undefined, updated_at: undefined },
          {
            id: 1,
            title: 'Buy milk',
            description: null,
            completed: false,
            deadline_at: null,
            created_at: undefined,
            updated_at: undefined,
          },
        );
        assert.equal(todo.updated_at, todo.created_at);
        assert.deepEqual(await outboxRows(api.db), [
          {
            type: 'TodoCreated',
            subject: '1',
            sequence: 1,
            data: todo,
            correlation_id: 'req-1',
            traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          },
        ]);
      });

      it('when every field is sent, then they are stored and returned', async () => {
        const todo = await create({
          title: 'Tax return',
          description: 'Forms A and B',
          completed: true,
          deadline_at: '2023-02-27T00:00:00',
        });

        assert.deepEqual(
          { title: todo.title, description: todo.description, completed: todo.completed, deadline: todo.deadline_at },
          { title: 'Tax return', description: 'Forms A and B', completed: true, deadline: '2023-02-27T00:00:00' },
        );
        const fetched = await api.request('GET', `/api/v1/todos/${todo.id}`);
        assert.deepEqual(fetched.json, todo);
      });

      it('when created_at is returned, then it is the current UTC time', async () => {
        const before = Date.now();
        const todo = await create({ title: 'Now' });
        const created = Date.parse(`${todo.created_at}Z`);

        assert.ok(
          Math.abs(created - before) < 60_000,
          `${todo.created_at} is not close to ${new Date(before).toISOString()}`,
        );
      });

      it('when the traceparent header is malformed, then the todo is created and no traceparent is recorded', async () => {
        const response = await api.request('POST', '/api/v1/todos', {
          json: { title: 'Traced' },
          headers: { traceparent: 'not-a-trace' },
        });

        assert.equal(response.status, 201);
        const [row] = await outboxRows(api.db);
        assert.equal(row?.traceparent, null);
        assert.ok(row?.correlation_id, 'a request id is always recorded');
      });
    });

    describe('GET /todos and /todos/:id', () => {
      it('when there are no todos, then GET /todos is an empty array', async () => {
        const response = await api.request('GET', '/api/v1/todos');

        assert.equal(response.status, 200);
        assert.equal(response.text, '[]');
      });

      it('when todos exist and one changes, then the list stays ordered by id', async () => {
        const first = await create({ title: 'first' });
        await create({ title: 'second' });
        await create({ title: 'third' });
        await api.request('PUT', `/api/v1/todos/${first.id}`, { json: { title: 'first, renamed' } });

        const response = await api.request('GET', '/api/v1/todos');

        assert.equal(response.status, 200);
        const list = wireTodo.array().parse(response.json);
        assert.deepEqual(
          list.map((todo) => [todo.id, todo.title]),
          [
            [1, 'first, renamed'],
            [2, 'second'],
            [3, 'third'],
          ],
        );
      });

      it('when the id exists, then GET returns that todo', async () => {
        await create({ title: 'one' });
        const two = await create({ title: 'two' });

        const response = await api.request('GET', `/api/v1/todos/${two.id}`);

        assert.equal(response.status, 200);
        assert.deepEqual(response.json, two);
      });

      for (const id of ['42', 'abc', '0', '-1', '99999999999', '1.5', '1e3', '%20', '0x1']) {
        it(`when the id is ${id} (no such todo), then GET is 404 with a JSON error`, async () => {
          await create({ title: 'only one' });

          const response = await api.request('GET', `/api/v1/todos/${id}`);

          assert.equal(response.status, 404);
          assert.deepEqual(response.json, { error: 'Todo not found' });
        });
      }

      it('when the id has leading zeros, then it names the same todo', async () => {
        const todo = await create({ title: 'padded' });

        const response = await api.request('GET', `/api/v1/todos/000${todo.id}`);

        assert.deepEqual(response.json, todo);
      });
    });

    describe('PUT /todos/:id', () => {
      it('when some fields are sent, then only they change, updated_at moves and a TodoUpdated row is written', async () => {
        const todo = await create({ title: 'Draft', description: 'keep me', deadline_at: '2023-02-27T10:00:00' });
        // Age the row so the new updated_at is measurably later whatever the clock resolution.
        await api.db.exec(
          `UPDATE todos SET created_at = created_at - interval '1 hour', updated_at = updated_at - interval '1 hour'`,
        );
        const aged = wireTodo.parse((await api.request('GET', `/api/v1/todos/${todo.id}`)).json);

        const response = await api.request('PUT', `/api/v1/todos/${todo.id}`, {
          json: { title: 'Final', completed: true },
        });

        assert.equal(response.status, 200);
        const updated = wireTodo.parse(response.json);
        assert.deepEqual(
          { ...updated, updated_at: undefined },
          { ...aged, title: 'Final', completed: true, updated_at: undefined },
        );
        assert.ok(updated.updated_at > aged.updated_at, `${updated.updated_at} should be after ${aged.updated_at}`);
        const rows = await outboxRows(api.db);
        assert.deepEqual(
          rows.map((row) => [row.type, row.subject, row.sequence]),
          [
            ['TodoCreated', '1', 1],
            ['TodoUpdated', '1', 2],
          ],
        );
        assert.deepEqual(rows[1]?.data, updated);
      });

      it('when description and deadline_at are set to null, then they are cleared', async () => {
        const todo = await create({ title: 'Clear', description: 'x', deadline_at: '2023-02-27T10:00:00' });

        const response = await api.request('PUT', `/api/v1/todos/${todo.id}`, {
          json: { description: null, deadline_at: null },
        });

        const updated = wireTodo.parse(response.json);
        assert.equal(updated.description, null);
        assert.equal(updated.deadline_at, null);
        assert.equal(updated.title, 'Clear');
      });

      it('when the body is an empty object, then nothing but updated_at changes and the sequence still moves', async () => {
        const todo = await create({ title: 'Same' });

        const response = await api.request('PUT', `/api/v1/todos/${todo.id}`, { json: {} });

        assert.equal(response.status, 200);
        assert.deepEqual({ ...wireTodo.parse(response.json), updated_at: '' }, { ...todo, updated_at: '' });
        assert.deepEqual(
          (await outboxRows(api.db)).map((row) => row.sequence),
          [1, 2],
        );
      });

      it('when the id is unknown, then 404 and no outbox row', async () => {
        const response = await api.request('PUT', '/api/v1/todos/7', { json: { title: 'ghost' } });

        assert.equal(response.status, 404);
        assert.deepEqual(response.json, { error: 'Todo not found' });
        assert.deepEqual(await outboxRows(api.db), []);
      });

      for (const id of ['abc', '0', '-1', '99999999999']) {
        it(`when the id is ${id}, then 404`, async () => {
          const response = await api.request('PUT', `/api/v1/todos/${id}`, { json: { title: 'ghost' } });

          assert.equal(response.status, 404);
          assert.deepEqual(response.json, { error: 'Todo not found' });
        });
      }

      it('when a disallowed key is sent for an unknown id, then 400 (the body is checked first)', async () => {
        const response = await api.request('PUT', '/api/v1/todos/999', { json: { id: 5 } });

        assert.equal(response.status, 400);
        assert.deepEqual(response.json, { error: 'Unexpected field(s): id' });
      });

      for (const key of ['id', 'created_at', 'updated_at', 'version', 'Title']) {
        it(`when the key ${key} is sent for an existing todo, then 400 and nothing changes`, async () => {
          const todo = await create({ title: 'Locked' });

          const response = await api.request('PUT', `/api/v1/todos/${todo.id}`, {
            json: { title: 'changed', [key]: 1 },
          });

          assert.equal(response.status, 400);
          assert.deepEqual(response.json, { error: `Unexpected field(s): ${key}` });
          assert.deepEqual((await api.request('GET', `/api/v1/todos/${todo.id}`)).json, todo);
          assert.equal((await outboxRows(api.db)).length, 1);
        });
      }

      it('when a todo is updated twice, then the sequence counts every version', async () => {
        const todo = await create({ title: 'v1' });
        await api.request('PUT', `/api/v1/todos/${todo.id}`, { json: { title: 'v2' } });
        await api.request('PUT', `/api/v1/todos/${todo.id}`, { json: { title: 'v3' } });

        const rows = await outboxRows(api.db);

        assert.deepEqual(
          rows.map((row) => [row.type, row.sequence, (row.data as WireTodo).title]),
          [
            ['TodoCreated', 1, 'v1'],
            ['TodoUpdated', 2, 'v2'],
            ['TodoUpdated', 3, 'v3'],
          ],
        );
      });
    });

    describe('DELETE /todos/:id', () => {
      it('when the todo exists, then 200 with its last state, it is gone, and a TodoDeleted row is written', async () => {
        const todo = await create({ title: 'Bye' });
        await api.request('PUT', `/api/v1/todos/${todo.id}`, { json: { completed: true } });
        const last = (await api.request('GET', `/api/v1/todos/${todo.id}`)).json;

        const response = await api.request('DELETE', `/api/v1/todos/${todo.id}`);

        assert.equal(response.status, 200);
        assert.deepEqual(response.json, last);
        assert.equal((await api.request('GET', `/api/v1/todos/${todo.id}`)).status, 404);
        const rows = await outboxRows(api.db);
        assert.deepEqual(
          rows.map((row) => [row.type, row.subject, row.sequence]),
          [
            ['TodoCreated', '1', 1],
            ['TodoUpdated', '1', 2],
            ['TodoDeleted', '1', 3],
          ],
        );
        assert.deepEqual(rows[2]?.data, last);
      });

      for (const id of ['1', 'abc', '0', '-1', '99999999999']) {
        it(`when the id ${id} does not exist, then 200 {} and no outbox row`, async () => {
          const response = await api.request('DELETE', `/api/v1/todos/${id}`);

          assert.equal(response.status, 200);
          assert.equal(response.text, '{}');
          assert.deepEqual(await outboxRows(api.db), []);
        });
      }

      it('when the same todo is deleted twice, then the second answer is {}', async () => {
        const todo = await create({ title: 'Twice' });
        await api.request('DELETE', `/api/v1/todos/${todo.id}`);

        const second = await api.request('DELETE', `/api/v1/todos/${todo.id}`);

        assert.deepEqual(second.json, {});
        assert.equal((await outboxRows(api.db)).length, 2);
      });
    });

    describe('methods', () => {
      it('when HEAD /todos is sent, then 200 with the GET headers and no body', async () => {
        await create({ title: 'head' });
        const get = await api.request('GET', '/api/v1/todos');

        const head = await api.request('HEAD', '/api/v1/todos');

        assert.equal(head.status, 200);
        assert.equal(head.text, '');
        assert.equal(head.headers['content-length'], get.headers['content-length']);
        assert.match(String(head.headers['content-type']), /^application\/json/);
      });

      it('when HEAD /todos/:id names no todo, then 404 without a body', async () => {
        const head = await api.request('HEAD', '/api/v1/todos/1');

        assert.equal(head.status, 404);
        assert.equal(head.text, '');
      });

      it('when OPTIONS is sent, then 200 and Allow lists the methods of that path', async () => {
        const list = await api.request('OPTIONS', '/api/v1/todos');
        const item = await api.request('OPTIONS', '/api/v1/todos/1');

        assert.equal(list.status, 200);
        assert.deepEqual(String(list.headers.allow).split(', ').sort(), ['GET', 'HEAD', 'POST']);
        assert.equal(item.status, 200);
        assert.deepEqual(String(item.headers.allow).split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'PUT']);
      });

      for (const [method, path] of [
        ['PATCH', '/api/v1/todos/1'],
        ['POST', '/api/v1/todos/1'],
        ['DELETE', '/api/v1/todos'],
        ['PUT', '/api/v1/todos'],
        ['POST', '/api/v1/health'],
        ['PROPFIND', '/api/v1/todos'],
      ] as const) {
        it(`when ${method} ${path} is sent, then 405 with a JSON error and an Allow header`, async () => {
          const response = await api.request(method, path, { json: { title: 'x' } });

          assert.equal(response.status, 405);
          assert.deepEqual(response.json, { error: 'Method Not Allowed' });
          assert.ok(response.headers.allow, 'Allow header');
        });
      }

      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        it(`when ${method} /api/v1/todos/ical is sent, then 405 with Allow: POST, not "Todo not found"`, async () => {
          const response = await api.request(method, '/api/v1/todos/ical', { json: { title: 'x' } });

          assert.equal(response.status, 405);
          assert.deepEqual(response.json, { error: 'Method Not Allowed' });
          assert.equal(response.headers.allow, 'POST');
        });
      }

      for (const [method, path] of [
        ['GET', '/api/v1/nope'],
        ['GET', '/api/v1/todos/1/extra'],
        ['GET', '/todos'],
        ['GET', '/'],
        ['POST', '/api/v2/todos'],
        ['PROPFIND', '/api/v1/nope'],
      ] as const) {
        it(`when ${method} ${path} is sent, then 404 with a JSON error`, async () => {
          const response = await api.request(method, path);

          assert.equal(response.status, 404);
          assert.deepEqual(response.json, { error: 'Not found' });
        });
      }
    });
  });
}
