import assert from 'node:assert/strict';
import { adaptPolicyForMoto } from './moto.ts';

const queue = 'arn:aws:sqs:us-east-1:123456789012:taskoverflow-audit';
const policy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Consume',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
      Resource: queue,
    },
    { Sid: 'Dlq', Effect: 'Allow', Action: ['sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: `${queue}-dlq` },
    { Sid: 'Publish', Effect: 'Allow', Action: ['sns:Publish'], Resource: 'arn:aws:sns:us-east-1:123456789012:t' },
    { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/claim-checks/*'] },
  ],
};

describe('IAM contract: the moto adaptation of a generated policy', () => {
  it('when adapted, then each batch API moto checks by name is granted beside its action, on the same resource', () => {
    const [consume, dlq, publish] = adaptPolicyForMoto(policy).Statement;
    assert.deepEqual(consume?.Action, [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:DeleteMessageBatch',
      'sqs:ChangeMessageVisibility',
      'sqs:ChangeMessageVisibilityBatch',
    ]);
    assert.equal(consume?.Resource, queue);
    assert.deepEqual(dlq?.Action, ['sqs:GetQueueUrl', 'sqs:SendMessage', 'sqs:SendMessageBatch']);
    assert.deepEqual(publish?.Action, ['sns:Publish', 'sns:PublishBatch']);
  });

  it('when adapted, then only SNS actions and sqs:GetQueueUrl are restated on "*", and nothing new is granted', () => {
    const adapted = adaptPolicyForMoto(policy);
    const starred = adapted.Statement.filter((statement) => statement.Resource === '*');
    assert.deepEqual(
      starred.map((statement) => statement.Action),
      [['sqs:GetQueueUrl', 'sns:Publish', 'sns:PublishBatch']],
    );
    const granted = new Set(adapted.Statement.flatMap((statement) => statement.Action));
    const original = new Set(policy.Statement.flatMap((statement) => statement.Action));
    const added = [...granted].filter((action) => !original.has(action)).sort();
    assert.deepEqual(added, [
      'sns:PublishBatch',
      'sqs:ChangeMessageVisibilityBatch',
      'sqs:DeleteMessageBatch',
      'sqs:SendMessageBatch',
    ]);
  });

  it('when a policy has nothing moto checks on "*", then no "*" statement is added', () => {
    const adapted = adaptPolicyForMoto({ Version: '2012-10-17', Statement: [policy.Statement[3] as never] });
    assert.equal(adapted.Statement.length, 1);
  });
});
