import type { Queryable } from '@taskoverflow/platform';
import type { Effect, HandleContext } from './handle-message.ts';
import { acknowledged, failureOutcome, logStale, type Outcome, receiveCountOf } from './outcome.ts';
import { freshEvents } from './staleness.ts';
import { RetryLaterError } from './types.ts';

// Claims the event: `first` when this delivery wrote the inbox row, else `done` says whether
// an earlier one completed it (NULL when a concurrent claim is not visible yet: not done).
const CLAIM = `
  WITH claimed AS (
    INSERT INTO inbox (consumer, event_id, event_type, processed_at) VALUES ($1, $2, $3, NULL)
    ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM claimed) AS first,
    (SELECT processed_at IS NOT NULL FROM inbox WHERE consumer = $1 AND event_id = $2) AS done`;

// Locks the claimed row and, when the work is finished, marks it done. No row: another
// delivery of the event recorded first, and this outcome is not recorded again.
const COMPLETE = `
  UPDATE inbox SET processed_at = CASE WHEN $3::boolean THEN now() END
  WHERE consumer = $1 AND event_id = $2 AND processed_at IS NULL RETURNING 1`;

/**
 * Runs an effect handler's claim → work → record (see EffectHandler). Only the claim and
 * the record hold a transaction; the work, which waits on the network, holds nothing.
 */
export async function runEffect(item: Effect, context: HandleContext): Promise<Outcome> {
  const { event, handler, log, message } = item;
  const key = [context.service, event.id];
  try {
    const claim = await context.db.transaction(async (tx) => {
      const [row] = await tx.query<{ first: boolean; done: boolean | null }>(CLAIM, [...key, event.type]);
      if (!row?.first) return row?.done ? 'duplicate' : 'claimed again';
      if (context.ordering === 'latest' && !(await freshEvents(tx, context.service, [event])).has(event)) {
        await tx.query(COMPLETE, [...key, true]);
        return 'stale';
      }
      await handler.claim?.(event, { tx, log });
      return 'claimed';
    });
    if (claim === 'duplicate') return acknowledged(log, true);
    if (claim === 'stale') {
      logStale(log, event.sequence);
      return acknowledged(log, false);
    }
    // What the claim wrote (CalendarStarted) leaves now, while the work runs.
    if (claim === 'claimed' && handler.claim) context.onCommit?.();

    const result = await handler.work(event, { log, receiveCount: receiveCountOf(message) });
    const finished = !result.retryLater;
    const complete = async (tx: Queryable) => {
      if ((await tx.query(COMPLETE, [...key, finished])).length === 0) return false;
      await result.record?.(tx);
      return true;
    };
    // Nothing to record: one statement needs no transaction (on PGlite, BEGIN and COMMIT cost as much).
    const recorded = await (result.record ? context.db.transaction(complete) : complete(context.db));
    if (!recorded) {
      log.info('another delivery recorded this event first; this outcome is dropped');
      return { kind: 'ack', duplicate: true };
    }
    if (result.record) context.onCommit?.();
    if (!result.retryLater) return { kind: 'ack', duplicate: false };
    const { seconds, reason } = result.retryLater;
    return { kind: 'retry', error: new RetryLaterError(reason, seconds), delaySeconds: seconds };
  } catch (error) {
    return failureOutcome(error);
  }
}
