import Router from '@koa/router';
import { type Db, type Logger, requestBoundary } from '@taskoverflow/platform';
import Koa from 'koa';
import type { TargetPolicy } from './delivery/target-guard.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { webhookStore } from './webhooks/store.ts';

export interface NotificationAppDeps {
  db: Db;
  log: Logger;
  policy: TargetPolicy;
}

export function createApp({ db, log, policy }: NotificationAppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged by requestBoundary, not printed by Koa
  app.use(requestBoundary(log));

  const api = new Router({ prefix: '/api/v1/webhooks' });
  // Declared before /:id so that "health" is never taken for a webhook id.
  api.get('/health', async (ctx) => {
    await db.query('SELECT 1');
    ctx.body = { status: 'ok' };
  });
  const webhooks = webhookRoutes(webhookStore(db), policy);
  api.use(webhooks.routes(), webhooks.allowedMethods({ throw: true }));
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));
  return app;
}
