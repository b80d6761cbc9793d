import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import type { Handler } from '../consumer/types.ts';
import { makeEvent } from '../envelope.ts';
import { inboxMigrations } from '../migrations.ts';
import { sampleTodo } from './fixtures.ts';
import { handlerSpy, runHandlers } from './handlers.ts';

const updated = (sequence: number) =>
  makeEvent({ type: 'TodoUpdated', source: 'todo', subject: '9', sequence, data: sampleTodo(9, `v${sequence}`) });

describe('events/testing: runHandlers and handlerSpy', () => {
  let test: TestDb;
  before(async () => {
    test = await openTestDb('run-handlers', [inboxMigrations]);
  });
  after(() => test.drop());

  it('when events go through runHandlers, then the runtime decides: handled, duplicate, stale, dead', async () => {
    const titles: string[] = [];
    const handler: Handler<'TodoUpdated'> = async (event) => {
      titles.push(event.data.title);
    };
    const spy = handlerSpy({ TodoUpdated: handler });
    const v2 = updated(2);
    const broken = { ...updated(4), data: { id: 'not a todo' } };

    const outcomes = await runHandlers(test.db, spy.handlers, [v2, v2, updated(1), broken as never]);

    assert.deepEqual(
      outcomes.map((outcome) =>
        outcome.kind === 'ack' ? `ack${outcome.duplicate ? ' duplicate' : ''}` : outcome.kind,
      ),
      ['ack', 'ack duplicate', 'ack', 'dead'],
    );
    assert.deepEqual(titles, ['v2'], 'the stale v1 and the broken event never reach the handler');
    assert.equal((await spy.waitForEvent(v2.id)).result, 'handled');
    assert.equal(spy.calls.length, 1);
  });
});
