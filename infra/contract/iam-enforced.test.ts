// The deployed system's permissions, proven: every service runs its real code against moto
// server with IAM enforcement on, holding exactly the task-role policy the Pulumi program
// generates; every SDK call it sends is recorded and evaluated exactly (identity + resource
// policies) against that policy; and each action of each policy is shown to be needed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sendEvents } from '@taskoverflow/audit/src/replay/send-events.ts';
import { uploadChunks } from '@taskoverflow/calendar/src/jobs/upload.ts';
import { claimCheckKey, makeEvent, startConsumer } from '@taskoverflow/events';
import { awsClients } from '@taskoverflow/events/aws';
import { type RecordedCall, readRecordedCalls } from '@taskoverflow/events/aws-contract-recorder';
import { backfillEnv } from '@taskoverflow/events/backfill';
import { healthPaths, type ServiceManifest } from '@taskoverflow/events/manifest';
import { loadManifests } from '@taskoverflow/events/manifests';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import { isRunning, motoEndpoint, receiveSome, sampleTodo, waitFor } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import { type AppliedTopology, applyTopology } from '@taskoverflow/events/topology-apply';
import { type Receiver, startReceiver } from '@taskoverflow/notification/src/test-support.ts';
import { createLogger } from '@taskoverflow/platform';
import { bootstrapLocalAuth, type LocalAuth } from '@taskoverflow/platform/auth/local';
import { sendRequest } from '@taskoverflow/platform/test-http';
import { openTestDb } from '@taskoverflow/platform/testing';
import { runProgram, stackConfigFromFile } from '../testing/mocks.ts';
import { isAllowed, type Requirement, requirementsOf, type StackFacts, stackFacts } from './authorization.ts';
import { adaptPolicyForMoto, type EnforcingMoto, startEnforcingMoto } from './moto.ts';
import { type RunningService, startService } from './service-processes.ts';

const accountId = '123456789012'; // moto's default account, and the one infra/testing/mocks.ts uses
const bucket = 'storage-bucket'; // the bucket name the mocks give the program's bucket
const log = createLogger('iam-contract', process.env.TEST_LOG_LEVEL ?? 'silent');

/**
 * A denial in any of its shapes: AWS's error names, and moto's: a denied SQS JSON call answers
 * 403 with an XML body, which the SDK reports as a JSON parse error.
 */
const deniedInLogs =
  /AccessDenied|not authorized to perform|"(status|statusCode|httpStatusCode)":403|<\?xml vers.*is not valid JSON/;

// A subscriber added with backfill (a manifest folder only, as infra/add-subscriber.test.ts adds
// one): the program grants audit sending into its queue and no other. Its consumer runs in this
// test under its own role; the pid tells a later run an abandoned folder from a busy one.
const backfilled = `zz-backfill-${process.pid}`;
const servicesDir = new URL('../../services/', import.meta.url).pathname;
function addBackfilledSubscriber(): void {
  for (const entry of readdirSync(servicesDir)) {
    const pid = /^zz-backfill-(\d+)$/.exec(entry)?.[1];
    if (pid && !isRunning(Number(pid))) rmSync(join(servicesDir, entry), { recursive: true, force: true });
  }
  mkdirSync(join(servicesDir, backfilled));
  writeFileSync(
    join(servicesDir, backfilled, 'service.ts'),
    `import { defineService } from '@taskoverflow/events/manifest';\n` +
      `export default defineService({ name: '${backfilled}', description: 'backfill probe', ` +
      `consumes: ['TodoCreated', 'CalendarRequested'], publishes: [], backfill: true });\n`,
  );
}

function registerSuite() {
  describe('IAM contract: every service on moto with IAM enforced, holding exactly its generated task-role policy', function () {
    this.timeout(600_000);
    let moto: EnforcingMoto;
    let facts: StackFacts;
    let manifests: ServiceManifest[];
    let applied: AppliedTopology;
    let admin: ReturnType<typeof awsClients>;
    let keys: Record<string, { accessKeyId: string; secretAccessKey: string }>;
    let receiver: Receiver;
    let dataDir: string;
    const callLog = join(mkdtempSync(join(tmpdir(), 'iam-calls-')), 'calls.jsonl');
    const services = new Map<string, RunningService>();
    let lastJobId: string | undefined;
    const portOf = (name: string) => {
      const port = services.get(name)?.port;
      assert.ok(port, `${name} is not running`);
      return port;
    };
    let auth: LocalAuth;
    let adminToken: string;
    const http = (service: string, method: string, path: string, body?: unknown) =>
      sendRequest({
        port: portOf(service),
        method,
        path,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    /** The role's own clients, recorded like the service processes' ones. */
    const roleClients = (role: string) =>
      awsClients({
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: keys[role]?.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys[role]?.secretAccessKey,
        AWS_CALL_LOG: callLog,
        AWS_CALL_ROLE: role,
      });
    /** The services run as processes: every one but the backfilled subscriber, consumed in-test. */
    const processes = () => manifests.filter((manifest) => manifest.name !== backfilled);
    const queueOf = (service: string) => {
      const queue = applied.queues[service];
      assert.ok(queue, `no queue for ${service}`);
      return queue;
    };

    before(async () => {
      addBackfilledSubscriber();
      manifests = await loadManifests();
      const { resources } = await runProgram(
        'iam-contract',
        stackConfigFromFile(new URL('../../Pulumi.dev.yaml', import.meta.url)),
      );
      facts = stackFacts(resources, accountId);
      moto = await startEnforcingMoto();
      admin = awsClients({
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: moto.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.admin.secretAccessKey,
      });
      // The names the program gives (taskoverflow-*, storage-bucket), so its policies' ARNs match.
      applied = await applyTopology(admin, buildTopology(manifests), { bucket });
      keys = {};
      for (const manifest of manifests) {
        // A service that needs no AWS gets no task policy: its user holds none either.
        const policy = facts.taskPolicies[manifest.name];
        keys[manifest.name] = await moto.createUser(manifest.name, policy && adaptPolicyForMoto(policy as never));
      }
      receiver = await startReceiver();
      dataDir = mkdtempSync(join(tmpdir(), 'iam-services-'));
      // Tokens as npm start makes them: the audit log and webhooks always need one.
      auth = await bootstrapLocalAuth(dataDir);
      adminToken = readFileSync(auth.adminTokenFile, 'utf8').trim();
    });

    // A failure is investigated from the services' own logs, so keep them where the message says.
    let failed = false;
    afterEach(function () {
      if (this.currentTest?.state !== 'failed') return;
      failed = true;
      const dir = dirname(callLog);
      for (const service of services.values()) writeFileSync(join(dir, `${service.name}.log`), service.output());
      console.error(`service logs and recorded calls (calls.jsonl) are in ${dir}`);
    });

    after(async () => {
      await Promise.all([...services.values()].map((service) => service.stop()));
      await receiver?.close();
      moto?.stop();
      rmSync(join(servicesDir, backfilled), { recursive: true, force: true });
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (!failed) rmSync(dirname(callLog), { recursive: true, force: true });
    });

    // Paths no flow below reaches deterministically, exercised with the runtime's and the
    // calendar's own code under the role's credentials, before the services take the queues.
    it('when a consumer role retries a failed message, then the runtime changes its visibility and later deletes it', async () => {
      for (const manifest of manifests.filter((candidate) => candidate.consumes.length > 0)) {
        await admin.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueOf(manifest.name).queueUrl,
            MessageBody: JSON.stringify(
              makeEvent({ type: 'TodoDeleted', source: 'probe', subject: '1', data: sampleTodo(1) }),
            ),
          }),
        );
        const { db, drop } = await openTestDb(`${manifest.name}-probe`, [inboxMigrations], 'pglite');
        let attempts = 0;
        const consumer = startConsumer({
          service: `${manifest.name}-probe`,
          queueUrl: queueOf(manifest.name).queueUrl,
          // Fail the first attempt (a retry), succeed the second.
          handlers: {
            async TodoDeleted() {
              attempts += 1;
              if (attempts === 1) throw new Error('transient');
            },
          },
          db,
          sqs: roleClients(manifest.name).sqs,
          log,
          waitTimeSeconds: 1,
          backoff: { baseSeconds: 1, maxSeconds: 1 },
        });
        try {
          await waitFor(() => attempts >= 2, { timeoutMs: 60_000, what: `${manifest.name}'s retried probe` });
        } finally {
          await consumer.stop();
          await drop();
        }
      }
    });

    it('when the calendar role abandons a multipart upload, then the upload is aborted', async () => {
      const { s3 } = roleClients('calendar');
      const partBytes = 5 * 1024 * 1024; // S3's smallest part
      // Two parts: lib-storage reads one part ahead, so only a second one starts the multipart upload.
      function* firstPartThenFailure() {
        yield new Uint8Array(partBytes);
        yield new Uint8Array(partBytes);
        throw new Error('rendering failed mid-upload');
      }
      await assert.rejects(
        uploadChunks({ s3, bucket, key: `calendars/${randomUUID()}.ics` }, firstPartThenFailure(), partBytes),
        /rendering failed mid-upload/,
      );
      const calls = readRecordedCalls(callLog).filter((call) => call.command === 'AbortMultipartUpload');
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.error, undefined);
    });

    it('when every service starts with its own credentials, then each one serves and consumes', async () => {
      const { DATABASE_URL: _server, ...inherited } = process.env;
      for (const manifest of processes()) {
        const env: NodeJS.ProcessEnv = {
          ...inherited,
          LOG_LEVEL: 'info',
          PORT: '0',
          DATA_DIR: dataDir,
          AWS_ENDPOINT_URL: moto.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: keys[manifest.name]?.accessKeyId,
          AWS_SECRET_ACCESS_KEY: keys[manifest.name]?.secretAccessKey,
          AWS_CALL_LOG: callLog,
          AWS_CALL_ROLE: manifest.name,
          EVENTS_TOPIC_ARN: applied.topicArn,
          EVENTS_BUCKET: bucket,
          ...(applied.queues[manifest.name] ? { EVENTS_QUEUE_URL: queueOf(manifest.name).queueUrl } : {}),
          ...auth.env,
          // audit, the event store, is told which queues it may replay into, as npm start and infra tell it.
          ...backfillEnv(manifest, manifests, (service) => applied.queues[service]?.queueUrl),
          // 1,200 todos from one address in a minute: the write limit is not what this test is about.
          RATE_LIMIT_WRITES_PER_MINUTE: '0',
          NOTIFICATION_ALLOW_PRIVATE_TARGETS: 'true',
          NOTIFICATION_ALLOW_HTTP_TARGETS: 'true',
          NOTIFICATION_RETRY_DELAYS_SECONDS: '1',
        };
        services.set(manifest.name, await startService(manifest.name, env));
      }
      // Readiness includes the consumer: it read its queue's attributes and its DLQ's URL (the
      // calls the issue found denied) and its last receive succeeded.
      for (const manifest of processes()) {
        await waitFor(
          async () => {
            const ready = await http(manifest.name, 'GET', healthPaths.ready);
            return ready.status === 200 || undefined;
          },
          { timeoutMs: 60_000, intervalMs: 250, what: `${manifest.name} to be ready` },
        );
      }
    });

    it('when a todo is written and deleted, then audit records it and notification delivers the webhook after a retry', async () => {
      receiver.reply = (_request, index) => (index === 0 ? { status: 500 } : { status: 204 });
      const hook = await http('notification', 'POST', '/api/v1/webhooks', {
        url: receiver.url('/hook'),
        events: ['TodoDeleted'],
      });
      assert.equal(hook.status, 201, hook.text);
      const created = await http('todo', 'POST', '/api/v1/todos', { title: 'Check the policies' });
      assert.equal(created.status, 201, created.text);
      const { id } = created.json as { id: number };
      assert.equal((await http('todo', 'DELETE', `/api/v1/todos/${id}`)).status, 200);

      await waitFor(
        async () => {
          const page = await http('audit', 'GET', `/api/v1/audit?subject=${id}`);
          const types = (page.json as { items?: { type: string }[] }).items?.map((item) => item.type) ?? [];
          return types.includes('TodoCreated') && types.includes('TodoDeleted');
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'audit to record the todo' },
      );
      await receiver.waitFor(2, 60_000);
      assert.deepEqual(
        receiver.requests.map((request) => (JSON.parse(request.body) as { type: string }).type),
        ['TodoDeleted', 'TodoDeleted'],
      );
    });

    async function exportCalendar(expectedEvents: number) {
      const requested = await http('todo', 'POST', '/api/v1/todos/ical');
      assert.equal(requested.status, 202, requested.text);
      const { task_id: jobId } = requested.json as { task_id: string };
      const status = await waitFor(
        async () => {
          const answer = (await http('todo', 'GET', `/api/v1/todos/ical/${jobId}/status`)).json as {
            task_status: string;
          };
          return ['SUCCESS', 'FAILURE'].includes(answer.task_status) ? answer.task_status : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 250, what: `calendar job ${jobId}` },
      );
      assert.equal(status, 'SUCCESS');
      const result = await http('todo', 'GET', `/api/v1/todos/ical/${jobId}/result`);
      assert.equal(result.status, 200, result.text);
      assert.equal(result.text.match(/BEGIN:VEVENT/g)?.length, expectedEvents);
      return jobId;
    }
    const addTodos = async (count: number) => {
      for (let start = 0; start < count; start += 25) {
        await Promise.all(
          Array.from({ length: Math.min(25, count - start) }, (_, offset) =>
            http('todo', 'POST', '/api/v1/todos', {
              title: `Todo ${start + offset} ${'x'.repeat(60)}`,
              description: 'd'.repeat(120),
              deadline_at: '2026-12-24T18:00:00',
            }).then((answer) => assert.equal(answer.status, 201, answer.text)),
          ),
        );
      }
    };

    it('when an iCal job of 10 todos is requested, then it reaches SUCCESS and its result downloads', async () => {
      await addTodos(10);
      await exportCalendar(10);
    });

    // Before the 1,200-todo export: its ~2,400 events would queue ahead of the poison.
    it('when poison messages arrive, then each consumer dead-letters them with the reason', async () => {
      const missing = makeEvent({
        type: 'CalendarRequested',
        source: 'todo',
        subject: randomUUID(),
        data: { jobId: randomUUID(), todos: [] },
      });
      const unreadable = {
        ...makeEvent({ type: 'CalendarGenerated', source: 'calendar', subject: 'x', data: {} as never }),
      };
      for (const [event, body] of [
        [missing, JSON.stringify({ ...missing, data: null, dataref: `s3://${bucket}/${claimCheckKey(missing)}` })],
        [unreadable, JSON.stringify(unreadable)],
      ] as const) {
        await admin.sns.send(
          new PublishCommand({
            TopicArn: applied.topicArn,
            Message: body,
            MessageAttributes: {
              type: { DataType: 'String', StringValue: event.type },
              subject: { DataType: 'String', StringValue: event.subject },
            },
          }),
        );
      }
      const expected: Record<string, RegExp[]> = {
        calendar: [/does not exist/],
        audit: [/does not exist/, /.+/],
        todo: [/.+/],
        notification: [/.+/],
      };
      for (const [service, reasons] of Object.entries(expected)) {
        const seen = new Map<string, string>();
        await waitFor(
          async () => {
            for (const message of await receiveSome(admin.sqs, queueOf(service).dlqUrl, 30)) {
              seen.set(message.MessageId ?? '', message.MessageAttributes?.failure_reason?.StringValue ?? '');
            }
            return seen.size >= reasons.length;
          },
          { timeoutMs: 90_000, intervalMs: 250, what: `${service}'s dead letters` },
        );
        for (const reason of reasons) {
          assert.ok(
            [...seen.values()].some((text) => reason.test(text)),
            `${service}: ${[...seen.values()]}`,
          );
        }
      }
    });

    it('when an iCal job of 1,200 todos is requested, then its snapshot travels by claim check and the job succeeds', async () => {
      await addTodos(1_190);
      const jobId = await exportCalendar(1_200);
      lastJobId = jobId;
      const claimChecked = readRecordedCalls(callLog).filter(
        (call) => call.command === 'GetObject' && call.target.Key?.startsWith('claim-checks/CalendarRequested/'),
      );
      assert.ok(
        claimChecked.some((call) => call.role === 'calendar' && !call.error),
        'calendar read the claim check',
      );
      // audit stores every event, the claim-checked one included.
      await waitFor(
        async () => {
          const page = await http('audit', 'GET', `/api/v1/audit?subject=${jobId}&type=CalendarRequested`);
          return ((page.json as { items?: unknown[] }).items?.length ?? 0) > 0;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'audit to store the claim-checked event' },
      );
      assert.ok(
        claimChecked.some((call) => call.role === 'audit' && !call.error),
        'audit read the claim check',
      );
    });

    it('when a finished calendar has expired from the bucket, then /result answers 404, not 500', async () => {
      assert.ok(lastJobId);
      const jobId = lastJobId;
      await admin.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `calendars/${jobId}.ics` }));
      const result = await http('todo', 'GET', `/api/v1/todos/ical/${jobId}/result`);
      assert.equal(result.status, 404, result.text);
    });

    it('when a replay into the backfilled subscriber is asked, then audit sends the history with its own role and the subscriber consumes it with its own', async () => {
      assert.ok(lastJobId);
      const queue = queueOf(backfilled);
      // What the topic delivered live so far goes: the queue then holds only what the replay sends.
      await admin.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.queueUrl }));
      // The 1,200-todo snapshot was claim-checked; its object expired since (claimChecksExpiryDays):
      // the replayed event cannot be resolved and must reach the subscriber's DLQ with the reason.
      const snapshot = await http('audit', 'GET', `/api/v1/audit?subject=${lastJobId}&type=CalendarRequested`);
      const [snapshotEvent] = (snapshot.json as { items: { id: string }[] }).items;
      assert.ok(snapshotEvent);
      await admin.s3.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: claimCheckKey({ type: 'CalendarRequested', id: snapshotEvent.id }),
        }),
      );

      // The calendar snapshots only: two events, one of them claim-checked (moto is slow under load).
      const asked = await http('audit', 'POST', '/api/v1/audit/replays', {
        service: backfilled,
        types: ['CalendarRequested'],
      });
      assert.equal(asked.status, 202, asked.text);
      const job = await waitFor(
        async () => {
          const current = (await http('audit', 'GET', `/api/v1/audit/replays/${(asked.json as { id: string }).id}`))
            .json as { status: string; sent: number; total: number; error: string | null };
          assert.notEqual(current.status, 'failed', current.error ?? '');
          return current.status === 'done' && current;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: 'the replay to finish' },
      );
      const snapshots = await http('audit', 'GET', '/api/v1/audit?type=CalendarRequested&limit=100');
      const snapshotIds = (snapshots.json as { items: { id: string }[] }).items.map((item) => item.id);
      assert.deepEqual([job.sent, job.total], [snapshotIds.length, snapshotIds.length]);
      const inline = snapshotIds.filter((id) => id !== snapshotEvent.id);
      assert.ok(inline.length > 0, 'the 10-todo snapshot travelled inline');

      const handled = new Set<string>();
      const { db, drop } = await openTestDb(`${backfilled}-consumer`, [inboxMigrations], 'pglite');
      const clients = roleClients(backfilled);
      const consumer = startConsumer({
        service: backfilled,
        queueUrl: queue.queueUrl,
        handlers: { CalendarRequested: async (event) => void handled.add(event.id) },
        db,
        sqs: clients.sqs,
        claimCheck: { s3: clients.s3, bucket },
        log,
        waitTimeSeconds: 1,
      });
      try {
        const deadLetters = new Map<string, string>(); // event id → failure reason
        await waitFor(
          async () => {
            for (const message of await receiveSome(admin.sqs, queue.dlqUrl, 10)) {
              const { id } = JSON.parse(message.Body ?? '{}') as { id?: string };
              deadLetters.set(id ?? '', message.MessageAttributes?.failure_reason?.StringValue ?? '');
            }
            return inline.every((id) => handled.has(id)) && deadLetters.has(snapshotEvent.id);
          },
          { timeoutMs: 120_000, intervalMs: 250, what: `${backfilled} to handle the replayed snapshots` },
        );
        assert.match(deadLetters.get(snapshotEvent.id) ?? '', /does not exist/);
      } finally {
        await consumer.stop();
        await drop();
      }
      const sends = readRecordedCalls(callLog).filter(
        (call) =>
          call.role === 'audit' && call.command === 'SendMessageBatch' && call.target.QueueUrl === queue.queueUrl,
      );
      assert.ok(sends.length > 0, 'audit sent with its own role');
      assert.deepEqual(
        sends.filter((call) => call.error),
        [],
      );
    });

    it('when audit is asked to replay into a service that did not ask for backfill, then the API answers 400 and IAM would refuse the send', async () => {
      const asked = await http('audit', 'POST', '/api/v1/audit/replays', { service: 'notification' });
      assert.equal(asked.status, 400, asked.text);
      assert.match(String((asked.json as { error: string }).error), /notification does not ask for backfill/);

      // Past the API (a hand-edited BACKFILL_TARGETS, say): audit's own send code with audit's
      // credentials, unrecorded so the run's "nothing denied" check stays about the services.
      const auditRole = awsClients({
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: keys.audit?.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.audit?.secretAccessKey,
      });
      const event = makeEvent({ type: 'TodoCreated', source: 'todo', subject: '1', data: sampleTodo(1) });
      const message = {
        key: '1',
        body: JSON.stringify(event),
        type: event.type,
        subject: event.subject,
        eventId: event.id,
      };
      const refused = await sendEvents(auditRole.sqs, queueOf('notification').queueUrl, [message], {
        parallel: 1,
        pace: async () => true,
      }).then(
        () => undefined,
        (error: { $metadata?: { httpStatusCode?: number } }) => error,
      );
      assert.equal(refused?.$metadata?.httpStatusCode, 403, 'moto refused audit the send');

      // And the exact evaluation agrees: the replay grant covers the backfilled queue only.
      const sendInto = (service: string) =>
        requirementsOf(
          {
            role: 'audit',
            service: 'sqs',
            command: 'SendMessageBatch',
            region: 'us-east-1',
            target: { QueueUrl: queueOf(service).queueUrl },
          },
          facts,
        );
      for (const requirement of sendInto(backfilled)) {
        assert.ok(await isAllowed(requirement, facts.taskPolicies.audit, accountId), JSON.stringify(requirement));
      }
      const [send] = sendInto('notification');
      assert.ok(send);
      assert.equal(await isAllowed(send, facts.taskPolicies.audit, accountId), false);
    });

    it('when the run is over, then no call was denied and no log mentions a denial', async () => {
      await Promise.all([...services.values()].map((service) => service.stop()));
      const denied = readRecordedCalls(callLog).filter(
        (call) => call.status === 403 || /AccessDenied/.test(call.error ?? ''),
      );
      assert.deepEqual(denied, []);
      for (const service of services.values()) {
        const line = service
          .output()
          .split('\n')
          .find((text) => deniedInLogs.test(text));
        assert.equal(line, undefined, `${service.name} logged a denial`);
      }
    });

    /** Every distinct (role, requirement) the recorded calls needed. */
    const requirementsByRole = () => {
      const byRole = new Map<string, Map<string, Requirement>>();
      for (const call of readRecordedCalls(callLog) as RecordedCall[]) {
        const role = byRole.get(call.role) ?? new Map<string, Requirement>();
        for (const requirement of requirementsOf(call, facts)) {
          role.set(`${requirement.action} ${requirement.resource}`, requirement);
        }
        byRole.set(call.role, role);
      }
      return byRole;
    };

    it('when every recorded call is evaluated exactly, then the sender role and the resource policies allow it', async () => {
      const byRole = requirementsByRole();
      assert.deepEqual([...byRole.keys()].sort(), Object.keys(facts.taskPolicies).sort(), 'every role made calls');
      const refused: string[] = [];
      for (const [role, requirements] of byRole) {
        for (const requirement of requirements.values()) {
          if (!(await isAllowed(requirement, facts.taskPolicies[role], accountId))) {
            refused.push(`${role}: ${requirement.action} on ${requirement.resource}`);
          }
        }
      }
      assert.deepEqual(refused, []);
    });

    it('when any single action is removed from any generated policy, then some recorded call is refused', async () => {
      const byRole = requirementsByRole();
      const unneeded: string[] = [];
      for (const [role, policy] of Object.entries(facts.taskPolicies)) {
        const requirements = [...(byRole.get(role)?.values() ?? [])];
        for (const [index, statement] of policy.Statement.entries()) {
          const { Sid, Action } = statement as { Sid: string; Action: string[] };
          for (const action of Action) {
            const without = structuredClone(policy);
            (without.Statement[index] as { Action: string[] }).Action = Action.filter((other) => other !== action);
            let refused = false;
            for (const requirement of requirements) {
              if (!(await isAllowed(requirement, without, accountId))) {
                refused = true;
                break;
              }
            }
            if (!refused) unneeded.push(`${role} ${Sid} ${action}`);
          }
        }
      }
      assert.deepEqual(unneeded, [], 'actions no recorded call needed: the contract grants more than the code uses');
    });
  });
}

if (motoEndpoint()) {
  registerSuite();
} else if (process.env.CI === 'true') {
  describe('IAM contract on moto', () => {
    it('when running in CI, then moto is available (MOTO_ENDPOINT set by scripts/moto.sh)', () => {
      throw new Error('MOTO_ENDPOINT is not set: CI must run the IAM-enforced contract suite');
    });
  });
}
