import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseEnv } from '@taskoverflow/platform';
import { testDrivers } from '@taskoverflow/platform/testing';
import { pino } from 'pino';
import { todoService } from './main.ts';
import { startTestApi, type TestApi } from './todos/test-api.ts';

for (const testDriver of testDrivers) {
  describe(`todo REST API: health and unexpected errors (${testDriver})`, () => {
    let api: TestApi;
    const logged: Record<string, unknown>[] = [];
    before(async () => {
      const log = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
      api = await startTestApi(testDriver, log);
    });
    after(() => api.close());

    it('when the database answers, then GET /health is 200 {"status":"ok"}', async () => {
      const response = await api.request('GET', '/api/v1/health');

      assert.equal(response.status, 200);
      assert.deepEqual(response.json, { status: 'ok' });
    });

    it('when a caller sends a request id, then it is echoed if it looks like an id and replaced otherwise', async () => {
      const kept = await api.request('GET', '/api/v1/health', { headers: { 'x-request-id': 'trace-42.a:b' } });
      const replaced = await api.request('GET', '/api/v1/health', { headers: { 'x-request-id': 'x'.repeat(500) } });

      assert.equal(kept.headers['x-request-id'], 'trace-42.a:b');
      assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('when the database fails a query, then 500 with a bare message, and the cause is logged', async () => {
      await api.db.exec('ALTER TABLE todos RENAME TO todos_gone');
      try {
        const response = await api.request('GET', '/api/v1/todos', { headers: { 'x-request-id': 'broken-1' } });

        assert.equal(response.status, 500);
        assert.equal(response.text, '{"error":"Internal server error"}');
        assert.equal(response.headers['x-request-id'], 'broken-1');
        const entry = logged.find((line) => line.requestId === 'broken-1');
        assert.equal(entry?.msg, 'unhandled error');
        assert.match(JSON.stringify(entry?.err), /todos/, 'the log names the failing relation');
      } finally {
        await api.db.exec('ALTER TABLE todos_gone RENAME TO todos');
      }
    });
  });
}

describe('todo configuration', () => {
  // What the manifest makes required: todo publishes (topic) and consumes (queue).
  const bus = {
    EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:events',
    EVENTS_QUEUE_URL: 'http://q.local/1/todo',
  };

  it('when only the bus is configured, then the documented defaults apply', () => {
    const config = parseEnv(todoService.env, 'todo', bus);

    assert.equal(config.PORT, 8080);
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.DATA_DIR, './.data');
    assert.equal(config.DB_POOL_SIZE, 10);
    assert.equal(config.DATABASE_URL, undefined);
  });

  it('when TODO_DATABASE_URL is set, then it is the service database', () => {
    const config = parseEnv(todoService.env, 'todo', { ...bus, TODO_DATABASE_URL: 'postgres://db.internal:5432/todo' });

    assert.equal(config.SERVICE_DATABASE_URL, 'postgres://db.internal:5432/todo');
  });

  it('when the queue or topic is missing, then the error names them: the manifest makes them required', () => {
    assert.throws(() => parseEnv(todoService.env, 'todo', {}), /EVENTS_TOPIC_ARN: [^\n]*\n {2}EVENTS_QUEUE_URL: /);
  });

  it('when several settings are invalid, then one error names every bad key', () => {
    const bad = {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://localhost/x',
      TODO_DATABASE_URL: 'not a url',
      DB_POOL_SIZE: '0',
    };

    assert.throws(
      () => parseEnv(todoService.env, 'todo', bad),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const lines = error.message.split('\n');
        assert.equal(lines[0], 'Invalid configuration:');
        for (const key of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'TODO_DATABASE_URL', 'DB_POOL_SIZE']) {
          assert.ok(
            lines.some((line) => line.startsWith(`  ${key}: `)),
            `${key} is named in:\n${error.message}`,
          );
        }
        assert.ok(!error.message.includes('SERVICE_DATABASE_URL'), 'the internal key name is not shown');
        return true;
      },
    );
  });

  it('when the service starts with an invalid PORT, then it exits 1 with the message and no stack trace', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));

    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, ...bus, PORT: '70000', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 15_000,
    });

    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^Invalid configuration:\n {2}PORT: /);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });
});
