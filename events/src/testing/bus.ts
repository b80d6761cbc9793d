import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CloudEvent } from '../envelope.ts';

/**
 * Publishes events the way the outbox relay does: JSON body, `type` and `subject` as
 * message attributes (what subscriptions filter on). A string body is sent as is, to
 * test what consumers make of malformed messages.
 */
export async function publishEvents(
  sns: SNSClient,
  topicArn: string,
  events: readonly (CloudEvent | { body: string; type: string; subject: string })[],
): Promise<void> {
  for (let start = 0; start < events.length; start += 10) {
    const chunk = events.slice(start, start + 10);
    const result = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: chunk.map((event, index) => ({
          Id: String(index),
          Message: 'body' in event ? event.body : JSON.stringify(event),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: event.type },
            subject: { DataType: 'String', StringValue: event.subject },
          },
        })),
      }),
    );
    if (result.Failed?.length) throw new Error(`publish failed: ${JSON.stringify(result.Failed)}`);
  }
}

/** One short receive (for inspecting a queue in tests, e.g. a DLQ); leaves messages hidden briefly. */
export async function receiveSome(sqs: SQSClient, queueUrl: string, visibilityTimeout = 1): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return Messages;
}
