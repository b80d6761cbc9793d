import type { Message } from '@aws-sdk/client-sqs';
import type { Db, Logger } from '@taskoverflow/platform';
import { type ClaimCheckStore, resolveData } from '../claim-check.ts';
import { type AnyEvent, parseEnvelope, parseEventData } from '../envelope.ts';
import type { ConsumerTelemetry, Processing } from '../telemetry/consumer.ts';
import { runEffects } from './effect.ts';
import { acknowledged, failureOutcome, logStale, type Outcome, reasonOf, receiveCountOf } from './outcome.ts';
import { freshEvents } from './staleness.ts';
import type { BatchHandler, EffectHandler, Handler, Handlers } from './types.ts';

export interface HandleContext {
  service: string;
  handlers: Handlers;
  db: Db;
  log: Logger;
  claimCheck: ClaimCheckStore | undefined;
  /** Called after a transaction in which handlers ran has committed. */
  onCommit: (() => void) | undefined;
  /** `latest`: an event whose `sequence` is not newer than its subject's last applied one is not handled. */
  ordering: Ordering;
  telemetry: ConsumerTelemetry;
}

/**
 * `latest` (the default): a handler never applies an older update after a newer one of the
 * same subject. `all`: every event is handled, for logs that keep history (audit).
 */
export type Ordering = 'latest' | 'all';

type Prepared =
  | { message: Message; log: Logger; processing: Processing; outcome: Outcome }
  | { message: Message; log: Logger; processing: Processing; event: AnyEvent; handler: AnyHandler };

type AnyHandler = Handler<AnyEvent['type']> | BatchHandler<AnyEvent['type']> | EffectHandler<AnyEvent['type']>;

export type Handled = { outcome: Outcome; log: Logger; processing?: Processing };
const handled = (item: Ready, outcome: Outcome): Handled => ({ outcome, log: item.log, processing: item.processing });

/** Parses and resolves one message inside the error boundary: nothing here throws. */
async function prepare(message: Message, context: HandleContext): Promise<Prepared> {
  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(JSON.parse(message.Body ?? ''));
  } catch (error) {
    const log = context.log.child({ messageId: message.MessageId });
    const processing = context.telemetry.received(message, undefined);
    return { message, log, processing, outcome: { kind: 'dead', reason: `unreadable message: ${reasonOf(error)}` } };
  }
  // One child logger per message: pino serialises its bindings when it is made.
  const log = context.log.child({
    messageId: message.MessageId,
    eventId: envelope.id,
    type: envelope.type,
    subject: envelope.subject,
    correlationid: envelope.correlationid,
  });
  const processing = context.telemetry.received(message, envelope);
  const handler = context.handlers[envelope.type] as AnyHandler | undefined;
  if (!handler) {
    return {
      message,
      log,
      processing,
      outcome: { kind: 'dead', reason: `${context.service} has no handler for ${envelope.type}` },
    };
  }
  try {
    const data = await processing.within(() => resolveData(envelope, context.claimCheck));
    return { message, log, processing, handler, event: parseEventData(data) };
  } catch (error) {
    return { message, log, processing, outcome: failureOutcome(error) };
  }
}

export type Ready = Extract<Prepared, { event: AnyEvent }>;
/** A message for a handler that runs inside the inbox transaction. */
type InTransaction = Ready & { handler: Handler<AnyEvent['type']> | BatchHandler<AnyEvent['type']> };
export type Effect = Ready & { handler: EffectHandler<AnyEvent['type']> };

const isEffect = (item: Ready): item is Effect => typeof item.handler === 'object' && 'work' in item.handler;

/**
 * Records each event in the inbox and runs its handler, all in one transaction, so the
 * events' side effects commit exactly once however often SQS delivers them. Returns, per
 * event, whether it was a duplicate (already in the inbox: the handler did not run). With
 * `latest` ordering a stale event counts as handled: recorded, acknowledged, not applied.
 */
async function runInTransaction(ready: readonly InTransaction[], context: HandleContext): Promise<boolean[]> {
  const duplicates = await context.db.transaction(async (tx) => {
    // One statement records the whole group; the ids it returns are the events seen for the first time.
    const inserted = await tx.query<{ event_id: string }>(
      `INSERT INTO inbox (consumer, event_id, event_type)
       SELECT $1, event_id, event_type FROM unnest($2::uuid[], $3::text[]) AS e(event_id, event_type)
       ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id::text`,
      [context.service, ready.map((item) => item.event.id), ready.map((item) => item.event.type)],
    );
    const firstTime = new Set(inserted.map((row) => row.event_id.toLowerCase()));
    const newEvents = ready.map((item) => item.event).filter((event) => firstTime.has(event.id.toLowerCase()));
    const fresh =
      context.ordering === 'latest' ? await freshEvents(tx, context.service, newEvents) : new Set(newEvents);
    const seenBefore: boolean[] = [];
    const batches = new Map<BatchHandler<AnyEvent['type']>, AnyEvent[]>();
    for (const { event, handler, log, message, processing } of ready) {
      // The same event twice in one group runs once: the first copy takes its id from the set.
      const isNew = firstTime.delete(event.id.toLowerCase());
      seenBefore.push(!isNew);
      if (!isNew) continue;
      if (!fresh.has(event)) {
        logStale(log, event.sequence);
        continue;
      }
      if (typeof handler === 'function')
        await processing.within(() => handler(event as never, { tx, log, receiveCount: receiveCountOf(message) }));
      else batches.set(handler, (batches.get(handler) ?? []).concat(event));
    }
    // Batch handlers run after the plain ones, each once with its events in received order.
    for (const [handler, events] of batches) await handler.batch(events as never, { tx, log: context.log });
    return seenBefore;
  });
  if (duplicates.includes(false)) context.onCommit?.();
  return duplicates;
}

async function runOne(item: InTransaction, context: HandleContext): Promise<Handled> {
  try {
    const [duplicate = false] = await runInTransaction([item], context);
    return handled(item, acknowledged(item.log, duplicate));
  } catch (error) {
    return handled(item, failureOutcome(error));
  }
}

/**
 * Handles a group of messages in one transaction: one commit instead of one per message,
 * which is most of a consumer's cost on PGlite. When any handler fails, the group's
 * transaction rolls back and each message runs alone, so only the failing one is retried.
 * Messages for effect handlers run beside the group: claimed together, worked at once,
 * recorded together where there is nothing else to write (effect.ts). Nothing here throws.
 */
export async function handleMessages(messages: readonly Message[], context: HandleContext): Promise<Handled[]> {
  const prepared = await Promise.all(messages.map((message) => prepare(message, context)));
  const results = new Map<Message, Handled>();
  for (const item of prepared) if ('outcome' in item) results.set(item.message, item);
  const effects = prepared.filter((item): item is Effect => 'event' in item && isEffect(item));
  const ready = prepared.filter((item): item is InTransaction => 'event' in item && !isEffect(item));
  // Effect handlers never share a transaction with plain ones: their group is claimed, worked and recorded beside it.
  const effectsDone =
    effects.length > 0
      ? runEffects(effects, context).then((outcomes) => {
          for (const [index, item] of effects.entries())
            results.set(item.message, handled(item, outcomes[index] as Outcome));
        })
      : undefined;

  let grouped: boolean[] | undefined;
  if (ready.length > 1) grouped = await runInTransaction(ready, context).catch(() => undefined);
  for (const [index, item] of ready.entries()) {
    const duplicate = grouped?.[index];
    results.set(
      item.message,
      duplicate === undefined ? await runOne(item, context) : handled(item, acknowledged(item.log, duplicate)),
    );
  }
  await effectsDone;
  return messages.map((message) => results.get(message) as Handled);
}
