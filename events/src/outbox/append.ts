import type { Queryable } from '@taskoverflow/platform';
import { catalog, type EventData, type EventType, isEventType } from '../catalog/index.ts';
import { InvalidEventError, isTraceparent } from '../envelope.ts';
import { traceparentForNewEvent } from '../telemetry/create.ts';

/** What caused an event: the request or the event it descends from. */
export interface EventCause {
  correlationId?: string | undefined;
  /** Id of the event being handled when this one is written. */
  causationId?: string | undefined;
  /** W3C trace context; a malformed one (a client header) is dropped and the trace restarts, as W3C asks. */
  traceparent?: string | undefined;
}

export interface OutboxEntry<T extends EventType> extends EventCause {
  type: T;
  subject: string;
  data: EventData<T>;
  sequence?: number;
}

const COLUMNS = 'type, subject, data, sequence, correlation_id, causation_id, traceparent';

/**
 * The cause columns (correlation_id, causation_id, traceparent), cleaned, for `outboxInsertSql`'s
 * parameters. The traceparent is the new event's own creation context when tracing is on.
 */
export function causeValues(
  cause: EventCause,
  type: EventType | 'event' = 'event',
): [string | null, string | null, string | null] {
  const traceparent = traceparentForNewEvent(type, isTraceparent(cause.traceparent) ? cause.traceparent : undefined);
  return [cause.correlationId || null, cause.causationId || null, traceparent ?? null];
}

/**
 * Records an event to publish, inside the caller's transaction: it is published by the
 * relay if and only if that transaction commits. The event is checked against the catalog
 * here, so a bad event fails the caller, never the relay.
 */
export async function appendToOutbox<T extends EventType>(tx: Queryable, entry: OutboxEntry<T>): Promise<void> {
  if (!isEventType(entry.type)) throw new InvalidEventError(`unknown event type ${String(entry.type)}`);
  if (!entry.subject) throw new InvalidEventError(`${entry.type} without a subject`);
  if (entry.sequence !== undefined && !(Number.isInteger(entry.sequence) && entry.sequence >= 0)) {
    throw new InvalidEventError(`${entry.type} sequence must be a whole number, got ${entry.sequence}`);
  }
  const data = catalog[entry.type].schema.safeParse(entry.data);
  if (!data.success) throw new InvalidEventError(`invalid ${entry.type} data: ${data.error.message}`);
  await tx.query(`INSERT INTO outbox (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    entry.type,
    entry.subject,
    JSON.stringify(data.data),
    entry.sequence ?? null,
    ...causeValues(entry, entry.type),
  ]);
}

export interface OutboxSelect {
  /** SQL expressions over `from`, each evaluated per row. */
  subject: string;
  data: string;
  sequence?: string;
  /** e.g. `FROM t`, a CTE of the same statement. */
  from: string;
}

/**
 * The outbox insert for producers that write a change and its event in one statement (one
 * round trip), as todo does. `$<causeParam>`, `+1`, `+2` must carry `causeValues(cause)`.
 * Data built in SQL cannot be checked here: each producer's contract test runs its
 * statements and checks the rows against the catalog (`expectOutboxMatchesCatalog`).
 */
export function outboxInsertSql(type: EventType, select: OutboxSelect, causeParam: number): string {
  if (!isEventType(type)) throw new InvalidEventError(`unknown event type ${String(type)}`);
  const cause = [0, 1, 2].map((offset) => `$${causeParam + offset}`).join(', ');
  return `INSERT INTO outbox (${COLUMNS})
    SELECT '${type}', ${select.subject}, ${select.data}, ${select.sequence ?? 'NULL'}, ${cause} ${select.from}`;
}
