import { METHODS } from 'node:http';
import Router from '@koa/router';
import { type Db, type Logger, requestBoundary } from '@taskoverflow/platform';
import Koa from 'koa';
import { type CalendarStorage, calendarJobsRouter } from './calendar-jobs/index.ts';
import { todoRoutes } from './todos/routes.ts';
import { todoStore } from './todos/store.ts';

export interface TodoAppDeps {
  db: Db;
  log: Logger;
  /** Bucket the finished calendars are read from; without it, results cannot be downloaded. */
  calendarStorage?: CalendarStorage | undefined;
  /** Called after a write committed events to the outbox: the relay's `wake`. */
  onEventsCommitted?: (() => void) | undefined;
}

export function createApp({ db, log, calendarStorage, onEventsCommitted }: TodoAppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged by requestBoundary, not printed by Koa
  app.use(requestBoundary(log));

  // Every method is "implemented", so an unsupported one on a known path is a 405 with Allow, not a 501.
  const api = new Router({ prefix: '/api/v1', methods: METHODS });
  api.get('/health', async (ctx) => {
    await db.query('SELECT 1');
    ctx.body = { status: 'ok' };
  });
  api.use(calendarJobsRouter(db, calendarStorage, onEventsCommitted).routes());
  api.use(todoRoutes(todoStore(db, onEventsCommitted)).routes());
  app.use(api.routes());
  app.use(api.allowedMethods()); // not `throw`: it would drop the Allow header
  return app;
}
