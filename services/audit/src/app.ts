import Router from '@koa/router';
import type { BackfillTargets } from '@taskoverflow/events';
import { createServiceApp } from '@taskoverflow/events/service';
import type { Db, Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import { parseAuditQuery, readAuditPage } from './log/query.ts';
import { replayRouter } from './replay/routes.ts';

export function auditRouters(db: Db, targets: BackfillTargets = {}, onReplayCreated = () => {}): Router[] {
  const router = new Router({ prefix: '/api/v1/audit' });
  router.get('/', async (ctx) => {
    ctx.body = await readAuditPage(db, parseAuditQuery(ctx.query));
  });
  return [replayRouter(db, targets, onReplayCreated), router];
}

/** The app runService serves, for tests that need no bus: readiness is the database alone. */
export function createApp({ db, log, targets }: { db: Db; log: Logger; targets?: BackfillTargets }): Koa {
  return createServiceApp(manifest, {
    log,
    routers: auditRouters(db, targets),
    checks: { database: () => db.query('SELECT 1') },
  });
}
