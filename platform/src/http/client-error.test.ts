import assert from 'node:assert/strict';
import { connect } from 'node:net';
import Koa from 'koa';
import { createLogger } from '../log.ts';
import { listen, type RunningHttp } from './serve.ts';

/** Everything the server sends back on one connection for these raw bytes. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

describe("listen(): Node's parser errors answered as JSON", () => {
  let http: RunningHttp;
  before(async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    http = await listen(app, 0, createLogger('client-error-test', 'silent'), '127.0.0.1');
  });
  after(() => http.close(1000));

  const cases: [string, string, number, string][] = [
    ['the request line is garbage', 'GARBAGE\r\n\r\n', 400, 'Malformed HTTP request'],
    ['the path holds a control byte', 'GET /api/\x01x HTTP/1.1\r\nHost: a\r\n\r\n', 400, 'Malformed HTTP request'],
    [
      'the method is CONNECT',
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      405,
      'Method not allowed',
    ],
    ['a header has no colon', 'GET / HTTP/1.1\r\nHost: a\r\nbroken header\r\n\r\n', 400, 'Malformed HTTP request'],
    [
      'the head is over 16 KiB',
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'Request headers too large',
    ],
  ];
  for (const [when, bytes, status, message] of cases) {
    it(`when ${when}, then ${status} with a JSON body`, async () => {
      const response = await exchange(http.port, bytes);

      const [head = '', body] = response.split('\r\n\r\n');
      assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `));
      assert.match(head, /content-type: application\/json/i);
      assert.deepEqual(JSON.parse(String(body)), { error: message });
    });
  }

  it('when a request is well formed, then the app answers as usual', async () => {
    const response = await exchange(http.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');

    assert.match(response, /^HTTP\/1\.1 200 /);
    assert.match(response, /\{"ok":true\}$/);
  });
});
