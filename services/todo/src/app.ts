import { METHODS } from 'node:http';
import Router from '@koa/router';
import { type ApiSettings, apiAccess, createApiApp, type Db, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import { type CalendarStorage, calendarJobsRouter } from './calendar-jobs/index.ts';
import { idempotentWrites } from './idempotency.ts';
import { todoRoutes } from './todos/routes.ts';
import { todoStore } from './todos/store.ts';

export interface TodoAppDeps {
  db: Db;
  log: Logger;
  /** Who may call: tokens, anonymous scopes, proxies, CORS. */
  api: ApiSettings;
  /** Bucket the finished calendars are read from; without it, results cannot be downloaded. */
  calendarStorage?: CalendarStorage | undefined;
  /** Called after a write committed events to the outbox: the relay's `wake`. */
  onEventsCommitted?: (() => void) | undefined;
}

export function createApp({ db, log, api: settings, calendarStorage, onEventsCommitted }: TodoAppDeps): Koa {
  const app = createApiApp(log, settings);
  const access = apiAccess(settings);

  // Every method is "implemented", so an unsupported one on a known path is a 405 with Allow, not a 501.
  const api = new Router({ prefix: '/api/v1', methods: METHODS });
  api.get('/health', async (ctx) => {
    await db.query('SELECT 1');
    ctx.body = { status: 'ok' };
  });
  api.use(calendarJobsRouter(db, access, calendarStorage, onEventsCommitted).routes());
  api.use(todoRoutes(todoStore(db, onEventsCommitted), access, idempotentWrites(db, onEventsCommitted)).routes());
  app.use(api.routes());
  app.use(api.allowedMethods()); // not `throw`: it would drop the Allow header
  return app;
}
