import assert from 'node:assert/strict';
import type { CloudEvent } from '@taskoverflow/events';
import { RetryLaterError } from '@taskoverflow/events';
import { runHandlers } from '@taskoverflow/events/testing';
import { createLogger, type Db } from '@taskoverflow/platform';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import { Webhook } from 'standardwebhooks';
import manifest from '../../service.ts';
import { notificationMigrations } from '../migrations.ts';
import { type Receiver, startReceiver, todoCreated } from '../test-support.ts';
import { newSigningSecret } from '../webhooks/secret.ts';
import { webhookStore } from '../webhooks/store.ts';
import { type DeliveryDeps, deliverToWebhooks } from './deliver-event.ts';
import { notificationHandlers } from './handlers.ts';
import { DISABLE_AFTER_DAYS } from './progress.ts';
import { postWebhook } from './send.ts';

const log = createLogger('notification-test', process.env.TEST_LOG_LEVEL ?? 'silent');

interface DeliveryRow extends Record<string, unknown> {
  webhook_id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_response: string | null;
}

describe(`notification: delivering events to webhooks (${testDriver})`, () => {
  let test: TestDb;
  let db: Db;
  let receiver: Receiver;
  let clock: Date;
  let deps: DeliveryDeps;

  before(async () => {
    test = await openTestDb('notification', notificationMigrations);
    db = test.db;
  });
  after(() => test.drop());
  beforeEach(async () => {
    await db.exec('TRUNCATE webhooks, deliveries, inbox');
    receiver = await startReceiver();
    clock = new Date('2026-11-25T12:00:00Z');
    deps = {
      db,
      send: postWebhook,
      policy: { allowPrivate: true },
      timeoutMs: 2000,
      schedule: { delaysSeconds: [5, 60] },
      now: () => clock,
    };
  });
  afterEach(() => receiver.close());

  const register = async (path: string, events = ['TodoCreated'], url = receiver.url(path)) => {
    const secret = newSigningSecret();
    const webhook = await webhookStore(db).create({ url, events, description: null, secret, owner: 'tester' });
    return { id: webhook.id, secret };
  };

  /** Runs the handler through the consumer runtime; the RetryLaterError when the event is not done. */
  const handle = async (event: CloudEvent) => {
    const [outcome] = await runHandlers(db, notificationHandlers(deliverToWebhooks(deps)), [event], {
      service: 'notification',
      log,
    });
    if (outcome?.kind === 'ack') return undefined;
    if (outcome?.kind === 'retry' && outcome.error instanceof RetryLaterError) return outcome.error;
    throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`);
  };

  const deliveries = () =>
    db.query<DeliveryRow>(
      `SELECT webhook_id::text, status, attempts, last_status_code, last_error, last_response
       FROM deliveries ORDER BY webhook_id`,
    );
  const deliveryOf = async (webhookId: string) => (await deliveries()).find((row) => row.webhook_id === webhookId);

  it('when an event matches a webhook, then it is POSTed with a Standard Webhooks signature that verifies', async () => {
    const hook = await register('/a');
    const event = todoCreated();

    const retry = await handle(event);

    assert.equal(retry, undefined);
    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/a');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['webhook-id'], event.id);
    assert.match(String(request.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(hook.secret).verify(request.body, request.headers as Record<string, string>);
    assert.deepEqual(verified, JSON.parse(JSON.stringify(event)));
    assert.deepEqual(await deliveryOf(hook.id), {
      webhook_id: hook.id,
      status: 'succeeded',
      attempts: 1,
      last_status_code: 204,
      last_error: null,
      last_response: '',
    });
  });

  it('when the secret was rotated, then deliveries carry both signatures until the overlap ends', async () => {
    const hook = await register('/rotating');
    const next = newSigningSecret();
    const store = webhookStore(db);
    await store.rotateSecret(hook.id, 'all', next, new Date(clock.getTime() + 3600_000));

    await handle(todoCreated());
    clock = new Date(clock.getTime() + 3600_000 + 1000);
    await handle(todoCreated());

    const [during, after] = receiver.requests;
    assert.ok(during && after);
    const verifies = (secret: string, request: typeof during) => {
      try {
        new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    };
    assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
    assert.deepEqual([verifies(next, during), verifies(hook.secret, during)], [true, true]);
    assert.deepEqual([verifies(next, after), verifies(hook.secret, after)], [true, false]);
  });

  it('when an endpoint has failed for DISABLE_AFTER_DAYS without a success, then it is disabled and gets nothing more', async () => {
    const hook = await register('/down');
    const store = webhookStore(db);
    receiver.reply = () => ({ status: 503 });
    const start = clock;
    const days = (count: number) => new Date(start.getTime() + count * 86_400_000);

    await handle(todoCreated());
    const failing = await store.get(hook.id, 'all');
    clock = days(DISABLE_AFTER_DAYS - 1);
    await handle(todoCreated());
    const stillActive = await store.get(hook.id, 'all');
    clock = days(DISABLE_AFTER_DAYS);
    await handle(todoCreated());
    const disabled = await store.get(hook.id, 'all');
    const sent = receiver.requests.length;
    clock = days(DISABLE_AFTER_DAYS + 1);
    await handle(todoCreated());

    assert.equal(failing?.failing_since, start.toISOString());
    assert.equal(stillActive?.status, 'active');
    assert.deepEqual([disabled?.status, disabled?.disabled_at], ['disabled', days(DISABLE_AFTER_DAYS).toISOString()]);
    assert.equal(receiver.requests.length, sent, 'nothing is sent to a disabled endpoint');

    const enabled = await store.enable(hook.id, 'all');
    assert.deepEqual([enabled?.status, enabled?.failing_since], ['active', null]);
  });

  it('when an endpoint succeeds after failing, then its failure clock is cleared', async () => {
    const hook = await register('/flaky');
    let fail = true;
    receiver.reply = () => ({ status: fail ? 503 : 204 });
    await handle(todoCreated());
    fail = false;
    clock = new Date(clock.getTime() + 86_400_000);

    await handle(todoCreated());

    const webhook = await webhookStore(db).get(hook.id, 'all');
    assert.deepEqual([webhook?.status, webhook?.failing_since], ['active', null]);
  });

  it('when a signature is checked with another secret, then it does not verify', async () => {
    await register('/a');
    await handle(todoCreated());

    const [request] = receiver.requests;
    assert.ok(request);
    assert.throws(() =>
      new Webhook(newSigningSecret()).verify(request.body, request.headers as Record<string, string>),
    );
  });

  it('when webhooks ask for other event types, then they receive nothing and the event is done', async () => {
    await register('/calendar', ['CalendarGenerated']);

    const retry = await handle(todoCreated());

    assert.equal(retry, undefined);
    assert.equal(receiver.requests.length, 0);
    assert.deepEqual(await deliveries(), []);
  });

  it('when the endpoint fails once, then the message is retried after the first delay and then succeeds', async () => {
    const hook = await register('/flaky');
    receiver.reply = (_request, index) => (index === 0 ? { status: 503, body: 'busy' } : { status: 200 });
    const event = todoCreated();

    const retry = await handle(event);

    assert.ok(retry instanceof RetryLaterError);
    assert.equal(retry.delaySeconds, 5);
    assert.deepEqual(await deliveryOf(hook.id), {
      webhook_id: hook.id,
      status: 'pending',
      attempts: 1,
      last_status_code: 503,
      last_error: 'HTTP 503',
      last_response: 'busy',
    });

    clock = new Date(clock.getTime() + 5000);
    const second = await handle(event);

    assert.equal(second, undefined);
    assert.equal(receiver.requests.length, 2);
    assert.equal(receiver.requests[1]?.headers['webhook-id'], event.id, 'a retry keeps the webhook-id');
    assert.equal((await deliveryOf(hook.id))?.status, 'succeeded');
    assert.equal((await deliveryOf(hook.id))?.attempts, 2);
  });

  it('when the message comes back before the delivery is due, then nothing is sent and the rest of the wait is asked for', async () => {
    await register('/flaky');
    receiver.reply = () => ({ status: 500 });
    const event = todoCreated();
    await handle(event);

    clock = new Date(clock.getTime() + 2000);
    const early = await handle(event);

    assert.equal(receiver.requests.length, 1);
    assert.ok(early instanceof RetryLaterError);
    assert.equal(early.delaySeconds, 3);
  });

  it('when the endpoint keeps failing, then after the last attempt the delivery is failed and the event is done', async () => {
    const hook = await register('/dead');
    receiver.reply = () => ({ status: 500, body: 'x'.repeat(2000) });
    const event = todoCreated();

    const first = await handle(event);
    clock = new Date(clock.getTime() + 5000);
    const second = await handle(event);
    clock = new Date(clock.getTime() + 60_000);
    const third = await handle(event);

    assert.equal(first?.delaySeconds, 5);
    assert.equal(second?.delaySeconds, 60);
    assert.equal(third, undefined, 'no retry after the last attempt');
    assert.equal(receiver.requests.length, 3);
    const row = await deliveryOf(hook.id);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, 3);
    assert.equal(row?.last_response?.length, 512, 'only an excerpt of the answer is kept');
  });

  it('when one of two webhooks fails, then a redelivery re-attempts only that one', async () => {
    const good = await register('/good');
    const bad = await register('/bad');
    receiver.reply = (request, index) => (request.path === '/bad' && index < 2 ? { status: 500 } : { status: 200 });
    const event = todoCreated();

    await handle(event);
    clock = new Date(clock.getTime() + 5000);
    await handle(event);

    assert.deepEqual(
      receiver.requests.map((request) => request.path).sort(),
      ['/bad', '/bad', '/good'],
      '/good was delivered once',
    );
    assert.equal((await deliveryOf(good.id))?.status, 'succeeded');
    assert.equal((await deliveryOf(bad.id))?.status, 'succeeded');
  });

  it('when one endpoint hangs, then another webhook of the same event is delivered without waiting for it', async () => {
    // Far apart, so that a busy machine's slower claim cannot blur waiting and not waiting.
    deps.timeoutMs = 1_500;
    const slow = await register('/slow');
    const fast = await register('/fast');
    receiver.reply = (request) => (request.path === '/slow' ? 'hang' : { status: 200 });
    const started = performance.now();

    const retry = await handle(todoCreated());

    const fastRequest = receiver.requests.find((request) => request.path === '/fast');
    assert.ok(fastRequest);
    assert.ok(fastRequest.at - started < 1_000, `the fast endpoint waited ${fastRequest.at - started} ms`);
    assert.ok(retry instanceof RetryLaterError);
    assert.equal((await deliveryOf(fast.id))?.status, 'succeeded');
    const slowRow = await deliveryOf(slow.id);
    assert.equal(slowRow?.status, 'pending');
    assert.equal(slowRow?.last_error, 'timed out after 1500 ms');
  });

  it('when an endpoint hangs, then no transaction is held meanwhile: the event is claimed and the database answers', async () => {
    deps.timeoutMs = 3000;
    await register('/slow');
    receiver.reply = () => 'hang';
    const event = todoCreated();
    let finished = false;

    const handling = handle(event).finally(() => {
      finished = true;
    });
    await receiver.waitFor(1);
    const inbox = await db.query<{ processed_at: Date | null }>('SELECT processed_at FROM inbox WHERE event_id = $1', [
      event.id,
    ]);

    assert.equal(finished, false, 'the database answered while the delivery was still waiting');
    assert.deepEqual(inbox, [{ processed_at: null }], 'the claim was committed before the POST');
    assert.ok((await handling) instanceof RetryLaterError);
  });

  it('when private targets are not allowed, then a webhook pointing at this machine is never called at delivery time', async () => {
    // Registered directly, as if its name had resolved to a public address at registration (DNS rebinding).
    const byName = await register(
      '/rebound',
      ['TodoCreated'],
      receiver.url('/rebound').replace('127.0.0.1', 'localhost'),
    );
    const byAddress = await register('/literal');
    deps.policy = { allowPrivate: false };

    const retry = await handle(todoCreated());

    assert.ok(retry instanceof RetryLaterError);
    assert.equal(receiver.requests.length, 0);
    assert.match(String((await deliveryOf(byName.id))?.last_error), /non-public address/);
    assert.match(String((await deliveryOf(byAddress.id))?.last_error), /not a public address/);
  });

  it('when a webhook is deleted while its delivery is pending, then the event is done without it', async () => {
    const hook = await register('/gone');
    receiver.reply = () => ({ status: 500 });
    const event = todoCreated();
    await handle(event);

    await webhookStore(db).remove(hook.id, 'all');
    clock = new Date(clock.getTime() + 5000);
    const retry = await handle(event);

    assert.equal(retry, undefined);
    assert.equal(receiver.requests.length, 1);
    assert.deepEqual(await deliveries(), []);
  });

  it('when the handler map is built, then it covers exactly the event types of the manifest', () => {
    const handlers = notificationHandlers(deliverToWebhooks(deps));

    assert.deepEqual(Object.keys(handlers).sort(), [...manifest.consumes].sort());
  });
});
