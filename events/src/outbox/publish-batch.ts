import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';

export interface Outgoing {
  /** Unique within the call; the outbox position. */
  key: string;
  /** The CloudEvent JSON. */
  body: string;
  type: string;
  subject: string;
  /** CloudEvent id; the deduplication id on FIFO topics. */
  eventId: string;
}

const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;
// Attributes and entry ids also count toward the limit; keep a margin for them.
const ENTRY_OVERHEAD_BYTES = 512;

/** Splits into PublishBatch calls of ≤ 10 entries and ≤ 256 KiB, keeping the given order. */
export function chunkForPublish(messages: readonly Outgoing[]): Outgoing[][] {
  const chunks: Outgoing[][] = [];
  let current: Outgoing[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.body) + ENTRY_OVERHEAD_BYTES;
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function entry(message: Outgoing, fifo: boolean): PublishBatchRequestEntry {
  return {
    Id: message.key,
    Message: message.body,
    MessageAttributes: {
      type: { DataType: 'String', StringValue: message.type },
      subject: { DataType: 'String', StringValue: message.subject },
    },
    ...(fifo ? { MessageGroupId: message.subject, MessageDeduplicationId: message.eventId } : {}),
  };
}

/**
 * Publishes one chunk; returns the keys that failed with their reason. A failed call
 * (network, throttling) fails every entry of the chunk.
 */
export async function publishChunk(
  sns: SNSClient,
  topicArn: string,
  chunk: readonly Outgoing[],
): Promise<Map<string, string>> {
  const fifo = topicArn.endsWith('.fifo');
  const failed = new Map<string, string>();
  try {
    const response = await sns.send(
      new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: chunk.map((m) => entry(m, fifo)) }),
    );
    for (const failure of response.Failed ?? []) {
      if (failure.Id) failed.set(failure.Id, `${failure.Code ?? 'Failed'}: ${failure.Message ?? ''}`.trim());
    }
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    for (const message of chunk) failed.set(message.key, reason);
  }
  return failed;
}
