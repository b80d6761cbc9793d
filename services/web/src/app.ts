import Router from '@koa/router';
import type { Asset } from './assets.ts';

// Everything the page loads comes from this origin; the API is same-origin behind the gateway/ALB.
const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The page and its hashed assets, gzipped when the client takes it, with ETags. Any other path,
 * `/api/...` ones no service claims included, answers the boundary's JSON 404 as the gateway did
 * before the UI existed.
 */
export function assetRouter(assets: ReadonlyMap<string, Asset>): Router {
  const router = new Router();
  router.get(['/', '/index.html', '/assets/:file'], (ctx) => {
    const asset = assets.get(ctx.path === '/index.html' ? '/' : ctx.path);
    if (!asset) return; // an unknown asset: the boundary answers 404 JSON
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
  return router;
}
