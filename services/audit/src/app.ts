import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { BackfillTargets } from '@taskoverflow/events';
import type { ApiAccess, Db } from '@taskoverflow/platform';
import { parseAuditQuery, readAuditPage } from './log/query.ts';
import { followAuditLog, parseStreamStart } from './log/stream.ts';
import { replayRouter } from './replay/routes.ts';

export interface ReplaySettings {
  targets: BackfillTargets;
  /** A replay was requested: the replayer looks now. */
  onCreated: () => void;
}

export function auditRouters(
  db: Db,
  access: ApiAccess,
  replay: ReplaySettings = { targets: {}, onCreated: () => {} },
): Router[] {
  const router = new Router({ prefix: '/api/v1/audit' });
  // The log holds every todo ever written, deleted ones included: never anonymous.
  router.get('/', access.guard('audit:read'), async (ctx) => {
    ctx.body = await readAuditPage(db, parseAuditQuery(ctx.query));
  });
  // Server-sent events: the log as it grows, resumable with Last-Event-ID.
  router.get('/stream', access.guard('audit:read'), (ctx) => {
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
  return [replayRouter(db, access, replay), router];
}
