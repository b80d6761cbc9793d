// Benchmarks the todo REST API with wrk against real PostgreSQL and embedded PGlite.
// `npm run bench:api`; env: BENCH_DURATION (10s), BENCH_CONNECTIONS (50), BENCH_THREADS (2),
// BENCH_REPEAT (1: runs per endpoint; the best is summarised, all are listed),
// BENCH_DRIVERS (postgres,pglite), BENCH_LOG_LEVEL (warn), DATABASE_URL, and
// database (a what-if for docs/adr/0050; the shipped schema has it on). Other service env
// (DB_POOL_SIZE, ...) is passed through to the service.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsClients } from '@taskoverflow/events/aws';
import { healthPaths } from '@taskoverflow/events/manifest';
import { buildTopology } from '@taskoverflow/events/topology';
import { applyTopology } from '@taskoverflow/events/topology-apply';
import todoManifest from '@taskoverflow/todo/service.ts';
import { startFauxqs } from 'fauxqs';
import pg from 'pg';
import { assertWrkInstalled, runWrk, type WrkResult } from './wrk.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const postScript = fileURLToPath(new URL('./post.lua', import.meta.url));
const settings = {
  duration: process.env.BENCH_DURATION ?? '10s',
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  threads: Number(process.env.BENCH_THREADS ?? 2),
  drivers: (process.env.BENCH_DRIVERS ?? 'postgres,pglite').split(',').map((name) => name.trim()),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
  repeat: Math.max(1, Number(process.env.BENCH_REPEAT ?? 1)),
  seed: 100,
  serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForHealth(base: string, child: ChildProcess, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`todo service exited with code ${child.exitCode}`);
    const ok = await fetch(`${base}${healthPaths.ready}`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('todo service did not become healthy within 30 s');
}

async function seed(base: string, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const response = await fetch(`${base}/api/v1/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Seeded todo ${index}`, description: 'bench', deadline_at: '2030-01-01T00:00:00' }),
    });
    if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Target {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function postgresTarget(): Promise<Target> {
  const url = new URL(settings.serverUrl);
  const database = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  url.pathname = `/${database}`;
  return {
    env: { TODO_DATABASE_URL: url.toString() }, // the service creates it on start
    async cleanup() {
      await withAdmin(settings.serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`),
      );
    },
  };
}

async function pgliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  return {
    env: { DATA_DIR: dir },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The best run by req/s, with every run's req/s and p99 so the spread is visible. */
type EndpointResult = WrkResult & { runs: { requestsPerSec: number; p99Ms: number }[] };

function repeatWrk(options: Parameters<typeof runWrk>[0]): EndpointResult {
  const runs = Array.from({ length: settings.repeat }, () => runWrk(options));
  const best = runs.reduce((top, run) => (run.requestsPerSec > top.requestsPerSec ? run : top));
  return { ...best, runs: runs.map(({ requestsPerSec, p99Ms }) => ({ requestsPerSec, p99Ms })) };
}

// The service runs as it does in production, relay and consumer included: its topic and
// queue live on an in-process fauxqs (the relay's publishing is part of what is measured).
const fauxqs = await startFauxqs({ port: 0, logger: false });
const bus = await applyTopology(awsClients({ AWS_ENDPOINT_URL: fauxqs.address }), buildTopology([todoManifest]));
const busEnv = {
  AWS_ENDPOINT_URL: fauxqs.address,
  EVENTS_TOPIC_ARN: bus.topicArn,
  EVENTS_QUEUE_URL: bus.queues.todo?.queueUrl ?? '',
};

async function benchDriver(driver: string): Promise<Record<string, EndpointResult>> {
  const target = driver === 'postgres' ? await postgresTarget() : await pgliteTarget();
  const port = await freePort();
  const { DATABASE_URL: _server, TODO_DATABASE_URL: _own, DATA_DIR: _dir, ...inherited } = process.env;
  const child = spawn(process.execPath, ['services/todo/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...inherited,
      ...busEnv,
      ...target.env,
      PORT: String(port),
      LOG_LEVEL: settings.logLevel,
      // One client writing thousands of todos a second: the API's capacity, not its rate limit.
      AUTH_ANONYMOUS_SCOPES: 'todos:read,todos:write',
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
    },
    stdio: ['ignore', 2, 2], // the service's logs go to stderr: stdout is the JSON result
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, child);
    await seed(base, settings.seed);
    const common = { threads: settings.threads, connections: settings.connections, duration: settings.duration };
    // GET first: the POST run adds thousands of todos.
    const list = repeatWrk({ ...common, url: `${base}/api/v1/todos` });
    const create = repeatWrk({ ...common, url: `${base}/api/v1/todos`, script: postScript });
    return { 'GET /api/v1/todos': list, 'POST /api/v1/todos': create };
  } finally {
    await stop(child);
    await target.cleanup();
  }
}

try {
  assertWrkInstalled();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const results: Record<string, Record<string, EndpointResult>> = {};
for (const driver of settings.drivers) {
  if (driver !== 'postgres' && driver !== 'pglite') throw new Error(`unknown driver in BENCH_DRIVERS: ${driver}`);
  results[driver] = await benchDriver(driver);
}
const conditions = {
  wrk: `-t${settings.threads} -c${settings.connections} -d${settings.duration} --latency`,
  seededTodos: settings.seed,
  logLevel: settings.logLevel,
  cpus: availableParallelism(),
  node: process.version,
  dbPoolSize: process.env.DB_POOL_SIZE ?? 'default',
  postgres: settings.drivers.includes('postgres')
    ? await withAdmin(settings.serverUrl, async (client) => {
        const { rows } = await client.query<{ name: string; setting: string }>(
          `SELECT name, setting FROM pg_settings
           WHERE name IN ('server_version', 'synchronous_commit', 'fsync', 'full_page_writes', 'shared_buffers')`,
        );
        return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
      })
    : undefined,
};
await fauxqs.stop();
process.stdout.write(`${JSON.stringify({ conditions, results }, null, 2)}\n`);
