import type { Queryable } from '@taskoverflow/platform';
import type { EventData, EventType } from '../catalog/index.ts';

export interface OutboxEntry<T extends EventType> {
  type: T;
  subject: string;
  data: EventData<T>;
  sequence?: number;
  correlationId?: string;
  /** Id of the event being handled when this one is published. */
  causationId?: string;
  traceparent?: string;
}

/**
 * Records an event to publish, inside the caller's transaction: it is published by the
 * relay if and only if that transaction commits.
 */
export async function appendToOutbox<T extends EventType>(tx: Queryable, entry: OutboxEntry<T>): Promise<void> {
  await tx.query(
    `INSERT INTO outbox (type, subject, data, sequence, correlation_id, causation_id, traceparent)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.type,
      entry.subject,
      JSON.stringify(entry.data),
      entry.sequence ?? null,
      entry.correlationId ?? null,
      entry.causationId ?? null,
      entry.traceparent ?? null,
    ],
  );
}
