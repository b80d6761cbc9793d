import Router from '@koa/router';
import { type ApiSettings, apiAccess, createApiApp, type Db, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import type { TargetPolicy } from './delivery/target-guard.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { webhookStore } from './webhooks/store.ts';

export interface NotificationAppDeps {
  db: Db;
  log: Logger;
  api: ApiSettings;
  policy: TargetPolicy;
}

export function createApp({ db, log, api: settings, policy }: NotificationAppDeps): Koa {
  const app = createApiApp(log, settings);

  const api = new Router({ prefix: '/api/v1/webhooks' });
  // Declared before /:id so that "health" is never taken for a webhook id.
  api.get('/health', async (ctx) => {
    await db.query('SELECT 1');
    ctx.body = { status: 'ok' };
  });
  const access = apiAccess(settings);
  const webhooks = webhookRoutes(webhookStore(db), policy, access.writeLimit);
  // Webhook management always needs a token: a webhook receives every event it subscribes to.
  api.use(access.guard('webhooks:manage'), webhooks.routes(), webhooks.allowedMethods({ throw: true }));
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));
  return app;
}
