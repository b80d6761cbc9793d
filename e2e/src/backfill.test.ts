// A subscriber added after 1,000 events starts with them: the event store (audit) replays
// its log into that service's queue only. Every service runs as runService starts it, on
// fauxqs and test databases; "deploying" the new service is what npm start does on its next
// start: apply the topology from the manifests, start audit with the backfill targets.
import assert from 'node:assert/strict';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import auditManifest from '@taskoverflow/audit/service.ts';
import { auditService } from '@taskoverflow/audit/src/main.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import { runCli } from '@taskoverflow/cli/testing';
import { type AwsClients, awsClients } from '@taskoverflow/events/aws';
import { backfillEnv } from '@taskoverflow/events/backfill';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import { type DatabaseService, type RunningService, runService } from '@taskoverflow/events/service';
import { waitFor } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import { type AppliedTopology, applyTopology } from '@taskoverflow/events/topology-apply';
import notificationManifest from '@taskoverflow/notification/service.ts';
import { notificationService } from '@taskoverflow/notification/src/main.ts';
import { notificationMigrations } from '@taskoverflow/notification/src/migrations.ts';
import { createLogger, type Db } from '@taskoverflow/platform';
import { createToken, LOCAL_ANONYMOUS_SCOPES, newSigningKey, publicJwk } from '@taskoverflow/platform/auth';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import todoManifest from '@taskoverflow/todo/service.ts';
import { todoService } from '@taskoverflow/todo/src/main.ts';
import { todoMigrations } from '@taskoverflow/todo/src/migrations.ts';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { lateSubscriber } from './late-subscriber/late-subscriber.ts';

const log = createLogger('backfill-e2e', process.env.TEST_LOG_LEVEL ?? 'silent');
const historySize = 1000;
const count = async (db: Db, sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: number }>(sql, params))[0]?.n);

describe('backfill: a subscriber added after 1,000 events receives them from the audit log', function () {
  this.timeout(600_000);
  let fauxqs: FauxqsServer;
  let aws: AwsClients;
  let applied: AppliedTopology;
  const bucket = 'backfill-e2e';
  const dbs: Record<string, TestDb> = {};
  const running: Record<string, RunningService> = {};
  const digest = lateSubscriber('digest');
  const resumed = lateSubscriber('resumed');
  let authEnv: Record<string, string>;
  let admin: { authorization: string };

  const start = async (definition: DatabaseService, env: Record<string, string> = {}) => {
    const { name } = definition.manifest;
    const queueUrl = applied.queues[name]?.queueUrl;
    running[name] = await runService(definition, {
      env: {
        AWS_ENDPOINT_URL: fauxqs.address,
        PORT: '0',
        EVENTS_TOPIC_ARN: applied.topicArn,
        EVENTS_BUCKET: bucket,
        ...(queueUrl ? { EVENTS_QUEUE_URL: queueUrl } : {}),
        ...authEnv,
        ...env,
      },
      db: dbs[name]?.db,
      log,
      host: '127.0.0.1',
      consumer: { waitTimeSeconds: 1, drainTimeoutMs: 3_000 },
    });
    return running[name];
  };
  const stop = async (name: string) => {
    await running[name]?.stop();
    delete running[name];
  };
  const db = (name: string) => dbs[name]?.db as Db;
  /** Starts audit as the runner does for these manifests: told which services may be backfilled. */
  const startAudit = (manifests: ServiceManifest[], env: Record<string, string> = {}) =>
    start(auditService, {
      ...backfillEnv(auditManifest, manifests, (service) => applied.queues[service]?.queueUrl),
      ...env,
    });
  const everyone = [todoManifest, auditManifest, notificationManifest, digest.manifest, resumed.manifest];
  /** What npm start does with a new service folder: its queue, the service, audit told it may backfill it. */
  const deploy = async (late: typeof digest, auditEnv: Record<string, string> = {}) => {
    const manifests = everyone.filter((manifest) => running[manifest.name] || manifest === late.manifest);
    applied = await applyTopology(aws, buildTopology(manifests), { bucket });
    await stop('audit');
    await start(late);
    await startAudit(manifests, auditEnv);
  };
  const replays = () =>
    db('audit').query<{ service: string; status: string; sent: number }>(
      'SELECT service, status, sent::int AS sent FROM replay_job ORDER BY created_at',
    );
  const inbox = (name: string) => count(db(name), 'SELECT count(*)::int AS n FROM inbox');
  const auditLog = () => count(db('audit'), 'SELECT count(*)::int AS n FROM audit_log');
  const queueIsEmpty = async (name: string) => {
    const { Attributes = {} } = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: applied.queues[name]?.queueUrl, AttributeNames: ['All'] }),
    );
    return Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
  };

  before(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    aws = awsClients({ AWS_ENDPOINT_URL: fauxqs.address });
    const key = await newSigningKey();
    authEnv = {
      AUTH_PUBLIC_KEYS: JSON.stringify({ keys: [publicJwk(key)] }),
      AUTH_ANONYMOUS_SCOPES: LOCAL_ANONYMOUS_SCOPES,
    };
    admin = {
      authorization: `Bearer ${await createToken(key, { subject: 'admin', scopes: ['admin'], expiresIn: '1h' })}`,
    };
    for (const [name, migrations] of [
      ['todo', todoMigrations],
      ['audit', auditMigrations],
      ['notification', notificationMigrations],
      ['digest', digest.migrations],
      ['resumed', resumed.migrations],
    ] as const) {
      dbs[name] = await openTestDb(name, migrations);
    }

    // The history: 1,000 todos created while only todo, audit and notification exist.
    const first = [todoManifest, auditManifest, notificationManifest];
    applied = await applyTopology(aws, buildTopology(first), { bucket });
    const todo = await start(todoService, { RATE_LIMIT_WRITES_PER_MINUTE: '0' }); // 1,000 writes from one client
    await startAudit(first);
    await start(notificationService);
    const origin = `http://127.0.0.1:${todo?.port}`;
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < historySize) {
          const title = `todo ${next++}`;
          const response = await fetch(`${origin}/api/v1/todos`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ title }),
          });
          assert.equal(response.status, 201);
        }
      }),
    );
    await waitFor(async () => (await auditLog()) === historySize && (await inbox('notification')) === historySize, {
      timeoutMs: 240_000,
      what: 'audit and notification to have the whole history',
    });

    // Deploy a late subscriber that asks for backfill, as the next npm start would.
    await deploy(digest);
  });
  after(async () => {
    for (const name of Object.keys(running)) await stop(name);
    for (const test of Object.values(dbs)) await test.drop();
    aws?.sqs.destroy();
    await fauxqs?.stop();
  });

  it('when a subscriber with backfill starts after 1,000 events, then it handles each of them exactly once', async () => {
    await waitFor(async () => (await count(db('digest'), 'SELECT count(*)::int AS n FROM received')) >= historySize, {
      timeoutMs: 120_000,
      what: 'digest to receive the history',
    });
    await waitFor(async () => (await replays())[0]?.status === 'done', { timeoutMs: 60_000 });

    assert.equal(await count(db('digest'), 'SELECT count(*)::int AS n FROM received'), historySize);
    assert.equal(await count(db('digest'), 'SELECT count(DISTINCT event_id)::int AS n FROM received'), historySize);
    assert.deepEqual((await replays())[0], { service: 'digest', status: 'done', sent: historySize });
  });

  it('when a replay is interrupted halfway and audit starts again, then it resumes and each event is handled once', async () => {
    // Slow enough that the first page of 500 is followed by seconds of throttle: the stop lands halfway.
    await deploy(resumed, { AUDIT_REPLAY_EVENTS_PER_SECOND: '100' });
    const paused = await waitFor(
      async () => {
        const job = (await replays()).find((replay) => replay.service === 'resumed');
        return job && job.sent > 0 && job;
      },
      { timeoutMs: 120_000, what: 'the second backfill to be under way' },
    );
    await stop('audit'); // as ECS stops a task: the page under way finishes, its cursor is recorded
    const stopped = (await replays()).find((replay) => replay.service === 'resumed');
    assert.equal(stopped?.status, 'running');
    assert.ok((stopped?.sent ?? 0) < historySize, `interrupted halfway (${paused.sent} sent when stopping)`);

    await startAudit(everyone);
    await waitFor(async () => (await replays()).every((replay) => replay.status === 'done'), {
      timeoutMs: 120_000,
      what: 'the resumed backfill to finish',
    });
    await waitFor(async () => queueIsEmpty('resumed'), { timeoutMs: 60_000, what: 'resumed to drain its queue' });

    assert.equal(await count(db('resumed'), 'SELECT count(*)::int AS n FROM received'), historySize);
    assert.equal(await count(db('resumed'), 'SELECT count(DISTINCT event_id)::int AS n FROM received'), historySize);
  });

  it('when the backfills are done, then the other subscribers received nothing extra', async () => {
    await waitFor(async () => (await queueIsEmpty('notification')) && (await queueIsEmpty('audit')), {
      timeoutMs: 30_000,
    });

    assert.equal(await inbox('notification'), historySize);
    assert.equal(await auditLog(), historySize);
    assert.equal(await inbox('audit'), historySize);
  });

  it('when the same history is replayed again with taskoverflow replay, then nothing changes', async () => {
    const env = {
      TASKOVERFLOW_API_URL: `http://127.0.0.1:${running.audit?.port}`,
      TASKOVERFLOW_TOKEN: admin.authorization.replace('Bearer ', ''),
      AWS_ENDPOINT_URL: fauxqs.address,
    };
    const refused = await runCli(['replay', '--to', 'digest', '--types', 'TodoDeleted'], { env });
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /digest does not consume TodoDeleted/);

    const replay = await runCli(['replay', '--to', 'digest', '--json'], { env }); // follows it until done
    assert.equal(replay.code, 0, replay.stderr);
    const job = JSON.parse(replay.stdout) as { status: string; sent: number; types: string[] };
    assert.deepEqual([job.status, job.sent, job.types], ['done', historySize, ['TodoCreated']]);
    await waitFor(async () => queueIsEmpty('digest'), { timeoutMs: 60_000, what: 'digest to drain its queue' });

    assert.equal(await count(db('digest'), 'SELECT count(*)::int AS n FROM received'), historySize);
    assert.equal(await inbox('digest'), historySize);
    assert.equal(await inbox('notification'), historySize);
  });
});
