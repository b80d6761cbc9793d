import { z } from 'zod';

export const CalendarFailed = {
  type: 'CalendarFailed',
  version: 1,
  description: 'A calendar job could not be completed; reason says why.',
  schema: z.object({ jobId: z.uuid(), reason: z.string() }),
} as const;
