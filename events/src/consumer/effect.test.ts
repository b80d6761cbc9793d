// Effect handlers (ADR 0072): claim in the inbox, work with no transaction open, record the
// outcome with the inbox row done — through the runtime's real path, and across a consumer
// that dies between claim and record.
import assert from 'node:assert/strict';
import { createLogger, type Db } from '@taskoverflow/platform';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { type CloudEvent, makeEvent } from '../envelope.ts';
import { defineService } from '../manifest.ts';
import { inboxMigrations } from '../migrations.ts';
import { publishEvents } from '../testing/bus.ts';
import { type Emulator, forEachEmulator } from '../testing/emulators.ts';
import { sampleTodo } from '../testing/fixtures.ts';
import { runHandlers } from '../testing/handlers.ts';
import { gates, waitFor } from '../testing/wait.ts';
import { buildTopology } from '../topology.ts';
import { applyTopology } from '../topology-apply.ts';
import { type RunningConsumer, startConsumer } from './runtime.ts';
import { type EffectHandler, PermanentError, type WorkResult } from './types.ts';

const log = createLogger('effect-test', process.env.TEST_LOG_LEVEL ?? 'silent');

const created = (id: number) =>
  makeEvent({ type: 'TodoCreated', source: 'todo', subject: String(id), data: sampleTodo(id) });
const updated = (id: number, sequence: number) =>
  makeEvent({ type: 'TodoUpdated', source: 'todo', subject: String(id), sequence, data: sampleTodo(id) });

/** Gates opened by afterEach too, so a failed test never leaves work hanging. */
const { gate, openAll } = gates();

/**
 * An effect handler whose steps leave rows in `steps` (claim and record through their
 * transactions) and whose work runs `behaviour`, then records `record`.
 */
function effect(db: Db, behaviour: (call: number) => Promise<Partial<WorkResult> | undefined> = async () => undefined) {
  const work: { eventId: string; receiveCount: number }[] = [];
  const handler: EffectHandler<'TodoCreated' | 'TodoUpdated'> = {
    async claim(event, { tx }) {
      await tx.query(`INSERT INTO steps (event_id, step) VALUES ($1, 'claim')`, [event.id]);
    },
    async work(event, { receiveCount }) {
      work.push({ eventId: event.id, receiveCount });
      const result = await behaviour(work.length);
      return {
        record: (tx) => tx.query(`INSERT INTO steps (event_id, step) VALUES ($1, 'record')`, [event.id]).then(() => {}),
        ...result,
      };
    },
  };
  const steps = async (event: CloudEvent) =>
    (await db.query<{ step: string }>('SELECT step FROM steps WHERE event_id = $1 ORDER BY position', [event.id])).map(
      (row) => row.step,
    );
  return { handler, work, steps };
}

describe('effect handlers: claim, work outside the transaction, record', () => {
  let test: TestDb;
  let db: Db;
  before(async () => {
    test = await openTestDb('effects', [inboxMigrations]);
    db = test.db;
    await db.exec('CREATE TABLE steps (position serial PRIMARY KEY, event_id uuid NOT NULL, step text NOT NULL)');
  });
  afterEach(() => {
    openAll();
  });
  after(() => test.drop());

  const processedAt = async (event: CloudEvent) =>
    (await db.query<{ processed_at: Date | null }>('SELECT processed_at FROM inbox WHERE event_id = $1', [event.id]))[0]
      ?.processed_at;

  it('when an event is handled, then the claim is committed before the work runs and the outcome is recorded once', async () => {
    const event = created(1);
    let seenByWork: { steps: string[]; processedAt: Date | null | undefined } | undefined;
    const { handler, steps } = effect(db, async () => {
      // Through the service's database, not a transaction: it sees what the claim committed.
      seenByWork = { steps: await steps(event), processedAt: await processedAt(event) };
      return undefined;
    });

    const outcomes = await runHandlers(db, { TodoCreated: handler }, [event]);

    assert.deepEqual(outcomes, [{ kind: 'ack', duplicate: false }]);
    assert.deepEqual(seenByWork, { steps: ['claim'], processedAt: null });
    assert.deepEqual(await steps(event), ['claim', 'record']);
    assert.ok((await processedAt(event)) instanceof Date, 'the inbox row is done');
  });

  it('when a done event is delivered again, then it is a duplicate: no claim, no work, no record', async () => {
    const event = created(2);
    const { handler, work, steps } = effect(db);
    await runHandlers(db, { TodoCreated: handler }, [event]);

    const outcomes = await runHandlers(db, { TodoCreated: handler }, [event]);

    assert.deepEqual(outcomes, [{ kind: 'ack', duplicate: true }]);
    assert.equal(work.length, 1);
    assert.deepEqual(await steps(event), ['claim', 'record']);
  });

  it('when the work fails, then the claim stays, a redelivery works again without claiming again, and records once', async () => {
    const event = created(3);
    const { handler, work, steps } = effect(db, async (call) => {
      if (call === 1) throw new Error('S3 is down');
      return undefined;
    });

    const first = await runHandlers(db, { TodoCreated: handler }, [event]);
    const claimedOnly = await steps(event);
    const second = await runHandlers(db, { TodoCreated: handler }, [event], { receiveCount: 2 });

    assert.equal(first[0]?.kind, 'retry');
    assert.deepEqual(claimedOnly, ['claim'], 'the claim committed although the work failed');
    assert.deepEqual(second, [{ kind: 'ack', duplicate: false }]);
    assert.deepEqual(
      work.map((call) => call.receiveCount),
      [1, 2],
    );
    assert.deepEqual(await steps(event), ['claim', 'record']);
  });

  it('when the work asks to retry later, then its progress is recorded, the event stays claimed, and the next delivery finishes it', async () => {
    const event = created(4);
    const { handler, steps } = effect(db, async (call) =>
      call === 1 ? { retryLater: { seconds: 7, reason: '1 webhook delivery pending' } } : undefined,
    );

    const [first] = await runHandlers(db, { TodoCreated: handler }, [event]);
    const afterFirst = { steps: await steps(event), processedAt: await processedAt(event) };
    const [second] = await runHandlers(db, { TodoCreated: handler }, [event], { receiveCount: 2 });

    assert.equal(first?.kind, 'retry');
    assert.equal(first.kind === 'retry' && first.delaySeconds, 7);
    assert.deepEqual(afterFirst, { steps: ['claim', 'record'], processedAt: null });
    assert.deepEqual(second, { kind: 'ack', duplicate: false });
    assert.deepEqual(await steps(event), ['claim', 'record', 'record']);
    assert.ok((await processedAt(event)) instanceof Date);
  });

  it('when the work throws PermanentError, then the message is dead-lettered at once', async () => {
    const event = created(5);
    const { handler, steps } = effect(db, async () => {
      throw new PermanentError('no such calendar');
    });

    const outcomes = await runHandlers(db, { TodoCreated: handler }, [event]);

    assert.deepEqual(outcomes, [{ kind: 'dead', reason: 'no such calendar' }]);
    assert.deepEqual(await steps(event), ['claim']);
  });

  it('when two deliveries of one event work at once, then both work but only the first to finish records', async () => {
    const event = created(6);
    const slow = gate();
    const { handler, work, steps } = effect(db, async (call) => {
      if (call === 1) await slow.opened;
      return undefined;
    });

    const first = runHandlers(db, { TodoCreated: handler }, [event]);
    await waitFor(() => work.length === 1, { what: 'the first work to start' });
    const second = await runHandlers(db, { TodoCreated: handler }, [event], { receiveCount: 2 });
    slow.open();

    assert.deepEqual(second, [{ kind: 'ack', duplicate: false }]);
    assert.deepEqual(await first, [{ kind: 'ack', duplicate: true }], 'the late one is acknowledged, not recorded');
    assert.equal(work.length, 2);
    assert.deepEqual(await steps(event), ['claim', 'record']);
  });

  it('when an update older than one already claimed arrives, then it is acknowledged without claim or work', async () => {
    const { handler, work, steps } = effect(db);
    const [v3, v2] = [updated(7, 3), updated(7, 2)];

    const outcomes = await runHandlers(db, { TodoUpdated: handler }, [v3, v2]);

    assert.deepEqual(outcomes, [
      { kind: 'ack', duplicate: false },
      { kind: 'ack', duplicate: false },
    ]);
    assert.deepEqual(
      work.map((call) => call.eventId),
      [v3.id],
    );
    assert.deepEqual(await steps(v2), []);
    assert.ok((await processedAt(v2)) instanceof Date, 'the stale event is done');
  });

  it('when a group arrives together, then new events are claimed and completed, a done one is a duplicate and an older update is skipped', async () => {
    const [done, newer, older, quiet] = [created(8), updated(9, 5), updated(9, 4), created(10)];
    const { handler, work, steps } = effect(db, async () => undefined);
    await runHandlers(db, { TodoCreated: handler }, [done]);
    // `quiet`'s work has nothing to record: its inbox row is completed by the group's one statement.
    const { handler: nothingToRecord } = effect(db, async () => ({ record: undefined }));
    const handlers = {
      TodoCreated: {
        ...handler,
        work: (event: CloudEvent<'TodoCreated'>, context: Parameters<typeof handler.work>[1]) =>
          (event.id === quiet.id ? nothingToRecord : handler).work(event, context),
      },
      TodoUpdated: handler,
    };

    let transactions = 0;
    const counting: Db = Object.assign(Object.create(db), {
      transaction: (work: Parameters<Db['transaction']>[0]) => {
        transactions += 1;
        return db.transaction(work);
      },
    });

    const outcomes = await runHandlers(counting, handlers, [done, newer, older, quiet], { together: true });

    assert.deepEqual(outcomes, [
      { kind: 'ack', duplicate: true },
      { kind: 'ack', duplicate: false },
      { kind: 'ack', duplicate: false },
      { kind: 'ack', duplicate: false },
    ]);
    assert.deepEqual(
      work.map((call) => call.eventId),
      [done.id, newer.id],
      'the duplicate and the older update did not work (quiet worked through its own handler)',
    );
    assert.deepEqual(await steps(done), ['claim', 'record']);
    assert.deepEqual(await steps(newer), ['claim', 'record']);
    assert.deepEqual(await steps(older), []);
    assert.deepEqual(await steps(quiet), ['claim']);
    for (const event of [newer, older, quiet]) assert.ok((await processedAt(event)) instanceof Date, 'done');
    assert.equal(transactions, 2, "one claims the group, one records newer's outcome");
  });

  it('when one claim of a group fails, then only that event is retried and the others are handled', async () => {
    const [ok, broken] = [created(11), created(12)];
    const { handler, steps } = effect(db);
    const failing: EffectHandler<'TodoCreated'> = {
      ...handler,
      async claim(event, context) {
        if (event.id === broken.id) throw new Error('claim failed');
        await handler.claim?.(event, context);
      },
    };

    const outcomes = await runHandlers(db, { TodoCreated: failing }, [ok, broken], { together: true });

    assert.deepEqual(outcomes[0], { kind: 'ack', duplicate: false });
    assert.equal(outcomes[1]?.kind, 'retry');
    assert.deepEqual(await steps(ok), ['claim', 'record']);
    assert.deepEqual(await steps(broken), [], 'its claim rolled back');
    assert.equal(await processedAt(broken), undefined, 'not in the inbox: the redelivery claims it');
  });
});

forEachEmulator((emulator: Emulator) => {
  describe('effect handlers on a queue', () => {
    let test: TestDb;
    const running: RunningConsumer[] = [];
    before(async () => {
      test = await openTestDb('effects-queue', [inboxMigrations]);
      await test.db.exec(
        'CREATE TABLE steps (position serial PRIMARY KEY, event_id uuid NOT NULL, step text NOT NULL)',
      );
    });
    afterEach(async () => {
      openAll();
      await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
    });
    after(() => test.drop());

    it('when the consumer dies between claim and record, then the redelivery works again and records once', async () => {
      const prefix = emulator.uniquePrefix('effects');
      const manifest = defineService({
        name: 'effects',
        description: 'test',
        consumes: ['TodoCreated'],
        publishes: [],
        queue: { visibilityTimeoutSeconds: 2, maxReceiveCount: 5 },
      });
      const applied = await applyTopology(emulator.clients, buildTopology([manifest], prefix));
      const queueUrl = applied.queues.effects?.queueUrl ?? '';
      const stuck = gate();
      const { handler, work, steps } = effect(test.db, async (call) => {
        if (call === 1) await stuck.opened; // the first consumer never gets past its work
        return undefined;
      });
      const consume = () => {
        const consumer = startConsumer({
          service: prefix,
          queueUrl,
          handlers: { TodoCreated: handler },
          db: test.db,
          sqs: emulator.clients.sqs,
          log,
          waitTimeSeconds: 1,
          drainTimeoutMs: 1_000,
        });
        running.push(consumer);
        return consumer;
      };
      const event = created(8);
      const dying = consume();
      await publishEvents(emulator.clients.sns, applied.topicArn, [event]);
      await waitFor(() => work.length === 1, { what: 'the first work to start' });

      await dying.stop(); // drain times out: the message is neither deleted nor released
      consume();

      await waitFor(async () => (await steps(event)).includes('record'), { what: 'the redelivery to record' });
      assert.equal(work.length, 2);
      assert.equal(work[1]?.receiveCount, 2);
      assert.deepEqual(await steps(event), ['claim', 'record']);
    });
  });
});
