import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '@taskoverflow/platform/testing';
import { outboxMigrations } from '../migrations.ts';
import { sampleTodo } from '../testing/fixtures.ts';
import { appendToOutbox } from './append.ts';
import { claimBatch, markFailed, markSent } from './claim.ts';

const todo = sampleTodo;

describe('outbox claims', () => {
  let test: TestDb;
  beforeEach(async () => {
    test = await openTestDb('outbox', [outboxMigrations]);
  });
  afterEach(() => test.drop());

  const append = (subject: number, sequence: number) =>
    appendToOutbox(test.db, { type: 'TodoUpdated', subject: String(subject), data: todo(subject), sequence });

  it('when rows are claimed, then they come in insertion order and are leased from other claimers', async () => {
    for (const subject of [1, 2, 3]) await append(subject, 1);

    const first = await claimBatch(test.db, 10, 30);
    const second = await claimBatch(test.db, 10, 30);

    assert.deepEqual(
      first.map((row) => row.subject),
      ['1', '2', '3'],
    );
    assert.equal(second.length, 0);
  });

  it('when an event of a subject waits for a retry, then later events of that subject are held back', async () => {
    await append(1, 1);
    await append(1, 2);
    await append(2, 1);
    const [firstOfOne] = await claimBatch(test.db, 1, 30);
    assert.ok(firstOfOne);
    await markFailed(test.db, [firstOfOne.position], 'SNS unreachable', 60_000);

    const next = await claimBatch(test.db, 10, 30);

    assert.deepEqual(
      next.map((row) => [row.subject, row.sequence]),
      [['2', 1]],
    );
  });

  it('when sent, then a row is never claimed again', async () => {
    await append(7, 1);
    const [row] = await claimBatch(test.db, 10, 0);
    assert.ok(row);
    await markSent(test.db, [row.position]);

    assert.equal((await claimBatch(test.db, 10, 0)).length, 0);
  });
});
