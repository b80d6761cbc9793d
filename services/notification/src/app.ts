import Router from '@koa/router';
import type { ApiAccess, Db } from '@taskoverflow/platform';
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
