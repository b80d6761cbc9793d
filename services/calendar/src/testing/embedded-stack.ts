// The calendar job's whole path in one process, for the end-to-end test and the bench:
// fauxqs (SNS/SQS/S3) with the manifests' topology, the todo API with its relay and
// consumer, the calendar service with its relay and consumer, each on its own database.
// Everything is the production code; only the process boundaries are missing.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { awsClients } from '@taskoverflow/events/aws';
import { startConsumer } from '@taskoverflow/events/consumer/runtime';
import { startOutboxRelay } from '@taskoverflow/events/outbox/relay';
import { buildTopology } from '@taskoverflow/events/topology';
import { type AppliedTopology, applyTopology } from '@taskoverflow/events/topology-apply';
import type { Db, Logger } from '@taskoverflow/platform';
import { testAuth } from '@taskoverflow/platform/auth/testing';
import { openTestDb } from '@taskoverflow/platform/testing';
import todoManifest from '@taskoverflow/todo/service.ts';
import { createApp } from '@taskoverflow/todo/src/app.ts';
import { calendarJobHandlers } from '@taskoverflow/todo/src/calendar-jobs/index.ts';
import { todoMigrations } from '@taskoverflow/todo/src/migrations.ts';
import { startFauxqs } from 'fauxqs';
import calendarManifest from '../../service.ts';
import { renderRequestedCalendar } from '../jobs/render-requested-calendar.ts';
import { calendarMigrations } from '../migrations.ts';

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

export async function startEmbeddedStack(log: Logger): Promise<EmbeddedStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => {});
  };
  try {
    const fauxqs = await startFauxqs({ port: 0, logger: false });
    closers.push(() => fauxqs.stop());
    const { sns, sqs, s3 } = awsClients({ AWS_ENDPOINT_URL: fauxqs.address, AWS_REGION: 'us-east-1' });
    closers.push(async () => {
      for (const client of [sns, sqs, s3]) client.destroy();
    });
    const bucket = 'taskoverflow-e2e';
    const applied = await applyTopology({ sns, sqs, s3 }, buildTopology([todoManifest, calendarManifest]), { bucket });
    const storage = { s3, bucket };
    const queueOf = (service: string) => {
      const queue = applied.queues[service];
      if (!queue) throw new Error(`no queue for ${service}`);
      return queue.queueUrl;
    };

    const todo = await openTestDb('todo', todoMigrations);
    closers.push(() => todo.drop());
    const calendar = await openTestDb('calendar', calendarMigrations);
    closers.push(() => calendar.drop());

    const common = { sns, topicArn: applied.topicArn, log, claimCheck: storage };
    const todoRelay = await startOutboxRelay({ ...common, db: todo.db, source: 'todo' });
    closers.push(() => todoRelay.stop());
    const calendarRelay = await startOutboxRelay({ ...common, db: calendar.db, source: 'calendar' });
    closers.push(() => calendarRelay.stop());

    const server = createServer(
      createApp({
        db: todo.db,
        log,
        api: (await testAuth()).settings,
        calendarStorage: storage,
        onEventsCommitted: todoRelay.wake,
      }).callback(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );

    // A short long-poll so close() does not wait out a 20 s receive.
    const consumerDefaults = { sqs, log, claimCheck: storage, waitTimeSeconds: 1, drainTimeoutMs: 5_000 };
    const todoConsumer = startConsumer({
      ...consumerDefaults,
      service: 'todo',
      queueUrl: queueOf('todo'),
      handlers: calendarJobHandlers(),
      db: todo.db,
    });
    closers.push(() => todoConsumer.stop());
    const calendarConsumer = startConsumer({
      ...consumerDefaults,
      service: 'calendar',
      queueUrl: queueOf('calendar'),
      handlers: {
        CalendarRequested: renderRequestedCalendar({
          ...storage,
          maxReceiveCount: calendarManifest.queue.maxReceiveCount,
        }),
      },
      db: calendar.db,
      concurrency: 2,
      onCommit: calendarRelay.wake,
    });
    closers.push(() => calendarConsumer.stop());

    const { port } = server.address() as AddressInfo;
    return {
      origin: `http://127.0.0.1:${port}`,
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
