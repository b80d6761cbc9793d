import type { Logger, Queryable } from '@taskoverflow/platform';
import type { EventType } from '../catalog/index.ts';
import type { CloudEvent } from '../envelope.ts';

export interface HandlerContext {
  /**
   * The transaction that also records the event in the inbox: write side effects to the
   * service's database through it so they commit exactly once with the inbox row.
   */
  tx: Queryable;
  log: Logger;
  /** SQS ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
}

/** One plain function per event type. Throwing retries the message with backoff. */
export type Handler<T extends EventType> = (event: CloudEvent<T>, context: HandlerContext) => Promise<void>;

/** What a batch handler gets: the transaction that also records its events in the inbox. */
export interface BatchHandlerContext {
  tx: Queryable;
  log: Logger;
}

/**
 * Handles a received group's events in one call, for side effects one statement writes for
 * all of them (audit's append): on PGlite each statement costs about as much as a commit.
 * It gets only events not seen before, in the order received; the same object may serve
 * several types. Throwing retries each event alone, as with a plain handler.
 */
export interface BatchHandler<T extends EventType> {
  batch: (events: CloudEvent<T>[], context: BatchHandlerContext) => Promise<void>;
}

/** Per event type, a plain function or a batch handler. */
export type Handlers = { [T in EventType]?: Handler<T> | BatchHandler<T> };

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
