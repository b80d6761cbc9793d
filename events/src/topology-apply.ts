import { BucketAlreadyOwnedByYou, CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  type SNSClient,
  SubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ConsumerQueue, Topology } from './topology.ts';

export interface AppliedQueue {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface AppliedTopology {
  topicArn: string;
  bucket?: string;
  /** By consuming service name. */
  queues: Record<string, AppliedQueue>;
}

/** Dead letters are kept as long as SQS allows, to give people time to look. */
const dlqRetentionSeconds = 14 * 24 * 3600;

/**
 * Creates or converges the messaging topology through the SDK (fauxqs, moto, AWS): every
 * call either creates a resource or sets the attributes it must have, so running it again
 * changes nothing and running it after a manifest change applies the change. infra/
 * builds the same shape with Pulumi for the cloud.
 */
export async function applyTopology(
  clients: { sns: SNSClient; sqs: SQSClient; s3: S3Client },
  topology: Topology,
  options: { bucket?: string | undefined } = {},
): Promise<AppliedTopology> {
  const { TopicArn: topicArn } = await clients.sns.send(new CreateTopicCommand({ Name: topology.topicName }));
  if (!topicArn) throw new Error(`CreateTopic ${topology.topicName} returned no ARN`);
  const subscriptions = await listSubscriptions(clients.sns, topicArn);
  const queues: Record<string, AppliedQueue> = {};
  for (const consumer of topology.consumers) {
    queues[consumer.service] = await applyConsumerQueue(clients, topicArn, consumer, subscriptions);
  }
  if (options.bucket) await ensureBucket(clients.s3, options.bucket);
  return { topicArn, ...(options.bucket ? { bucket: options.bucket } : {}), queues };
}

async function applyConsumerQueue(
  { sns, sqs }: { sns: SNSClient; sqs: SQSClient },
  topicArn: string,
  consumer: ConsumerQueue,
  subscriptions: Subscription[],
): Promise<AppliedQueue> {
  // Created bare, then configured: CreateQueue fails on an existing queue whose attributes differ.
  const dlq = await ensureQueue(sqs, consumer.dlqName);
  const queue = await ensureQueue(sqs, consumer.queueName);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: dlq.url,
      Attributes: {
        MessageRetentionPeriod: String(dlqRetentionSeconds),
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [queue.arn] }),
      },
    }),
  );
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queue.url,
      Attributes: {
        VisibilityTimeout: String(consumer.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: consumer.maxReceiveCount }),
        Policy: JSON.stringify(topicOnlyPolicy(queue.arn, topicArn)),
      },
    }),
  );
  await ensureSubscription(sns, topicArn, queue.arn, consumer, subscriptions);
  return { queueUrl: queue.url, queueArn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn };
}

/** Only SNS, and only for this topic, may send to a consumer's queue. */
export function topicOnlyPolicy(queueArn: string, topicArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowEventsTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  };
}

async function ensureQueue(sqs: SQSClient, name: string) {
  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!url) throw new Error(`CreateQueue ${name} returned no URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`queue ${name} has no ARN`);
  return { url, arn: Attributes.QueueArn };
}

async function listSubscriptions(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    all.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

async function ensureSubscription(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
  consumer: ConsumerQueue,
  subscriptions: Subscription[],
) {
  const attributes = { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify(consumer.filterPolicy) };
  const existing = subscriptions.find(
    (subscription) => subscription.Protocol === 'sqs' && subscription.Endpoint === queueArn,
  )?.SubscriptionArn;
  // Subscribe refuses an existing subscription with other attributes, so update in place instead.
  if (existing && existing !== 'PendingConfirmation') {
    for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
      await sns.send(
        new SetSubscriptionAttributesCommand({ SubscriptionArn: existing, AttributeName, AttributeValue }),
      );
    }
    return;
  }
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: attributes,
      ReturnSubscriptionArn: true,
    }),
  );
}

async function ensureBucket(s3: S3Client, bucket: string) {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch {
    // Missing (or not ours, which CreateBucket then reports clearly).
  }
  const region = await s3.config.region();
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that refuses an explicit location constraint.
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
  }
}
