// The progress line `npm start` prints while queues have a backlog: per consuming service,
// what waits, what is being handled, and how far behind it is at the rate it is draining.
// Quiet when every queue is empty, one "caught up" line when a backlog is gone.
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueDepth {
  waiting: number;
  inFlight: number;
}

/** One reading's line, or undefined when nothing waits; `drained` is messages per second since the last reading. */
export function backlogLine(depths: Record<string, QueueDepth>, drained: Record<string, number>): string | undefined {
  const busy = Object.entries(depths).filter(([, depth]) => depth.waiting + depth.inFlight > 0);
  if (busy.length === 0) return undefined;
  const parts = busy.map(([service, { waiting, inFlight }]) => {
    const rate = drained[service] ?? 0;
    const behind =
      rate > 0 ? `~${Math.ceil((waiting + inFlight) / rate)} s behind at ${Math.round(rate)}/s` : 'not draining';
    return `${service} ${waiting.toLocaleString('en')} waiting, ${inFlight} in flight (${behind})`;
  });
  return `backlog: ${parts.join(' · ')}`;
}

async function readDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    waiting: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/**
 * Reads every service queue's depth each `intervalMs` and prints `backlogLine` while there is
 * a backlog. The drain rate is the fall in depth per second between readings (0 while it grows).
 */
export function watchBacklog(
  sqs: SQSClient,
  queues: Record<string, { queueUrl: string }>,
  print: (line: string) => void,
  intervalMs = 3000,
): () => void {
  let previous: Record<string, QueueDepth> | undefined;
  let previousAt = 0;
  let reported = false;
  let reading = false;
  const tick = async () => {
    if (reading) return;
    reading = true;
    try {
      const entries = await Promise.all(
        Object.entries(queues).map(
          async ([service, { queueUrl }]) => [service, await readDepth(sqs, queueUrl)] as const,
        ),
      );
      const depths = Object.fromEntries(entries);
      const seconds = (Date.now() - previousAt) / 1000;
      const drained = Object.fromEntries(
        entries.map(([service, depth]) => {
          const before = previous?.[service];
          const fall = before ? before.waiting + before.inFlight - (depth.waiting + depth.inFlight) : 0;
          return [service, Math.max(0, fall) / seconds];
        }),
      );
      previous = depths;
      previousAt = Date.now();
      const line = backlogLine(depths, drained);
      if (line) print(line);
      else if (reported) print('backlog: every queue caught up');
      reported = line !== undefined;
    } catch {
      // The emulator restarting: the next reading will tell.
    } finally {
      reading = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
