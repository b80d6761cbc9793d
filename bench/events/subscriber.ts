// A bench subscriber: the audit service's consumer — started by runService, as every
// service is: the real runtime, inbox and audit log append — reporting commit → handler
// latency (handler start minus commit time).
import { appendAuditEntries } from '@taskoverflow/audit/src/log/append-audit-entry.ts';
import { auditConsumerSettings } from '@taskoverflow/audit/src/log/handlers.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import { defineService } from '@taskoverflow/events/manifest';
import { runService, serviceEnvSchema } from '@taskoverflow/events/service';

const manifest = defineService({
  name: process.env.BENCH_NAME ?? 'sub',
  description: 'bench subscriber',
  consumes: ['TodoCreated'],
  publishes: [],
});

// BENCH_HANDLER=inbox-only leaves out the audit append: the event backbone and inbox alone.
const appendToAudit = process.env.BENCH_HANDLER !== 'inbox-only';
let latencies: number[] = [];
let received = 0;
const service = await runService(
  {
    manifest,
    env: serviceEnvSchema(manifest),
    migrations: auditMigrations,
    parts: () => ({
      consumer: auditConsumerSettings,
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
    }),
  },
  {
    // DATABASE_URL (the bench's PostgreSQL) and the queue come from the bench, as the runner hands them to a service.
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' },
    host: '127.0.0.1',
  },
);

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
    await service.stop();
    process.exit(0);
  }
});
process.send?.({ ready: true });
