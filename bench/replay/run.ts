// bench/replay: how fast audit replays its log into one queue, and what live traffic feels
// meanwhile. Embedded stack in one process (fauxqs, PGlite; todo and audit started by
// runService, the production start-up), so the replay competes with live traffic for the
// same CPU and event loop — a pessimistic setting. Audit's log is seeded with BENCH_HISTORY
// events (2000); live traffic is BENCH_LIVE_RATE (20) POST /api/v1/todos per second.
// Phases: live traffic alone (baseline); an unthrottled replay alone (throughput ceiling);
// a replay at the default throttle (AUDIT_REPLAY_EVENTS_PER_SECOND 3000) with live traffic.
// "Live latency" is POST → the event recorded in audit's log (outbox, SNS, SQS, audit's consumer).
// Prints JSON; writes bench/results/replay.json.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import auditManifest from '@taskoverflow/audit/service.ts';
import { appendAuditEntries } from '@taskoverflow/audit/src/log/append-audit-entry.ts';
import { auditService } from '@taskoverflow/audit/src/main.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import { type AnyEvent, defineService, makeEvent } from '@taskoverflow/events';
import { awsClients } from '@taskoverflow/events/aws';
import { backfillEnv } from '@taskoverflow/events/backfill';
import { type DatabaseService, type RunningService, runService } from '@taskoverflow/events/service';
import { sampleTodo, waitFor } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import { applyTopology } from '@taskoverflow/events/topology-apply';
import { createLogger, type Db } from '@taskoverflow/platform';
import { createToken, LOCAL_ANONYMOUS_SCOPES, newSigningKey, publicJwk } from '@taskoverflow/platform/auth';
import { openTestDb } from '@taskoverflow/platform/testing';
import todoManifest from '@taskoverflow/todo/service.ts';
import { todoService } from '@taskoverflow/todo/src/main.ts';
import { todoMigrations } from '@taskoverflow/todo/src/migrations.ts';
import { startFauxqs } from 'fauxqs';

const historySize = Number(process.env.BENCH_HISTORY ?? 2_000);
const liveRate = Number(process.env.BENCH_LIVE_RATE ?? 20);
const baselineSeconds = Number(process.env.BENCH_BASELINE_SECONDS ?? 15);
const log = createLogger('bench-replay', process.env.BENCH_LOG_LEVEL ?? 'silent');
const loadAtStart = loadavg();

const target = defineService({
  name: 'late',
  description: 'bench target',
  consumes: ['TodoCreated'],
  publishes: [],
  backfill: true,
});
const fauxqs = await startFauxqs({ port: 0, logger: false });
const aws = awsClients({ AWS_ENDPOINT_URL: fauxqs.address });
const manifests = [todoManifest, auditManifest, target];
const applied = await applyTopology(aws, buildTopology(manifests, 'bench'), { bucket: 'bench-replay' });
const key = await newSigningKey();
const admin = `Bearer ${await createToken(key, { subject: 'bench', scopes: ['admin'], expiresIn: '1h' })}`;
const todoDb = await openTestDb('todo', todoMigrations);
const auditDb = await openTestDb('audit', auditMigrations);

async function start(definition: DatabaseService, db: Db, env: Record<string, string> = {}) {
  return runService(definition, {
    env: {
      AWS_ENDPOINT_URL: fauxqs.address,
      PORT: '0',
      EVENTS_TOPIC_ARN: applied.topicArn,
      EVENTS_QUEUE_URL: applied.queues[definition.manifest.name]?.queueUrl ?? '',
      AUTH_PUBLIC_KEYS: JSON.stringify({ keys: [publicJwk(key)] }),
      AUTH_ANONYMOUS_SCOPES: LOCAL_ANONYMOUS_SCOPES,
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
      ...env,
    },
    db,
    log,
    host: '127.0.0.1',
  });
}

// The history, written straight into audit's log (what its consumer would have recorded).
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
  await auditDb.db.transaction((tx) => appendAuditEntries.batch(events, { tx, log }));
}

const todo = await start(todoService, todoDb.db);
let audit: RunningService = await start(auditService, auditDb.db);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length
    ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0)
    : null;
};
const summary = (values: number[]) => ({
  count: values.length,
  p50: percentile(values, 50),
  p99: percentile(values, 99),
  max: values.length ? Math.round(Math.max(...values)) : null,
});

/** POSTs todos at `liveRate` until `until()` says stop; returns HTTP and POST→audit latencies. */
async function liveTraffic(until: () => boolean) {
  const http: number[] = [];
  const sentAt = new Map<string, number>();
  const pending: Promise<void>[] = [];
  const interval = 1000 / liveRate;
  const begin = performance.now();
  for (let n = 0; !until(); n++) {
    const due = begin + n * interval;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    pending.push(
      (async () => {
        const started = Date.now();
        const response = await fetch(`http://127.0.0.1:${todo.port}/api/v1/todos`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: `live ${n}` }),
        });
        http.push(Date.now() - started);
        const { id } = (await response.json()) as { id: number };
        sentAt.set(String(id), started);
      })(),
    );
  }
  await Promise.all(pending);
  const recorded = await waitFor(
    async () => {
      const rows = await auditDb.db.query<{ subject: string; at: string }>(
        `SELECT subject, (extract(epoch FROM recorded_at) * 1000)::float8 AS at FROM audit_log
         WHERE type = 'TodoCreated' AND subject = ANY($1)`,
        [[...sentAt.keys()]],
      );
      return rows.length === sentAt.size && rows;
    },
    { timeoutMs: 300_000, what: 'audit to record the live events' },
  );
  const endToEnd = recorded.map((row) => Number(row.at) - (sentAt.get(row.subject) ?? 0));
  return { requests: http.length, httpMs: summary(http), postToAuditMs: summary(endToEnd) };
}

/** Asks for a replay of the whole history into the late queue, as `taskoverflow replay --to late` does. */
async function askReplay(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${audit.port}/api/v1/audit/replays`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: admin },
    body: JSON.stringify({ service: 'late' }),
  });
  if (response.status !== 202) throw new Error(`replay refused: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Follows a replay job until done: its throughput from request to the last page. */
function replayFollow(id: string) {
  let done = false;
  const finished = (async () => {
    const job = await waitFor(
      async () => {
        const [row] = await auditDb.db.query<{ status: string; sent: number; seconds: number }>(
          `SELECT status, sent::int AS sent, extract(epoch FROM finished_at - created_at)::float8 AS seconds
           FROM replay_job WHERE id = $1`,
          [id],
        );
        return row?.status === 'done' && row;
      },
      { timeoutMs: 600_000, intervalMs: 100, what: 'the replay to finish' },
    );
    done = true;
    return {
      sent: job.sent,
      seconds: Number(job.seconds.toFixed(2)),
      eventsPerSecond: Math.round(job.sent / job.seconds),
    };
  })();
  return { finished, isDone: () => done };
}

const baselineEnd = Date.now() + baselineSeconds * 1000;
const baseline = await liveTraffic(() => Date.now() > baselineEnd);

// Ceiling: no throttle, no live traffic.
await audit.stop();
audit = await start(auditService, auditDb.db, {
  ...backfillEnv(auditManifest, manifests, (service) => applied.queues[service]?.queueUrl),
  AUDIT_REPLAY_EVENTS_PER_SECOND: '100000',
});
// The backfill the target's manifest asks for, requested by audit on this start.
const [manifestJob] = await auditDb.db.query<{ id: string }>(
  "SELECT id FROM replay_job WHERE requested_by = 'manifest'",
);
const ceiling = await replayFollow(String(manifestJob?.id)).finished;

// The default throttle, with live traffic during the replay.
await audit.stop();
audit = await start(auditService, auditDb.db, {
  ...backfillEnv(auditManifest, manifests, (service) => applied.queues[service]?.queueUrl),
});
const throttled = replayFollow(await askReplay());
const during = await liveTraffic(throttled.isDone);
const throttledResult = await throttled.finished;

const result = {
  bench: 'replay',
  machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  load: {
    note: 'shared 2-core machine with other engineers working: figures are measured under load',
    loadAverageAtStart: loadAtStart.map((value) => Number(value.toFixed(1))),
    loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(1))),
  },
  stack: 'one process: fauxqs in-process, PGlite, todo + audit by runService; replay into the late queue (no consumer)',
  history: historySize,
  liveRatePerSecond: liveRate,
  results: {
    liveBaseline: baseline,
    replayUnthrottled: ceiling,
    replayAtDefaultThrottle: { ...throttledResult, throttle: 3000, liveDuringReplay: during },
  },
};
const json = JSON.stringify(result, null, 2);
console.log(json);
writeFileSync(new URL('../results/replay.json', import.meta.url), `${json}\n`);

await audit.stop();
await todo.stop();
await auditDb.drop();
await todoDb.drop();
for (const client of Object.values(aws)) client.destroy();
await fauxqs.stop();
