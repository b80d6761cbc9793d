import assert from 'node:assert/strict';
import type { RecordedCall } from '@taskoverflow/events/aws-contract-recorder';
import { isAllowed, requirementsOf, type StackFacts } from './authorization.ts';

const account = '123456789012';
const queue = `arn:aws:sqs:us-east-1:${account}:taskoverflow-audit`;
const key = `arn:aws:kms:us-east-1:${account}:key/events-key`;
const keyPolicy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
};
const facts: StackFacts = {
  accountId: account,
  taskPolicies: {},
  keyOf: new Map([[queue, key]]),
  queuePolicies: new Map(),
  bucketPolicies: new Map([
    [
      'b',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    ],
  ]),
  keyPolicies: new Map([[key, keyPolicy]]),
};
const call = (service: string, command: string, target: RecordedCall['target'], error?: string): RecordedCall => ({
  role: 'audit',
  service,
  command,
  region: 'us-east-1',
  target,
  ...(error ? { error } : {}),
});
const allow = (Action: string[], Resource: string | string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action, Resource }],
});

describe('IAM contract: how AWS authorises each recorded SDK call, evaluated exactly', () => {
  it('when a batch delete is recorded, then it needs sqs:DeleteMessage on the queue named by its URL', () => {
    const needs = requirementsOf(
      call('sqs', 'DeleteMessageBatch', { QueueUrl: `http://127.0.0.1:5000/${account}/taskoverflow-audit` }),
      facts,
    );
    assert.deepEqual(
      needs.map((need) => [need.action, need.resource]),
      [['sqs:DeleteMessage', queue]],
    );
  });

  it('when a receive from an encrypted queue is recorded, then it also needs kms:Decrypt under the key policy', async () => {
    const needs = requirementsOf(
      call('sqs', 'ReceiveMessage', { QueueUrl: `https://sqs/${account}/taskoverflow-audit` }),
      facts,
    );
    assert.deepEqual(
      needs.map((need) => need.action),
      ['sqs:ReceiveMessage', 'kms:Decrypt'],
    );
    const identity = allow(['sqs:ReceiveMessage'], queue);
    assert.equal(await isAllowed(needs[0] as never, identity, account), true);
    assert.equal(await isAllowed(needs[1] as never, identity, account), false, 'the key is not granted');
  });

  it('when a GetObject found nothing, then s3:ListBucket on the bucket was needed to say NoSuchKey', async () => {
    const needs = requirementsOf(
      call('s3', 'GetObject', { Bucket: 'b', Key: 'claim-checks/x.json' }, 'NoSuchKey'),
      facts,
    );
    assert.deepEqual(
      needs.map((need) => [need.action, need.resource]),
      [
        ['s3:GetObject', 'arn:aws:s3:::b/claim-checks/x.json'],
        ['s3:ListBucket', 'arn:aws:s3:::b'],
      ],
    );
    const readOnly = allow(['s3:GetObject'], 'arn:aws:s3:::b/claim-checks/*');
    assert.equal(await isAllowed(needs[0] as never, readOnly, account), true, 'the TLS-only bucket policy admits TLS');
    assert.equal(await isAllowed(needs[1] as never, readOnly, account), false);
  });

  it('when a resource policy denies explicitly, then an identity allow does not help', async () => {
    const [need] = requirementsOf(
      call('sqs', 'SendMessage', { QueueUrl: `https://sqs/${account}/taskoverflow-audit` }),
      facts,
    );
    assert.ok(need);
    const denying = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: queue }],
    };
    assert.equal(
      await isAllowed({ ...need, resourcePolicy: denying }, allow(['sqs:SendMessage'], queue), account),
      false,
    );
  });

  it('when a command has no mapping, then the evaluation refuses to guess', () => {
    assert.throws(
      () => requirementsOf(call('sqs', 'PurgeQueue', { QueueUrl: `https://sqs/${account}/q` }), facts),
      /PurgeQueue/,
    );
  });
});
