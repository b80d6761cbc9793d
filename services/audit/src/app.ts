import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import { type Db, type Logger, requestBoundary } from '@taskoverflow/platform';
import Koa from 'koa';
import { parseAuditQuery, readAuditPage } from './log/query.ts';
import { followAuditLog, parseStreamStart } from './log/stream.ts';

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
  // Server-sent events: the log as it grows, resumable with Last-Event-ID.
  router.get('/stream', (ctx) => {
    const start = parseStreamStart(ctx.get('last-event-id'), ctx.query.backlog);
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.type = 'text/event-stream';
    ctx.set('cache-control', 'no-cache, no-transform');
    ctx.set('x-accel-buffering', 'no');
    const body = new PassThrough();
    ctx.body = body;
    const follower = followAuditLog({ db, log: ctx.state.log, start, write: (chunk) => body.write(chunk) });
    ctx.req.once('close', () => {
      follower.stop();
      body.end();
    });
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
