// Every service as runService starts it (on fauxqs and test databases): the agreed health
// endpoints, readiness that sees the consumer, and 405 with Allow.
import assert from 'node:assert/strict';
import auditManifest from '@taskoverflow/audit/service.ts';
import { auditService } from '@taskoverflow/audit/src/main.ts';
import { auditMigrations } from '@taskoverflow/audit/src/migrations.ts';
import calendarManifest from '@taskoverflow/calendar/service.ts';
import { calendarService } from '@taskoverflow/calendar/src/main.ts';
import { calendarMigrations } from '@taskoverflow/calendar/src/migrations.ts';
import { awsClients } from '@taskoverflow/events/aws';
import { healthPaths, type ServiceManifest } from '@taskoverflow/events/manifest';
import { type DatabaseService, type RunningService, runService } from '@taskoverflow/events/service';
import { waitFor } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import { type AppliedTopology, applyTopology } from '@taskoverflow/events/topology-apply';
import notificationManifest from '@taskoverflow/notification/service.ts';
import { notificationService } from '@taskoverflow/notification/src/main.ts';
import { notificationMigrations } from '@taskoverflow/notification/src/migrations.ts';
import { createLogger, type MigrationSource } from '@taskoverflow/platform';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import todoManifest from '@taskoverflow/todo/service.ts';
import { todoService } from '@taskoverflow/todo/src/main.ts';
import { todoMigrations } from '@taskoverflow/todo/src/migrations.ts';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

const log = createLogger('health-e2e', process.env.TEST_LOG_LEVEL ?? 'silent');

interface Case {
  manifest: ServiceManifest;
  definition: DatabaseService;
  migrations: readonly MigrationSource[];
  /** A known path asked with a method it does not serve, and the Allow expected. */
  wrongMethod: [method: string, path: string, allow: string];
}

const cases: Case[] = [
  {
    manifest: todoManifest,
    definition: todoService,
    migrations: todoMigrations,
    wrongMethod: ['DELETE', '/api/v1/todos', 'HEAD, GET, POST'],
  },
  {
    manifest: auditManifest,
    definition: auditService,
    migrations: auditMigrations,
    wrongMethod: ['POST', '/api/v1/audit', 'HEAD, GET'],
  },
  {
    manifest: notificationManifest,
    definition: notificationService,
    migrations: notificationMigrations,
    wrongMethod: ['PATCH', '/api/v1/webhooks', 'HEAD, GET, POST'],
  },
  {
    manifest: calendarManifest,
    definition: calendarService,
    migrations: calendarMigrations,
    wrongMethod: ['POST', healthPaths.live, 'HEAD, GET'],
  },
];

describe('every service started by runService: health and 405', function () {
  this.timeout(60_000);
  let fauxqs: FauxqsServer;
  let applied: AppliedTopology;
  const dbs: TestDb[] = [];
  const running: RunningService[] = [];

  before(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    const aws = awsClients({ AWS_ENDPOINT_URL: fauxqs.address });
    applied = await applyTopology(aws, buildTopology(cases.map((c) => c.manifest)), { bucket: 'health-e2e' });
  });
  after(async () => {
    for (const service of running) await service.stop();
    for (const test of dbs) await test.drop();
    await fauxqs.stop();
  });

  async function start(item: Case, queueUrl?: string) {
    const test = await openTestDb(item.manifest.name, item.migrations);
    dbs.push(test);
    const env = {
      AWS_ENDPOINT_URL: fauxqs.address,
      PORT: '0',
      EVENTS_TOPIC_ARN: applied.topicArn,
      EVENTS_BUCKET: 'health-e2e',
      EVENTS_QUEUE_URL: queueUrl ?? applied.queues[item.manifest.name]?.queueUrl,
    };
    const service = await runService(item.definition, {
      env,
      db: test.db,
      log,
      host: '127.0.0.1',
      consumer: { waitTimeSeconds: 1, drainTimeoutMs: 3_000 },
    });
    running.push(service);
    return `http://127.0.0.1:${service.port}`;
  }

  for (const item of cases) {
    const { name } = item.manifest;

    it(`when ${name} runs, then it is live, becomes ready, and answers a wrong method with 405 and Allow`, async () => {
      const base = await start(item);

      assert.equal((await fetch(`${base}${healthPaths.live}`)).status, 200);
      const ready = await waitFor(
        async () => {
          const response = await fetch(`${base}${healthPaths.ready}`);
          return response.status === 200 ? response.json() : undefined;
        },
        { what: `${name} to be ready` },
      );
      assert.deepEqual(ready, { status: 'ok', checks: { database: 'ok', migrations: 'ok', consumer: 'ok' } });
      if (item.manifest.http) {
        const publicHealth = await fetch(`${base}${item.manifest.http.healthPath}`);
        assert.deepEqual([publicHealth.status, await publicHealth.json()], [200, { status: 'ok' }]);
      }
      const [method, path, allow] = item.wrongMethod;
      const wrong = await fetch(`${base}${path}`, { method });
      assert.equal(wrong.status, 405);
      const allowed = (header: string | null | undefined) => header?.split(', ').sort();
      assert.deepEqual(allowed(wrong.headers.get('allow')), allowed(allow));
      assert.deepEqual(await wrong.json(), { error: 'Method Not Allowed' });
    });
  }

  it('when a consumer cannot read its queue, then it is live but not ready, and readiness names the consumer', async () => {
    const missing = applied.queues.audit?.queueUrl.replace(/[^/]+$/, 'no-such-queue') ?? '';
    const base = await start(cases[1] as Case, missing);

    assert.equal((await fetch(`${base}${healthPaths.live}`)).status, 200);
    const body = await waitFor(
      async () => {
        const response = await fetch(`${base}${healthPaths.ready}`);
        const json = (await response.json()) as { status: string; checks: Record<string, string> };
        return response.status === 503 && json.checks.consumer !== 'ok' ? json : undefined;
      },
      { what: 'readiness to report the consumer' },
    );
    assert.equal(body.status, 'unavailable');
    assert.match(body.checks.consumer ?? '', /^cannot read the queue attributes: \w+/);
    const publicHealth = await fetch(`${base}${auditManifest.http?.healthPath}`);
    assert.equal(publicHealth.status, 503);
  });
});
