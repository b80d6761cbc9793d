import type { Queryable } from '@taskoverflow/platform';
import { type AnyEvent, envelopeJson, parseEvent } from '../envelope.ts';
import type { OutboxRow } from '../outbox/claim.ts';
import { envelopeOf } from '../outbox/relay.ts';

/**
 * A producer's outbox as consumers would receive it: each row made into the body the relay
 * publishes, then parsed against the catalog. Throws InvalidEventError for a row the catalog
 * rejects — the producer contract check for statements that build event data in SQL.
 */
export async function readOutboxEvents(db: Queryable, source: string): Promise<AnyEvent[]> {
  const rows = await db.query<OutboxRow & Record<string, unknown>>(
    `SELECT position::text, id::text, type, subject, data::text AS data, sequence, correlation_id, causation_id,
       traceparent, created_at, attempts FROM outbox ORDER BY position`,
  );
  return rows.map((row) => parseEvent(JSON.parse(envelopeJson(envelopeOf(row, source), row.data))));
}
