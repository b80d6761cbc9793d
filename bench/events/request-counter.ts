import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';

/**
 * An HTTP proxy in front of the emulator that counts AWS API calls by action (and
 * ReceiveMessage calls per queue), so the bench reports requests per delivered event.
 */
export async function startRequestCounter(target: string) {
  const proxy = createProxyServer({ target });
  const actions = new Map<string, number>();
  const receivesByQueue = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const amzTarget = req.headers['x-amz-target'];
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      // SQS speaks JSON (X-Amz-Target: AmazonSQS.<Action>); SNS speaks the query protocol (Action=...).
      const action =
        typeof amzTarget === 'string'
          ? amzTarget.split('.').pop()
          : (/(?:^|&)Action=([^&]+)/.exec(body)?.[1] ?? 'other');
      actions.set(action ?? 'other', (actions.get(action ?? 'other') ?? 0) + 1);
      if (action === 'ReceiveMessage') {
        const queue =
          String((JSON.parse(body) as { QueueUrl?: string }).QueueUrl ?? '')
            .split('/')
            .pop() ?? '';
        receivesByQueue.set(queue, (receivesByQueue.get(queue) ?? 0) + 1);
      }
      // The body was read to count it; the proxy gets a fresh stream of it.
      proxy.web(req, res, { buffer: Readable.from([Buffer.from(body)]) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    snapshot() {
      return { actions: Object.fromEntries(actions), receivesByQueue: Object.fromEntries(receivesByQueue) };
    },
    reset() {
      actions.clear();
      receivesByQueue.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
