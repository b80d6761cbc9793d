import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@taskoverflow/platform';
import { matchRoute, type Route } from './routes.ts';

// Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders, dropForwarded: boolean): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (hopByHop.has(name)) continue;
    // A client must not choose the address, scheme or host a service believes it was reached on.
    if (dropForwarded && (name.startsWith('x-forwarded-') || name === 'forwarded')) continue;
    kept[name] = value;
  }
  return kept;
}

function sendJson(res: ServerResponse, status: number, error: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Node's parser rejected the request before any handler ran: answer in JSON all the same, then close. */
function rejectMalformed(error: NodeJS.ErrnoException, socket: Socket) {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive']
        : [400, 'Bad Request', 'Malformed HTTP request'];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export interface GatewayOptions {
  routes: readonly Route[];
  /** Current base URL of each service; read per request, so a restarted service on a new port is found. */
  upstreamOf: (service: string) => string | undefined;
  log: Logger;
  timeoutMs?: number;
}

/**
 * Routes requests by path prefix to the services, as the ALB does in the cloud. It sets
 * X-Forwarded-For/Proto/Host itself, reuses upstream connections, and every error it
 * answers itself is JSON.
 */
export function createGateway({ routes, upstreamOf, log, timeoutMs = 60_000 }: GatewayOptions): Server {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  function proxy(req: IncomingMessage, res: ServerResponse, target: string) {
    const headers = forwardable(req.headers, true);
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    headers['x-forwarded-proto'] = 'http';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers, agent });
    let answered = false;
    upstream.setTimeout(timeoutMs, () =>
      upstream.destroy(Object.assign(new Error('upstream timed out'), { timeout: true })),
    );
    upstream.on('response', (response) => {
      answered = true;
      // The service answered before reading the whole body (an early 413): stop sending it.
      if (!req.complete) req.unpipe(upstream);
      res.writeHead(response.statusCode ?? 502, forwardable(response.headers, false));
      response.pipe(res);
      response.on('error', () => res.destroy());
    });
    upstream.on('error', (error: Error & { timeout?: boolean }) => {
      // Once the service has answered, an EPIPE from the unsent rest of the body is expected.
      if (answered) return;
      log.warn({ err: error, target }, 'upstream unavailable');
      sendJson(res, error.timeout ? 504 : 502, error.timeout ? 'Service timed out' : 'Service unavailable');
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    const route = matchRoute(routes, req.url ?? '/');
    const target = route && upstreamOf(route.service);
    if (!target) return sendJson(res, 404, 'Not found');
    proxy(req, res, target);
  });
  server.on('clientError', rejectMalformed);
  server.on('close', () => agent.destroy());
  return server;
}
