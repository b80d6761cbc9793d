import { baseEnvSchema } from '@taskoverflow/platform';
import { z } from 'zod';
import { eventsEnvSchema } from '../config.ts';
import type { ServiceManifest } from '../manifest.ts';

/**
 * The environment every service reads, derived from its manifest: a consumer requires its
 * queue and a publisher its topic — the one place these rules live. Services `.extend()` it.
 */
export function serviceEnvSchema(manifest: ServiceManifest) {
  const consumes = manifest.consumes.length > 0;
  const publishes = manifest.publishes.length > 0;
  return baseEnvSchema()
    .extend(eventsEnvSchema.shape)
    .extend({
      PORT: z.coerce
        .number()
        .int()
        .min(0)
        .max(65535)
        .default(8080)
        .describe('HTTP port: the API if any, and /health/live + /health/ready; 0 picks a free one'),
      HOST: z
        .string()
        .min(1)
        .default('0.0.0.0')
        .describe('Address to listen on: every interface in a container; npm start passes 127.0.0.1'),
      EVENTS_QUEUE_URL: consumes
        ? z.url().describe(`The ${manifest.name} queue its events arrive on`)
        : eventsEnvSchema.shape.EVENTS_QUEUE_URL,
      EVENTS_TOPIC_ARN: publishes
        ? z
            .string()
            .min(1)
            .describe(`SNS topic ${manifest.publishes.join(', ')} are published to`)
        : eventsEnvSchema.shape.EVENTS_TOPIC_ARN,
    });
}

export type ServiceConfig = z.output<ReturnType<typeof serviceEnvSchema>>;
