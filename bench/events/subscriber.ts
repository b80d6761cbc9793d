// A bench subscriber: the real consumer runtime, inbox and a side effect in PGlite; it
// reports commit → handler latency (handler start minus the event's commit time).
import { awsClients } from '@taskoverflow/events/aws';
import { startConsumer } from '@taskoverflow/events/consumer/runtime';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import { createLogger, openServiceDb } from '@taskoverflow/platform';

const name = process.env.BENCH_NAME ?? 'sub';
const log = createLogger(name, 'warn');
const dir = process.env.BENCH_DIR ?? '';
const migrations = [inboxMigrations];
// PGlite by default (the embedded stack); BENCH_DATABASE_URL puts every database on a PostgreSQL server instead.
const settings = { DATA_DIR: dir, DATABASE_URL: process.env.BENCH_DATABASE_URL, DB_POOL_SIZE: 4 };
const db = await openServiceDb(name, settings, migrations, log);
await db.exec('CREATE TABLE IF NOT EXISTS received (event_id uuid PRIMARY KEY)');

let latencies: number[] = [];
let received = 0;
const consumer = startConsumer({
  service: name,
  queueUrl: process.env.EVENTS_QUEUE_URL ?? '',
  db,
  sqs: awsClients().sqs,
  log,
  // As the audit service: commit a received batch at once, and receive the next one meanwhile.
  transactionBatchSize: Number(process.env.BENCH_TX_BATCH ?? 10),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 20),
  handlers: {
    TodoCreated: async (event, { tx }) => {
      latencies.push(Date.now() - Date.parse(event.time));
      received++;
      await tx.query('INSERT INTO received (event_id) VALUES ($1)', [event.id]);
    },
  },
});

process.on('message', async (message: { cmd: string }) => {
  if (message.cmd === 'count') {
    process.send?.({ received });
  } else if (message.cmd === 'report') {
    process.send?.({ received, latencies });
  } else if (message.cmd === 'reset') {
    latencies = [];
    received = 0;
    process.send?.({ ok: true });
  } else if (message.cmd === 'stop') {
    await consumer.stop();
    await db.close();
    process.exit(0);
  }
});
process.send?.({ ready: true });
