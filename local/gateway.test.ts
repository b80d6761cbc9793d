import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { createLogger } from '@taskoverflow/platform';
import { createGateway } from './gateway.ts';

const listening = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

/** Sends raw bytes and returns what came back before the gateway closed the connection. */
function raw(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('gateway', () => {
  let upstream: Server;
  let gateway: Server;
  let base: string;
  let seen: IncomingHttpHeaders;
  let connections = 0;

  before(async () => {
    upstream = createServer((req, res) => {
      seen = req.headers;
      if (req.url === '/api/v1/todos/limited') {
        // Like a service's body limit: answer 413 at once, without reading the body.
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'Request body larger than 64kb' }));
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: req.url }));
      });
    });
    upstream.on('connection', () => {
      connections++;
    });
    const upstreamUrl = await listening(upstream);
    gateway = createGateway({
      routes: [
        { prefix: '/api/v1/todos', service: 'todo', priority: 1 },
        { prefix: '/api/v1/audit', service: 'audit', priority: 2 },
      ],
      upstreamOf: (service) =>
        service === 'todo' ? upstreamUrl : service === 'audit' ? 'http://127.0.0.1:1' : undefined,
      log: createLogger('gateway-test', 'silent'),
    });
    base = await listening(gateway);
  });

  after(() => {
    gateway.close();
    gateway.closeAllConnections();
    upstream.close();
    upstream.closeAllConnections();
  });

  it('when a client sends its own X-Forwarded-* headers, then the service sees the ones the gateway set', async () => {
    const response = await fetch(`${base}/api/v1/todos`, {
      headers: { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });

    assert.equal(response.status, 200);
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen['x-forwarded-host'], new URL(base).host);
    assert.equal(seen['x-forwarded-proto'], 'http');
  });

  it('when a client sends Expect: 100-continue, then it gets 100 and then the service’s answer, not a 502', async () => {
    const body = '{"title":"x"}';
    const answer = await raw(
      base,
      `POST /api/v1/todos HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n${body}`,
    );

    assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    assert.equal(seen.expect, undefined);
  });

  it('when many requests pass, then they reuse the connections to the service', async () => {
    const before = connections;
    for (let index = 0; index < 20; index++) await (await fetch(`${base}/api/v1/todos/${index}`)).json();

    assert.ok(connections - before <= 2, `${connections - before} new upstream connections for 20 requests`);
  });

  it('when the service answers 413 before reading a large body, then the client gets that 413, not a 502', async () => {
    const status = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/api/v1/todos/limited`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      req.on('response', (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, body }));
      });
      req.on('error', reject);
      // Several MB, written while the answer is already on its way.
      const chunk = 'x'.repeat(64 * 1024);
      for (let index = 0; index < 100; index++) req.write(chunk);
      req.end();
    });

    assert.equal(status.status, 413);
    assert.deepEqual(JSON.parse(status.body), { error: 'Request body larger than 64kb' });
  });

  it("when a declared body is over the services' limit, then 413 JSON from the gateway and nothing reaches the service", async () => {
    const before = connections;
    seen = {};
    const body = 'x'.repeat(3 * 1024 * 1024);

    const answer = await raw(
      base,
      `PUT /api/v1/todos/1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );

    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.deepEqual(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)), {
      error: 'Request body larger than 64kb',
    });
    assert.equal(connections, before);
    assert.deepEqual(seen, {});
  });

  it('when no route matches, then 404 JSON', async () => {
    const response = await fetch(`${base}/nowhere`);

    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'Not found' });
  });

  it('when the service is down, then 502 JSON with the headers every API answer has', async () => {
    const response = await fetch(`${base}/api/v1/audit`);

    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), { error: 'Service unavailable' });
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('when the request line is malformed, then 400 JSON', async () => {
    const answer = await raw(base, 'GARBAGE\r\n\r\n');

    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(answer, /content-type: application\/json/i);
    assert.deepEqual(JSON.parse(answer.split('\r\n\r\n')[1] ?? ''), { error: 'Malformed HTTP request' });
  });

  it('when a header holds bytes HTTP forbids, then 400 JSON', async () => {
    const answer = await raw(base, 'GET /api/v1/todos HTTP/1.1\r\nHost: x\r\nBad\x01: y\r\n\r\n');

    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.deepEqual(JSON.parse(answer.split('\r\n\r\n')[1] ?? ''), { error: 'Malformed HTTP request' });
  });

  it('when the request head is larger than Node accepts, then 431 JSON', async () => {
    const answer = await raw(base, `GET /api/v1/todos HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);

    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.deepEqual(JSON.parse(answer.split('\r\n\r\n')[1] ?? ''), { error: 'Request headers too large' });
  });

  it('when a client sends CONNECT, then 405 JSON instead of a dropped connection', async () => {
    const answer = await raw(base, 'CONNECT /api/v1/todos HTTP/1.1\r\nHost: x\r\n\r\n');

    assert.match(answer, /^HTTP\/1\.1 405 /);
    assert.deepEqual(JSON.parse(answer.split('\r\n\r\n')[1] ?? ''), { error: 'Method not allowed' });
  });
});
