import { eventsEnvSchema } from '@taskoverflow/events/config';
import { baseEnvSchema } from '@taskoverflow/platform';
import { z } from 'zod';

export const todoEnvSchema = baseEnvSchema()
  .extend(eventsEnvSchema.shape)
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(6400).describe('HTTP port of the todo API'),
  });
export type TodoConfig = z.output<typeof todoEnvSchema>;
