import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { InvalidEventError } from '../envelope.ts';
import { outboxMigrations } from '../migrations.ts';
import { sampleTodo } from '../testing/fixtures.ts';
import { readOutboxEvents } from '../testing/outbox.ts';
import { appendToOutbox } from './append.ts';

describe('appendToOutbox validates at write time', () => {
  let test: TestDb;
  before(async () => {
    test = await openTestDb('append', [outboxMigrations]);
  });
  after(() => test.drop());
  beforeEach(() => test.db.exec('TRUNCATE outbox'));

  it('when data does not match the catalog, then the append throws and nothing is written', async () => {
    const bad = { type: 'TodoCreated', subject: '1', data: { id: 'one' } } as never;

    await assert.rejects(appendToOutbox(test.db, bad), InvalidEventError);
    await assert.rejects(
      appendToOutbox(test.db, { type: 'TodoCreated', subject: '', data: sampleTodo(1) }),
      InvalidEventError,
    );
    assert.equal((await test.db.query('SELECT 1 FROM outbox')).length, 0);
  });

  it('when the traceparent is malformed, then it is dropped and the event is still publishable', async () => {
    await appendToOutbox(test.db, {
      type: 'TodoCreated',
      subject: '1',
      data: sampleTodo(1),
      correlationId: 'req-1',
      traceparent: 'not-a-traceparent',
    });

    const [event] = await readOutboxEvents(test.db, 'todo');

    assert.equal(event?.traceparent, undefined);
    assert.equal(event?.correlationid, 'req-1');
  });
});
