import { type Logger, requestBoundary } from '@taskoverflow/platform';
import Koa from 'koa';
import type { Asset } from './assets.ts';

// Everything the page loads comes from this origin; the API is same-origin behind the gateway/ALB.
const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The UI's assets (built at start-up) and the health paths. Any other path, `/api/...` ones
 * no service claims included, answers a JSON 404 as the gateway did before the UI existed.
 */
export function createApp({ assets, log }: { assets: ReadonlyMap<string, Asset>; log: Logger }): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(requestBoundary(log));
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/health/live' || ctx.path === '/health/ready') {
      ctx.body = { status: 'ok' };
      return;
    }
    const asset = assets.get(ctx.path === '/index.html' ? '/' : ctx.path);
    if (!asset) return next();
    ctx.set(securityHeaders);
    ctx.set('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.vary('accept-encoding');
    ctx.type = asset.type;
    ctx.etag = asset.etag;
    ctx.status = 200; // Koa compares validators only on a 2xx
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    const gzip = ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
    if (gzip) ctx.set('content-encoding', 'gzip');
    ctx.body = gzip ? asset.gzip : asset.body;
  });
  return app;
}
