import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueInfo {
  visibilityTimeoutSeconds: number;
  /** From the queue's RedrivePolicy; absent when the queue has no dead-letter queue. */
  deadLetter?: { queueUrl: string; maxReceiveCount: number };
}

/**
 * Reads what the runtime needs from the queue itself, once per consumer: the topology
 * (manifest → applyTopology / Pulumi) stays the only place these settings are made.
 */
export async function readQueueInfo(sqs: SQSClient, queueUrl: string): Promise<QueueInfo> {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }),
  );
  const visibilityTimeoutSeconds = Number(attributes.VisibilityTimeout ?? 30);
  if (!attributes.RedrivePolicy) return { visibilityTimeoutSeconds };
  const policy = JSON.parse(attributes.RedrivePolicy) as {
    deadLetterTargetArn: string;
    maxReceiveCount: number | string;
  };
  // arn:aws:sqs:<region>:<account>:<name>
  const [, , , , account, name] = policy.deadLetterTargetArn.split(':');
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (!QueueUrl) throw new Error(`dead-letter queue ${policy.deadLetterTargetArn} has no URL`);
  return {
    visibilityTimeoutSeconds,
    deadLetter: { queueUrl: QueueUrl, maxReceiveCount: Number(policy.maxReceiveCount) },
  };
}
