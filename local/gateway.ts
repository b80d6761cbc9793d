import { createServer, type Server } from 'node:http';
import type { Logger } from '@taskoverflow/platform';
import { createProxyServer } from 'http-proxy-3';
import { matchRoute, type Route } from './routes.ts';

function sendJson(res: import('node:http').ServerResponse, status: number, body: object) {
  if (res.headersSent) return res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Routes requests by path prefix to the services, as the ALB does in the cloud, adding
 * X-Forwarded-* headers so services build URLs for the address the client used.
 */
export function createGateway(routes: readonly Route[], upstreams: ReadonlyMap<string, string>, log: Logger): Server {
  const proxy = createProxyServer({ xfwd: true, proxyTimeout: 60_000 });
  proxy.on('error', (error, _req, res) => {
    log.warn({ err: error }, 'upstream unavailable');
    if (res && 'writeHead' in res) sendJson(res, 502, { error: 'Service unavailable' });
  });
  return createServer((req, res) => {
    const route = matchRoute(routes, req.url ?? '/');
    const target = route && upstreams.get(route.service);
    if (!target) return sendJson(res, 404, { error: 'Not found' });
    proxy.web(req, res, { target });
  });
}
