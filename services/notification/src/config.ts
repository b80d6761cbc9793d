import { serviceEnvSchema } from '@taskoverflow/events/service';
import { z } from 'zod';
import manifest from '../service.ts';

export const notificationEnvSchema = serviceEnvSchema(manifest).extend({
  NOTIFICATION_ALLOW_PRIVATE_TARGETS: z
    .stringbool()
    .default(false)
    .describe('Allow webhook URLs on private, loopback and link-local addresses (local development only)'),
  NOTIFICATION_ALLOW_HTTP_TARGETS: z
    .stringbool()
    .default(false)
    .describe('Accept plain http webhook URLs on public addresses; otherwise https only (private targets imply http)'),
  NOTIFICATION_DELIVERY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(30_000)
    .default(5000)
    .describe('How long one delivery may take, connection to last byte'),
  NOTIFICATION_RETRY_DELAYS_SECONDS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma-separated list of whole seconds')
    .default('5,300,1800,7200,18000,36000')
    .transform((text) => text.split(',').map(Number))
    .refine((delays) => delays.every((delay) => delay >= 1 && delay <= 43_200), 'each delay must be 1..43200 s')
    .describe('Wait before each retry of a failed delivery; one more attempt than delays, then failed'),
});
