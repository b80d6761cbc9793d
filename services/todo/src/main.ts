import { awsClients } from '@taskoverflow/events/aws';
import { startConsumer } from '@taskoverflow/events/consumer/runtime';
import { startOutboxRelay } from '@taskoverflow/events/outbox/relay';
import {
  apiSettingsFromConfig,
  createLogger,
  listen,
  loadConfig,
  onShutdown,
  openServiceDb,
} from '@taskoverflow/platform';
import manifest from '../service.ts';
import { createApp } from './app.ts';
import { calendarJobHandlers } from './calendar-jobs/index.ts';
import { todoEnvSchema } from './config.ts';
import { todoMigrations } from './migrations.ts';

const config = loadConfig(todoEnvSchema, 'todo');
const log = createLogger('todo', config.LOG_LEVEL);
const db = await openServiceDb('todo', config, todoMigrations, log);
const { sns, sqs, s3 } = awsClients();
// The bucket holds finished calendars and claim-checked event payloads.
const storage = config.EVENTS_BUCKET ? { s3, bucket: config.EVENTS_BUCKET } : undefined;

// Without a topic (the API started on its own) events wait in the outbox until one is configured.
const relay = config.EVENTS_TOPIC_ARN
  ? await startOutboxRelay({ db, sns, topicArn: config.EVENTS_TOPIC_ARN, source: 'todo', log, claimCheck: storage })
  : undefined;
if (!relay) log.warn('EVENTS_TOPIC_ARN is not set: events are kept in the outbox and not published');

// Job status comes back as events from the calendar service.
const consumer = config.EVENTS_QUEUE_URL
  ? startConsumer({
      service: 'todo',
      queueUrl: config.EVENTS_QUEUE_URL,
      handlers: calendarJobHandlers(),
      db,
      sqs,
      log,
      claimCheck: storage,
      visibilityTimeoutSeconds: manifest.queue.visibilityTimeoutSeconds,
    })
  : undefined;
if (!consumer) log.warn('EVENTS_QUEUE_URL is not set: calendar jobs will stay PENDING');

const app = createApp({
  db,
  log,
  api: apiSettingsFromConfig(config),
  calendarStorage: storage,
  onEventsCommitted: relay?.wake,
});
const http = await listen(app, config.PORT, log);

onShutdown(
  log,
  async () => {
    await Promise.all([http.close(), consumer?.stop()]);
    await relay?.stop();
    await db.close();
  },
  28_000,
);
