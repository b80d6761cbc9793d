import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunkForPublish, inWaves, type Outgoing } from '@taskoverflow/events/outbox/publish-batch';

const attempts = 3;

/** One SendMessageBatch; entries SQS refuses are sent again, up to `attempts` times, then it throws. */
async function sendChunk(sqs: SQSClient, queueUrl: string, chunk: readonly Outgoing[]): Promise<void> {
  let pending = chunk;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const response = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: pending.map((message) => ({
          Id: message.key,
          MessageBody: message.body,
          MessageAttributes: {
            type: { DataType: 'String', StringValue: message.type },
            subject: { DataType: 'String', StringValue: message.subject },
          },
        })),
      }),
    );
    const failed = new Map((response.Failed ?? []).map((failure) => [failure.Id, failure]));
    pending = pending.filter((message) => failed.has(message.key));
    if (pending.length > 0 && attempt >= attempts) {
      const [first] = failed.values();
      throw new Error(`SendMessageBatch refused ${pending.length} events: ${first?.Code}: ${first?.Message ?? ''}`);
    }
  }
}

/**
 * Sends messages into one queue in batches of ten (≤ 256 KiB), up to `parallel` calls at a
 * time, never two at once for the same subject — the relay's chunking and waves, so a
 * subject's events arrive in the order given.
 */
export async function sendEvents(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Outgoing[],
  parallel: number,
): Promise<void> {
  for (const wave of inWaves(chunkForPublish(messages), parallel)) {
    await Promise.all(wave.map((chunk) => sendChunk(sqs, queueUrl, chunk)));
  }
}
