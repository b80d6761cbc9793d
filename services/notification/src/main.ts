import { awsClients } from '@taskoverflow/events/aws';
import { startConsumer } from '@taskoverflow/events/consumer/runtime';
import {
  apiSettingsFromConfig,
  createLogger,
  listen,
  loadConfig,
  onShutdown,
  openServiceDb,
} from '@taskoverflow/platform';
import { createApp } from './app.ts';
import { notificationEnvSchema } from './config.ts';
import { deliverToWebhooks } from './delivery/deliver-event.ts';
import { notificationHandlers } from './delivery/handlers.ts';
import { deliveryLedger } from './delivery/ledger.ts';
import { postWebhook } from './delivery/send.ts';
import { notificationMigrations } from './migrations.ts';

const config = loadConfig(notificationEnvSchema, 'notification');
const log = createLogger('notification', config.LOG_LEVEL);
if (!config.EVENTS_QUEUE_URL) {
  log.fatal('EVENTS_QUEUE_URL is required: the notification service delivers the events of its queue');
  process.exit(1);
}
const policy = {
  allowPrivate: config.NOTIFICATION_ALLOW_PRIVATE_TARGETS,
  allowHttp: config.NOTIFICATION_ALLOW_HTTP_TARGETS,
};
if (policy.allowPrivate) log.warn('NOTIFICATION_ALLOW_PRIVATE_TARGETS is on: webhooks may reach private addresses');

const db = await openServiceDb('notification', config, notificationMigrations, log);
const http = await listen(createApp({ db, log, api: apiSettingsFromConfig(config), policy }), config.PORT, log);

const aws = awsClients();
const ledger = deliveryLedger(db, log);
const consumer = startConsumer({
  service: 'notification',
  queueUrl: config.EVENTS_QUEUE_URL,
  handlers: notificationHandlers(
    deliverToWebhooks({
      ledger,
      send: postWebhook,
      policy,
      timeoutMs: config.NOTIFICATION_DELIVERY_TIMEOUT_MS,
      schedule: { delaysSeconds: config.NOTIFICATION_RETRY_DELAYS_SECONDS },
    }),
  ),
  db,
  sqs: aws.sqs,
  log,
  claimCheck: config.EVENTS_BUCKET ? { s3: aws.s3, bucket: config.EVENTS_BUCKET } : undefined,
});

onShutdown(log, async () => {
  await Promise.all([http.close(), consumer.stop()]);
  await ledger.settled();
  await db.close();
});
