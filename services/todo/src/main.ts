import { runService, type ServiceDefinition } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { todoRouters } from './app.ts';
import { calendarJobHandlers } from './calendar-jobs/handlers.ts';
import { todoEnvSchema } from './config.ts';
import { todoMigrations } from './migrations.ts';

export const todoService = {
  manifest,
  env: todoEnvSchema,
  migrations: todoMigrations,
  parts: ({ db, storage, wakeRelay, access }) => ({
    // Job status comes back as events from the calendar service.
    handlers: calendarJobHandlers(),
    // The bucket holds finished calendars and claim-checked event payloads.
    routers: todoRouters({ db, access, calendarStorage: storage, onEventsCommitted: wakeRelay }),
  }),
} satisfies ServiceDefinition<typeof todoEnvSchema>;

if (import.meta.main) await runService(todoService, { exitOnSignal: true });
