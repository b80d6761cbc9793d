/**
 * docker-compose.yml, derived from the manifests like the cloud stack: PostgreSQL, the fauxqs
 * image, a one-shot topology init, every service from its own Dockerfile and the local gateway
 * on :6400. Writes the file when run directly:
 *
 *   node infra/compose/generate.ts
 *
 * The committed file is checked against this output by generate.test.ts.
 */

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backfillEnv } from '@taskoverflow/events/backfill';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import { loadManifests } from '@taskoverflow/events/manifests';
import { buildTopology } from '@taskoverflow/events/topology';
import { stringify } from 'yaml';

export const composeFile = new URL('../../docker-compose.yml', import.meta.url);

/** fauxqs names queues and topics deterministically, so every address below can be static. */
const fauxqs = { host: 'fauxqs', port: 4566, region: 'us-east-1', account: '000000000000' } as const;
const containerPort = 8080;
const gatewayPort = 6400;
const bucket = 'taskoverflow-local';
const prefix = 'taskoverflow';

const envKey = (name: string) => name.toUpperCase().replaceAll('-', '_');

/**
 * Traces go to the Jaeger all-in-one container (UI on :16686) over OTLP. Jaeger takes no
 * metrics, so they stay off here (OTEL_METRICS_EXPORTER=otlp to send them to a collector).
 */
const telemetryEnvironment = {
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
};

/** What every container that talks to the emulator needs; the same keys the cloud sets, plus the endpoint. */
const awsEnvironment = {
  AWS_ENDPOINT_URL: `http://${fauxqs.host}:${fauxqs.port}`,
  AWS_REGION: fauxqs.region,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  EVENTS_TOPIC_ARN: `arn:aws:sns:${fauxqs.region}:${fauxqs.account}:${buildTopology([], prefix).topicName}`,
  EVENTS_BUCKET: bucket,
};

export function composeDocument(manifests: readonly ServiceManifest[]): Record<string, unknown> {
  const queues = Object.fromEntries(
    buildTopology(manifests, prefix).consumers.map((consumer) => [consumer.service, consumer.queueName]),
  );
  const build = (name: string) => ({ context: '.', dockerfile: `services/${name}/Dockerfile` });

  const services: Record<string, unknown> = {
    postgres: {
      image: 'postgres:17-alpine',
      environment: { POSTGRES_PASSWORD: 'postgres', POSTGRES_DB: prefix },
      // Loopback only: the database and the emulator accept anyone who can reach them.
      ports: ['127.0.0.1:5432:5432'],
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U postgres'], interval: '2s', timeout: '3s', retries: 30 },
    },
    fauxqs: {
      image: 'kibertoad/fauxqs:latest',
      // Queue URLs then read http://sqs.<region>.fauxqs:4566/..., as the services are told below.
      environment: { FAUXQS_HOST: fauxqs.host },
      ports: [`127.0.0.1:${fauxqs.port}:${fauxqs.port}`],
    },
    // The trace viewer: every service's spans, one trace per write (OTLP on 4317/4318).
    jaeger: {
      image: 'jaegertracing/jaeger:latest',
      ports: ['127.0.0.1:16686:16686', '127.0.0.1:4318:4318'],
    },
    // `taskoverflow topology apply`, the operators' command, from the checkout like the gateway below
    // (run `npm ci` first): the one way the topology is applied outside npm start and infra/.
    topology: {
      image: 'node:24-slim',
      working_dir: '/app',
      command: ['node', 'cli/src/main.ts', 'topology', 'apply'],
      environment: awsEnvironment,
      volumes: ['.:/app:ro'],
      depends_on: { fauxqs: { condition: 'service_healthy' } },
    },
  };

  const queueUrlOf = (service: string) => {
    const name = queues[service];
    return name && `http://sqs.${fauxqs.region}.${fauxqs.host}:${fauxqs.port}/${fauxqs.account}/${name}`;
  };
  for (const manifest of manifests) {
    const queue = queueUrlOf(manifest.name);
    const hasDatabase = manifest.database !== false;
    services[manifest.name] = {
      build: build(manifest.name),
      image: `${prefix}/${manifest.name}:local`,
      environment: {
        LOG_LEVEL: 'info',
        ...(manifest.http ? { PORT: String(containerPort) } : {}),
        // Each service creates and uses its own database <db>_<service> on this server; web has none.
        ...(hasDatabase
          ? { DATABASE_URL: `postgres://postgres:postgres@postgres:5432/${prefix}`, DB_POOL_SIZE: '5' }
          : {}),
        ...awsEnvironment,
        ...telemetryEnvironment,
        ...(queue ? { EVENTS_QUEUE_URL: queue } : {}),
        ...backfillEnv(manifest, manifests, queueUrlOf),
      },
      depends_on: {
        ...(hasDatabase ? { postgres: { condition: 'service_healthy' } } : {}),
        topology: { condition: 'service_completed_successfully' },
        jaeger: { condition: 'service_started' },
      },
      // Mirrors the cloud's read-only root filesystem.
      read_only: true,
      tmpfs: ['/tmp'],
      stop_grace_period: '30s',
      restart: 'unless-stopped',
    };
  }

  const httpServices = manifests.filter((manifest) => manifest.http);
  // The gateway is dev tooling, not a service image: it runs the checkout's own code (local/, the
  // manifests and the host's node_modules, so run `npm ci` first) from a read-only mount.
  services.gateway = {
    image: 'node:24-slim',
    working_dir: '/app',
    command: ['node', 'infra/compose/gateway.ts'],
    environment: {
      PORT: String(gatewayPort),
      LOG_LEVEL: 'info',
      ...Object.fromEntries(
        httpServices.map((manifest) => [`${envKey(manifest.name)}_URL`, `http://${manifest.name}:${containerPort}`]),
      ),
    },
    volumes: ['.:/app:ro'],
    ports: [`${gatewayPort}:${gatewayPort}`],
    depends_on: Object.fromEntries(httpServices.map((manifest) => [manifest.name, { condition: 'service_healthy' }])),
    restart: 'unless-stopped',
  };

  return { services, volumes: { 'postgres-data': {} } };
}

export function renderCompose(manifests: readonly ServiceManifest[]): string {
  const header = [
    '# Generated by infra/compose/generate.ts from services/*/service.ts; do not edit by hand.',
    '# Regenerate with: node infra/compose/generate.ts',
    '# The same topology as the cloud: PostgreSQL for RDS, fauxqs for SNS/SQS/S3, one container per service,',
    '# and the gateway on :6400 routing like the load balancer.',
  ].join('\n');
  return `${header}\n${stringify(composeDocument(manifests), { lineWidth: 0 })}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(composeFile, renderCompose(await loadManifests()));
  process.stdout.write(`wrote ${fileURLToPath(composeFile)}\n`);
}
