// `npm start`: the whole system on one machine with no external services.
// AWS emulator (fauxqs, its own process) → topology from the manifests → every service as
// its own process → one gateway routing like the ALB. The runner owns every process it
// starts: they stop when it stops, however it stops, and DATA_DIR is locked while it runs.
import { relative, resolve } from 'node:path';
import { backoffSeconds } from '@taskoverflow/events';
import { awsClients } from '@taskoverflow/events/aws';
import { backfillEnv } from '@taskoverflow/events/backfill';
import { localPriorityOf } from '@taskoverflow/events/manifest';
import { loadManifests, repoRoot } from '@taskoverflow/events/manifests';
import { buildTopology } from '@taskoverflow/events/topology';
import { applyTopology } from '@taskoverflow/events/topology-apply';
import { baseEnvSchema, createLogger, loadConfig } from '@taskoverflow/platform';
import { bootstrapLocalAuth } from '@taskoverflow/platform/auth';
import getPort, { portNumbers } from 'get-port';
import { z } from 'zod';
import { watchBacklog } from './backlog.ts';
import { type DependencySettings, StartError, startDependency } from './dependencies.ts';
import { createGateway } from './gateway.ts';
import { waitUntilHealthy } from './health.ts';
import { DataDirInUse, lockDataDir } from './lock.ts';
import { type ChildHandle, lineFormatter, startChild } from './processes.ts';
import { routesFrom } from './routes.ts';
import { removeStackFile, stackFile, writeStackFile } from './stack-file.ts';

// `.env` in the repository fills what the environment leaves unset; the services inherit it.
try {
  process.loadEnvFile();
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

const config = loadConfig(
  baseEnvSchema()
    .pick({ LOG_LEVEL: true, DATA_DIR: true, DATABASE_URL: true })
    .extend({
      PORT: z.coerce.number().int().min(1).max(65535).default(6400).describe('Gateway port'),
      HOST: z
        .string()
        .min(1)
        .default('127.0.0.1')
        .describe('Address the gateway, the services and the emulator listen on; 0.0.0.0 opens them to other machines'),
      AWS_ENDPOINT_URL: z.url().optional().describe('Use this SNS/SQS/S3 endpoint instead of the local fauxqs'),
      AWS_REGION: z.string().default('us-east-1'),
      FAUXQS_PORT: z.coerce.number().int().min(0).max(65535).default(4566).describe('Port of the local fauxqs'),
      POSTGRES_PORT: z.coerce
        .number()
        .int()
        .min(0)
        .max(65535)
        .default(0)
        .describe('Port of the local PostgreSQL when DATABASE_URL is not set; 0 picks a free one (6432 if free)'),
      EVENTS_BUCKET: z.string().min(1).default('taskoverflow-local').describe('Bucket for calendars and claim checks'),
      BACKGROUND_PRIORITY: z
        .enum(['idle', 'normal'])
        .default('idle')
        .describe(
          'CPU priority of the consumers and the emulator: idle runs them on what requests leave (ADR 0084); normal shares the CPU equally',
        ),
      LOG_FORMAT: z
        .enum(['pretty', 'json'])
        .optional()
        .describe('pretty: coloured lines for a terminal; json: JSON lines (the default when output is piped)'),
    }),
  'local',
);
const formatLine = lineFormatter(config.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'));
const print = (name: string, index: number) => (line: string) =>
  process.stdout.write(formatLine(name, index, line.trimEnd()));
const log = createLogger('local', config.LOG_LEVEL, { write: print('local', 7) });
const root = resolve(new URL(repoRoot).pathname);
const dataDir = resolve(config.DATA_DIR);

const lock = await lockDataDir(dataDir).catch((error: unknown) => {
  if (!(error instanceof DataDirInUse)) throw error;
  console.error(error.message);
  process.exit(1);
});
// A signing key and an admin token in DATA_DIR; services get the public key and the anonymous scopes.
const localAuth = await bootstrapLocalAuth(dataDir);

const running = new Map<string, ChildHandle>();
const upstreams = new Map<string, string>();
let stopping = false;

/** Starts a process and, like ECS, replaces it when it dies, backing off while it keeps crashing. */
function supervise(name: string, start: () => Promise<ChildHandle>, onStarted?: (handle: ChildHandle) => void) {
  let failures = 0;
  const run = async (): Promise<ChildHandle> => {
    const startedAt = Date.now();
    const handle = await start();
    running.set(name, handle);
    lock.addChild(handle.child.pid ?? 0);
    onStarted?.(handle);
    void handle.exited.then((code) => {
      if (stopping) return;
      failures = Date.now() - startedAt > 30_000 ? 1 : failures + 1;
      const delay = backoffSeconds(failures, { baseSeconds: 1, maxSeconds: 30 });
      log.warn({ process: name, code, restartInSeconds: delay }, 'process exited; restarting');
      setTimeout(() => {
        if (!stopping) void run().catch((error: unknown) => log.error({ err: error, process: name }, 'restart failed'));
      }, delay * 1000).unref();
    });
    return handle;
  };
  return run();
}

/**
 * Starts a process the services depend on (emulator, PostgreSQL), supervised, and returns its
 * URL once it reports ready. A restarted one keeps the port of the previous run.
 */
async function startSupervised(
  name: 'emulator' | 'postgres',
  index: number,
  settings: (previousPort?: number) => DependencySettings,
): Promise<string> {
  let url: string | undefined;
  await supervise(name, async () => {
    const started = await startDependency(
      name,
      settings(url ? Number(new URL(url).port) : undefined),
      print(name, index),
      (message) => log.info({ process: name }, message),
    );
    url = started.url;
    return started.handle;
  });
  return url ?? '';
}

async function stop(code: number): Promise<never> {
  stopping = true;
  log.info('stopping every process');
  gateway.close();
  gateway.closeAllConnections();
  // Services first (they drain into the emulator and their databases), then what they use.
  const dependencies = new Set(['emulator', 'postgres']);
  const services = [...running.values()].filter((handle) => !dependencies.has(handle.name));
  for (const group of [services, [running.get('emulator'), running.get('postgres')]]) {
    const handles = group.filter((handle) => handle !== undefined);
    for (const { child } of handles) child.kill('SIGTERM');
    const killTimer = setTimeout(() => {
      for (const { child } of handles) child.kill('SIGKILL');
    }, 30_000);
    await Promise.all(handles.map((handle) => handle.exited));
    clearTimeout(killTimer);
  }
  removeStackFile(dataDir);
  lock.release();
  log.info('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// Under `npm start` a shell and npm sit above this process; a SIGTERM sent only to npm ends
// them and hands this one to init, where nobody could stop it. A parent gone: stop as if signalled.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid === parentAtStart || stopping) return;
  log.warn({ parent: parentAtStart }, 'the process that started the runner exited: stopping');
  void stop(0);
}, 1000).unref();

const manifests = await loadManifests();
const gateway = createGateway({
  routes: routesFrom(manifests),
  upstreamOf: (service) => upstreams.get(service),
  log,
});

try {
  // The gateway's port first: a taken port fails the start before anything else has started.
  await new Promise<void>((ready, fail) => {
    gateway.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new StartError(
              `Port ${config.PORT} (the gateway) is in use: set PORT to a free port, e.g. PORT=6500 npm start`,
            )
          : error,
      ),
    );
    gateway.listen(config.PORT, config.HOST, ready);
  });
  // PostgreSQL and the emulator do not need each other: started side by side.
  const postgresPort = config.DATABASE_URL || config.POSTGRES_PORT ? 0 : await getPort({ port: 6432 });
  const [databaseUrl, endpoint] = await Promise.all([
    config.DATABASE_URL ??
      startSupervised('postgres', 5, (previousPort) => ({
        dataDir,
        port: previousPort ?? (config.POSTGRES_PORT || postgresPort),
      })),
    config.AWS_ENDPOINT_URL ??
      startSupervised('emulator', 6, (previousPort) => ({
        dataDir,
        port: previousPort ?? config.FAUXQS_PORT,
        host: config.HOST,
        priority: config.BACKGROUND_PRIORITY, // it stands in for SNS and SQS, which take no CPU of ours in the cloud
      })),
  ]);
  const awsEnv = { AWS_ENDPOINT_URL: endpoint, AWS_REGION: config.AWS_REGION };
  const applied = await applyTopology(awsClients({ ...process.env, ...awsEnv }), buildTopology(manifests), {
    bucket: config.EVENTS_BUCKET,
  });
  log.info({ endpoint, topic: applied.topicArn, queues: Object.keys(applied.queues) }, 'topology applied');

  for (const [index, manifest] of manifests.entries()) {
    await supervise(manifest.name, async () => {
      // Every service serves /health/ready, calendar included: the runner waits on it as ECS does.
      const port = await getPort({ port: portNumbers(config.PORT + 1, config.PORT + 99) });
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...awsEnv,
        PORT: String(port),
        HOST: config.HOST,
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: config.LOG_LEVEL,
        EVENTS_TOPIC_ARN: applied.topicArn,
        EVENTS_BUCKET: config.EVENTS_BUCKET,
        EVENTS_QUEUE_URL: applied.queues[manifest.name]?.queueUrl ?? '',
        ...localAuth.env,
        TRUST_PROXY: 'true', // behind the gateway, which sets X-Forwarded-*
        ...backfillEnv(manifest, manifests, (service) => applied.queues[service]?.queueUrl),
      };
      if (!env.EVENTS_QUEUE_URL) delete env.EVENTS_QUEUE_URL;
      if (manifest.database === false) delete env.DATABASE_URL; // it keeps no data (web)
      // On one machine the consumers share the request path's cores: they take what is left (ADR 0084).
      const handle = startChild(
        manifest.name,
        `services/${manifest.name}/src/main.ts`,
        root,
        env,
        print(manifest.name, index),
        {
          priority: config.BACKGROUND_PRIORITY === 'idle' ? localPriorityOf(manifest) : 'normal',
        },
      );
      upstreams.set(manifest.name, `http://127.0.0.1:${port}`); // the gateway routes only to manifests with http
      return handle;
    });
  }

  // Generous: a first start on a busy machine compiles and migrates everything at once.
  await waitUntilHealthy(manifests, (service) => upstreams.get(service), 120_000);
  writeStackFile(
    dataDir,
    stackFile(`http://127.0.0.1:${config.PORT}`, endpoint, config.AWS_REGION, config.EVENTS_BUCKET, applied),
  );
  watchBacklog(awsClients({ ...process.env, ...awsEnv }).sqs, applied.queues, (line) => console.log(line));
} catch (error) {
  // Whatever started before the failure is stopped: a failed start leaves nothing running.
  if (error instanceof StartError) console.error(error.message);
  else log.error({ err: error }, 'start failed');
  await stop(1);
}
// Printed whatever LOG_LEVEL says: it is the line a newcomer waits for.
console.log(
  `\nTaskOverflow is ready on http://localhost:${config.PORT} — try: curl http://localhost:${config.PORT}/api/v1/todos\n` +
    `Admin token (audit, webhooks): ${relative(process.cwd(), localAuth.adminTokenFile) || localAuth.adminTokenFile}\n`,
);
