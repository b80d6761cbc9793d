import Router from '@koa/router';
import { createServiceApp } from '@taskoverflow/events/service';
import type { Db, Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import { parseAuditQuery, readAuditPage } from './log/query.ts';

export function auditRouters(db: Db): Router[] {
  const router = new Router({ prefix: '/api/v1/audit' });
  router.get('/', async (ctx) => {
    ctx.body = await readAuditPage(db, parseAuditQuery(ctx.query));
  });
  return [router];
}

/** The app runService serves, for tests that need no bus: readiness is the database alone. */
export function createApp({ db, log }: { db: Db; log: Logger }): Koa {
  return createServiceApp(manifest, {
    log,
    routers: auditRouters(db),
    checks: { database: () => db.query('SELECT 1') },
  });
}
