import Router from '@koa/router';
import { createServiceApp } from '@taskoverflow/events/service';
import type { Db, Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import type { TargetPolicy } from './delivery/target-guard.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { webhookStore } from './webhooks/store.ts';

export interface NotificationAppDeps {
  db: Db;
  policy: TargetPolicy;
}

export function notificationRouters({ db, policy }: NotificationAppDeps): Router[] {
  const api = new Router({ prefix: '/api/v1/webhooks' });
  api.use(webhookRoutes(webhookStore(db), policy).routes());
  return [api];
}

/** The app runService serves, for tests that need no bus: readiness is the database alone. */
export function createApp(deps: NotificationAppDeps & { log: Logger }): Koa {
  return createServiceApp(manifest, {
    log: deps.log,
    routers: notificationRouters(deps),
    checks: { database: () => deps.db.query('SELECT 1') },
  });
}
