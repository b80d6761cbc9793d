import cors from '@koa/cors';
import Koa from 'koa';
import { type Auth, authFromConfig } from '../auth/index.ts';
import type { baseEnvSchema } from '../config.ts';
import type { Logger } from '../log.ts';
import { requestBoundary } from './middleware.ts';

/** How a service's HTTP API admits callers: tokens, proxies and browsers. */
export interface ApiSettings {
  auth: Auth;
  /** Honour X-Forwarded-* only behind our own gateway or load balancer, which set them. */
  trustProxy: boolean;
  /** Browser origins allowed by CORS; none → no CORS headers at all. */
  corsOrigins: readonly string[];
}

type BaseConfig = ReturnType<ReturnType<typeof baseEnvSchema>['parse']>;

export const apiSettingsFromConfig = (config: BaseConfig): ApiSettings => ({
  auth: authFromConfig(config),
  trustProxy: config.TRUST_PROXY,
  corsOrigins: config.CORS_ALLOWED_ORIGINS,
});

/**
 * The Koa app every service's API starts from: errors as JSON (requestBoundary), API
 * headers on every response, and CORS only for the configured origins.
 */
export function createApiApp(log: Logger, settings: ApiSettings): Koa {
  const app = new Koa({ proxy: settings.trustProxy });
  app.silent = true; // errors are logged by requestBoundary, not printed by Koa
  app.use(async (ctx, next) => {
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('cache-control', 'no-store'); // answers carry per-caller data: no shared cache keeps them
    await next();
  });
  app.use(requestBoundary(log));
  if (settings.corsOrigins.length > 0) {
    const allowed = new Set(settings.corsOrigins);
    app.use(
      cors({
        // An origin not on the list gets no Access-Control-Allow-Origin: the browser blocks it.
        origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''),
        allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'traceparent'],
        exposeHeaders: ['location', 'retry-after', 'x-request-id', 'www-authenticate'],
        maxAge: 600,
      }),
    );
  }
  return app;
}
