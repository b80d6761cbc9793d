// bench/replay: how fast audit replays its log into one new subscriber's queue, and what live
// traffic feels meanwhile — on the `npm start` stack as a user runs it (embedded PostgreSQL, the
// emulator process, every service its own process, the gateway). `npm run bench:replay`.
//  1. Scaffolds a subscriber with --backfill for TodoCreated (removed afterwards), starts the stack.
//  2. Seeds BENCH_HISTORY (20,000) TodoCreated events into audit's log with audit's own append.
//  3. Live traffic alone: BENCH_LIVE_RATE (20) POST /api/v1/todos per second for BENCH_BASELINE_SECONDS (15).
//  4. Asks for a replay through the gateway, as `taskoverflow replay --to <subscriber>` does, and
//     keeps the same live traffic going until the job is done, sampling its progress.
// Live latency: the POST's HTTP time, and POST → the event recorded in audit's log (outbox, SNS,
// SQS, audit's consumer: the path the replay competes with). CPU time per replayed event comes
// from /proc (load-insensitive). AUDIT_REPLAY_EVENTS_PER_SECOND passes through to audit.
// Prints JSON; writes bench/results/replay.json.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendAuditEntries } from '@taskoverflow/audit/src/log/append-audit-entry.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import { type AnyEvent, makeEvent } from '@taskoverflow/events';
import { isRunning, sampleTodo, waitFor } from '@taskoverflow/events/testing';
import { createLogger, type Db, openServiceDb } from '@taskoverflow/platform';
import getPort from 'get-port';
import { startLocalStack } from '../../local/testing/run-stack.ts';
import { regenerateDerivedFiles, scaffoldService } from '../../scripts/new-service.ts';
import { cpuByRole } from '../stack/processes.ts';
import { percentile } from '../stats.ts';

const historySize = Number(process.env.BENCH_HISTORY ?? 20_000);
const liveRate = Number(process.env.BENCH_LIVE_RATE ?? 20);
const baselineSeconds = Number(process.env.BENCH_BASELINE_SECONDS ?? 15);
const root = fileURLToPath(new URL('../../', import.meta.url));
const servicesDir = join(root, 'services');
const subscriber = `zz-bench-${process.pid}`; // the pid tells a later run an abandoned folder from a busy one
const log = createLogger('bench-replay', 'silent');
const loadAtStart = loadavg();

// A run killed before its clean-up leaves its subscriber folder: remove those of dead runs.
const abandoned = readdirSync(servicesDir).filter(
  (entry) => /^zz-bench-(\d+)$/.test(entry) && !isRunning(Number(entry.slice('zz-bench-'.length))),
);
for (const folder of abandoned) rmSync(join(servicesDir, folder), { recursive: true, force: true });

const summary = (values: number[]) => ({
  count: values.length,
  p50: Math.round(percentile(values, 50)),
  p99: Math.round(percentile(values, 99)),
  max: percentile(values, 100),
});

await scaffoldService({ name: subscriber, consumes: ['TodoCreated'], backfill: true, root });
try {
  const postgresPort = await getPort();
  const stack = await startLocalStack({
    env: { RATE_LIMIT_WRITES_PER_MINUTE: '0', POSTGRES_PORT: String(postgresPort) },
  });
  let auditDb: Db | undefined;
  try {
    // Audit's database on the stack's server, opened as audit opens it (its migrations already ran).
    const db = await openServiceDb(
      'audit',
      {
        DATA_DIR: stack.dataDir,
        DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${postgresPort}`,
        DB_POOL_SIZE: 2,
      },
      auditMigrations,
      log,
    );
    auditDb = db;
    const admin = `Bearer ${readFileSync(join(stack.dataDir, 'admin.token'), 'utf8').trim()}`;
    const api = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${stack.base}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', authorization: admin, ...init.headers },
      });
      if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<Record<string, unknown>>;
    };

    // The history: what audit's consumer would have recorded, written with its own append.
    for (let start = 0; start < historySize; start += 1000) {
      const events = Array.from(
        { length: Math.min(1000, historySize - start) },
        (_, index) =>
          makeEvent({
            type: 'TodoCreated',
            source: 'todo',
            subject: `h${start + index}`,
            data: sampleTodo(start + index + 1),
          }) as AnyEvent,
      );
      await db.transaction((tx) => appendAuditEntries.batch(events, { tx, log }));
    }

    /** POSTs todos through the gateway at `liveRate` until `until()`; HTTP and POST → audit latencies. */
    async function liveTraffic(until: () => boolean) {
      const http: number[] = [];
      const sentAt = new Map<string, number>();
      const pending: Promise<void>[] = [];
      const begin = performance.now();
      for (let n = 0; !until(); n++) {
        const due = begin + (n * 1000) / liveRate;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        pending.push(
          (async () => {
            const started = Date.now();
            const { id } = await api('/api/v1/todos', { method: 'POST', body: JSON.stringify({ title: `live ${n}` }) });
            http.push(Date.now() - started);
            sentAt.set(String(id), started);
          })(),
        );
      }
      await Promise.all(pending);
      const recorded = await waitFor(
        async () => {
          const rows = await db.query<{ subject: string; at: number }>(
            `SELECT subject, (extract(epoch FROM recorded_at) * 1000)::float8 AS at FROM audit_log
             WHERE type = 'TodoCreated' AND source = 'taskoverflow/todo' AND subject = ANY($1)`,
            [[...sentAt.keys()]],
          );
          return rows.length === sentAt.size && rows;
        },
        { timeoutMs: 300_000, what: 'audit to record the live events' },
      );
      const postToAudit = recorded.map((row) => Number(row.at) - (sentAt.get(row.subject) ?? 0));
      return { requests: http.length, httpMs: summary(http), postToAuditMs: summary(postToAudit) };
    }

    const baselineEnd = Date.now() + baselineSeconds * 1000;
    const baseline = await liveTraffic(() => Date.now() > baselineEnd);

    const cpuBefore = cpuByRole(stack.runner.pid ?? 0);
    const job = await api('/api/v1/audit/replays', { method: 'POST', body: JSON.stringify({ service: subscriber }) });
    const asked = performance.now();
    const progress: { seconds: number; sent: number; total: number | null }[] = [];
    let finished: Record<string, unknown> | undefined;
    const follow = (async () => {
      finished = await waitFor(
        async () => {
          const current = await api(`/api/v1/audit/replays/${job.id}`);
          const seconds = Number(((performance.now() - asked) / 1000).toFixed(2));
          progress.push({ seconds, sent: Number(current.sent), total: current.total as number | null });
          if (current.status === 'failed') throw new Error(`the replay failed: ${current.error}`);
          return current.status === 'done' && current;
        },
        { timeoutMs: 600_000, intervalMs: 500, what: 'the replay to finish' },
      );
    })();
    const during = await liveTraffic(() => finished !== undefined);
    await follow;
    const cpuAfter = cpuByRole(stack.runner.pid ?? 0);
    const done = finished as { sent: number; created_at: string; finished_at: string };
    const seconds = (Date.parse(done.finished_at) - Date.parse(done.created_at)) / 1000;
    const cpuMsPerThousandEvents = Object.fromEntries(
      Object.entries(cpuAfter)
        .map(([role, ms]) => [role, Math.round(((ms - (cpuBefore[role] ?? 0)) / done.sent) * 1000)] as const)
        .filter(([, ms]) => ms > 0),
    );

    const result = {
      bench: 'replay',
      machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      loadAverage: {
        atStart: loadAtStart.map((value) => Number(value.toFixed(1))),
        atEnd: loadavg().map((value) => Number(value.toFixed(1))),
      },
      stack: `npm start (embedded PostgreSQL, emulator process, a process per service) + a scaffolded subscriber with --backfill consuming what it receives`,
      history: historySize,
      liveRatePerSecond: liveRate,
      throttle: Number(process.env.AUDIT_REPLAY_EVENTS_PER_SECOND ?? 3000),
      replay: {
        sent: done.sent,
        seconds: Number(seconds.toFixed(2)),
        eventsPerSecond: Math.round(done.sent / seconds),
        progress,
        cpuMsPerThousandEvents,
      },
      liveBeforeReplay: baseline,
      liveDuringReplay: during,
    };
    const json = JSON.stringify(result, null, 2);
    console.log(json);
    writeFileSync(new URL('../results/replay.json', import.meta.url), `${json}\n`);
  } finally {
    await auditDb?.close();
    await stack.stop();
  }
} finally {
  rmSync(join(servicesDir, subscriber), { recursive: true, force: true });
  regenerateDerivedFiles(root);
}
