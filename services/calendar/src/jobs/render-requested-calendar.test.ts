import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type CloudEvent, makeEvent, type Todo } from '@taskoverflow/events';
import { runHandlers, waitFor } from '@taskoverflow/events/testing';
import { createLogger } from '@taskoverflow/platform';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import nodeIcal from 'node-ical';
import { calendarMigrations } from '../migrations.ts';
import { calendarObjectKey, renderRequestedCalendar } from './render-requested-calendar.ts';

const log = createLogger('calendar-test', 'silent');
const BUCKET = 'calendar-test';

const todos = (count: number, fields: Partial<Todo> = {}): Todo[] =>
  Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    title: `Todo ${i + 1}, with a comma`,
    description: i % 2 ? null : `Details of todo ${i + 1}; ${'more words '.repeat(8)}`,
    completed: i % 3 === 0,
    deadline_at: i % 10 === 9 ? null : `2026-05-${String((i % 28) + 1).padStart(2, '0')}T12:00:00`,
    created_at: '2026-01-01T00:00:00',
    updated_at: '2026-01-02T00:00:00',
    ...fields,
  }));

const requested = (data: { jobId: string; todos: Todo[] }): CloudEvent<'CalendarRequested'> =>
  makeEvent({ type: 'CalendarRequested', source: 'todo', subject: data.jobId, data, correlationid: 'req-1' });

type OutboxRow = {
  type: string;
  subject: string;
  data: Record<string, unknown>;
  causation_id: string;
  correlation_id: string;
};

describe('renderRequestedCalendar', () => {
  let server: FauxqsServer;
  let s3: S3Client;
  let test: TestDb;

  const s3Client = () =>
    new S3Client({
      endpoint: server.address,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

  before(async () => {
    server = await startFauxqs({ port: 0, logger: false });
    s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    test = await openTestDb('calendar', calendarMigrations);
  });
  after(async () => {
    s3.destroy();
    await server.stop();
    await test.drop();
  });
  beforeEach(() => test.db.exec('TRUNCATE outbox, inbox'));

  /** Runs the handler through the consumer runtime; what the delivery came to. */
  const handle = async (
    event: CloudEvent<'CalendarRequested'>,
    receiveCount = 1,
    bucket = BUCKET,
    options: { partBytes?: number; client?: S3Client } = {},
  ) => {
    const handler = renderRequestedCalendar({ s3: options.client ?? s3, bucket, maxReceiveCount: 5, ...options });
    const [outcome] = await runHandlers(test.db, { CalendarRequested: handler }, [event], {
      service: 'calendar',
      log,
      receiveCount,
    });
    return outcome;
  };
  const outbox = () => test.db.query<OutboxRow>('SELECT * FROM outbox ORDER BY position');
  const download = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { text: (await object.Body?.transformToString('utf-8')) ?? '', type: object.ContentType };
  };

  it('when a job is requested, then the .ics is stored and Started then Generated are in the outbox', async () => {
    const jobId = randomUUID();
    const event = requested({ jobId, todos: todos(20) });

    const outcome = await handle(event);

    assert.deepEqual(outcome, { kind: 'ack', duplicate: false });
    const rows = await outbox();
    assert.deepEqual(
      rows.map((row) => row.type),
      ['CalendarStarted', 'CalendarGenerated'],
    );
    const stored = await download(calendarObjectKey(jobId));
    assert.equal(stored.type, 'text/calendar; charset=utf-8');
    const parsed = Object.values(nodeIcal.sync.parseICS(stored.text)).filter((c) => c?.type === 'VEVENT');
    assert.deepEqual(rows[1]?.data, {
      jobId,
      objectKey: `calendars/${jobId}.ics`,
      bytes: Buffer.byteLength(stored.text),
      events: 18,
    });
    assert.equal(parsed.length, 18);
    for (const row of rows) {
      assert.equal(row.subject, jobId);
      assert.equal(row.causation_id, event.id);
      assert.equal(row.correlation_id, 'req-1');
    }
  });

  it('when the calendar is larger than a part, then it is uploaded in parts and arrives whole', async () => {
    const jobId = randomUUID();
    const many = todos(20_000);

    await handle(requested({ jobId, todos: many }), 1, BUCKET, { partBytes: 5 * 1024 * 1024 });

    const generated = (await outbox())[1]?.data;
    const stored = await download(calendarObjectKey(jobId));
    assert.ok(Number(generated?.bytes) > 5 * 1024 * 1024, 'needs at least two parts');
    assert.equal(Buffer.byteLength(stored.text), generated?.bytes);
    assert.ok(stored.text.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n'));
    assert.equal(stored.text.split('BEGIN:VEVENT').length - 1, 18_000);
  });

  it('when storing fails before the last delivery, then it is retried and only Started is published', async () => {
    const event = requested({ jobId: randomUUID(), todos: todos(3) });

    const outcome = await handle(event, 1, 'no-such-bucket');

    assert.equal(outcome?.kind, 'retry');
    assert.deepEqual(
      (await outbox()).map((row) => row.type),
      ['CalendarStarted'],
    );
  });

  it('when the upload is slow, then Started is committed before it ends and Generated after', async () => {
    const jobId = randomUUID();
    const held = Promise.withResolvers<void>();
    let uploading = false;
    const slowS3 = s3Client();
    slowS3.middlewareStack.add(
      (next) => async (args) => {
        uploading = true;
        await held.promise;
        return next(args);
      },
      { step: 'initialize', name: 'holdUpload' },
    );

    const handling = handle(requested({ jobId, todos: todos(5) }), 1, BUCKET, { client: slowS3 });
    await waitFor(() => uploading, { what: 'the upload to start' });
    const whileUploading = (await outbox()).map((row) => row.type);
    held.resolve();
    const outcome = await handling;

    assert.deepEqual(whileUploading, ['CalendarStarted'], 'Started is visible while the upload runs');
    assert.deepEqual(outcome, { kind: 'ack', duplicate: false });
    assert.deepEqual(
      (await outbox()).map((row) => row.type),
      ['CalendarStarted', 'CalendarGenerated'],
    );
    slowS3.destroy();
  });

  it('when storing fails on the last delivery, then CalendarFailed is published instead of retrying', async () => {
    const jobId = randomUUID();

    await handle(requested({ jobId, todos: todos(3) }), 5, 'no-such-bucket');

    const rows = await outbox();
    assert.deepEqual(
      rows.map((row) => row.type),
      ['CalendarStarted', 'CalendarFailed'],
    );
    assert.equal(rows[1]?.data.jobId, jobId);
    assert.ok(String(rows[1]?.data.reason).length > 0);
  });

  it('when a todo cannot be rendered, then CalendarFailed is published on the first delivery', async () => {
    const jobId = randomUUID();
    const broken = [...todos(2), ...todos(1, { id: 99, deadline_at: 'next tuesday' })];

    await handle(requested({ jobId, todos: broken }), 1);

    const rows = await outbox();
    assert.equal(rows[1]?.type, 'CalendarFailed');
    assert.match(String(rows[1]?.data.reason), /todo 99: deadline_at/);
    await assert.rejects(download(calendarObjectKey(jobId)), { name: 'NoSuchKey' });
  });
});
