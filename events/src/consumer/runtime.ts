import { setTimeout as sleep } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Db, Logger } from '@taskoverflow/platform';
import { consumerTelemetry, type Processing } from '../telemetry/consumer.ts';
import { backoffSeconds } from './backoff.ts';
import { type Handled, handleMessages, type Ordering } from './handle-message.ts';
import { type Outcome, receiveCountOf } from './outcome.ts';
import { createQueueBatchers } from './queue-batchers.ts';
import { type QueueInfo, readQueueInfo } from './queue-info.ts';
import type { Handlers } from './types.ts';

export interface ConsumerOptions {
  /** Inbox consumer name (= service name). */
  service: string;
  queueUrl: string;
  handlers: Handlers;
  /** The service's DB: inbox row + handler side effects in one transaction (ctx.tx). */
  db: Db;
  sqs: SQSClient;
  log: Logger;
  /** Resolves events whose data was moved to S3 (`dataref`). */
  claimCheck?: { s3: S3Client; bucket: string } | undefined;
  /** Handlers running at once; default 10. One batch of up to 10 more may wait, prefetched. */
  concurrency?: number;
  /** Long poll, default 20 s: an idle consumer makes 3 receive calls a minute. */
  waitTimeSeconds?: number;
  /** Defaults to the queue's own VisibilityTimeout attribute. */
  visibilityTimeoutSeconds?: number;
  backoff?: { baseSeconds?: number; maxSeconds?: number };
  /** stop() returns within this; default 25 s (ECS sends SIGKILL 30 s after SIGTERM). */
  drainTimeoutMs?: number;
  /**
   * Messages handled in one database transaction (default 1). Above 1, a received batch
   * commits once instead of once per message — several times the throughput on PGlite — but
   * its plain handlers run one after another. Effect handlers (ADR 0072) of a group are
   * claimed in one transaction, work at once, and complete in one statement when they have
   * nothing to record.
   */
  transactionBatchSize?: number;
  /**
   * After a receive brought a part batch (2–9 messages: traffic, but not a backlog), its loop
   * waits this long before the next receive, so that groups and batches fill: default 25 ms.
   * bench:events at 500–1,000 events/s: 20–25 % less CPU per event, p50 latency +4 ms (ADR 0087).
   * With `transactionBatchSize` above 1 the part batch waits too, and starts in one group with
   * what the next receive (then a short poll) brings: ~8 % less again, p50 +7–17 ms.
   */
  receiveLingerMs?: number;
  /** Default `latest`: an event older (by `sequence`) than one applied for its subject is not handled. */
  ordering?: Ordering;
  /**
   * Called after handlers' writes commit. A service whose handlers publish through the
   * outbox passes its relay's `wake`, so their events leave at once.
   */
  onCommit?: () => void;
}

export interface RunningConsumer {
  /** Readiness: throws until the consumer has started, and while its last receive failed. */
  assertPolling(): void;
  stop(): Promise<void>;
}

/** A received message and until when SQS keeps it hidden from other consumers. */
interface Delivery {
  message: Message;
  receiptHandle: string;
  hiddenUntil: number;
}

const batchSize = 10;
/** Dead-letter reasons are for people; SQS caps a message's attributes at 256 KiB anyway. */
const maxReasonLength = 1_000;

/**
 * Consumes one SQS queue: long-polls in batches of 10, runs up to `concurrency` handlers,
 * keeps slow messages hidden with a batched heartbeat, deletes and reschedules in batches,
 * sends what can never succeed to the dead-letter queue with the reason attached, and on
 * stop() finishes what has started and hands the rest back to the queue.
 */
export function startConsumer(options: ConsumerOptions): RunningConsumer {
  const { sqs, queueUrl } = options;
  const concurrency = Math.max(1, options.concurrency ?? 10);
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const drainTimeoutMs = options.drainTimeoutMs ?? 25_000;
  const transactionBatchSize = Math.max(1, options.transactionBatchSize ?? 1);
  const lingerMs = options.receiveLingerMs ?? 25;
  const log = options.log.child({ consumer: options.service });
  const telemetry = consumerTelemetry(options.service, queueUrl);

  const buffer: Delivery[] = [];
  const active = new Map<Delivery, Promise<void>>();
  /** Deletes, reschedules and dead-letter sends under way; stop() waits for them. */
  const settling = new Set<Promise<unknown>>();
  const aborter = new AbortController();
  let running = true;
  /** Why the consumer is not polling successfully right now; undefined when it is. */
  let problem: string | undefined = 'starting: reading the queue attributes';
  const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  let receiving = 0;
  /** Loops holding a part batch back through their linger (only when groups can hold more than one message). */
  let holding = 0;
  const holdPartBatches = transactionBatchSize > 1 && lingerMs > 0;
  /** Extra receivers only poll while the queue has a backlog (the last receive was full). */
  let backlog = false;
  let wake: () => void = () => {};
  let changed = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const signal = () => {
    wake();
    changed = new Promise<void>((resolve) => {
      wake = resolve;
    });
  };
  /** Waits, but no longer than until stop(). */
  const pause = (ms: number) => sleep(ms, undefined, { signal: aborter.signal }).catch(() => {});

  const { deletes, visibility } = createQueueBatchers(sqs, queueUrl);

  const acknowledge = (delivery: Delivery, eventLog: Logger) =>
    deletes.add(delivery.receiptHandle, null).catch((error: Error) => {
      // The message comes back after its visibility timeout; the inbox then acknowledges it.
      eventLog.warn({ err: error }, 'delete failed; the message will be redelivered and skipped');
    });

  /** Sets when the message reappears; failures mean it reappears at its current timeout instead. */
  const reschedule = (delivery: Delivery, seconds: number, eventLog: Logger) =>
    visibility.add(delivery.receiptHandle, clampVisibility(seconds)).catch((error: Error) => {
      eventLog.warn({ err: error, seconds }, 'visibility change refused');
    });
  const extend = (delivery: Delivery, seconds: number) =>
    visibility.add(delivery.receiptHandle, seconds).catch((error: Error) => {
      // Usually a race with the message's delete: its receipt handle is already gone.
      log.debug({ err: error, messageId: delivery.message.MessageId }, 'heartbeat refused');
    });

  async function deadLetter(delivery: Delivery, reason: string, info: QueueInfo, eventLog: Logger) {
    if (!info.deadLetter) {
      eventLog.error({ reason }, 'message cannot be processed and the queue has no dead-letter queue; retrying later');
      await reschedule(delivery, backoffSeconds(receiveCountOf(delivery.message), options.backoff), eventLog);
      return;
    }
    const original = Object.entries(delivery.message.MessageAttributes ?? {}).slice(0, 7);
    const attributes: Record<string, MessageAttributeValue> = {
      ...Object.fromEntries(original),
      failure_reason: { DataType: 'String', StringValue: reason.slice(0, maxReasonLength) },
      failure_consumer: { DataType: 'String', StringValue: options.service },
      failure_receive_count: { DataType: 'Number', StringValue: String(receiveCountOf(delivery.message)) },
    };
    try {
      // Rare by design, so one message per request: a batch of large bodies could exceed the request size.
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: info.deadLetter.queueUrl,
          MessageBody: delivery.message.Body ?? '',
          MessageAttributes: attributes,
        }),
      );
      eventLog.error({ reason }, 'message sent to the dead-letter queue');
      await acknowledge(delivery, eventLog);
    } catch (error) {
      eventLog.error({ err: error, reason }, 'could not send to the dead-letter queue; retrying later');
      await reschedule(delivery, backoffSeconds(receiveCountOf(delivery.message), options.backoff), eventLog);
    }
  }

  async function settle(
    delivery: Delivery,
    outcome: Outcome,
    info: QueueInfo,
    eventLog: Logger,
    processing?: Processing,
  ) {
    if (outcome.kind === 'ack') {
      eventLog.debug({ duplicate: outcome.duplicate }, 'event handled');
      processing?.settled(outcome.duplicate ? 'duplicate' : 'handled');
      return acknowledge(delivery, eventLog);
    }
    if (outcome.kind === 'dead') {
      processing?.settled('dead_lettered', outcome.reason);
      return deadLetter(delivery, outcome.reason, info, eventLog);
    }
    const receiveCount = receiveCountOf(delivery.message);
    const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    if (info.deadLetter && receiveCount >= info.deadLetter.maxReceiveCount) {
      // SQS would move it on the next receive anyway; doing it now records why.
      processing?.settled('dead_lettered', reason);
      return deadLetter(delivery, `failed ${receiveCount} times, last: ${reason}`, info, eventLog);
    }
    processing?.settled('retried', reason);
    const delay = outcome.delaySeconds ?? backoffSeconds(receiveCount, options.backoff);
    eventLog.warn({ err: outcome.error, receiveCount, retryInSeconds: delay }, 'handler failed; retrying later');
    return reschedule(delivery, delay, eventLog);
  }

  /**
   * A part group waits for company: while a loop lingers after a part batch, whose messages start
   * with the next receive's, and, with a backlog, for the receive under way while other groups
   * run. A group's transaction costs about the same for 10 messages as for 20 (ADR 0087).
   */
  const waitForCompany = () =>
    buffer.length < transactionBatchSize && (holding > 0 || (backlog && receiving > 0 && active.size > 0));

  function startHandlers(info: QueueInfo) {
    while (running && active.size < concurrency && buffer.length > 0 && !waitForCompany()) {
      const group = buffer.splice(0, Math.min(transactionBatchSize, concurrency - active.size));
      const work = handleMessages(
        group.map((delivery) => delivery.message),
        {
          service: options.service,
          handlers: options.handlers,
          db: options.db,
          log,
          claimCheck: options.claimCheck,
          onCommit: options.onCommit,
          ordering: options.ordering ?? 'latest',
          telemetry,
        },
      )
        .catch((error: unknown): Handled[] => group.map(() => ({ outcome: { kind: 'retry', error }, log })))
        .then((results) => {
          // Free the slots (and stop heartbeats) before settling: the batched delete must not hold them.
          for (const delivery of group) active.delete(delivery);
          startHandlers(info);
          signal();
          for (const [index, delivery] of group.entries()) {
            const { outcome, log: eventLog, processing } = results[index] as Handled;
            // Inside the message's span, so these log lines (a dead letter's above all) carry its trace id.
            const settleIt = () => settle(delivery, outcome, info, eventLog, processing);
            const settled = (processing ? processing.within(settleIt) : settleIt())
              .catch((error: unknown) => eventLog.error({ err: error }, 'settling a message failed'))
              .finally(() => settling.delete(settled));
            settling.add(settled);
          }
        });
      for (const delivery of group) active.set(delivery, work);
    }
  }

  /** Hands received-but-unstarted messages straight back to the queue. */
  const release = (deliveries: Delivery[]) => Promise.all(deliveries.map((delivery) => reschedule(delivery, 0, log)));

  async function receiveLoop(index: number, info: QueueInfo) {
    let holds = false;
    const hold = (on: boolean) => {
      if (on !== holds) holding += on ? 1 : -1;
      holds = on;
    };
    while (running) {
      const full = active.size + buffer.length + batchSize * receiving >= concurrency;
      if (full || (index > 0 && !backlog)) {
        // A parked loop holds nothing back.
        if (holds) {
          hold(false);
          startHandlers(info);
        }
        await changed;
        continue;
      }
      receiving++;
      const afterHold = holds;
      let linger = false;
      const sentAt = Date.now();
      try {
        const { Messages: messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            // After a held part batch: only what arrived during the linger, no long poll.
            WaitTimeSeconds: afterHold ? 0 : waitTimeSeconds,
            VisibilityTimeout: options.visibilityTimeoutSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: aborter.signal },
        );
        backlog = messages.length === batchSize;
        problem = undefined;
        const deliveries = messages.map((message) => ({
          message,
          receiptHandle: message.ReceiptHandle ?? '',
          hiddenUntil: sentAt + info.visibilityTimeoutSeconds * 1000,
        }));
        if (running) buffer.push(...deliveries);
        else await release(deliveries);
        // One message at a time is a quiet queue: no wait. A full batch is a backlog: no wait either.
        linger = messages.length >= 2 && messages.length < batchSize;
      } catch (error) {
        if (!running) break;
        problem = `receive failed: ${describe(error)}`;
        log.warn({ err: error }, 'receive failed; retrying in a second');
        await pause(1000);
      } finally {
        receiving--;
        // A held part batch starts now, with these; a part batch from a long poll is held (once).
        hold(linger && holdPartBatches && !afterHold);
        // After the count drops: a part group waiting for this receive starts now if it must.
        startHandlers(info);
        signal();
      }
      if (linger && lingerMs > 0) await pause(lingerMs);
    }
  }

  /** Extends the visibility of every held message that would reappear soon, in batches. */
  function heartbeat(info: QueueInfo) {
    const seconds = info.visibilityTimeoutSeconds;
    const now = Date.now();
    for (const delivery of [...active.keys(), ...buffer]) {
      // Extended with 40 % of the timeout left at worst: room for a slow request.
      if (delivery.hiddenUntil - now > seconds * 1000 * 0.6) continue;
      delivery.hiddenUntil = now + seconds * 1000;
      void extend(delivery, seconds);
    }
  }

  let heartbeatTimer: NodeJS.Timeout | undefined;
  const loops = (async () => {
    let info: QueueInfo | undefined;
    while (running && !info) {
      try {
        info = await readQueueInfo(sqs, queueUrl);
        if (options.visibilityTimeoutSeconds) info.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds;
      } catch (error) {
        problem = `cannot read the queue attributes: ${describe(error)}`;
        log.error({ err: error, queueUrl }, 'cannot read the queue attributes; retrying');
        await pause(2000);
      }
    }
    if (!info) return;
    const known = info;
    problem = undefined;
    heartbeatTimer = setInterval(() => heartbeat(known), Math.max(200, (known.visibilityTimeoutSeconds * 1000) / 5));
    log.info({ queueUrl, concurrency, deadLetterQueue: known.deadLetter?.queueUrl }, 'consumer started');
    const receivers = Math.ceil(concurrency / batchSize);
    await Promise.all(Array.from({ length: receivers }, (_, index) => receiveLoop(index, known)));
  })();

  let stopping: Promise<void> | undefined;
  async function stop() {
    const deadline = Date.now() + drainTimeoutMs;
    running = false;
    aborter.abort();
    signal();
    await Promise.race([release(buffer.splice(0)), pauseFor(deadline - Date.now() - 1000)]);
    // Keep a little of the budget for the final deletes.
    const handlersDone = Promise.allSettled([...active.values()]).then(() => true);
    const drained = await Promise.race([handlersDone, pauseFor(deadline - Date.now() - 1000).then(() => false)]);
    if (!drained) log.warn({ inFlight: active.size }, 'stop timed out; unfinished messages will reappear');
    clearInterval(heartbeatTimer);
    const finished = (async () => {
      await Promise.all([deletes.flush(), visibility.flush()]);
      await Promise.allSettled([...settling]);
      await loops;
    })();
    await Promise.race([finished, pauseFor(deadline - Date.now())]);
    telemetry.stop();
    log.info('consumer stopped');
  }

  return {
    assertPolling() {
      if (!running) throw new Error('stopping');
      if (problem) throw new Error(problem);
    },
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** SQS accepts 0 s to 12 h. */
function clampVisibility(seconds: number) {
  return Math.min(43_200, Math.max(0, Math.round(seconds)));
}

function pauseFor(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
