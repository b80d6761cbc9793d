// The calendar job's whole path in one process, for the end-to-end tests and the bench:
// fauxqs (SNS/SQS/S3) with the manifests' topology, and the todo and calendar services (plus
// audit and notification when asked) started by runService — the production start-up — each on its own test database.
// Only the process boundaries are missing.
import type { SQSClient } from '@aws-sdk/client-sqs';
import auditManifest from '@taskoverflow/audit/service.ts';
import { auditService } from '@taskoverflow/audit/src/main.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import calendarManifest from '@taskoverflow/calendar/service.ts';
import { calendarService } from '@taskoverflow/calendar/src/main.ts';
import { calendarMigrations } from '@taskoverflow/calendar/src/migrations.ts';
import { awsClients } from '@taskoverflow/events/aws';
import { type DatabaseService, runService } from '@taskoverflow/events/service';
import { buildTopology } from '@taskoverflow/events/topology';
import { type AppliedTopology, applyTopology } from '@taskoverflow/events/topology-apply';
import notificationManifest from '@taskoverflow/notification/service.ts';
import { notificationService } from '@taskoverflow/notification/src/main.ts';
import { notificationMigrations } from '@taskoverflow/notification/src/migrations.ts';
import type { Db, Logger } from '@taskoverflow/platform';
import { LOCAL_ANONYMOUS_SCOPES } from '@taskoverflow/platform/auth';
import { openTestDb } from '@taskoverflow/platform/testing';
import todoManifest from '@taskoverflow/todo/service.ts';
import { todoService } from '@taskoverflow/todo/src/main.ts';
import { todoMigrations } from '@taskoverflow/todo/src/migrations.ts';
import { startFauxqs } from 'fauxqs';

export interface EmbeddedStack {
  /** The todo API, `http://127.0.0.1:<port>`. */
  origin: string;
  todoDb: Db;
  calendarDb: Db;
  sqs: SQSClient;
  /** By consuming service: queue and dead-letter queue URLs. */
  queues: AppliedTopology['queues'];
  close(): Promise<void>;
}

/** Subscribers a test may add to todo and calendar. */
const subscribers = {
  audit: { manifest: auditManifest, definition: auditService, migrations: auditMigrations },
  notification: { manifest: notificationManifest, definition: notificationService, migrations: notificationMigrations },
};

export async function startEmbeddedStack(
  log: Logger,
  also: readonly (keyof typeof subscribers)[] = [],
): Promise<EmbeddedStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => {});
  };
  try {
    const fauxqs = await startFauxqs({ port: 0, logger: false });
    closers.push(() => fauxqs.stop());
    const awsEnv = { AWS_ENDPOINT_URL: fauxqs.address, AWS_REGION: 'us-east-1' };
    const { sns, sqs, s3 } = awsClients(awsEnv);
    closers.push(async () => {
      for (const client of [sns, sqs, s3]) client.destroy();
    });
    const bucket = 'taskoverflow-e2e';
    const applied = await applyTopology(
      { sns, sqs, s3 },
      buildTopology([todoManifest, calendarManifest, ...also.map((name) => subscribers[name].manifest)]),
      { bucket },
    );

    const todo = await openTestDb('todo', todoMigrations);
    closers.push(() => todo.drop());
    const calendar = await openTestDb('calendar', calendarMigrations);
    closers.push(() => calendar.drop());

    const run = async (definition: DatabaseService, service: string, db: Db) => {
      const env = {
        ...awsEnv,
        PORT: '0',
        EVENTS_TOPIC_ARN: applied.topicArn,
        EVENTS_QUEUE_URL: applied.queues[service]?.queueUrl,
        EVENTS_BUCKET: bucket,
        AUTH_ANONYMOUS_SCOPES: LOCAL_ANONYMOUS_SCOPES, // the todo API answers anonymously, as under npm start
      };
      // A short long-poll so close() does not wait out a 20 s receive.
      const options = { env, db, log, host: '127.0.0.1', consumer: { waitTimeSeconds: 1, drainTimeoutMs: 5_000 } };
      const running = await runService(definition, options);
      closers.push(() => running.stop());
      return running;
    };
    const todoRunning = await run(todoService, 'todo', todo.db);
    await run(calendarService, 'calendar', calendar.db);
    for (const name of also) {
      const { definition, migrations } = subscribers[name];
      const test = await openTestDb(name, migrations);
      closers.push(() => test.drop());
      await run(definition, name, test.db);
    }

    return {
      origin: `http://127.0.0.1:${todoRunning.port}`,
      todoDb: todo.db,
      calendarDb: calendar.db,
      sqs,
      queues: applied.queues,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
