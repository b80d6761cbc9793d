import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from '@taskoverflow/platform';
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

/** An event whose handler ran, or a duplicate that did not need to: the same log line for every handler kind. */
export function acknowledged(log: Logger, duplicate: boolean): Outcome {
  if (duplicate) log.info('duplicate delivery acknowledged without running the handler');
  return { kind: 'ack', duplicate };
}

/** An event older than one already applied for its subject (ADR 0070): acknowledged, not handled. */
export function logStale(log: Logger, sequence: number | undefined): void {
  log.info({ sequence }, 'stale event acknowledged: a newer one of its subject was applied');
}
