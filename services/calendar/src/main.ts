import { awsClients } from '@taskoverflow/events/aws';
import { startConsumer } from '@taskoverflow/events/consumer/runtime';
import { startOutboxRelay } from '@taskoverflow/events/outbox/relay';
import { createLogger, loadConfig, onShutdown, openServiceDb } from '@taskoverflow/platform';
import manifest from '../service.ts';
import { calendarEnvSchema } from './config.ts';
import { renderRequestedCalendar } from './jobs/render-requested-calendar.ts';
import { calendarMigrations } from './migrations.ts';

const config = loadConfig(calendarEnvSchema, 'calendar');
const log = createLogger('calendar', config.LOG_LEVEL);
const db = await openServiceDb('calendar', config, calendarMigrations, log);
const { sns, sqs, s3 } = awsClients();
const storage = { s3, bucket: config.EVENTS_BUCKET };

const relay = await startOutboxRelay({
  db,
  sns,
  topicArn: config.EVENTS_TOPIC_ARN,
  source: 'calendar',
  log,
  claimCheck: storage,
});
const consumer = startConsumer({
  service: 'calendar',
  queueUrl: config.EVENTS_QUEUE_URL,
  handlers: {
    CalendarRequested: renderRequestedCalendar({ ...storage, maxReceiveCount: manifest.queue.maxReceiveCount }),
  },
  db,
  sqs,
  log,
  claimCheck: storage,
  concurrency: config.CALENDAR_CONCURRENCY,
  visibilityTimeoutSeconds: manifest.queue.visibilityTimeoutSeconds,
  onCommit: relay.wake, // the job's events leave as soon as its transaction commits
});

onShutdown(
  log,
  async () => {
    await consumer.stop(); // finish the jobs in hand (up to 25 s); their events are in the outbox
    await relay.stop();
    await db.close();
  },
  28_000,
);
