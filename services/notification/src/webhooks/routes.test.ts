import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serviceTestApp } from '@taskoverflow/events/testing';
import { createLogger } from '@taskoverflow/platform';
import { type TestAuth, testAuth } from '@taskoverflow/platform/auth/testing';
import { openApiViolations } from '@taskoverflow/platform/http/openapi-contract';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import manifest from '../../service.ts';
import { notificationRouters } from '../app.ts';
import { saveDeliveries } from '../delivery/progress.ts';
import { notificationMigrations } from '../migrations.ts';
import { call as callUnchecked } from '../test-support.ts';

/** One request; its response must match the OpenAPI document (the contract test). */
const callWith: typeof callUnchecked = async (port, method, path, body, headers) => {
  const response = await callUnchecked(port, method, path, body, headers);
  assert.deepEqual(openApiViolations(method, path, response), [], 'response differs from docs/generated/openapi.json');
  return response;
};
const log = createLogger('notification-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const uuidPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

describe(`notification: webhooks API (${testDriver})`, () => {
  let test: TestDb;
  const servers: Server[] = [];
  let port: number; // private targets allowed, as in local development
  let strictPort: number; // the production policy
  let ann: { authorization: string }; // a token with webhooks:manage
  /** One request as ann. */
  const call = (
    to: number,
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' },
  ) => callWith(to, method, path, body, { ...headers, ...ann });

  let auth: TestAuth;
  const serve = async (allowPrivate: boolean) => {
    const server = createServer(
      serviceTestApp(manifest, { db: test.db, log, api: auth.settings }, (access) =>
        notificationRouters({ db: test.db, policy: { allowPrivate }, access }),
      ).callback(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return (server.address() as AddressInfo).port;
  };

  before(async () => {
    test = await openTestDb('notification', notificationMigrations);
    auth = await testAuth();
    ann = await auth.bearer(['webhooks:manage'], 'ann');
    port = await serve(true);
    strictPort = await serve(false);
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await test.drop();
  });
  beforeEach(() => test.db.exec('TRUNCATE webhooks, deliveries'));

  const post = (body: unknown, to = port) => call(to, 'POST', '/api/v1/webhooks', JSON.stringify(body));
  const validBody = { url: 'http://127.0.0.1:9999/hook', events: ['TodoCreated', 'CalendarFailed'] };

  it('when a webhook is registered, then 201 with its id, a location and a signing secret shown once', async () => {
    const response = await post({ ...validBody, description: 'CI bot' });

    assert.equal(response.status, 201, response.text);
    const body = response.json as Record<string, unknown>;
    assert.match(String(body.id), uuidPattern);
    assert.match(String(body.secret), /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(String(body.secret).slice(6), 'base64').length, 32);
    assert.equal(response.headers.location, `/api/v1/webhooks/${body.id}`);
    assert.deepEqual(
      { ...body, id: undefined, secret: undefined, created_at: undefined },
      {
        ...validBody,
        description: 'CI bot',
        id: undefined,
        secret: undefined,
        created_at: undefined,
        status: 'active',
        failing_since: null,
        disabled_at: null,
      },
    );

    const one = await call(port, 'GET', `/api/v1/webhooks/${body.id}`);
    const all = await call(port, 'GET', '/api/v1/webhooks');
    assert.equal(one.status, 200);
    const { secret: _shownOnce, ...withoutSecret } = body;
    assert.deepEqual(one.json, withoutSecret, 'GET never shows the secret');
    assert.deepEqual(all.json, [one.json]);
    assert.doesNotMatch(all.text + one.text, /whsec_/);
  });

  it('when there is no token, then every webhook route answers 401 JSON with a Bearer challenge', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/webhooks'],
      ['POST', '/api/v1/webhooks'],
      ['GET', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries'],
      ['DELETE', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000'],
    ] as const) {
      const response = await callWith(port, method, path, method === 'POST' ? JSON.stringify(validBody) : undefined);

      assert.equal(response.status, 401, `${method} ${path}`);
      assert.match(String(response.headers['www-authenticate']), /^Bearer /);
      assert.deepEqual(response.json, { error: 'A bearer token with scope webhooks:manage is required' });
    }
    assert.deepEqual(await test.db.query('SELECT id FROM webhooks'), []);
  });

  it('when the token lacks webhooks:manage, then 403 JSON and nothing is registered', async () => {
    const reader = await auth.bearer(['todos:read', 'todos:write', 'audit:read']);

    const response = await callWith(port, 'POST', '/api/v1/webhooks', JSON.stringify(validBody), {
      'content-type': 'application/json',
      ...reader,
    });

    assert.equal(response.status, 403);
    assert.deepEqual(response.json, { error: 'Token lacks scope webhooks:manage' });
    assert.deepEqual(await test.db.query('SELECT id FROM webhooks'), []);
  });

  it("when another user asks for ann's webhook, then it is invisible to them: list, get, deliveries, delete", async () => {
    const { id } = (await post(validBody)).json as { id: string };
    const bob = { 'content-type': 'application/json', ...(await auth.bearer(['webhooks:manage'], 'bob')) };
    const asBob = (method: string, path: string, body?: string) => callWith(port, method, path, body, bob);

    const list = await asBob('GET', '/api/v1/webhooks');
    const reads = [
      await asBob('GET', `/api/v1/webhooks/${id}`),
      await asBob('GET', `/api/v1/webhooks/${id}/deliveries`),
      await asBob('POST', `/api/v1/webhooks/${id}/rotate-secret`),
      await asBob('POST', `/api/v1/webhooks/${id}/enable`),
      await asBob('DELETE', `/api/v1/webhooks/${id}`),
    ];
    await asBob('POST', '/api/v1/webhooks', JSON.stringify(validBody));

    assert.deepEqual(list.json, []);
    for (const response of reads)
      assert.deepEqual([response.status, response.json], [404, { error: 'Webhook not found' }]);
    assert.equal((await call(port, 'GET', `/api/v1/webhooks/${id}`)).status, 200, 'still there for ann');
    assert.deepEqual(
      ((await call(port, 'GET', '/api/v1/webhooks')).json as { id: string }[]).map((webhook) => webhook.id),
      [id],
      "ann does not see bob's",
    );
  });

  it('when an admin lists webhooks, then every owner’s are shown and an admin can delete any', async () => {
    const { id } = (await post(validBody)).json as { id: string };
    const admin = await auth.bearer(['admin'], 'root');

    const all = await callWith(port, 'GET', '/api/v1/webhooks', undefined, admin);
    const deleted = await callWith(port, 'DELETE', `/api/v1/webhooks/${id}`, undefined, admin);

    assert.deepEqual(
      (all.json as { id: string }[]).map((webhook) => webhook.id),
      [id],
    );
    assert.equal(deleted.status, 204);
  });

  it('when the secret is rotated, then a new secret is shown once with the end of the overlap', async () => {
    const created = (await post(validBody)).json as { id: string; secret: string };

    const rotated = await call(port, 'POST', `/api/v1/webhooks/${created.id}/rotate-secret`);

    assert.equal(rotated.status, 200, rotated.text);
    const body = rotated.json as { secret: string; previous_secret_expires_at: string };
    assert.match(body.secret, /^whsec_/);
    assert.notEqual(body.secret, created.secret);
    const overlapHours = (Date.parse(body.previous_secret_expires_at) - Date.now()) / 3600_000;
    assert.ok(overlapHours > 23.9 && overlapHours <= 24, String(overlapHours));
    assert.doesNotMatch((await call(port, 'GET', `/api/v1/webhooks/${created.id}`)).text, /whsec_/);
  });

  it('when a disabled webhook is enabled, then it is shown active again', async () => {
    const { id } = (await post(validBody)).json as { id: string };
    await test.db.query("UPDATE webhooks SET disabled_at = now(), failing_since = now() - interval '6 days'");
    const disabled = (await call(port, 'GET', `/api/v1/webhooks/${id}`)).json as { status: string };

    const enabled = await call(port, 'POST', `/api/v1/webhooks/${id}/enable`);

    assert.equal(disabled.status, 'disabled');
    assert.deepEqual(
      (({ status, failing_since, disabled_at }) => ({ status, failing_since, disabled_at }))(
        enabled.json as Record<string, unknown>,
      ),
      { status: 'active', failing_since: null, disabled_at: null },
    );
  });

  it('when two webhooks are registered, then each gets its own secret', async () => {
    const first = (await post(validBody)).json as { secret: string };
    const second = (await post(validBody)).json as { secret: string };

    assert.notEqual(first.secret, second.secret);
  });

  it('when an event type is listed twice, then it is stored once', async () => {
    const response = await post({ url: validBody.url, events: ['TodoDeleted', 'TodoDeleted'] });

    assert.deepEqual((response.json as { events: string[] }).events, ['TodoDeleted']);
  });

  const invalid: [string, unknown, string][] = [
    ['url is missing', { events: ['TodoCreated'] }, 'url is required'],
    ['url is not a string', { url: 42, events: ['TodoCreated'] }, 'url must be a string'],
    ['url is not a URL', { url: 'hook', events: ['TodoCreated'] }, 'url must be an absolute http or https URL'],
    ['url uses ftp', { url: 'ftp://127.0.0.1/x', events: ['TodoCreated'] }, 'url must use http or https'],
    ['url uses port 0', { url: 'http://127.0.0.1:0/x', events: ['TodoCreated'] }, 'url must not use port 0'],
    [
      'url is too long',
      { url: `http://127.0.0.1/${'a'.repeat(2048)}`, events: ['TodoCreated'] },
      'url must be at most 2048 characters',
    ],
    ['events is missing', { url: validBody.url }, 'events is required'],
    ['events is not an array', { url: validBody.url, events: 'TodoCreated' }, 'events must be an array of event types'],
    ['events is empty', { url: validBody.url, events: [] }, 'events must name at least one event type'],
    [
      'events names a type this service does not consume',
      { url: validBody.url, events: ['CalendarRequested'] },
      'events: "CalendarRequested" is not deliverable; choose from TodoCreated, TodoUpdated, TodoDeleted, CalendarGenerated, CalendarFailed',
    ],
    ['events holds a non-string', { url: validBody.url, events: [1] }, 'events must contain event type names'],
    [
      'description is too long',
      { ...validBody, description: 'x'.repeat(201) },
      'description must be at most 200 characters',
    ],
    [
      'description holds a NUL character',
      { ...validBody, description: 'a\u0000b' },
      'description must be valid Unicode text without NUL characters',
    ],
    [
      'description holds a lone surrogate',
      { ...validBody, description: 'a\ud800b' },
      'description must be valid Unicode text without NUL characters',
    ],
    ['an unknown field is sent', { ...validBody, secret: 'whsec_mine' }, 'Unexpected field(s): secret'],
  ];
  for (const [when, body, message] of invalid) {
    it(`when ${when}, then 400 with a message that says so`, async () => {
      const response = await post(body);

      assert.equal(response.status, 400, response.text);
      assert.deepEqual(response.json, { error: message });
      assert.deepEqual(await test.db.query('SELECT id FROM webhooks'), []);
    });
  }

  it('when private targets are not allowed, then loopback, link-local and mapped addresses are refused with 400', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://169.254.169.254/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      const response = await post({ url, events: ['TodoCreated'] }, strictPort);

      assert.equal(response.status, 400, url);
      assert.match((response.json as { error: string }).error, /non-public address/);
    }
    assert.deepEqual(await test.db.query('SELECT id FROM webhooks'), []);
  });

  it('when the body is not JSON, then 400, 415 or 413 and never 5xx', async () => {
    const malformed = await call(port, 'POST', '/api/v1/webhooks', '{"url":');
    const array = await call(port, 'POST', '/api/v1/webhooks', '[]');
    const text = await call(port, 'POST', '/api/v1/webhooks', 'url=x', { 'content-type': 'text/plain' });
    const huge = await call(port, 'POST', '/api/v1/webhooks', JSON.stringify({ description: 'x'.repeat(70_000) }));
    const poisoned = await call(port, 'POST', '/api/v1/webhooks', '{"__proto__": {"admin": true}}');

    assert.deepEqual(
      [malformed.status, array.status, text.status, huge.status, poisoned.status],
      [400, 400, 415, 413, 400],
    );
    assert.deepEqual(malformed.json, { error: 'Malformed JSON in request body' });
    assert.deepEqual(array.json, { error: 'Request body must be a JSON object' });
  });

  it('when an id is unknown or not a uuid, then 404 JSON for GET, DELETE and deliveries', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'abc', '1']) {
      for (const [method, path] of [
        ['GET', `/api/v1/webhooks/${id}`],
        ['DELETE', `/api/v1/webhooks/${id}`],
        ['GET', `/api/v1/webhooks/${id}/deliveries`],
      ] as const) {
        const response = await call(port, method, path);
        assert.equal(response.status, 404, `${method} ${path}`);
        assert.deepEqual(response.json, { error: 'Webhook not found' });
      }
    }
  });

  it('when a webhook is deleted, then 204 and it is gone', async () => {
    const { id } = (await post(validBody)).json as { id: string };

    const deleted = await call(port, 'DELETE', `/api/v1/webhooks/${id}`);

    assert.equal(deleted.status, 204);
    assert.equal((await call(port, 'GET', `/api/v1/webhooks/${id}`)).status, 404);
    assert.deepEqual((await call(port, 'GET', '/api/v1/webhooks')).json, []);
  });

  it('when a webhook has deliveries, then they are listed newest first with status, attempts, code and timing', async () => {
    const { id } = (await post(validBody)).json as { id: string };
    const at = new Date('2026-11-25T12:00:00.000Z');
    const eventId = '4f0c5a8e-8a6b-4d5e-9d0a-2b1c3d4e5f60';
    await saveDeliveries(test.db, [
      {
        eventId,
        webhookId: id,
        eventType: 'TodoCreated',
        status: 'pending',
        attempts: 2,
        lastStatusCode: 503,
        lastError: 'HTTP 503',
        lastResponse: 'busy',
        lastDurationMs: 12,
        lastAttemptAt: at,
        nextAttemptAt: new Date(at.getTime() + 300_000),
      },
    ]);

    const response = await call(port, 'GET', `/api/v1/webhooks/${id}/deliveries`);

    assert.equal(response.status, 200);
    const [delivery] = response.json as Record<string, unknown>[];
    assert.deepEqual(delivery, {
      event_id: eventId,
      event_type: 'TodoCreated',
      status: 'pending',
      attempts: 2,
      last_status_code: 503,
      last_error: 'HTTP 503',
      last_response: 'busy',
      last_duration_ms: 12,
      created_at: '2026-11-25T12:00:00.000Z', // its first recorded attempt
      last_attempt_at: '2026-11-25T12:00:00.000Z',
      next_attempt_at: '2026-11-25T12:05:00.000Z',
      completed_at: null,
    });
  });

  it('when the health path is asked for, then 200 ok', async () => {
    const response = await call(port, 'GET', '/api/v1/webhooks/health');

    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { status: 'ok' });
  });

  it('when a method is not supported, then 405 and not a server error', async () => {
    const response = await call(port, 'PUT', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000', '{}');

    assert.equal(response.status, 405);
  });
});
