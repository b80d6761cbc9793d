import Router from '@koa/router';
import { type ApiSettings, apiAccess, createApiApp, type Db, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import { parseAuditQuery, readAuditPage } from './log/query.ts';

export function createApp({ db, log, api }: { db: Db; log: Logger; api: ApiSettings }): Koa {
  const app = createApiApp(log, api);
  const { guard } = apiAccess(api);
  const router = new Router({ prefix: '/api/v1/audit' });
  router.get('/health', async (ctx) => {
    await db.query('SELECT 1');
    ctx.body = { status: 'ok' };
  });
  // The log holds every todo ever written, deleted ones included: never anonymous.
  router.get('/', guard('audit:read'), async (ctx) => {
    ctx.body = await readAuditPage(db, parseAuditQuery(ctx.query));
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
