import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { type Receiver, startReceiver } from '../test-support.ts';
import { postWebhook, type WebhookRequest } from './send.ts';

describe('notification: one webhook POST', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  const request = (url: string): WebhookRequest => ({
    url,
    body: '{"hello":"world"}',
    headers: { 'content-type': 'application/json' },
    timeoutMs: 2000,
    policy: { allowPrivate: true },
  });

  it('when the endpoint answers 2xx, then it succeeds and the body and headers arrive as sent', async () => {
    receiver.reply = () => ({ status: 202, body: 'queued' });

    const response = await postWebhook(request(receiver.url('/in')));

    assert.deepEqual(
      { ...response, durationMs: 0 },
      {
        ok: true,
        statusCode: 202,
        error: null,
        responseExcerpt: 'queued',
        durationMs: 0,
      },
    );
    assert.equal(receiver.requests[0]?.body, '{"hello":"world"}');
    assert.equal(receiver.requests[0]?.headers['content-length'], '17');
  });

  it('when the endpoint redirects, then the redirect is not followed and the attempt fails', async () => {
    receiver.reply = () => ({ status: 302, body: 'elsewhere' });

    const response = await postWebhook(request(receiver.url('/moved')));

    assert.equal(response.ok, false);
    assert.equal(response.error, 'HTTP 302');
    assert.equal(receiver.requests.length, 1);
  });

  it('when the answer is long or holds NUL bytes, then only a readable excerpt of 512 bytes is kept', async () => {
    receiver.reply = () => ({ status: 500, body: `a\0b${'c'.repeat(5000)}` });

    const response = await postWebhook(request(receiver.url()));

    assert.equal(response.responseExcerpt, `ab${'c'.repeat(509)}`);
  });

  it('when nothing listens on the port, then it fails with the connection error and no status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const response = await postWebhook(request(`http://127.0.0.1:${port}/hook`));

    assert.equal(response.ok, false);
    assert.equal(response.statusCode, null);
    assert.match(String(response.error), /ECONNREFUSED/);
  });
});
