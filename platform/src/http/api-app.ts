import cors from '@koa/cors';
import Koa, { type Middleware } from 'koa';
import { type Auth, authFromConfig, type ScopeGuard, scopeGuard } from '../auth/index.ts';
import type { baseEnvSchema } from '../config.ts';
import type { Logger } from '../log.ts';
import { httpTelemetry } from '../telemetry/http.ts';
import { apiHeaders } from './api-headers.ts';
import { declaredBodyLimit, rateLimit } from './limits.ts';
import { requestBoundary } from './middleware.ts';

/** How a service's HTTP API admits callers: tokens, proxies and browsers. */
export interface ApiSettings {
  auth: Auth;
  /** Honour X-Forwarded-* only behind our own gateway or load balancer, which set them. */
  trustProxy: boolean;
  /** Browser origins allowed by CORS; none → no CORS headers at all. */
  corsOrigins: readonly string[];
  /** Per caller and minute (0: no limit): writes, and expensive job starts (iCal exports). */
  rateLimits: { writesPerMinute: number; jobsPerMinute: number };
}

type BaseConfig = ReturnType<ReturnType<typeof baseEnvSchema>['parse']>;

export const apiSettingsFromConfig = (config: BaseConfig): ApiSettings => ({
  auth: authFromConfig(config),
  trustProxy: config.TRUST_PROXY,
  corsOrigins: config.CORS_ALLOWED_ORIGINS,
  rateLimits: {
    writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
    jobsPerMinute: config.RATE_LIMIT_JOBS_PER_MINUTE,
  },
});

/** What routes put in front of their handlers: the scope they need, and rate limits. */
export interface ApiAccess {
  guard: ScopeGuard;
  /** After the guard (it counts per token subject): writes. */
  writeLimit: Middleware;
  /** After the guard: job starts, which cost far more than a write. */
  jobLimit: Middleware;
}

/** One per app: the limits count across all of its routes. */
export const apiAccess = (settings: ApiSettings): ApiAccess => ({
  guard: scopeGuard(settings.auth),
  writeLimit: rateLimit(settings.rateLimits.writesPerMinute),
  jobLimit: rateLimit(settings.rateLimits.jobsPerMinute),
});

/**
 * The Koa app every service's API starts from: the request's span and metrics outermost
 * (except for `untraced` paths: health probes), errors as JSON (requestBoundary), API
 * headers on every response, and CORS only for the configured origins.
 */
export function createApiApp(log: Logger, settings: ApiSettings, untraced: readonly string[] = []): Koa {
  const app = new Koa({ proxy: settings.trustProxy });
  app.silent = true; // errors are logged by requestBoundary, not printed by Koa
  app.use(httpTelemetry({ untraced }));
  app.use(async (ctx, next) => {
    ctx.set(apiHeaders);
    await next();
  });
  app.use(requestBoundary(log));
  app.use(declaredBodyLimit);
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
