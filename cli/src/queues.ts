import { ListTopicsCommand } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  type QueueAttributeName,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ConsumerQueue } from '@taskoverflow/events/topology';
import type { CliContext } from './context.ts';
import { CliError, exitCodes } from './exit-codes.ts';

/** The URL of a queue by name; a missing queue is a `notFound` error that says what to run. */
export async function queueUrlOf(sqs: SQSClient, name: string, hint: string): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist) && (error as { name?: string }).name !== 'QueueDoesNotExist') throw error;
  }
  throw new CliError(`queue ${name} does not exist; ${hint}`, exitCodes.notFound);
}

/** The events topic's ARN: from the running stack, else found by name. */
export async function topicArnOf(context: CliContext): Promise<string> {
  const stackArn = context.target().stack?.topicArn;
  const { topicName } = await context.topology();
  if (stackArn?.endsWith(`:${topicName}`)) return stackArn;
  let NextToken: string | undefined;
  do {
    const page = await context.clients().sns.send(new ListTopicsCommand({ NextToken }));
    const arn = page.Topics?.map((topic) => topic.TopicArn).find((candidate) => candidate?.endsWith(`:${topicName}`));
    if (arn) return arn;
    NextToken = page.NextToken;
  } while (NextToken);
  throw new CliError(`topic ${topicName} does not exist; run: taskoverflow topology apply`, exitCodes.notFound);
}

export interface ServiceQueues {
  consumer: ConsumerQueue;
  queueUrl: string;
  dlqUrl: string;
}

/** A consuming service's queue and dead-letter queue, by service name. */
export async function serviceQueues(context: CliContext, service: string): Promise<ServiceQueues> {
  const { consumers } = await context.topology();
  const consumer = consumers.find((candidate) => candidate.service === service);
  if (!consumer) {
    const names = consumers.map((candidate) => candidate.service).join(', ');
    throw new CliError(`${service} has no queue; services that consume events: ${names}`, exitCodes.notFound);
  }
  const hint = 'run: taskoverflow topology apply';
  const { sqs } = context.clients();
  return {
    consumer,
    queueUrl: await queueUrlOf(sqs, consumer.queueName, hint),
    dlqUrl: await queueUrlOf(sqs, consumer.dlqName, hint),
  };
}

export async function queueAttributes(sqs: SQSClient, queueUrl: string, names: QueueAttributeName[]) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }),
  );
  return Attributes;
}

export interface Depth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function depthOf(sqs: SQSClient, queueUrl: string): Promise<Depth> {
  const attributes = await queueAttributes(sqs, queueUrl, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
  ]);
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

export interface PollOptions {
  /** Long-poll seconds per receive (0–20). */
  waitTimeSeconds: number;
  /** Stop after this many messages. */
  max?: number | undefined;
  /** Stop once no message arrived for this many seconds. */
  idleSeconds?: number | undefined;
  /** Handles one message; it is deleted after this returns. */
  onMessage(message: Message): void;
}

/**
 * Long-polls a queue and deletes each message once handled, until Ctrl-C, `max` messages
 * or `idleSeconds` without one. Ctrl-C aborts the waiting receive; a message received but
 * not yet handled is left to reappear after its visibility timeout, never lost.
 */
export async function pollQueue(context: CliContext, queueUrl: string, options: PollOptions): Promise<number> {
  const { sqs } = context.clients();
  let handled = 0;
  let lastMessageAt = Date.now();
  while (!context.signal.aborted && (options.max === undefined || handled < options.max)) {
    if (options.idleSeconds !== undefined && Date.now() - lastMessageAt >= options.idleSeconds * 1000) break;
    const wanted = Math.min(10, options.max === undefined ? 10 : options.max - handled);
    let messages: Message[];
    try {
      ({ Messages: messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: wanted,
          WaitTimeSeconds: options.waitTimeSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
        { abortSignal: context.signal },
      ));
    } catch (error) {
      if (context.signal.aborted) break;
      throw error;
    }
    if (messages.length === 0) continue;
    lastMessageAt = Date.now();
    for (const message of messages) options.onMessage(message);
    // A message is deleted only once its line has left the process: a closed pipe keeps the batch.
    try {
      await context.flushed();
    } catch {
      break;
    }
    handled += messages.length;
    await deleteMessages(sqs, queueUrl, messages);
  }
  return handled;
}

export async function deleteMessages(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  const { Failed = [] } = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
    }),
  );
  if (Failed.length > 0) throw new Error(`delete failed: ${JSON.stringify(Failed)}`);
}
