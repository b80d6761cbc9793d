import type Router from '@koa/router';
import type { Db } from '@taskoverflow/platform';
import type { ScopeGuard } from '@taskoverflow/platform/auth';
import { idempotentWrites } from '../idempotency.ts';
import { type CalendarStorage, calendarJobRoutes } from './routes.ts';
import { calendarJobStore } from './store.ts';

export { calendarJobHandlers } from './handlers.ts';
export type { CalendarStorage } from './routes.ts';

/** The iCal job API, mounted under `/api/v1` by createApp. */
export const calendarJobsRouter = (
  db: Db,
  guard: ScopeGuard,
  storage?: CalendarStorage,
  onEventsCommitted?: () => void,
): Router => calendarJobRoutes(calendarJobStore(db), guard, idempotentWrites(db, onEventsCommitted), storage);
