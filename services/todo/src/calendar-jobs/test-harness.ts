// Test harness for the iCal job API: the real todo app on a real database (PGlite, or
// PostgreSQL when DATABASE_URL is set) and a fauxqs S3 bucket, on 127.0.0.1 ephemeral ports.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { AnyEvent, CloudEvent, EventType } from '@taskoverflow/events';
import { readOutboxEvents, serviceTestApp } from '@taskoverflow/events/testing';
import { createLogger, type Db } from '@taskoverflow/platform';
import { testAuth } from '@taskoverflow/platform/auth/testing';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import manifest from '../../service.ts';
import { todoRouters } from '../app.ts';
import { todoMigrations } from '../migrations.ts';

export const log = createLogger('calendar-jobs-test', process.env.TEST_LOG_LEVEL ?? 'silent');
export const BUCKET = 'taskoverflow-test';

export interface Harness {
  db: Db;
  s3: S3Client;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Inserts `count` todos; every `undatedEvery`-th one has no deadline. */
  seedTodos(count: number, undatedEvery?: number): Promise<void>;
  /** The events the todo service recorded for publishing, as the relay would send them. */
  outboxEvents<T extends EventType>(type: T): Promise<CloudEvent<T>[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const fauxqs: FauxqsServer = await startFauxqs({ port: 0, logger: false });
  const s3 = new S3Client({
    endpoint: fauxqs.address,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const test: TestDb = await openTestDb('todo', todoMigrations);
  const server: Server = createServer(
    // Behind the gateway, as in npm start: X-Forwarded-* is trusted.
    serviceTestApp(
      manifest,
      { db: test.db, log, api: (await testAuth(undefined, { trustProxy: true })).settings },
      (access) => todoRouters({ db: test.db, access, calendarStorage: { s3, bucket: BUCKET } }),
    ).callback(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    db: test.db,
    s3,
    origin: `http://127.0.0.1:${port}`,
    async seedTodos(count, undatedEvery = 0) {
      await test.db.query(
        `INSERT INTO todos (title, description, completed, deadline_at)
         SELECT 'Todo ' || i || ': call Ann, then Bob; ask about the 日本 trip 🎌',
                CASE WHEN i % 2 = 0 THEN NULL ELSE repeat('Details, notes; more ', 5) END,
                i % 3 = 0,
                CASE WHEN $2 > 0 AND i % $2 = 0 THEN NULL
                     ELSE timestamp '2026-06-01 09:00' + make_interval(mins => i) END
         FROM generate_series(1, $1::int) AS i`,
        [count, undatedEvery],
      );
    },
    async outboxEvents<T extends EventType>(type: T) {
      const events = await readOutboxEvents(test.db, 'todo');
      return events.filter((event): event is CloudEvent<T> & AnyEvent => event.type === type);
    },
    reset: () => test.db.exec('TRUNCATE todos, outbox, calendar_jobs, idempotency_keys RESTART IDENTITY'),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await test.drop();
      s3.destroy();
      await fauxqs.stop();
    },
  };
}
