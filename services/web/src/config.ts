import { baseEnvSchema } from '@taskoverflow/platform';
import { z } from 'zod';

// The whole base schema: the shared HTTP app takes its API settings (proxy, CORS) from it.
export const webEnvSchema = baseEnvSchema().extend({
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8080)
    .describe('HTTP port of the web UI, and /health/live + /health/ready'),
});
