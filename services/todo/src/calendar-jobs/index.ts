import type Router from '@koa/router';
import type { ApiAccess, Db } from '@taskoverflow/platform';
import { idempotentWrites } from '../idempotency.ts';
import { type CalendarStorage, calendarJobRoutes } from './routes.ts';
import { calendarJobStore } from './store.ts';

export { calendarJobHandlers } from './handlers.ts';
export type { CalendarStorage } from './routes.ts';

/** The iCal job API, mounted under `/api/v1` by todoRouters. */
export const calendarJobsRouter = (
  db: Db,
  access: ApiAccess,
  storage?: CalendarStorage,
  onEventsCommitted?: () => void,
): Router => calendarJobRoutes(calendarJobStore(db), access, idempotentWrites(db, onEventsCommitted), storage);
