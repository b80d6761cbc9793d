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
import { auditEnvSchema } from './config.ts';
import { auditConsumerSettings, auditHandlers } from './log/handlers.ts';
import { auditMigrations } from './migrations.ts';

const config = loadConfig(auditEnvSchema, 'audit');
const log = createLogger('audit', config.LOG_LEVEL);
const db = await openServiceDb('audit', config, auditMigrations, log);
const { sqs, s3 } = awsClients();
const consumer = startConsumer({
  service: 'audit',
  queueUrl: config.EVENTS_QUEUE_URL,
  handlers: auditHandlers,
  db,
  sqs,
  log,
  ...auditConsumerSettings,
  ...(config.EVENTS_BUCKET ? { claimCheck: { s3, bucket: config.EVENTS_BUCKET } } : {}),
});
const http = await listen(createApp({ db, log, api: apiSettingsFromConfig(config) }), config.PORT, log);

// Within ECS's stopTimeout: the consumer drains for up to 25 s while HTTP finishes its requests.
onShutdown(
  log,
  async () => {
    await Promise.all([http.close(), consumer.stop()]);
    await db.close();
  },
  28_000,
);
