import type Router from '@koa/router';
import {
  type ApiAccess,
  apiAccess,
  apiSettingsFromConfig,
  createLogger,
  type Db,
  type Logger,
  listen,
  loadConfig,
  type MigrationSource,
  onShutdown,
  openServiceDb,
  parseEnv,
} from '@taskoverflow/platform';
import { startTelemetry } from '@taskoverflow/platform/telemetry';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import { type AwsClients, awsClients } from '../aws.ts';
import type { ClaimCheckStore } from '../claim-check.ts';
import { type ConsumerOptions, type RunningConsumer, startConsumer } from '../consumer/runtime.ts';
import type { Handlers } from '../consumer/types.ts';
import type { ServiceManifest } from '../manifest.ts';
import { type Relay, startOutboxRelay } from '../outbox/relay.ts';
import type { ServiceConfig } from './config.ts';
import { createServiceApp } from './http-app.ts';

/** Whether a service has a database: `Db`, or `undefined` for a manifest with `database: false`. */
type MaybeDb = Db | undefined;

/** What a service's parts are built from. */
export interface ServiceDeps<C, D extends MaybeDb = Db> {
  config: C;
  db: D;
  log: Logger;
  aws: AwsClients;
  /** The bucket (EVENTS_BUCKET) for claim checks and stored objects, when configured. */
  storage: ClaimCheckStore | undefined;
  /** Publishes what was just committed to the outbox now rather than at the next poll. */
  wakeRelay: () => void;
  /** Scopes (bearer tokens, anonymous scopes) and rate limits for the service's routes. */
  access: ApiAccess;
}

/** A service is its manifest plus these. */
export interface ServiceParts {
  handlers?: Handlers;
  /** How this service's handlers want to be run. */
  consumer?: Pick<ConsumerOptions, 'concurrency' | 'transactionBatchSize' | 'ordering'>;
  routers?: readonly Router[];
  middleware?: readonly Middleware[];
  /** Runs after HTTP and the consumer stopped, before the database closes. */
  stop?: () => Promise<void>;
}

export interface ServiceDefinition<S extends z.ZodType<ServiceConfig>, D extends MaybeDb = Db> {
  manifest: ServiceManifest;
  /** The service's environment: `serviceEnvSchema(manifest)`, extended with its own keys. */
  env: S;
  /** None for a service without a database (`database: false` in its manifest). */
  migrations?: readonly MigrationSource[];
  parts(deps: ServiceDeps<z.output<S>, D>): ServiceParts | Promise<ServiceParts>;
}

/** Any service with a database, whatever its environment: what test stacks and benches start. */
export type DatabaseService = ServiceDefinition<z.ZodType<ServiceConfig>>;

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** A database the caller opened and migrated (test stacks); closed by the caller. */
  db?: Db;
  /** Test stacks shorten the long poll and the drain. */
  consumer?: Pick<ConsumerOptions, 'waitTimeSeconds' | 'drainTimeoutMs'>;
  /** Entry points exit on SIGTERM/SIGINT after stopping; in-process stacks call stop() themselves. */
  exitOnSignal?: boolean;
  /** Default 0.0.0.0 in a container; test stacks bind 127.0.0.1. */
  host?: string;
}

export interface RunningService<D extends MaybeDb = Db> {
  port: number;
  db: D;
  relay: Relay | undefined;
  consumer: RunningConsumer | undefined;
  stop(): Promise<void>;
}

/** The consumer's drain, and what the process allows itself beyond it before exiting anyway. */
const DRAIN_MS = 25_000;
const SHUTDOWN_DEADLINE_MS = DRAIN_MS + 3_000; // inside ECS's 30 s stopTimeout

/**
 * The one start-up path of every service: config from the manifest's schema, database and
 * migrations, the outbox relay when it publishes, the consumer when it consumes (its commits
 * wake the relay), HTTP with the request boundary, health and 405/Allow, and a shutdown
 * whose deadline outlasts the consumer's drain.
 */
export async function runService<S extends z.ZodType<ServiceConfig>, D extends MaybeDb = Db>(
  definition: ServiceDefinition<S, D>,
  options: RunOptions = {},
): Promise<RunningService<D>> {
  const { manifest } = definition;
  const hasDb = manifest.database !== false;
  if (!hasDb && (definition.migrations?.length || manifest.publishes.length || manifest.consumes.length)) {
    // The outbox and the inbox live in the service's database.
    throw new Error(`${manifest.name} has no database (database: false) but has migrations, publishes or consumes`);
  }
  const env = options.env ?? process.env;
  const config: z.output<S> = options.exitOnSignal
    ? loadConfig(definition.env, manifest.name, env)
    : parseEnv(definition.env, manifest.name, env);
  const log = options.log ?? createLogger(manifest.name, config.LOG_LEVEL);
  // First, so the relay, the consumer and HTTP take their meters from the started SDK.
  const telemetry = await startTelemetry(manifest.name);
  const db = (
    hasDb ? (options.db ?? (await openServiceDb(manifest.name, config, definition.migrations ?? [], log))) : undefined
  ) as D;
  const aws = awsClients(env);
  const storage = config.EVENTS_BUCKET ? { s3: aws.s3, bucket: config.EVENTS_BUCKET } : undefined;

  // Only a publisher has an outbox; the runner hands every service the topic ARN.
  const relay =
    db && manifest.publishes.length && config.EVENTS_TOPIC_ARN
      ? await startOutboxRelay({
          db,
          sns: aws.sns,
          topicArn: config.EVENTS_TOPIC_ARN,
          source: manifest.name,
          log,
          claimCheck: storage,
        })
      : undefined;
  const wakeRelay = () => relay?.wake();
  const api = apiSettingsFromConfig(config);
  const parts = await definition.parts({ config, db, log, aws, storage, wakeRelay, access: apiAccess(api) });
  const unhandled = manifest.consumes.filter((type) => !parts.handlers?.[type]);
  if (unhandled.length) throw new Error(`${manifest.name} consumes ${unhandled.join(', ')} but has no handler for it`);

  const consumer =
    db && config.EVENTS_QUEUE_URL && parts.handlers
      ? startConsumer({
          service: manifest.name,
          queueUrl: config.EVENTS_QUEUE_URL,
          handlers: parts.handlers,
          db,
          sqs: aws.sqs,
          log,
          claimCheck: storage,
          visibilityTimeoutSeconds: manifest.queue.visibilityTimeoutSeconds,
          drainTimeoutMs: DRAIN_MS,
          ...parts.consumer,
          ...options.consumer,
          onCommit: wakeRelay,
        })
      : undefined;

  const app = createServiceApp(manifest, {
    log,
    api,
    routers: parts.routers,
    middleware: parts.middleware,
    checks: {
      ...(db
        ? {
            database: () => db.query('SELECT 1'),
            // Applied before HTTP starts: a service that serves has its migrations.
            migrations: () => undefined,
          }
        : {}),
      ...(consumer ? { consumer: () => consumer.assertPolling() } : {}),
    },
  });
  const http = await listen(app, config.PORT, log, options.host ?? config.HOST);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all([http.close(), consumer?.stop()]);
      await parts.stop?.();
      await relay?.stop();
      if (!options.db) await db?.close();
      for (const client of Object.values(aws)) client.destroy();
      await telemetry.release(); // flushes the last spans and metrics
    })();
    return stopping;
  };
  if (options.exitOnSignal) onShutdown(log, stop, SHUTDOWN_DEADLINE_MS);
  return { port: http.port, db, relay, consumer, stop };
}
