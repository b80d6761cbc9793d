import { setTimeout as sleep } from 'node:timers/promises';
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { CliContext } from '../context.ts';
import type { Progress } from '../progress.ts';
import { deleteMessages, queueAttributes, type ServiceQueues } from '../queues.ts';
import { releaseMessages, settleSeconds } from './peek.ts';

export interface RedriveResult {
  method: 'StartMessageMoveTask' | 'receive-send-delete';
  moved: number;
  /** True when Ctrl-C stopped it early; what was not moved is still in the DLQ. */
  interrupted: boolean;
}

/** Hidden while being copied; a crash between send and delete shows it again after this. */
const copyVisibilitySeconds = 60;
const moveTaskPollMs = 500;

/**
 * Moves at most `max` dead letters (those present when the command started) back to the
 * service's queue: a message that fails again and returns to the DLQ meanwhile is not moved
 * a second time. When every message is wanted, SQS's own StartMessageMoveTask does it where
 * the endpoint has it; otherwise (and with a limit, which a move task cannot take) each
 * message is sent to the queue before it is deleted from the DLQ, so an interruption can
 * leave a duplicate (the inbox makes that harmless) but never loses one. See ADR 0101.
 */
export async function redrive(
  context: CliContext,
  queues: ServiceQueues,
  options: { max: number; all: boolean; progress: Progress },
): Promise<RedriveResult> {
  if (options.max === 0) return { method: 'receive-send-delete', moved: 0, interrupted: false };
  if (options.all) {
    const moved = await tryMoveTask(context, queues, options.progress);
    if (moved) return moved;
  }
  return copyThenDelete(context, queues, options);
}

async function tryMoveTask(context: CliContext, queues: ServiceQueues, progress: Progress) {
  const { sqs } = context.clients();
  const { QueueArn: sourceArn } = await queueAttributes(sqs, queues.dlqUrl, ['QueueArn']);
  const { QueueArn: destinationArn } = await queueAttributes(sqs, queues.queueUrl, ['QueueArn']);
  let taskHandle: string | undefined;
  try {
    ({ TaskHandle: taskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
    ));
  } catch (error) {
    if (isUnsupported(error)) {
      context.note('note: the endpoint has no StartMessageMoveTask; copying message by message instead');
      return undefined;
    }
    throw error;
  }
  let interrupted = false;
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    const task = Results.find((candidate) => candidate.TaskHandle === taskHandle) ?? Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    progress.update(moved, task?.ApproximateNumberOfMessagesToMove ?? moved);
    if (task?.Status === 'FAILED') throw new Error(`message move task failed: ${task.FailureReason ?? 'no reason'}`);
    if (!task || task.Status === 'COMPLETED' || task.Status === 'CANCELLED') {
      return { method: 'StartMessageMoveTask' as const, moved, interrupted };
    }
    if (context.signal.aborted && !interrupted && taskHandle) {
      // Moved messages stay moved; the rest stays in the DLQ.
      await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }));
      interrupted = true;
    }
    await sleep(moveTaskPollMs);
  }
}

/**
 * Endpoints without the action say so in different ways: fauxqs answers InvalidAction, moto
 * a 500 HTML page the SDK cannot parse. AWS always answers in the API's own error shape.
 */
function isUnsupported(error: unknown): boolean {
  const { name = '', message = '' } = error as { name?: string; message?: string };
  return (
    ['InvalidAction', 'UnsupportedOperation', 'UnknownOperationException'].includes(name) ||
    /unknown action|not (yet )?implemented/i.test(message) ||
    (name === 'SyntaxError' && message.includes('Deserialization error'))
  );
}

async function copyThenDelete(
  context: CliContext,
  queues: ServiceQueues,
  options: { max: number; progress: Progress },
): Promise<RedriveResult> {
  const { sqs } = context.clients();
  const limit = options.max;
  let moved = 0;
  while (moved < limit) {
    // Checked between batches only: a batch once received is always sent and deleted.
    if (context.signal.aborted) return { method: 'receive-send-delete', moved, interrupted: true };
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        VisibilityTimeout: copyVisibilitySeconds,
        WaitTimeSeconds: settleSeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const { Successful = [], Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? '',
          MessageAttributes: withoutFailure(message.MessageAttributes),
        })),
      }),
    );
    const sent = new Set(Successful.map((entry) => entry.Id));
    const copied = Messages.filter((_, index) => sent.has(String(index)));
    await deleteMessages(sqs, queues.dlqUrl, copied);
    moved += copied.length;
    options.progress.increment(copied.length);
    if (Failed.length > 0) {
      await releaseMessages(
        context,
        queues.dlqUrl,
        Messages.filter((_, index) => !sent.has(String(index))),
      );
      throw new Error(`could not send ${Failed.length} message(s) back, left in the DLQ: ${Failed[0]?.Message ?? ''}`);
    }
  }
  return { method: 'receive-send-delete', moved, interrupted: false };
}

/** The original attributes (type, subject: what the subscription and consumer read), without the last failure's. */
function withoutFailure(attributes: Message['MessageAttributes'] = {}): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !name.startsWith('failure_')));
}
