import assert from 'node:assert/strict';
import { makeEvent } from '@taskoverflow/events/envelope';
import { createLogger } from '@taskoverflow/platform';
import { testAuth } from '@taskoverflow/platform/auth/testing';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import manifest from '../service.ts';
import { handlers } from './handlers.ts';
import { zzE2e20025Migrations } from './migrations.ts';
import { receivedEvents } from './received-events.ts';

const log = createLogger('zz-e2e-20025-test', 'silent');

describe(`zz-e2e-20025: event handlers (${testDriver})`, () => {
  let test: TestDb;
  before(async () => {
    test = await openTestDb('zz-e2e-20025', zzE2e20025Migrations);
  });
  after(() => test.drop());
  beforeEach(() => test.db.exec('TRUNCATE received_events'));

  it('when the handlers are listed, then they are exactly the event types of the manifest', () => {
    assert.deepEqual(Object.keys(handlers).sort(), [...manifest.consumes].sort());
  });

  it('when a TodoCreated arrives, then it is recorded', async () => {
    const event = makeEvent({
      type: 'TodoCreated',
      source: 'todo',
      subject: '1',
      data: {
        id: 1,
        title: 'Water the plants',
        description: null,
        completed: false,
        deadline_at: '2026-12-01T09:00:00',
        created_at: '2026-11-25T10:00:00',
        updated_at: '2026-11-25T10:00:00',
      },
    });

    await test.db.transaction((tx) => handlers.TodoCreated(event, { tx, log, receiveCount: 1 }));

    assert.deepEqual(await receivedEvents(test.db), [{ event_id: event.id, type: 'TodoCreated', subject: '1' }]);
  });

  it('when a TodoDeleted arrives, then it is recorded', async () => {
    const event = makeEvent({
      type: 'TodoDeleted',
      source: 'todo',
      subject: '1',
      data: {
        id: 1,
        title: 'Water the plants',
        description: null,
        completed: false,
        deadline_at: '2026-12-01T09:00:00',
        created_at: '2026-11-25T10:00:00',
        updated_at: '2026-11-25T10:00:00',
      },
    });

    await test.db.transaction((tx) => handlers.TodoDeleted(event, { tx, log, receiveCount: 1 }));

    assert.deepEqual(await receivedEvents(test.db), [{ event_id: event.id, type: 'TodoDeleted', subject: '1' }]);
  });

  it('when the same TodoCreated is handled twice, then it is recorded once', async () => {
    const event = makeEvent({
      type: 'TodoCreated',
      source: 'todo',
      subject: '1',
      data: {
        id: 1,
        title: 'Water the plants',
        description: null,
        completed: false,
        deadline_at: '2026-12-01T09:00:00',
        created_at: '2026-11-25T10:00:00',
        updated_at: '2026-11-25T10:00:00',
      },
    });

    for (let i = 0; i < 2; i++) {
      await test.db.transaction((tx) => handlers.TodoCreated(event, { tx, log, receiveCount: i + 1 }));
    }

    assert.equal((await receivedEvents(test.db)).length, 1);
  });
});
