import { backfillTargetsSchema } from '@taskoverflow/events';
import { serviceEnvSchema } from '@taskoverflow/events/service';
import { z } from 'zod';
import manifest from '../service.ts';

export const auditEnvSchema = serviceEnvSchema(manifest).extend({
  BACKFILL_TARGETS: backfillTargetsSchema,
  AUDIT_REPLAY_EVENTS_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(3000)
    .describe('Ceiling on events a replay sends per second, so live traffic keeps its latency'),
});
