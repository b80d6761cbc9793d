// Property-based robustness test: whatever a client sends, the API answers with a 4xx
// `{"error": string}` or a 2xx carrying valid todos — never a 5xx — and writes exactly one
// outbox row per successful write.
import assert from 'node:assert/strict';
import { testDrivers } from '@taskoverflow/platform/testing';
import fc from 'fast-check';
import { type ApiResponse, outboxRows, sharedTestApi, type TestApi, wireTodo } from './test-api.ts';

const RUNS = 120;

const idSegment = fc.oneof(
  fc.integer({ min: -2, max: 12 }).map(String),
  fc.constantFrom('abc', '0', '-1', '99999999999', '2147483648', '1.0', '%31', '%zz', ''),
);

/** Strings a client might plausibly send, weighted towards the rules' edges. */
const text = fc.oneof(
  fc.string({ maxLength: 90 }),
  fc.string({ unit: 'grapheme', maxLength: 130 }),
  fc.string({ unit: 'binary', maxLength: 130 }),
  // characters that storage and length rules trip over: NUL, lone surrogates, astral, zero-width, RTL
  fc.string({
    unit: fc.constantFrom('a', ' ', '\u0000', '\ud800', '\udfff', '😀', '\u200b', '\u202e', 'é', '\n'),
    maxLength: 100,
  }),
  fc.constantFrom('', ' ', 'a'.repeat(80), 'a'.repeat(81), '😀'.repeat(80), '😀'.repeat(81), 'x'.repeat(121)),
);

const deadline = fc.oneof(
  fc
    .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc
    .tuple(
      fc.integer({ min: 0, max: 10000 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.constantFrom('', 'Z', '+05:30', '-12:00', '+24:00', '.123456789', ' '),
    )
    .map(
      ([year, month, day, hour, suffix]) =>
        `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00${suffix}`,
    ),
  text,
);

/** Objects shaped like a todo: mostly well-typed, so the text and date rules are reached, sometimes not. */
const usually = <T, U>(likely: fc.Arbitrary<T>, unlikely: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: likely, weight: 4 }, { arbitrary: unlikely, weight: 1 });
const extraKey = fc.tuple(
  fc.constantFrom('id', 'created_at', 'updated_at', 'version', '__proto__', 'constructor', 'Title'),
  fc.jsonValue(),
);
const nearValidTodo = fc
  .record(
    {
      title: usually(text, fc.jsonValue()),
      description: usually(fc.oneof(text, fc.constant(null)), fc.jsonValue()),
      completed: usually(fc.boolean(), fc.jsonValue()),
      deadline_at: usually(fc.oneof(deadline, fc.constant(null)), fc.jsonValue()),
    },
    { requiredKeys: [] },
  )
  .chain((todo) =>
    usually(fc.constant(undefined), extraKey).map((extra) => (extra ? { ...todo, [extra[0]]: extra[1] } : todo)),
  );

const jsonBody = fc.oneof(nearValidTodo, fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()));

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'APPLICATION/JSON',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/merge-patch+json',
    '',
  ),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
);

const urlChars = [..."abcz019-._~%/?&=+;:@!$'()*,[]#"];
const urlText = fc.string({ unit: fc.constantFrom(...urlChars), maxLength: 30 });
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('completed', 'window', 'x', ''),
        fc.oneof(fc.constantFrom('true', 'false', '0', '7', '-1', '1.5', '99999999999999999999'), urlText),
      ),
      { maxLength: 3 },
    )
    .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`),
  urlText.map((raw) => `?${raw}`),
);
const path = fc.oneof(
  fc.tuple(idSegment, query).map(([id, q]) => `/api/v1/todos/${id}${q}`),
  query.map((q) => `/api/v1/todos${q}`),
  fc
    .tuple(fc.constantFrom('/api/v1/todos/', '/api/v1/', '/', '/api/v1/health', '/api/v1/todos/1/'), urlText)
    .map(([prefix, rest]) => `${prefix}${rest}`),
);

interface Write {
  method: string;
  response: ApiResponse;
}

for (const testDriver of testDrivers) {
  describe(`todo REST API: properties (${testDriver})`, () => {
    let api: TestApi;
    const writes: Write[] = [];
    before(async () => {
      api = await sharedTestApi(testDriver);
      await api.reset();
      for (const title of ['one', 'two', 'three']) await api.request('POST', '/api/v1/todos', { json: { title } });
    });

    /** The invariants every response keeps, whatever was asked. */
    function checkResponse(method: string, url: string, response: ApiResponse): void {
      const context = `${method} ${url} → ${response.status} ${response.text.slice(0, 300)}`;
      assert.ok(response.status < 500, context);
      if (method === 'HEAD' || (method === 'OPTIONS' && response.status === 200)) {
        assert.equal(response.text, '', context); // OPTIONS answers with its Allow header only
        return;
      }
      assert.match(String(response.headers['content-type']), /^application\/json/, context);
      if (response.status >= 400) {
        assert.ok(response.json && typeof response.json === 'object', context);
        assert.deepEqual(Object.keys(response.json), ['error'], context);
        assert.equal(typeof (response.json as { error: unknown }).error, 'string', context);
        return;
      }
      assert.ok(response.status === 200 || response.status === 201, context);
      const bare = url.split(/[?#]/)[0] ?? ''; // the server ignores a fragment
      if (method === 'GET' && /^\/api\/v1\/todos\/?$/.test(bare)) {
        assert.doesNotThrow(() => wireTodo.array().parse(response.json), context);
      } else if (method === 'GET' && /^\/api\/v1\/health\/?$/.test(bare)) {
        assert.deepEqual(response.json, { status: 'ok' }, context);
      } else if (method === 'DELETE' && response.text === '{}') {
        // an unknown id
      } else {
        assert.doesNotThrow(() => wireTodo.parse(response.json), context);
      }
    }

    async function send(method: string, url: string, options: Parameters<TestApi['request']>[2]) {
      const response = await api.request(method, url, options);
      checkResponse(method, url, response);
      if (['POST', 'PUT', 'DELETE'].includes(method) && response.status < 300) writes.push({ method, response });
      return response;
    }

    it('when random JSON bodies are posted or put, then 201/200 with a todo that reflects them, or a 4xx JSON error', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('POST', 'PUT'), idSegment, jsonBody, async (method, id, body) => {
          const url = method === 'POST' ? '/api/v1/todos' : `/api/v1/todos/${id}`;
          const response = await send(method, url, { json: body });
          if (response.status < 300) {
            const todo = wireTodo.parse(response.json);
            const sent = body as Record<string, unknown>;
            if ('title' in sent) assert.equal(todo.title, sent.title);
            if ('completed' in sent) assert.equal(todo.completed, sent.completed);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it('when random bytes arrive under random content types, then never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('POST', 'PUT'),
          idSegment,
          contentType,
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
            fc.string({ unit: 'binary', maxLength: 200 }),
            jsonBody.map((body) => JSON.stringify(body)),
          ),
          async (method, id, type, raw) => {
            const headers: Record<string, string> = type ? { 'content-type': type } : {};
            await send(method, method === 'POST' ? '/api/v1/todos' : `/api/v1/todos/${id}`, { raw, headers });
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('when random methods, paths and query strings are requested, then never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND', 'TRACE'),
          path,
          async (method, url) => {
            await send(method, url, {});
          },
        ),
        { numRuns: RUNS * 2 },
      );
    });

    it('when the properties have run, then every successful write left exactly one outbox row of its type', async () => {
      const created = writes.filter((write) => write.method === 'POST').length + 3; // + the seeded todos
      const updated = writes.filter((write) => write.method === 'PUT').length;
      const deleted = writes.filter((write) => write.method === 'DELETE' && write.response.text !== '{}').length;
      assert.ok(writes.length > 0, 'some writes succeeded');

      const rows = await outboxRows(api.db);

      const count = (type: string) => rows.filter((row) => row.type === type).length;
      assert.deepEqual(
        { created: count('TodoCreated'), updated: count('TodoUpdated'), deleted: count('TodoDeleted') },
        { created, updated, deleted },
      );
    });
  });
}
