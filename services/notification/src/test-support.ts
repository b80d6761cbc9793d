// Test helpers: a webhook receiver on 127.0.0.1, a TodoCreated event, one HTTP call.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeEvent } from '@taskoverflow/events';
import { sampleTodo, waitFor } from '@taskoverflow/events/testing';
import { type ApiResponse, sendRequest } from '@taskoverflow/platform/test-http';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the body had fully arrived. */
  at: number;
}

/** How the receiver answers one request; 'hang' never answers (until close). */
export type Reply = { status: number; body?: string } | 'hang';

export interface Receiver {
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** Called for each request with its index in `requests`. */
  reply: (request: ReceivedRequest, index: number) => Reply;
  /** Resolves once `count` requests have arrived, or rejects at the deadline. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: (path = '/hook') => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    requests: [],
    reply: () => ({ status: 204 }),
    async waitFor(count, timeoutMs = 5000) {
      await waitFor(() => receiver.requests.length >= count, { timeoutMs, what: `${count} webhook request(s)` });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      const index = receiver.requests.push(received) - 1;
      const reply = receiver.reply(received, index);
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return receiver;
}

export const todoCreated = () =>
  makeEvent({ type: 'TodoCreated', source: 'todo', subject: '7', data: sampleTodo(7, 'Water the plants') });

/** One request to a server on 127.0.0.1:`port`; `body` is sent as is. */
export function call(
  port: number,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' },
): Promise<ApiResponse> {
  return sendRequest({ port, method, path, headers, body });
}
