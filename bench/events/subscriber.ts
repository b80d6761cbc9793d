// A bench subscriber: the audit service's consumer — the real runtime, inbox and audit log
// append in PGlite — reporting commit → handler latency (handler start minus commit time).
import { appendAuditEntries } from '@taskoverflow/audit/src/log/append-audit-entry.ts';
import { auditConsumerSettings } from '@taskoverflow/audit/src/log/handlers.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import { awsClients } from '@taskoverflow/events/aws';
import { startConsumer } from '@taskoverflow/events/consumer/runtime';
import { createLogger, openServiceDb } from '@taskoverflow/platform';

const name = process.env.BENCH_NAME ?? 'sub';
const log = createLogger(name, 'warn');
const dir = process.env.BENCH_DIR ?? '';
// PGlite by default (the embedded stack); BENCH_DATABASE_URL puts every database on a PostgreSQL server instead.
const settings = { DATA_DIR: dir, DATABASE_URL: process.env.BENCH_DATABASE_URL, DB_POOL_SIZE: 4 };
const db = await openServiceDb(name, settings, auditMigrations, log);

// BENCH_HANDLER=inbox-only leaves out the audit append: the event backbone and inbox alone.
const appendToAudit = process.env.BENCH_HANDLER !== 'inbox-only';
let latencies: number[] = [];
let received = 0;
let cpuAtReset = process.cpuUsage();
const consumer = startConsumer({
  service: name,
  queueUrl: process.env.EVENTS_QUEUE_URL ?? '',
  db,
  sqs: awsClients().sqs,
  log,
  ...auditConsumerSettings,
  handlers: {
    TodoCreated: {
      async batch(events, context) {
        const now = Date.now();
        for (const event of events) latencies.push(now - Date.parse(event.time));
        received += events.length;
        if (appendToAudit) await appendAuditEntries.batch(events, context);
      },
    },
  },
});

process.on('message', async (message: { cmd: string }) => {
  if (message.cmd === 'count') {
    process.send?.({ received });
  } else if (message.cmd === 'report') {
    const cpu = process.cpuUsage(cpuAtReset);
    process.send?.({ received, latencies, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (message.cmd === 'reset') {
    latencies = [];
    received = 0;
    cpuAtReset = process.cpuUsage();
    process.send?.({ ok: true });
  } else if (message.cmd === 'stop') {
    await consumer.stop();
    await db.close();
    process.exit(0);
  }
});
process.send?.({ ready: true });
