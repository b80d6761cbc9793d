import type { Message } from '@aws-sdk/client-sqs';
import { InvalidEventError } from '../envelope.ts';
import { PermanentError, RetryLaterError } from './types.ts';

/** What to do with a message once its handler has run (or could not). */
export type Outcome =
  | { kind: 'ack'; duplicate: boolean }
  | { kind: 'retry'; error: unknown; delaySeconds?: number }
  | { kind: 'dead'; reason: string };

export const receiveCountOf = (message: Message) => Number(message.Attributes?.ApproximateReceiveCount ?? 1);

export const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A thrown error's outcome: dead-lettered when retrying cannot help, retried otherwise. */
export function failureOutcome(error: unknown): Outcome {
  if (error instanceof InvalidEventError || error instanceof PermanentError) {
    return { kind: 'dead', reason: reasonOf(error) };
  }
  if (error instanceof RetryLaterError) return { kind: 'retry', error, delaySeconds: error.delaySeconds };
  return { kind: 'retry', error };
}
