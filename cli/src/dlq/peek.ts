import { ChangeMessageVisibilityBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { CliContext } from '../context.ts';
import { depthOf } from '../queues.ts';

/** Long enough to gather a peek; released at once afterwards, so this is only a ceiling. */
const peekVisibilitySeconds = 30;
/**
 * Visible again one second after a peek rather than at once: fauxqs 2.4.1 with a data dir
 * (`npm start`) drops a message from memory when its visibility is set to 0 (a NOT NULL
 * column in its persistence), so 0 would hide the dead letter until the emulator restarts.
 */
const releaseVisibilitySeconds = 1;
/**
 * The long poll of every DLQ receive: it asks every SQS server (so an empty answer means an
 * empty queue) and outlasts the release above, so what a peek just looked at is included.
 */
export const settleSeconds = 2;
/** How many dead letters `topology show` and `dlq list` look at for the oldest age. */
const agedSample = 100;

export interface DeadLetterView {
  messageId: string;
  sentAt: string | null;
  /** Why the consumer gave up, as its runtime recorded it (ADR 0031). */
  reason: string;
  consumer: string | null;
  event: { id: string; type: string; subject: string; time: string } | null;
  /** Only when the body is not a CloudEvent, cut to 500 characters. */
  body?: string;
}

/**
 * Receives up to `limit` messages without consuming them: each is hidden only while the peek
 * gathers, then handed back with ChangeMessageVisibility (also on Ctrl-C or an error).
 * Only for dead-letter queues: on a live queue every receive counts towards maxReceiveCount.
 */
export async function peekMessages(context: CliContext, queueUrl: string, limit: number): Promise<Message[]> {
  const { sqs } = context.clients();
  const seen: Message[] = [];
  try {
    while (seen.length < limit && !context.signal.aborted) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, limit - seen.length),
          VisibilityTimeout: peekVisibilitySeconds,
          WaitTimeSeconds: settleSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
      );
      if (Messages.length === 0) break;
      seen.push(...Messages);
    }
  } finally {
    await releaseMessages(context, queueUrl, seen);
  }
  return seen;
}

/** Makes received messages visible again (after `releaseVisibilitySeconds`). */
export async function releaseMessages(context: CliContext, queueUrl: string, messages: readonly Message[]) {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const { Failed = [] } = await context.clients().sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: releaseVisibilitySeconds,
        })),
      }),
    );
    if (Failed.length > 0) {
      context.note(
        `warning: ${Failed.length} message(s) stay hidden until their visibility timeout ends: ${Failed[0]?.Message ?? ''}`,
      );
    }
  }
}

/** Seconds since the oldest of (up to 100) dead letters was sent; null when the queue is empty. */
export async function oldestAgeSeconds(context: CliContext, dlqUrl: string): Promise<number | null> {
  const depth = await depthOf(context.clients().sqs, dlqUrl);
  if (depth.visible + depth.inFlight === 0) return null;
  const sent = (await peekMessages(context, dlqUrl, agedSample))
    .map((message) => Number(message.Attributes?.SentTimestamp))
    .filter((timestamp) => Number.isFinite(timestamp));
  if (sent.length === 0) return null;
  return Math.max(0, Math.round((Date.now() - Math.min(...sent)) / 1000));
}

export function deadLetterView(message: Message): DeadLetterView {
  const attributes = message.MessageAttributes ?? {};
  const sentTimestamp = Number(message.Attributes?.SentTimestamp);
  const view: DeadLetterView = {
    messageId: message.MessageId ?? '',
    sentAt: Number.isFinite(sentTimestamp) ? new Date(sentTimestamp).toISOString() : null,
    reason:
      attributes.failure_reason?.StringValue ??
      'no reason recorded: SQS moved it after maxReceiveCount receives (the consumer died or timed out each time)',
    consumer: attributes.failure_consumer?.StringValue ?? null,
    event: null,
  };
  try {
    const event = JSON.parse(message.Body ?? '') as Record<string, unknown>;
    if (typeof event.id === 'string' && typeof event.type === 'string') {
      view.event = { id: event.id, type: event.type, subject: String(event.subject), time: String(event.time) };
      return view;
    }
  } catch {
    // Not JSON: shown as text below.
  }
  view.body = (message.Body ?? '').slice(0, 500);
  return view;
}
