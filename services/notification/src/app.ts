import Router from '@koa/router';
import { createServiceApp } from '@taskoverflow/events/service';
import { type ApiAccess, type ApiSettings, apiAccess, type Db, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import type { TargetPolicy } from './delivery/target-guard.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { webhookStore } from './webhooks/store.ts';

export interface NotificationAppDeps {
  db: Db;
  policy: TargetPolicy;
  access: ApiAccess;
}

export function notificationRouters({ db, policy, access }: NotificationAppDeps): Router[] {
  const api = new Router({ prefix: '/api/v1/webhooks' });
  // Webhook management always needs a token: a webhook receives every event it subscribes to.
  api.use(access.guard('webhooks:manage'), webhookRoutes(webhookStore(db), policy, access.writeLimit).routes());
  return [api];
}

/** The app runService serves, for tests that need no bus: readiness is the database alone. */
export function createApp(deps: Omit<NotificationAppDeps, 'access'> & { log: Logger; api: ApiSettings }): Koa {
  return createServiceApp(manifest, {
    log: deps.log,
    api: deps.api,
    routers: notificationRouters({ ...deps, access: apiAccess(deps.api) }),
    checks: { database: () => deps.db.query('SELECT 1') },
  });
}
