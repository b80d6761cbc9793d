import type { Logger, Queryable } from '@taskoverflow/platform';
import type { EventType } from '../catalog/index.ts';
import type { CloudEvent } from '../envelope.ts';

/** What a handler runs in: a batch handler's call, an effect handler's claim. */
export interface TransactionContext {
  /**
   * The transaction that also records the event in the inbox: write side effects to the
   * service's database through it so they commit exactly once with the inbox row.
   */
  tx: Queryable;
  log: Logger;
}

export interface HandlerContext extends TransactionContext {
  /** SQS ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
}

/** One plain function per event type. Throwing retries the message with backoff. */
export type Handler<T extends EventType> = (event: CloudEvent<T>, context: HandlerContext) => Promise<void>;

/**
 * Handles a received group's events in one call, for side effects one statement writes for
 * all of them (audit's append): on PGlite each statement costs about as much as a commit.
 * It gets only events not seen before, in the order received; the same object may serve
 * several types. Throwing retries each event alone, as with a plain handler.
 */
export interface BatchHandler<T extends EventType> {
  batch: (events: CloudEvent<T>[], context: TransactionContext) => Promise<void>;
}

/** What `work` came to: written, with the inbox row, in one short transaction. */
export interface WorkResult {
  /** Writes the outcome (rows, outbox events) through the transaction that completes the event. */
  record?: (tx: Queryable) => Promise<void>;
  /**
   * The work is not finished: `record` is committed as progress, the inbox row stays claimed,
   * and the message comes back after `seconds` (notification's pending deliveries).
   */
  retryLater?: { seconds: number; reason: string };
}

/**
 * For handlers that call the network (HTTP, S3), which must not hold a transaction (and, on
 * PGlite, the only connection) while they wait. The runtime runs three steps (ADR 0072):
 * 1. **claim**, in a short transaction: the inbox row is written as claimed and `claim` runs —
 *    once per event, on its first delivery (calendar publishes CalendarStarted there);
 * 2. **work**, with no transaction open; throwing retries (PermanentError dead-letters);
 * 3. **record**, in a transaction that runs the returned `record` and marks the inbox row done.
 * A redelivery of a claimed event runs `work` again, so it must be idempotent (an id that
 * stays the same on every attempt: the event id, a key per job). A done event is a duplicate:
 * acknowledged without work. Of two deliveries that both work, only the first records.
 */
export interface EffectHandler<T extends EventType> {
  claim?: (event: CloudEvent<T>, context: TransactionContext) => Promise<void>;
  /** No transaction: nothing is held open while it waits. */
  work: (event: CloudEvent<T>, context: Omit<HandlerContext, 'tx'>) => Promise<WorkResult>;
}

/** Per event type, a plain function, a batch handler or an effect handler. */
export type Handlers = { [T in EventType]?: Handler<T> | BatchHandler<T> | EffectHandler<T> };

/** Thrown by a handler for a message that can never succeed: it goes to the DLQ at once. */
export class PermanentError extends Error {}

/** Thrown by a handler to be retried after a chosen delay instead of the default backoff. */
export class RetryLaterError extends Error {
  readonly delaySeconds: number;
  constructor(message: string, delaySeconds: number) {
    super(message);
    this.delaySeconds = delaySeconds;
  }
}
