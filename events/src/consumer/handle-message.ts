import type { Message } from '@aws-sdk/client-sqs';
import type { Db, Logger } from '@taskoverflow/platform';
import { type ClaimCheckStore, resolveData } from '../claim-check.ts';
import { type AnyEvent, InvalidEventError, parseEnvelope, parseEvent } from '../envelope.ts';
import { type Handler, type Handlers, PermanentError, RetryLaterError } from './types.ts';

/** What to do with a message once its handler has run (or could not). */
export type Outcome =
  | { kind: 'ack'; duplicate: boolean }
  | { kind: 'retry'; error: unknown; delaySeconds?: number }
  | { kind: 'dead'; reason: string };

export interface HandleContext {
  service: string;
  handlers: Handlers;
  db: Db;
  log: Logger;
  claimCheck: ClaimCheckStore | undefined;
}

export const receiveCountOf = (message: Message) => Number(message.Attributes?.ApproximateReceiveCount ?? 1);

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Parses, resolves and handles one message inside the error boundary: nothing here throws.
 * The inbox row and the handler's writes share one transaction, so the event's side effects
 * commit exactly once however often SQS delivers it.
 */
export async function handleMessage(
  message: Message,
  context: HandleContext,
): Promise<{ outcome: Outcome; log: Logger }> {
  const messageLog = context.log.child({ messageId: message.MessageId });
  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(JSON.parse(message.Body ?? ''));
  } catch (error) {
    return { outcome: { kind: 'dead', reason: `unreadable message: ${reasonOf(error)}` }, log: messageLog };
  }
  const log = messageLog.child({
    eventId: envelope.id,
    type: envelope.type,
    subject: envelope.subject,
    correlationid: envelope.correlationid,
  });
  return { outcome: await runHandler(envelope, message, context, log), log };
}

async function runHandler(
  envelope: ReturnType<typeof parseEnvelope>,
  message: Message,
  context: HandleContext,
  log: Logger,
): Promise<Outcome> {
  const handler = context.handlers[envelope.type] as Handler<AnyEvent['type']> | undefined;
  if (!handler) return { kind: 'dead', reason: `${context.service} has no handler for ${envelope.type}` };
  try {
    const event = parseEvent(await resolveData(envelope, context.claimCheck));
    const receiveCount = receiveCountOf(message);
    const handled = await context.db.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
         ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
        [context.service, event.id, event.type],
      );
      if (inserted.length === 0) return false;
      await handler(event as never, { tx, log, receiveCount });
      return true;
    });
    if (!handled) log.info('duplicate delivery acknowledged without running the handler');
    return { kind: 'ack', duplicate: !handled };
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof PermanentError) {
      return { kind: 'dead', reason: reasonOf(error) };
    }
    if (error instanceof RetryLaterError) return { kind: 'retry', error, delaySeconds: error.delaySeconds };
    return { kind: 'retry', error };
  }
}
