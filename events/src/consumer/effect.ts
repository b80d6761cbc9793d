import type { Queryable } from '@taskoverflow/platform';
import type { AnyEvent } from '../envelope.ts';
import type { Effect, HandleContext } from './handle-message.ts';
import { acknowledged, failureOutcome, logStale, type Outcome, receiveCountOf } from './outcome.ts';
import { freshEvents } from './staleness.ts';
import { RetryLaterError, type WorkResult } from './types.ts';

// Claims the group's events: the ids it returns first were claimed by this statement; the
// others were in the inbox before it, done or not. An id in neither was claimed by a
// concurrent delivery not visible yet: not done.
const CLAIM = `
  WITH claimed AS (
    INSERT INTO inbox (consumer, event_id, event_type, processed_at)
    SELECT $1, event_id, event_type, NULL FROM unnest($2::uuid[], $3::text[]) AS e(event_id, event_type)
    ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id
  )
  SELECT event_id::text, true AS first, false AS done FROM claimed
  UNION ALL
  SELECT event_id::text, false, processed_at IS NOT NULL FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`;

// Locks the claimed rows and marks those whose work finished done. An id not returned:
// another delivery of the event recorded first, and this outcome is not recorded again.
const COMPLETE = `
  UPDATE inbox i SET processed_at = CASE WHEN e.finished THEN now() END
  FROM unnest($2::uuid[], $3::boolean[]) AS e(event_id, finished)
  WHERE i.consumer = $1 AND i.event_id = e.event_id AND i.processed_at IS NULL RETURNING i.event_id::text`;

type Claim = 'claimed' | 'claimed again' | 'duplicate' | 'stale';

const idOf = (event: AnyEvent) => event.id.toLowerCase();

/** One transaction claims every event of the group; stale ones are completed in it. */
async function claimAll(items: readonly Effect[], context: HandleContext): Promise<Claim[]> {
  return context.db.transaction(async (tx) => {
    const rows = await tx.query<{ event_id: string; first: boolean; done: boolean }>(CLAIM, [
      context.service,
      items.map((item) => item.event.id),
      items.map((item) => item.event.type),
    ]);
    const firstTime = new Set(rows.filter((row) => row.first).map((row) => row.event_id));
    const done = new Set(rows.filter((row) => row.done).map((row) => row.event_id));
    // The same event twice in one group: the first copy claims it, the second works beside it.
    const firstCopies = items.filter((item) => firstTime.delete(idOf(item.event)));
    const events = firstCopies.map((item) => item.event);
    const fresh = context.ordering === 'latest' ? await freshEvents(tx, context.service, events) : new Set(events);
    const stale = events.filter((event) => !fresh.has(event));
    if (stale.length > 0)
      await complete(
        tx,
        context,
        stale.map((event) => [event, true]),
      );
    const claims: Claim[] = [];
    for (const item of items) {
      if (!firstCopies.includes(item)) claims.push(done.has(idOf(item.event)) ? 'duplicate' : 'claimed again');
      else if (!fresh.has(item.event)) claims.push('stale');
      else {
        await item.handler.claim?.(item.event, { tx, log: item.log });
        claims.push('claimed');
      }
    }
    return claims;
  });
}

/** Marks the events done (or leaves them claimed, `finished` false); the ids it returns were recorded. */
async function complete(
  db: Queryable,
  context: HandleContext,
  outcomes: readonly (readonly [AnyEvent, boolean])[],
): Promise<Set<string>> {
  const rows = await db.query<{ event_id: string }>(COMPLETE, [
    context.service,
    outcomes.map(([event]) => event.id),
    outcomes.map(([, finished]) => finished),
  ]);
  return new Set(rows.map((row) => row.event_id));
}

/**
 * Runs effect handlers' claim → work → record (see EffectHandler) for a group of messages.
 * Only the claim and the record hold a transaction; the work, which waits on the network,
 * holds nothing. The group is claimed in one transaction and, where the work has nothing to
 * record, completed in one statement; when the group's claim fails, each event is claimed
 * alone, so only the failing one is retried. Returns one outcome per item; nothing throws.
 */
export async function runEffects(items: readonly Effect[], context: HandleContext): Promise<Outcome[]> {
  const claimAlone = (item: Effect) => claimAll([item], context).then(([claim]) => claim as Claim, failureOutcome);
  const claims: (Claim | Outcome)[] = await claimAll(items, context).catch(() => Promise.all(items.map(claimAlone)));
  // What the claims wrote (CalendarStarted) leaves now, while the work runs.
  if (items.some((item, index) => claims[index] === 'claimed' && item.handler.claim)) context.onCommit?.();

  const results = await Promise.all(
    items.map(async (item, index): Promise<Outcome | WorkResult> => {
      const claim = claims[index] as Claim | Outcome;
      if (typeof claim === 'object') return claim;
      if (claim === 'duplicate') return acknowledged(item.log, true);
      if (claim === 'stale') {
        logStale(item.log, item.event.sequence);
        return acknowledged(item.log, false);
      }
      const work = () => item.handler.work(item.event, { log: item.log, receiveCount: receiveCountOf(item.message) });
      return item.processing.within(work).catch(failureOutcome);
    }),
  );
  const worked = (index: number) => {
    const result = results[index] as Outcome | WorkResult;
    return 'kind' in result ? undefined : result;
  };

  // Nothing to record: the whole group's inbox rows in one statement, no transaction.
  const plain = items.flatMap((item, index) => {
    const result = worked(index);
    return result && !result.record ? [[item.event, !result.retryLater] as const] : [];
  });
  const recordedPlain = plain.length > 0 ? complete(context.db, context, plain) : Promise.resolve(new Set<string>());
  return Promise.all(
    items.map(async (item, index) => {
      const result = worked(index);
      if (!result) return results[index] as Outcome;
      try {
        const { record } = result;
        const recorded = record
          ? await context.db.transaction(async (tx) => {
              if (!(await complete(tx, context, [[item.event, !result.retryLater]])).has(idOf(item.event)))
                return false;
              await record(tx);
              return true;
            })
          : (await recordedPlain).has(idOf(item.event));
        if (!recorded) {
          item.log.info('another delivery recorded this event first; this outcome is dropped');
          return { kind: 'ack', duplicate: true };
        }
        if (record) context.onCommit?.();
        if (!result.retryLater) return { kind: 'ack', duplicate: false };
        const { seconds, reason } = result.retryLater;
        return { kind: 'retry', error: new RetryLaterError(reason, seconds), delaySeconds: seconds };
      } catch (error) {
        return failureOutcome(error);
      }
    }),
  );
}
