import assert from 'node:assert/strict';
import { replayIntoQueues, taskRolePolicy } from './aws-contract.ts';
import { backfillEnv, backfillSince, backfillTargets, backfillTargetsSchema } from './backfill.ts';
import { defineService } from './manifest.ts';

const store = defineService({
  name: 'audit',
  description: 'store',
  consumes: ['TodoCreated'],
  publishes: [],
  eventStore: true,
});
const digest = defineService({
  name: 'digest',
  description: 'asks for all history',
  consumes: ['TodoCreated', 'TodoDeleted'],
  publishes: [],
  backfill: true,
});
const recent = defineService({
  name: 'recent',
  description: 'asks for history since a date',
  consumes: ['TodoUpdated'],
  publishes: [],
  backfill: '2026-11-01',
});
const plain = defineService({ name: 'plain', description: 'no backfill', consumes: ['TodoCreated'], publishes: [] });
const queueUrlOf = (service: string) => `http://sqs.local/q/${service}`;

describe('backfill targets from the manifests', () => {
  it('when manifests ask for backfill, then only they become targets, with their consumed types and since', () => {
    const targets = backfillTargets([store, digest, recent, plain], queueUrlOf);

    assert.deepEqual(targets, {
      digest: { queueUrl: queueUrlOf('digest'), types: ['TodoCreated', 'TodoDeleted'], since: null },
      recent: { queueUrl: queueUrlOf('recent'), types: ['TodoUpdated'], since: '2026-11-01T00:00:00.000Z' },
    });
  });

  it('when the env is built, then only the event store gets BACKFILL_TARGETS, and its schema reads it back', () => {
    const manifests = [store, digest, plain];

    assert.deepEqual(backfillEnv(plain, manifests, queueUrlOf), {});
    const env = backfillEnv(store, manifests, queueUrlOf);
    assert.deepEqual(backfillTargetsSchema.parse(env.BACKFILL_TARGETS), backfillTargets(manifests, queueUrlOf));
    assert.deepEqual(backfillTargetsSchema.parse(undefined), {});
    assert.equal(backfillTargetsSchema.safeParse('{"x":{"queueUrl":"nope","types":[],"since":null}}').success, false);
  });

  it('when a manifest has a backfill that is not a date, then deriving the targets fails naming it', () => {
    const broken = { ...digest, backfill: 'last week' };

    assert.throws(() => backfillSince(broken), /digest: backfill must be true or an ISO 8601 date/);
  });

  it('when the event store gets its policy, then it may send only to the backfill queues', () => {
    const arns = { topicArn: 'topic', keyArn: 'key', bucketArn: 'bucket', queue: { queueArn: 'q', dlqArn: 'd' } };

    const policy = taskRolePolicy(store, { ...arns, backfillQueueArns: ['arn:digest'] });
    const withoutTargets = taskRolePolicy(store, arns);
    const other = taskRolePolicy(plain, { ...arns, backfillQueueArns: ['arn:digest'] });

    assert.deepEqual(
      policy?.Statement.find((statement) => statement.Sid === 'ReplayIntoBackfillQueues'),
      replayIntoQueues({ ...arns, backfillQueueArns: ['arn:digest'] })[0],
    );
    assert.equal(JSON.stringify(withoutTargets).includes('Replay'), false);
    assert.equal(JSON.stringify(other).includes('arn:digest'), false, 'no other service may send there');
  });
});
