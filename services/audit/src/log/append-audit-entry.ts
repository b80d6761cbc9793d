import type { BatchHandler, EventType } from '@taskoverflow/events';

/** Every envelope attribute as received except `data`: what a replay sends again. */
const envelopeOf = ({ data: _data, ...envelope }: { data: unknown }) => JSON.stringify(envelope);

/**
 * Records events once each, in the order given, with one statement for the whole batch;
 * the unique event id makes a replay a no-op.
 */
export const appendAuditEntries: BatchHandler<EventType> = {
  async batch(events, { tx }) {
    await tx.query(
      `INSERT INTO audit_log (event_id, type, subject, source, time, correlation_id, causation_id, sequence, data, envelope)
       SELECT event_id, type, subject, source, time, correlation_id, causation_id, sequence, data, envelope
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
         $7::text[], $8::integer[], $9::json[], $10::json[]) WITH ORDINALITY AS e(event_id, type, subject, source,
         time, correlation_id, causation_id, sequence, data, envelope, position)
       ORDER BY position -- positions follow the order received
       ON CONFLICT (event_id) DO NOTHING`,
      [
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => event.subject),
        events.map((event) => event.source),
        events.map((event) => event.time),
        events.map((event) => event.correlationid ?? null),
        events.map((event) => event.causationid ?? null),
        events.map((event) => event.sequence ?? null),
        events.map((event) => JSON.stringify(event.data)),
        events.map(envelopeOf),
      ],
    );
  },
};
