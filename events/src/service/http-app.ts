import { METHODS } from 'node:http';
import Router from '@koa/router';
import { type ApiSettings, createApiApp, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import { healthPaths, type ServiceManifest } from '../manifest.ts';

/** A readiness check: resolves when healthy, throws (its message is reported) when not. */
export type ReadinessCheck = () => unknown;

export interface ServiceAppOptions {
  log: Logger;
  /** Who may call (tokens, anonymous scopes), proxies, CORS: see createApiApp. */
  api: ApiSettings;
  /** The service's routes, with their prefixes. */
  routers?: readonly Router[];
  /** Runs after the request boundary, before every route (authentication goes here). */
  middleware?: readonly Middleware[];
  /** Named readiness checks; `/health/ready` is 200 when all pass. */
  checks: Record<string, ReadinessCheck>;
}

async function runChecks(checks: Record<string, ReadinessCheck>) {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return { ok: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/**
 * Every service's HTTP app: the request boundary first (errors → JSON), liveness and
 * readiness, the service's routes, and 405 with `Allow` for a known path asked with another
 * method (every method counts as implemented, so it is never a 501).
 */
export function createServiceApp(manifest: ServiceManifest, options: ServiceAppOptions): Koa {
  // The request's span first, then the request boundary (errors → JSON), API headers, body limit, CORS when configured.
  const probes = [healthPaths.live, healthPaths.ready, ...(manifest.http ? [manifest.http.healthPath] : [])];
  const app = createApiApp(options.log, options.api, probes);

  const health = new Router({ methods: METHODS });
  health.get(healthPaths.live, (ctx) => {
    ctx.body = { status: 'ok' };
  });
  health.get(healthPaths.ready, async (ctx) => {
    const { ok, checks } = await runChecks(options.checks);
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'unavailable', checks };
  });
  // The manifest's public path (todo's wire-compatible /api/v1/health) answers readiness as the original did.
  if (manifest.http) {
    health.get(manifest.http.healthPath, async (ctx) => {
      const { ok, checks } = await runChecks(options.checks);
      ctx.status = ok ? 200 : 503;
      ctx.body = ok ? { status: 'ok' } : { status: 'unavailable', checks };
    });
  }
  app.use(health.routes());

  for (const middleware of options.middleware ?? []) app.use(middleware);
  const api = new Router({ methods: METHODS });
  for (const router of options.routers ?? []) api.use(router.routes());
  app.use(api.routes());
  app.use(api.allowedMethods()); // not `throw`: it would drop the Allow header; sees health's routes too
  return app;
}
