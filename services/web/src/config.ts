import { baseEnvSchema } from '@taskoverflow/platform';
import { z } from 'zod';

export const webEnvSchema = baseEnvSchema()
  .pick({ LOG_LEVEL: true })
  .extend({
    PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8080)
      .describe('HTTP port of the web UI, and /health/live + /health/ready'),
  });
