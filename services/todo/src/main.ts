import { runService, type ServiceDefinition, serviceEnvSchema } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { todoRouters } from './app.ts';
import { calendarJobHandlers } from './calendar-jobs/handlers.ts';
import { todoMigrations } from './migrations.ts';

const env = serviceEnvSchema(manifest);

export const todoService = {
  manifest,
  env,
  migrations: todoMigrations,
  parts: ({ db, storage, wakeRelay, access }) => ({
    // Job status comes back as events from the calendar service.
    handlers: calendarJobHandlers(),
    // The bucket holds finished calendars and claim-checked event payloads.
    routers: todoRouters({ db, access, calendarStorage: storage, onEventsCommitted: wakeRelay }),
  }),
} satisfies ServiceDefinition<typeof env>;

if (import.meta.main) await runService(todoService, { exitOnSignal: true });
