import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type BatchResult, createBatcher } from './batcher.ts';

type FailedEntry = { Id?: string | undefined; Message?: string | undefined; SenderFault?: boolean | undefined };

/** Batch entry ids must be short, so entries are numbered; this maps failures back to receipt handles. */
function failuresOf(entries: { key: string }[], failed: FailedEntry[] = []): BatchResult['failed'] {
  return failed.map((entry) => ({
    key: entries[Number(entry.Id)]?.key ?? '',
    reason: entry.Message ?? 'failed',
    retryable: !entry.SenderFault,
  }));
}

/** The batched deletes and visibility changes of one queue, keyed by receipt handle. */
export function createQueueBatchers(sqs: SQSClient, queueUrl: string) {
  // Waiting up to 100 ms fills batches at ~100 events/s and up; the slot is already free, so
  // the only cost is the message staying hidden a little longer.
  const deletes = createBatcher<null>({
    maxDelayMs: 100,
    flush: async (entries): Promise<BatchResult> => {
      const result = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.key })),
        }),
      );
      return { failed: failuresOf(entries, result.Failed) };
    },
  });
  // One request at a time keeps a heartbeat from landing after the backoff that follows it.
  const visibility = createBatcher<number>({
    maxConcurrentFlushes: 1,
    flush: async (entries): Promise<BatchResult> => {
      const result = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((entry, index) => ({
            Id: String(index),
            ReceiptHandle: entry.key,
            VisibilityTimeout: entry.value,
          })),
        }),
      );
      return { failed: failuresOf(entries, result.Failed) };
    },
  });

  return { deletes, visibility };
}
