import { eventsEnvSchema } from '@taskoverflow/events/config';
import { baseEnvSchema } from '@taskoverflow/platform';
import { z } from 'zod';

export const auditEnvSchema = baseEnvSchema()
  .extend(eventsEnvSchema.shape)
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(6402).describe('HTTP port of the audit API'),
    EVENTS_QUEUE_URL: z.url().describe("The audit service's SQS queue"),
  });
