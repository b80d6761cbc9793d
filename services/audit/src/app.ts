import Router from '@koa/router';
import { type Db, type Logger, requestBoundary } from '@taskoverflow/platform';
import Koa from 'koa';
import { parseAuditQuery, readAuditPage } from './log/query.ts';

export function createApp({ db, log }: { db: Db; log: Logger }): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(requestBoundary(log));
  const router = new Router({ prefix: '/api/v1/audit' });
  router.get('/health', async (ctx) => {
    await db.query('SELECT 1');
    ctx.body = { status: 'ok' };
  });
  router.get('/', async (ctx) => {
    ctx.body = await readAuditPage(db, parseAuditQuery(ctx.query));
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
