import { awsClients } from '@taskoverflow/events/aws';
import { startOutboxRelay } from '@taskoverflow/events/outbox/relay';
import { createLogger, listen, loadConfig, onShutdown, openServiceDb } from '@taskoverflow/platform';
import { createApp } from './app.ts';
import { todoEnvSchema } from './config.ts';
import { todoMigrations } from './migrations.ts';

const config = loadConfig(todoEnvSchema, 'todo');
const log = createLogger('todo', config.LOG_LEVEL);
const db = await openServiceDb('todo', config, todoMigrations, log);
const { sns, s3 } = awsClients();
const claimCheck = config.EVENTS_BUCKET ? { s3, bucket: config.EVENTS_BUCKET } : undefined;

// Without a topic (the API started on its own) events stay in the outbox until one is configured.
const relay = config.EVENTS_TOPIC_ARN
  ? await startOutboxRelay({ db, sns, topicArn: config.EVENTS_TOPIC_ARN, source: 'todo', log, claimCheck })
  : undefined;
if (!relay) log.warn('EVENTS_TOPIC_ARN is not set: events are kept in the outbox and not published');

const http = await listen(createApp({ db, log }), config.PORT, log);

onShutdown(log, async () => {
  await http.close();
  await relay?.stop();
  await db.close();
});
