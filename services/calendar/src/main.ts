import { runService, type ServiceDefinition } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { calendarEnvSchema } from './config.ts';
import { renderRequestedCalendar } from './jobs/render-requested-calendar.ts';
import { calendarMigrations } from './migrations.ts';

export const calendarService = {
  manifest,
  env: calendarEnvSchema,
  migrations: calendarMigrations,
  parts: ({ config, aws }) => ({
    handlers: {
      CalendarRequested: renderRequestedCalendar({
        s3: aws.s3,
        bucket: config.EVENTS_BUCKET,
        maxReceiveCount: manifest.queue.maxReceiveCount,
      }),
    },
    consumer: { concurrency: config.CALENDAR_CONCURRENCY },
  }),
} satisfies ServiceDefinition<typeof calendarEnvSchema>;

if (import.meta.main) await runService(calendarService, { exitOnSignal: true });
