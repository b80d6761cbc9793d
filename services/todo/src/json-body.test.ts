import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { testDrivers } from '@taskoverflow/platform/testing';
import { outboxRows, sharedTestApi, type TestApi } from './todos/test-api.ts';

const json = { 'content-type': 'application/json' };

for (const testDriver of testDrivers) {
  describe(`todo REST API: request bodies (${testDriver})`, () => {
    let api: TestApi;
    before(async () => {
      api = await sharedTestApi(testDriver);
      await api.reset();
      await api.request('POST', '/api/v1/todos', { json: { title: 'target of PUT' } });
    });

    const cases: [string, string, { raw?: string | Buffer; headers?: Record<string, string> }, number, string][] = [
      ['malformed JSON', 'POST', { raw: '{"title": ', headers: json }, 400, 'Malformed JSON in request body'],
      ['trailing garbage', 'POST', { raw: '{"title": "a"} x', headers: json }, 400, 'Malformed JSON in request body'],
      ['a JSON array', 'POST', { raw: '[{"title": "a"}]', headers: json }, 400, 'Request body must be a JSON object'],
      ['a JSON string', 'POST', { raw: '"a"', headers: json }, 400, 'Request body must be a JSON object'],
      ['JSON null', 'POST', { raw: 'null', headers: json }, 400, 'Request body must be a JSON object'],
      ['a JSON number', 'PUT', { raw: '42', headers: json }, 400, 'Request body must be a JSON object'],
      ['an empty body', 'POST', { raw: '', headers: json }, 400, 'Request body must be a JSON object'],
      [
        'an empty chunked body',
        'PUT',
        { headers: { ...json, 'transfer-encoding': 'chunked' } },
        400,
        'Request body must be a JSON object',
      ],
      [
        'text/plain',
        'POST',
        { raw: '{"title": "a"}', headers: { 'content-type': 'text/plain' } },
        415,
        'Content-Type must be application/json',
      ],
      [
        'a form',
        'PUT',
        { raw: 'title=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        415,
        'Content-Type must be application/json',
      ],
      ['no content type', 'POST', { raw: '{"title": "a"}' }, 415, 'Content-Type must be application/json'],
      [
        'an unsupported content encoding',
        'POST',
        { raw: '{"title": "a"}', headers: { ...json, 'content-encoding': 'compress' } },
        415,
        'Unsupported content encoding or charset',
      ],
      [
        'a body over 64 KiB',
        'POST',
        { raw: JSON.stringify({ title: 'a', description: 'x'.repeat(64 * 1024) }), headers: json },
        413,
        'Request body larger than 64kb',
      ],
      [
        'a chunked body over 64 KiB',
        'PUT',
        { raw: `{"title": "${'x'.repeat(70_000)}"}`, headers: { ...json, 'transfer-encoding': 'chunked' } },
        413,
        'Request body larger than 64kb',
      ],
    ];
    for (const [name, method, options, status, error] of cases) {
      it(`when ${method} has ${name}, then ${status} "${error}" and nothing is written`, async () => {
        const before = (await outboxRows(api.db)).length;

        const response = await api.request(method, method === 'POST' ? '/api/v1/todos' : '/api/v1/todos/1', options);

        assert.equal(response.status, status, response.text);
        assert.deepEqual(response.json, { error });
        assert.equal((await outboxRows(api.db)).length, before);
      });
    }

    it('when the content type has a charset or different case, then it is still JSON', async () => {
      const response = await api.request('POST', '/api/v1/todos', {
        raw: '{"title": "charset"}',
        headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      });

      assert.equal(response.status, 201, response.text);
    });

    it('when the body is gzip-compressed JSON, then it is accepted', async () => {
      const response = await api.request('POST', '/api/v1/todos', {
        raw: gzipSync('{"title": "zipped"}'),
        headers: { ...json, 'content-encoding': 'gzip' },
      });

      assert.equal(response.status, 201, response.text);
    });

    it('when the body is just under 64 KiB, then it reaches validation (400 for the long description, not 413)', async () => {
      const raw = JSON.stringify({ title: 'a', description: 'x'.repeat(64 * 1024 - 40) });

      const response = await api.request('POST', '/api/v1/todos', { raw, headers: json });

      assert.equal(response.status, 400);
      assert.deepEqual(response.json, { error: 'description must be at most 120 characters' });
    });

    it('when a key is __proto__, then 400 and no prototype is polluted', async () => {
      const response = await api.request('POST', '/api/v1/todos', {
        raw: '{"title": "p", "__proto__": {"polluted": true}}',
        headers: json,
      });

      assert.equal(response.status, 400);
      assert.deepEqual(response.json, { error: 'Unexpected field(s): __proto__' });
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });
}

for (const testDriver of testDrivers) {
  describe(`todo REST API: a request without any body framing (${testDriver})`, () => {
    let api: TestApi;
    before(async () => {
      api = await sharedTestApi(testDriver);
      await api.reset();
    });

    it('when POST says JSON but sends neither Content-Length nor a chunked body, then 400, not 415', async () => {
      // node:http always frames a POST body, so this is written by hand, as `curl -X POST -H ...` sends it.
      const head = `POST /api/v1/todos HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`;

      const reply = await api.rawRequest(head);

      assert.match(reply, /^HTTP\/1\.1 400 /);
      assert.ok(reply.endsWith('{"error":"Request body must be a JSON object"}'), reply);
    });
  });
}
