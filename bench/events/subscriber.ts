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
let cpuAtReset = process.cpuUsage();
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
    // PGlite by default (the embedded stack); BENCH_DATABASE_URL puts every database on a PostgreSQL server instead.
    env: {
      ...process.env,
      DATA_DIR: process.env.BENCH_DIR ?? '',
      DATABASE_URL: process.env.BENCH_DATABASE_URL,
      DB_POOL_SIZE: '4',
      PORT: '0',
      LOG_LEVEL: 'warn',
    },
    host: '127.0.0.1',
  },
);

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
    await service.stop();
    process.exit(0);
  }
});
process.send?.({ ready: true });
