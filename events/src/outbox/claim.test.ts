import assert from 'node:assert/strict';
import { openTestDb, type TestDb, testDrivers } from '@taskoverflow/platform/testing';
import { outboxMigrations } from '../migrations.ts';
import { sampleTodo } from '../testing/fixtures.ts';
import { appendToOutbox } from './append.ts';
import { CLAIM_SQL, claimBatch, deletePublished, markFailed } from './claim.ts';

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

  it('when an event waits for a retry, then the rest are claimed without it (consumers drop stale ones)', async () => {
    await append(1, 1);
    await append(1, 2);
    await append(2, 1);
    const [firstOfOne] = await claimBatch(test.db, 1, 30);
    assert.ok(firstOfOne);
    await markFailed(test.db, [firstOfOne.position], 'SNS unreachable', 60_000);

    const next = await claimBatch(test.db, 10, 30);

    assert.deepEqual(
      next.map((row) => [row.subject, row.sequence]),
      [
        ['1', 2],
        ['2', 1],
      ],
    );
  });

  it('when published, then a row is deleted and never claimed again; the others stay', async () => {
    await append(7, 1);
    await append(8, 1);
    const [row] = await claimBatch(test.db, 1, 0);
    assert.ok(row);
    await deletePublished(test.db, [row.position]);

    assert.deepEqual(
      (await claimBatch(test.db, 10, 0)).map((left) => left.subject),
      ['8'],
    );
    assert.deepEqual(await test.db.query('SELECT subject FROM outbox'), [{ subject: '8' }]);
  });
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan read from `outbox`, kept or filtered out, over all loops. */
function outboxRowsRead(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'outbox'
      ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + outboxRowsRead(child), 0);
}

for (const driver of testDrivers) {
  describe(`outbox claims under a backlog (${driver})`, () => {
    let test: TestDb;
    before(async () => {
      test = await openTestDb('outbox-backlog', [outboxMigrations], driver);
    });
    after(() => test.drop());

    it('when a burst arrives after statistics saw a quiet table, then a claim reads about the rows it takes', async () => {
      const insert = (count: number) =>
        test.db.query(
          `INSERT INTO outbox (type, subject, data, sequence)
           SELECT 'TodoCreated', id::text, '{}'::json, 1 FROM generate_series(1, $1::int) AS id`,
          [count],
        );
      await insert(2_010);
      await test.db.exec('DELETE FROM outbox WHERE position <= 2000'); // published
      // The last ten are a round in flight: leased.
      await test.db.exec("UPDATE outbox SET next_attempt_at = now() + interval '30 seconds' WHERE position > 2000");
      await test.db.exec('VACUUM ANALYZE outbox'); // what autovacuum (or the relay, on PGlite) does
      await insert(3_000); // the burst

      const [explained] = await test.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${CLAIM_SQL}`,
        [10, 30],
      );
      assert.ok(explained);
      const plan = explained['QUERY PLAN'][0].Plan;

      const read = outboxRowsRead(plan);
      assert.ok(read < 300, `claiming 10 of 3,000 pending rows read ${read} rows: ${JSON.stringify(plan)}`);
    });
  });
}
