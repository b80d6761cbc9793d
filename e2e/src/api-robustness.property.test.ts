// Property-based robustness across every service with an HTTP API (todo, audit, notification),
// each served by listen() as in production: random methods (WebDAV ones included), paths,
// tokens and bodies, plus raw malformed requests Node's parser rejects. Never a 5xx, and every
// error is `{"error": string}` JSON.
import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { connect } from 'node:net';
import auditManifest from '@taskoverflow/audit/service.ts';
import { auditRouters } from '@taskoverflow/audit/src/app.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import { serviceTestApp } from '@taskoverflow/events/testing';
import notificationManifest from '@taskoverflow/notification/service.ts';
import { notificationRouters } from '@taskoverflow/notification/src/app.ts';
import { notificationMigrations } from '@taskoverflow/notification/src/migrations.ts';
import { createLogger, listen, type RunningHttp } from '@taskoverflow/platform';
import { testAuth } from '@taskoverflow/platform/auth/testing';
import { type ApiResponse, sendRequest } from '@taskoverflow/platform/test-http';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import todoManifest from '@taskoverflow/todo/service.ts';
import { todoRouters } from '@taskoverflow/todo/src/app.ts';
import { todoMigrations } from '@taskoverflow/todo/src/migrations.ts';
import fc from 'fast-check';

const RUNS = 150;
const log = createLogger('robustness-test', 'silent');

describe('every API: random and malformed requests never get a 5xx, and errors are JSON', function () {
  this.timeout(180_000);
  const dbs: TestDb[] = [];
  const servers: RunningHttp[] = [];
  const ports: Record<string, number> = {};
  let tokens: Record<string, string>;

  before(async () => {
    const auth = await testAuth();
    tokens = {
      none: '',
      garbage: 'Bearer not.a.token',
      scheme: 'Basic YWRtaW46YWRtaW4=',
      reader: (await auth.bearer(['todos:read'])).authorization,
      admin: (await auth.bearer(['admin'], 'root')).authorization,
    };
    const serve = async (
      name: string,
      migrations: Parameters<typeof openTestDb>[1],
      app: (db: TestDb['db']) => Parameters<typeof listen>[0],
    ) => {
      const test = await openTestDb(name, migrations);
      dbs.push(test);
      const running = await listen(app(test.db), 0, log, '127.0.0.1');
      servers.push(running);
      ports[name] = running.port;
    };
    await serve('todo', todoMigrations, (db) =>
      serviceTestApp(todoManifest, { db, log, api: auth.settings }, (access) => todoRouters({ db, access })),
    );
    await serve('audit', auditMigrations, (db) =>
      serviceTestApp(auditManifest, { db, log, api: auth.settings }, (access) => auditRouters(db, access)),
    );
    await serve('notification', notificationMigrations, (db) =>
      serviceTestApp(notificationManifest, { db, log, api: auth.settings }, (access) =>
        notificationRouters({ db, access, policy: { allowPrivate: false } }),
      ),
    );
  });
  after(async () => {
    for (const server of servers) await server.close(1000);
    for (const test of dbs) await test.drop();
  });

  const service = fc.constantFrom(
    { name: 'todo', prefix: '/api/v1/todos' },
    { name: 'todo', prefix: '/api/v1' },
    { name: 'audit', prefix: '/api/v1/audit' },
    { name: 'notification', prefix: '/api/v1/webhooks' },
  );
  const suffix = fc.oneof(
    fc.constantFrom('', '/', '/1', '/ical', '/ical/x/status', '/ical/0b4e7a8e-8f4e-4a8e-9a6e-4a8e9a6e4a8e/result'),
    fc.constantFrom('/health', '/openapi.json', '/00000000-0000-4000-8000-000000000000/deliveries', '/x/rotate-secret'),
    fc.stringMatching(/^(\/[\w%.~-]{0,12}){0,3}(\?[\w=&%]{0,20})?$/),
  );
  // CONNECT is answered outside the app (405 JSON, in the raw test below): Node's client never
  // hands a CONNECT answer to a response callback.
  const method = fc.oneof(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    fc.constantFrom(...METHODS.filter((name) => name !== 'CONNECT')),
  );
  const body = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.constantFrom('{"url":"https://example.com/h","events":["TodoCreated"]}', '{"title":"t"}', 'x'.repeat(70_000)),
  );
  const contentType = fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/json; charset=latin1');

  function check(context: string, method: string, response: ApiResponse) {
    assert.ok(response.status < 500, `${context} → ${response.status} ${response.text}`);
    if (response.status < 400 || method === 'HEAD') return;
    assert.match(String(response.headers['content-type']), /^application\/json/, context);
    const json = response.json as { error?: unknown } | undefined;
    assert.equal(typeof json?.error, 'string', `${context} → ${response.text}`);
  }

  it('when random methods, paths, tokens and bodies are sent to each service, then never a 5xx and errors are JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        service,
        suffix,
        method,
        fc.constantFrom('none', 'garbage', 'scheme', 'reader', 'admin'),
        body,
        contentType,
        async ({ name, prefix }, rest, verb, token, payload, type) => {
          const headers: Record<string, string> = {};
          if (tokens[token]) headers.authorization = tokens[token];
          if (type) headers['content-type'] = type;
          const path = `${prefix}${rest}`;
          const context = `${verb} ${name} ${path} (${token}, ${type}, ${payload?.length ?? 'no'} body chars)`;
          // A request left unanswered is a failure too: it names the request instead of timing out the suite.
          let timer: NodeJS.Timeout | undefined;
          const unanswered = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within 15 s: ${context}`)), 15_000);
          });
          const request = sendRequest({ port: ports[name] ?? 0, method: verb, path, headers, body: payload });
          const response = await Promise.race([request, unanswered]).finally(() => clearTimeout(timer));
          check(context, verb, response);
        },
      ),
      { numRuns: RUNS },
    );
  });

  /** Everything the server sends back for these raw bytes, until it closes. */
  const exchange = (port: number, bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });

  it('when raw malformed requests arrive (bad request lines, huge heads, control bytes), then a JSON 4xx', async () => {
    const malformed = fc.oneof(
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 60 }).map((line) => `${line}\r\n\r\n`),
      fc
        .constantFrom('/api/v1/todos', '/api/v1/audit', '/api/v1/webhooks')
        .map((path) => `GET ${path}\x01 HTTP/1.1\r\nHost: a\r\n\r\n`),
      fc
        .integer({ min: 17_000, max: 40_000 })
        .map((size) => `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(size)}\r\n\r\n`),
      fc.constant('GET / HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n'),
      fc.constant('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
      fc.constant(
        'POST /api/v1/todos HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
    );
    let answered = 0;
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('todo', 'audit', 'notification'), malformed, async (name, bytes) => {
        sent++;
        const response = await exchange(ports[name] ?? 0, bytes);
        if (response === '') return; // the server may close a connection it cannot parse at all before a byte
        answered++;
        const [head = '', text = ''] = response.split('\r\n\r\n');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
        assert.ok(status >= 400 && status < 500, `${JSON.stringify(bytes.slice(0, 80))} → ${head.split('\r\n')[0]}`);
        assert.match(head, /content-type: application\/json/i);
        assert.equal(typeof (JSON.parse(text) as { error: unknown }).error, 'string');
      }),
      { numRuns: 60 },
    );
    assert.ok(answered >= sent / 2, `only ${answered} of ${sent} malformed requests were answered`);
  });
});
