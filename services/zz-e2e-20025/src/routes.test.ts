import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceApp } from '@taskoverflow/events/service';
import { createLogger } from '@taskoverflow/platform';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import manifest from '../service.ts';
import { zzE2e20025Migrations } from './migrations.ts';
import { zzE2e20025Routers } from './routes.ts';

describe(`zz-e2e-20025: HTTP API (${testDriver})`, () => {
  let test: TestDb;
  let server: Server;
  let base: string;
  before(async () => {
    test = await openTestDb('zz-e2e-20025', zzE2e20025Migrations);
    const app = createServiceApp(manifest, {
      log: createLogger('zz-e2e-20025-test', 'silent'),
      api: (await testAuth()).settings,
      routers: zzE2e20025Routers(test.db),
      checks: { database: () => test.db.query('SELECT 1') },
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await test.drop();
  });

  const call = async (path: string, method = 'GET') => {
    const response = await fetch(`${base}${path}`, { method });
    return { status: response.status, allow: response.headers.get('allow'), body: await response.json() };
  };

  it('when the health path is asked for, then 200 ok', async () => {
    assert.deepEqual(await call('/api/v1/zz-e2e-20025/health'), { status: 200, allow: null, body: { status: 'ok' } });
  });

  it('when a path is unknown, then 404 JSON', async () => {
    assert.deepEqual(await call('/api/v1/zz-e2e-20025/nothing-here'), {
      status: 404,
      allow: null,
      body: { error: 'Not found' },
    });
  });

  it('when a known path is asked with another method, then 405 with Allow', async () => {
    const response = await call('/api/v1/zz-e2e-20025', 'DELETE');

    assert.equal(response.status, 405);
    assert.deepEqual(response.allow?.split(', ').sort(), ['GET', 'HEAD']);
  });
});
