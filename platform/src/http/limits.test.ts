import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { testAuth } from '../auth/testing.ts';
import { createLogger } from '../log.ts';
import { sendRequest } from '../test-http.ts';
import { apiAccess, createApiApp } from './api-app.ts';
import { jsonObjectBody } from './json-body.ts';
import { BODY_LIMIT_BYTES, discardBody } from './limits.ts';

const log = createLogger('limits-test', 'silent');

describe('API limits: rate limits and body sizes', () => {
  let server: Server;
  let port: number;
  let bearer: Awaited<ReturnType<typeof testAuth>>['bearer'];

  before(async () => {
    const auth = await testAuth(['todos:read', 'todos:write'], {
      trustProxy: true, // so each test can be a different client address
      rateLimits: { writesPerMinute: 3, jobsPerMinute: 1 },
    });
    bearer = auth.bearer;
    const app = createApiApp(log, auth.settings);
    const { guard, writeLimit, jobLimit } = apiAccess(auth.settings);
    const router = new Router();
    router.post('/write', guard('todos:write'), writeLimit, jsonObjectBody, (ctx) => {
      ctx.body = { ok: true };
    });
    router.post('/job', guard('todos:write'), jobLimit, discardBody, (ctx) => {
      ctx.status = 202;
      ctx.body = { started: true };
    });
    router.get('/read', guard('todos:read'), (ctx) => {
      ctx.body = { ok: true };
    });
    app.use(router.routes());
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    sendRequest({ port, method, path, headers: { 'content-type': 'application/json', ...headers }, body });
  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('when an anonymous address writes more than its limit per minute, then 429 JSON with Retry-After', async () => {
    const statuses = [];
    for (let index = 0; index < 4; index++)
      statuses.push((await send('POST', '/write', from('198.51.100.1'), '{}')).status);
    const limited = await send('POST', '/write', from('198.51.100.1'), '{}');

    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.match((limited.json as { error: string }).error, /^Too many requests; retry after \d+ s$/);
  });

  it('when one address is limited, then another address and reads are not', async () => {
    for (let index = 0; index < 4; index++) await send('POST', '/write', from('198.51.100.2'), '{}');

    assert.equal((await send('POST', '/write', from('198.51.100.3'), '{}')).status, 200);
    assert.equal((await send('GET', '/read', from('198.51.100.2'))).status, 200);
  });

  it('when a token writes, then its limit follows the token, whichever address it comes from', async () => {
    const token = await bearer(['todos:write'], 'busy-bot');
    const statuses = [];
    for (let index = 0; index < 4; index++) {
      statuses.push((await send('POST', '/write', { ...token, ...from(`203.0.113.${index}`) }, '{}')).status);
    }

    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });

  it('when jobs are started, then their own, tighter limit applies', async () => {
    const first = await send('POST', '/job', from('198.51.100.4'));
    const second = await send('POST', '/job', from('198.51.100.4'));

    assert.deepEqual([first.status, second.status], [202, 429]);
  });

  it('when a body declares more than the limit, then 413 JSON before it is read, on any route', async () => {
    const huge = Buffer.alloc(BODY_LIMIT_BYTES + 1, 'x');
    for (const path of ['/write', '/job', '/read']) {
      const response = await send(path === '/read' ? 'GET' : 'POST', path, from(`192.0.2.${path.length}`), huge);

      assert.equal(response.status, 413, path);
      assert.deepEqual(response.json, { error: 'Request body larger than 64kb' });
    }
  });

  it('when a route that ignores its body gets a chunked one over the limit, then 413 JSON', async () => {
    const response = await send(
      'POST',
      '/job',
      { ...from('192.0.2.77'), 'transfer-encoding': 'chunked' },
      Buffer.alloc(BODY_LIMIT_BYTES + 1, 'x'),
    );

    assert.equal(response.status, 413);
    assert.deepEqual(response.json, { error: 'Request body larger than 64kb' });
  });
});
