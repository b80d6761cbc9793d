import { runService, type ServiceDefinition } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { notificationRouters } from './app.ts';
import { notificationEnvSchema } from './config.ts';
import { deliverToWebhooks } from './delivery/deliver-event.ts';
import { notificationHandlers } from './delivery/handlers.ts';
import { postWebhook } from './delivery/send.ts';
import { notificationMigrations } from './migrations.ts';

export const notificationService = {
  manifest,
  env: notificationEnvSchema,
  migrations: notificationMigrations,
  parts: ({ config, db, log, access }) => {
    const policy = {
      allowPrivate: config.NOTIFICATION_ALLOW_PRIVATE_TARGETS,
      allowHttp: config.NOTIFICATION_ALLOW_HTTP_TARGETS,
    };
    if (policy.allowPrivate) log.warn('NOTIFICATION_ALLOW_PRIVATE_TARGETS is on: webhooks may reach private addresses');
    const deliver = deliverToWebhooks({
      db,
      send: postWebhook,
      policy,
      timeoutMs: config.NOTIFICATION_DELIVERY_TIMEOUT_MS,
      schedule: { delaysSeconds: config.NOTIFICATION_RETRY_DELAYS_SECONDS },
    });
    return {
      handlers: notificationHandlers(deliver),
      // Claimed ten at a time in one transaction and, with no webhook to call, completed in one
      // statement (ADR 0072); a group waits for its slowest webhook, so two groups run at once.
      consumer: { transactionBatchSize: 10, concurrency: 20 },
      routers: notificationRouters({ db, policy, access }),
    };
  },
} satisfies ServiceDefinition<typeof notificationEnvSchema>;

if (import.meta.main) await runService(notificationService, { exitOnSignal: true });
