import assert from 'node:assert/strict';
import { testDrivers } from '@taskoverflow/platform/testing';
import { outboxRows, sharedTestApi, type TestApi, wireTodo } from './test-api.ts';

for (const testDriver of testDrivers) {
  describe(`todo REST API: field rules (${testDriver})`, () => {
    let api: TestApi;
    let existingId: number;
    before(async () => {
      api = await sharedTestApi(testDriver);
    });
    beforeEach(async () => {
      await api.reset();
      existingId = wireTodo.parse(
        (await api.request('POST', '/api/v1/todos', { json: { title: 'existing' } })).json,
      ).id;
    });

    const post = (json: unknown) => api.request('POST', '/api/v1/todos', { json });
    const put = (json: unknown) => api.request('PUT', `/api/v1/todos/${existingId}`, { json });

    const emoji = '😀'; // one code point, two UTF-16 units
    const family = '👨‍👩‍👧'; // one glyph, five code points

    describe('accepted', () => {
      for (const [name, title] of [
        ['80 ASCII characters', 'a'.repeat(80)],
        ['80 emoji (160 UTF-16 units)', emoji.repeat(80)],
        ['80 accented characters (160 UTF-8 bytes)', 'é'.repeat(80)],
        ['16 family emoji (80 code points)', family.repeat(16)],
        ['a single character', 'x'],
        ['surrounding spaces', '  spaced  '],
      ] as const) {
        it(`when the title is ${name}, then 201 and it is stored verbatim`, async () => {
          const response = await post({ title });

          assert.equal(response.status, 201, response.text);
          assert.equal(wireTodo.parse(response.json).title, title);
        });
      }

      for (const [name, description] of [
        ['120 characters', 'd'.repeat(120)],
        ['120 emoji', emoji.repeat(120)],
        ['empty', ''],
        ['null', null],
      ] as const) {
        it(`when the description is ${name}, then 201 and it is stored verbatim`, async () => {
          const response = await post({ title: 't', description });

          assert.equal(response.status, 201, response.text);
          assert.equal(wireTodo.parse(response.json).description, description);
        });
      }

      it('when completed is false explicitly, then 201 with completed false', async () => {
        const response = await post({ title: 't', completed: false });

        assert.equal(wireTodo.parse(response.json).completed, false);
      });
    });

    describe('rejected with 400 and nothing written', () => {
      const cases: [string, unknown, string][] = [
        ['no title', {}, 'title is required'],
        ['title null', { title: null }, 'title must be a string'],
        ['title a number', { title: 5 }, 'title must be a string'],
        ['title empty', { title: '' }, 'title must not be empty'],
        ['title only spaces', { title: '   ' }, 'title must not be empty'],
        ['title of 81 characters', { title: 'a'.repeat(81) }, 'title must be at most 80 characters'],
        ['title of 81 emoji', { title: emoji.repeat(81) }, 'title must be at most 80 characters'],
        ['title with a NUL', { title: 'a\u0000b' }, 'title must be valid Unicode text without NUL characters'],
        [
          'title with a lone surrogate',
          { title: 'a\ud800b' },
          'title must be valid Unicode text without NUL characters',
        ],
        [
          'description of 121 characters',
          { title: 't', description: 'd'.repeat(121) },
          'description must be at most 120 characters',
        ],
        [
          'description of 121 emoji',
          { title: 't', description: emoji.repeat(121) },
          'description must be at most 120 characters',
        ],
        ['description a number', { title: 't', description: 1 }, 'description must be a string or null'],
        [
          'description with a NUL',
          { title: 't', description: '\u0000' },
          'description must be valid Unicode text without NUL characters',
        ],
        [
          'description with a lone low surrogate',
          { title: 't', description: '\udfffx' },
          'description must be valid Unicode text without NUL characters',
        ],
        ['completed a string', { title: 't', completed: 'true' }, 'completed must be true or false'],
        ['completed null', { title: 't', completed: null }, 'completed must be true or false'],
        ['completed 1', { title: 't', completed: 1 }, 'completed must be true or false'],
        [
          'deadline_at a number',
          { title: 't', deadline_at: 1677456000 },
          'deadline_at must be an ISO 8601 date-time string or null',
        ],
        [
          'deadline_at not a date',
          { title: 't', deadline_at: 'tomorrow' },
          'deadline_at must be an ISO 8601 date-time such as 2023-02-27T00:00:00',
        ],
        ['an id', { title: 't', id: 9 }, 'Unexpected field(s): id'],
        ['created_at', { title: 't', created_at: '2023-01-01T00:00:00' }, 'Unexpected field(s): created_at'],
        ['two unknown keys', { title: 't', a: 1, b: 2 }, 'Unexpected field(s): a, b'],
      ];
      for (const [name, body, error] of cases) {
        it(`when POST has ${name}, then 400 "${error}"`, async () => {
          const response = await post(body);

          assert.equal(response.status, 400);
          assert.deepEqual(response.json, { error });
          assert.equal((await outboxRows(api.db)).length, 1, 'only the beforeEach todo was written');
        });
      }

      for (const [name, body, error] of cases.filter(([name]) => name !== 'no title')) {
        it(`when PUT has ${name}, then 400 "${error}" and the todo is unchanged`, async () => {
          const before = await api.request('GET', `/api/v1/todos/${existingId}`);

          const response = await put(body);

          assert.equal(response.status, 400);
          assert.deepEqual(response.json, { error });
          assert.deepEqual((await api.request('GET', `/api/v1/todos/${existingId}`)).json, before.json);
        });
      }
    });
  });
}
