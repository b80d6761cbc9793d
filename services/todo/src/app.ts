import Router from '@koa/router';
import { createServiceApp } from '@taskoverflow/events/service';
import type { Db, Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import { type CalendarStorage, calendarJobsRouter } from './calendar-jobs/index.ts';
import { todoRoutes } from './todos/routes.ts';
import { todoStore } from './todos/store.ts';

export interface TodoAppDeps {
  db: Db;
  /** Bucket the finished calendars are read from; without it, results cannot be downloaded. */
  calendarStorage?: CalendarStorage | undefined;
  /** Called after a write committed events to the outbox: the relay's `wake`. */
  onEventsCommitted?: (() => void) | undefined;
}

/** The todo API under `/api/v1`. */
export function todoRouters({ db, calendarStorage, onEventsCommitted }: TodoAppDeps): Router[] {
  const api = new Router({ prefix: '/api/v1' });
  api.use(calendarJobsRouter(db, calendarStorage, onEventsCommitted).routes());
  api.use(todoRoutes(todoStore(db, onEventsCommitted)).routes());
  return [api];
}

/** The app runService serves, for tests that need no bus: readiness is the database alone. */
export function createApp(deps: TodoAppDeps & { log: Logger }): Koa {
  return createServiceApp(manifest, {
    log: deps.log,
    routers: todoRouters(deps),
    checks: { database: () => deps.db.query('SELECT 1') },
  });
}
