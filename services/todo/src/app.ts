import Router from '@koa/router';
import { createServiceApp } from '@taskoverflow/events/service';
import { type ApiAccess, type ApiSettings, apiAccess, type Db, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import manifest from '../service.ts';
import { type CalendarStorage, calendarJobsRouter } from './calendar-jobs/index.ts';
import { idempotentWrites } from './idempotency.ts';
import { todoRoutes } from './todos/routes.ts';
import { todoStore } from './todos/store.ts';

export interface TodoAppDeps {
  db: Db;
  /** Scopes and rate limits in front of each route. */
  access: ApiAccess;
  /** Bucket the finished calendars are read from; without it, results cannot be downloaded. */
  calendarStorage?: CalendarStorage | undefined;
  /** Called after a write committed events to the outbox: the relay's `wake`. */
  onEventsCommitted?: (() => void) | undefined;
}

/** The todo API under `/api/v1`. */
export function todoRouters({ db, access, calendarStorage, onEventsCommitted }: TodoAppDeps): Router[] {
  const api = new Router({ prefix: '/api/v1' });
  api.use(calendarJobsRouter(db, access, calendarStorage, onEventsCommitted).routes());
  api.use(todoRoutes(todoStore(db, onEventsCommitted), access, idempotentWrites(db, onEventsCommitted)).routes());
  return [api];
}

/** The app runService serves, for tests that need no bus: readiness is the database alone. */
export function createApp(deps: Omit<TodoAppDeps, 'access'> & { log: Logger; api: ApiSettings }): Koa {
  return createServiceApp(manifest, {
    log: deps.log,
    api: deps.api,
    routers: todoRouters({ ...deps, access: apiAccess(deps.api) }),
    checks: { database: () => deps.db.query('SELECT 1') },
  });
}
