import { z } from 'zod';
import { todoSchema } from './todo.ts';

export const CalendarRequested = {
  type: 'CalendarRequested',
  version: 1,
  description: 'A client asked for an iCal export; data is the job id and a snapshot of every todo.',
  schema: z.object({ jobId: z.uuid(), todos: z.array(todoSchema) }),
  /** Unbounded (every todo): above the bus's size limit its data travels by claim check (S3). */
  mayTravelByClaimCheck: true,
} as const;
