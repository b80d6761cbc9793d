// `npm start`: the whole system on one machine with no external services.
// fauxqs (in-process SNS/SQS/S3) → topology from the manifests → every service as its
// own process with its own PGlite database → one gateway routing like the ALB.
import { join, relative, resolve } from 'node:path';
import { awsClients } from '@taskoverflow/events/aws';
import { loadManifests, repoRoot } from '@taskoverflow/events/manifests';
import { buildTopology } from '@taskoverflow/events/topology';
import { applyTopology } from '@taskoverflow/events/topology-apply';
import { baseEnvSchema, createLogger, loadConfig } from '@taskoverflow/platform';
import { bootstrapLocalAuth } from '@taskoverflow/platform/auth';
import { startFauxqs } from 'fauxqs';
import getPort, { portNumbers } from 'get-port';
import { z } from 'zod';
import { createGateway } from './gateway.ts';
import { waitUntilHealthy } from './health.ts';
import { readable, type ServiceProcess, startServiceProcess } from './processes.ts';
import { routesFrom } from './routes.ts';

const config = loadConfig(
  baseEnvSchema()
    .pick({ LOG_LEVEL: true, DATA_DIR: true })
    .extend({
      PORT: z.coerce.number().int().min(1).max(65535).default(6400).describe('Gateway port'),
      AWS_ENDPOINT_URL: z.url().optional().describe('Use this SNS/SQS/S3 endpoint instead of in-process fauxqs'),
      AWS_REGION: z.string().default('us-east-1'),
      FAUXQS_PORT: z.coerce.number().int().min(0).max(65535).default(4566).describe('Port of the in-process fauxqs'),
      EVENTS_BUCKET: z.string().min(1).default('taskoverflow-local').describe('Bucket for calendars and claim checks'),
    }),
  'local',
);
const log = createLogger('local', config.LOG_LEVEL, {
  write: (line) => process.stdout.write(readable(line.trimEnd())),
});
const root = resolve(new URL(repoRoot).pathname);
const dataDir = resolve(config.DATA_DIR);
// A signing key and an admin token in DATA_DIR; services get the public key and the anonymous scopes.
const localAuth = await bootstrapLocalAuth(dataDir);

const fauxqs = config.AWS_ENDPOINT_URL
  ? undefined
  : await startFauxqs({ port: config.FAUXQS_PORT, logger: false, dataDir: join(dataDir, 'fauxqs') });
const endpoint = config.AWS_ENDPOINT_URL ?? fauxqs?.address ?? '';
const awsEnv = { AWS_ENDPOINT_URL: endpoint, AWS_REGION: config.AWS_REGION };

const manifests = await loadManifests();
const topology = buildTopology(manifests);
const applied = await applyTopology(awsClients({ ...process.env, ...awsEnv }), topology, {
  bucket: config.EVENTS_BUCKET,
});
log.info({ endpoint, topic: applied.topicArn, queues: Object.keys(applied.queues) }, 'topology applied');

const width = Math.max(...manifests.map((manifest) => manifest.name.length));
const upstreams = new Map<string, string>();
const services = new Map<string, ServiceProcess>();
let stopping = false;

async function launch(index: number): Promise<void> {
  const manifest = manifests[index];
  if (!manifest) return;
  const port = manifest.http ? await getPort({ port: portNumbers(config.PORT + 1, config.PORT + 99) }) : 0;
  if (manifest.http) upstreams.set(manifest.name, `http://127.0.0.1:${port}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...awsEnv,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: config.LOG_LEVEL,
    EVENTS_TOPIC_ARN: applied.topicArn,
    EVENTS_BUCKET: config.EVENTS_BUCKET,
    EVENTS_QUEUE_URL: applied.queues[manifest.name]?.queueUrl ?? '',
    ...localAuth.env,
    TRUST_PROXY: 'true', // behind the gateway, which sets X-Forwarded-*
  };
  if (!env.EVENTS_QUEUE_URL) delete env.EVENTS_QUEUE_URL;
  const started = startServiceProcess(manifest.name, index, root, env, width);
  services.set(manifest.name, started);
  // Like ECS, replace a service that dies; its queue keeps what it has not acknowledged.
  void started.exited.then((code) => {
    if (stopping) return;
    log.warn({ service: manifest.name, code }, 'service exited; restarting in 1 s');
    setTimeout(() => void launch(index), 1000).unref();
  });
}

for (let index = 0; index < manifests.length; index++) await launch(index);

const gateway = createGateway(routesFrom(manifests), upstreams, log);
await new Promise<void>((ready, fail) => {
  gateway.once('error', fail);
  gateway.listen(config.PORT, ready);
});
await waitUntilHealthy(manifests, upstreams, 60_000);
// Printed whatever LOG_LEVEL says: it is the line a newcomer waits for.
console.log(
  `\nTaskOverflow is ready on http://localhost:${config.PORT} — try: curl http://localhost:${config.PORT}/api/v1/todos\n` +
    `Admin token (audit, webhooks): ${relative(process.cwd(), localAuth.adminTokenFile) || localAuth.adminTokenFile}\n`,
);

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping every service');
  gateway.close();
  gateway.closeAllConnections();
  const all = [...services.values()];
  for (const { child } of all) child.kill('SIGTERM');
  const killTimer = setTimeout(() => {
    for (const { child } of all) child.kill('SIGKILL');
  }, 30_000);
  await Promise.all(all.map((service) => service.exited));
  clearTimeout(killTimer);
  await fauxqs?.stop();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
