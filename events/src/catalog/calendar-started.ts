import { z } from 'zod';

export const CalendarStarted = {
  type: 'CalendarStarted',
  version: 1,
  description: 'The calendar service began rendering a job.',
  schema: z.object({ jobId: z.uuid() }),
} as const;
