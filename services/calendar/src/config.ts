import { eventsEnvSchema } from '@taskoverflow/events/config';
import { baseEnvSchema } from '@taskoverflow/platform';
import { z } from 'zod';

export const calendarEnvSchema = baseEnvSchema()
  .extend(eventsEnvSchema.shape)
  .extend({
    EVENTS_TOPIC_ARN: z.string().min(1).describe('SNS topic CalendarStarted/Generated/Failed are published to'),
    EVENTS_QUEUE_URL: z.url().describe('The calendar queue (taskoverflow-calendar) CalendarRequested arrives on'),
    EVENTS_BUCKET: z.string().min(1).describe('S3 bucket the .ics files (calendars/) and claim checks live in'),
    CALENDAR_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(16)
      .default(2)
      .describe('Calendar jobs rendered at once; rendering is CPU-bound, so about one per vCPU'),
  });
export type CalendarConfig = z.output<typeof calendarEnvSchema>;
