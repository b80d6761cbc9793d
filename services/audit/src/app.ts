import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import { createServiceApp } from '@taskoverflow/events/service';
import type { Db, Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import { parseAuditQuery, readAuditPage } from './log/query.ts';
import { followAuditLog, parseStreamStart } from './log/stream.ts';

export function auditRouters(db: Db): Router[] {
  const router = new Router({ prefix: '/api/v1/audit' });
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
