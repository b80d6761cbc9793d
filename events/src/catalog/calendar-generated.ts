import { z } from 'zod';

export const CalendarGenerated = {
  type: 'CalendarGenerated',
  version: 1,
  description: 'A calendar was rendered and stored; objectKey names it in the bucket.',
  schema: z.object({
    jobId: z.uuid(),
    objectKey: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
  }),
} as const;
