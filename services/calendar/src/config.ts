import { serviceEnvSchema } from '@taskoverflow/events/service';
import { z } from 'zod';
import manifest from '../service.ts';

export const calendarEnvSchema = serviceEnvSchema(manifest).extend({
  EVENTS_BUCKET: z.string().min(1).describe('S3 bucket the .ics files (calendars/) and claim checks live in'),
  CALENDAR_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(2)
    .describe('Calendar jobs rendered at once; rendering is CPU-bound, so about one per vCPU'),
});
