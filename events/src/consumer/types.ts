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

export type Handlers = { [T in EventType]?: Handler<T> };

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
