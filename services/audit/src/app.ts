import Router from '@koa/router';
import { createServiceApp } from '@taskoverflow/events/service';
import { type ApiAccess, type ApiSettings, apiAccess, type Db, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import { parseAuditQuery, readAuditPage } from './log/query.ts';

export function auditRouters(db: Db, { guard }: ApiAccess): Router[] {
  const router = new Router({ prefix: '/api/v1/audit' });
  // The log holds every todo ever written, deleted ones included: never anonymous.
  router.get('/', guard('audit:read'), async (ctx) => {
    ctx.body = await readAuditPage(db, parseAuditQuery(ctx.query));
  });
  return [router];
}

/** The app runService serves, for tests that need no bus: readiness is the database alone. */
export function createApp({ db, log, api }: { db: Db; log: Logger; api: ApiSettings }): Koa {
  return createServiceApp(manifest, {
    log,
    api,
    routers: auditRouters(db, apiAccess(api)),
    checks: { database: () => db.query('SELECT 1') },
  });
}
