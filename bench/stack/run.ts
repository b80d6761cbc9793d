// The whole `npm start` stack measured as a user reaches it: through the gateway, every
// consumer running, on the embedded default (one embedded PostgreSQL, fauxqs in its process).
// `npm run bench:stack` prints JSON. Env: BENCH_DURATION (10s), BENCH_CONNECTIONS (50),
// BENCH_THREADS (2), BENCH_PORT (6400; the emulator and PostgreSQL take BENCH_PORT+90/+95),
// BENCH_OTEL (unset: telemetry off; a ratio such as 0.1: traces sampled at that ratio and metrics,
// exported over OTLP/protobuf to a sink in this process; ADR 0121).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@taskoverflow/events/testing';
import pg from 'pg';
import { type RunningStack, startLocalStack } from '../../local/testing/run-stack.ts';
import { assertWrkInstalled, runWrk, type WrkResult } from '../api/wrk.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { cpuByRole, memoryByRole } from './processes.ts';

const postScript = fileURLToPath(new URL('../api/post.lua', import.meta.url));
const port = Number(process.env.BENCH_PORT ?? 6400);
const postgresPort = port + 95;
const settings = {
  duration: process.env.BENCH_DURATION ?? '10s',
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  threads: Number(process.env.BENCH_THREADS ?? 2),
};
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-stack-'));
const otlpSink = process.env.BENCH_OTEL ? await startOtlpSink() : undefined;
const telemetryEnv = otlpSink
  ? {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink.endpoint,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: process.env.BENCH_OTEL,
    }
  : {};

/** The stack on the bench's DATA_DIR and ports (a second start is a warm start on the same data). */
const start = () =>
  startLocalStack({
    dataDir,
    port,
    readyTimeoutMs: 120_000,
    env: {
      FAUXQS_PORT: String(port + 90),
      POSTGRES_PORT: String(postgresPort),
      LOG_FORMAT: 'json',
      // A load test is one client writing far faster than any person: the per-caller limit would only measure 429s.
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
      ...telemetryEnv,
    },
  });

async function count(database: string, sql: string): Promise<number> {
  const client = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${postgresPort}/taskoverflow_${database}`,
  });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Events of every todo created, as each subscriber recorded them: all there, none twice. */
async function deliveries() {
  const todos = await count('todo', 'SELECT count(*) AS n FROM todos');
  const unsent = await count('todo', 'SELECT count(*) AS n FROM outbox');
  const audit = await count('audit', "SELECT count(*) AS n FROM audit_log WHERE type = 'TodoCreated'");
  const auditDistinct = await count(
    'audit',
    "SELECT count(DISTINCT subject) AS n FROM audit_log WHERE type = 'TodoCreated'",
  );
  const notification = await count(
    'notification',
    "SELECT count(*) AS n FROM inbox WHERE event_type = 'TodoCreated' AND processed_at IS NOT NULL",
  );
  return { todos, unsent, audit, auditDistinct, notification };
}

async function measured({ runner }: RunningStack, run: () => WrkResult) {
  const pid = runner.pid ?? 0;
  const before = cpuByRole(pid);
  const result = run();
  const after = cpuByRole(pid);
  const requests = Math.max(1, result.requests);
  const cpuMsPerRequest = Object.fromEntries(
    Object.entries(after).map(([role, ms]) => [role, Number(((ms - (before[role] ?? 0)) / requests).toFixed(3))]),
  );
  const totalCpuMsPerRequest = Number(
    Object.values(cpuMsPerRequest)
      .reduce((sum, ms) => sum + ms, 0)
      .toFixed(3),
  );
  return { ...result, cpuMsPerRequest, totalCpuMsPerRequest };
}

assertWrkInstalled();
try {
  const first = await start();
  await first.stop({ keepData: true });
  const stack = await start();
  const { runner, readyMs: warmStartMs } = stack;
  for (let index = 0; index < 100; index++) {
    const response = await fetch(`${base}/api/v1/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Seeded todo ${index}`, deadline_at: '2030-01-01T00:00:00' }),
    });
    if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
  await waitFor(async () => (await deliveries()).audit === 100, { timeoutMs: 60_000, what: 'the seed to be audited' });
  const idleMemory = memoryByRole(runner.pid ?? 0);
  const wrk = { threads: settings.threads, connections: settings.connections, duration: settings.duration };
  const get = await measured(stack, () => runWrk({ ...wrk, url: `${base}/api/v1/todos` }));
  const cpuBeforePost = cpuByRole(runner.pid ?? 0);
  const post = await measured(stack, () => runWrk({ ...wrk, url: `${base}/api/v1/todos`, script: postScript }));
  const drainStarted = Date.now();
  const delivered = await waitFor(
    async () => {
      const seen = await deliveries();
      return seen.unsent === 0 && seen.audit >= seen.todos && seen.notification >= seen.todos && seen;
    },
    { timeoutMs: 300_000, what: 'every event to reach every subscriber' },
  );
  const drainMs = Date.now() - drainStarted;
  // A write's whole CPU: its request and, during the run or after it, its events' delivery to every subscriber.
  const writeCpuMs = Object.entries(cpuByRole(runner.pid ?? 0)).reduce(
    (sum, [role, ms]) => sum + ms - (cpuBeforePost[role] ?? 0),
    0,
  );
  const loadedMemory = memoryByRole(runner.pid ?? 0);
  await stack.stop({ keepData: true });
  const total = (memory: Record<string, { rssMb: number; pssMb: number }>) => ({
    rssMb: Object.values(memory).reduce((sum, entry) => sum + entry.rssMb, 0),
    pssMb: Object.values(memory).reduce((sum, entry) => sum + entry.pssMb, 0),
  });
  const result = {
    machine: { cpus: availableParallelism(), loadAverage1m: Number(loadavg()[0]?.toFixed(2)) },
    settings: { ...settings, telemetry: otlpSink ? { ...telemetryEnv, exports: otlpSink.exports() } : 'off' },
    startMs: { first: first.readyMs, warm: warmStartMs },
    get,
    post,
    events: {
      ...delivered,
      postsAccepted: post.requests - post.non2xx,
      lost: Math.max(0, delivered.todos - delivered.audit) + Math.max(0, delivered.todos - delivered.notification),
      doubled: delivered.audit - delivered.auditDistinct,
      drainMsAfterPost: drainMs,
      cpuMsPerWriteDelivered: Number((writeCpuMs / Math.max(1, post.requests - post.non2xx)).toFixed(3)),
    },
    memory: {
      idle: { total: total(idleMemory), byRole: idleMemory },
      afterLoad: { total: total(loadedMemory), byRole: loadedMemory },
    },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  otlpSink?.close();
  rmSync(dataDir, { recursive: true, force: true });
}
