import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testAuth } from '../auth/testing.ts';
import { baseEnvSchema, parseEnv } from '../config.ts';
import { createLogger } from '../log.ts';
import { sendRequest } from '../test-http.ts';
import { type ApiSettings, apiSettingsFromConfig, createApiApp } from './api-app.ts';

const log = createLogger('api-app-test', 'silent');

describe('createApiApp: headers, proxies and CORS', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  /** An app answering its own view of the request: protocol, host and client address. */
  async function serve(overrides: Partial<Omit<ApiSettings, 'auth'>>) {
    const app = createApiApp(log, (await testAuth([], overrides)).settings);
    app.use((ctx) => {
      if (ctx.path === '/boom') throw new Error('boom');
      ctx.body = { origin: `${ctx.protocol}://${ctx.host}`, ip: ctx.ip };
    });
    const server = createServer(app.callback());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      sendRequest({ port, method, path, headers });
  }
  const forwarded = {
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-for': '203.0.113.9',
  };

  it('when not configured as behind a proxy, then a client’s X-Forwarded-* is ignored', async () => {
    const get = await serve({});

    const { json } = await get('/', forwarded);

    assert.doesNotMatch(JSON.stringify(json), /evil\.example|https|203\.0\.113\.9/);
  });

  it('when behind the gateway or ALB (trustProxy), then X-Forwarded-* names the client’s view', async () => {
    const get = await serve({ trustProxy: true });

    const { json } = await get('/', forwarded);

    assert.deepEqual(json, { origin: 'https://evil.example', ip: '203.0.113.9' });
  });

  it('when any response is sent, errors included, then it carries nosniff and no-store', async () => {
    const get = await serve({});

    for (const response of [await get('/'), await get('/boom')]) {
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['cache-control'], 'no-store');
    }
    assert.deepEqual((await get('/boom')).json, { error: 'Internal server error' });
  });

  it('when no CORS origins are configured, then a cross-origin request gets no CORS headers', async () => {
    const get = await serve({});

    const preflight = await get(
      '/',
      { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      'OPTIONS',
    );

    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('when an allow-list is configured, then only its origins are allowed, with the auth headers', async () => {
    const get = await serve({ corsOrigins: ['https://app.example'] });
    const ask = (origin: string) => get('/', { origin, 'access-control-request-method': 'POST' }, 'OPTIONS');

    const allowed = await ask('https://app.example');
    const other = await ask('https://evil.example');

    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    assert.match(String(allowed.headers['access-control-allow-headers']), /authorization/);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('when the environment sets TRUST_PROXY and CORS_ALLOWED_ORIGINS, then the settings follow; unset, both are off', () => {
    const on = apiSettingsFromConfig(
      parseEnv(baseEnvSchema(), 'todo', {
        TRUST_PROXY: 'true',
        CORS_ALLOWED_ORIGINS: 'https://a.example/, http://b.example:8080',
      }),
    );
    const off = apiSettingsFromConfig(parseEnv(baseEnvSchema(), 'todo', {}));

    assert.deepEqual([on.trustProxy, on.corsOrigins], [true, ['https://a.example', 'http://b.example:8080']]);
    assert.deepEqual([off.trustProxy, off.corsOrigins], [false, []]);
  });
});
