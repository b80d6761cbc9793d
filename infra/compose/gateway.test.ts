import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@taskoverflow/events/testing';
import getPort from 'get-port';

const script = fileURLToPath(new URL('./gateway.ts', import.meta.url));

describe('compose gateway (infra/compose/gateway.ts)', () => {
  let upstream: Server;
  let gateway: ChildProcess;
  let base: string;
  const seen: string[] = [];

  before(async () => {
    upstream = createServer((request, response) => {
      seen.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"todo"}');
    });
    await new Promise<void>((listening) => upstream.listen(0, '127.0.0.1', listening));
    const port = await getPort({ host: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    gateway = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        PORT: String(port),
        LOG_LEVEL: 'silent',
        TODO_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      },
      stdio: 'ignore',
    });
    // Any answer, whatever its status, means the gateway is up.
    await waitFor(() => fetch(`${base}/`).then(() => true), { what: 'the gateway to answer' });
  });

  after(async () => {
    if (gateway.exitCode === null) {
      gateway.kill('SIGTERM');
      await once(gateway, 'exit');
    }
    await new Promise<void>((closed) => upstream.close(() => closed()));
  });

  it("when a path matches a manifest's prefix and <SERVICE>_URL is set, then the request reaches that upstream", async () => {
    const response = await fetch(`${base}/api/v1/todos/42?x=1`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { from: 'todo' });
    assert.deepEqual(seen, ['/api/v1/todos/42?x=1']);
  });

  it('when no rule matches, or the service has no upstream configured, then the gateway answers 404', async () => {
    assert.equal((await fetch(`${base}/nowhere`)).status, 404);
    assert.equal((await fetch(`${base}/api/v1/audit`)).status, 404);
    assert.equal(seen.length, 1);
  });
});
