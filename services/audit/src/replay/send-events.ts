import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunkForPublish, type Outgoing } from '@taskoverflow/events';

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
 * Sends messages into one queue in batches of ten (≤ 256 KiB, the relay's chunking), keeping
 * `parallel` calls in flight: each sender takes the next batch as soon as its call returns,
 * once `pace` lets it (the throttle; false: stop). True when every batch was sent. Order is
 * not kept, as SQS would not keep it anyway: the receiving runtime drops a subject's stale
 * events by `sequence` (ADR 0070).
 */
export async function sendEvents(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Outgoing[],
  { parallel, pace }: { parallel: number; pace: (count: number) => Promise<boolean> },
): Promise<boolean> {
  const chunks = chunkForPublish(messages);
  let next = 0;
  let stopped = false;
  const sender = async () => {
    for (let chunk = chunks[next++]; chunk && !stopped; chunk = chunks[next++]) {
      if (!(await pace(chunk.length))) stopped = true;
      else await sendChunk(sqs, queueUrl, chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, sender));
  return !stopped;
}
