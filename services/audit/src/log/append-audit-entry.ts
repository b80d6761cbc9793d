import type { AnyEvent, HandlerContext } from '@taskoverflow/events';

/** Records any event once; the unique event id makes a replay a no-op. */
export async function appendAuditEntry(event: AnyEvent, { tx }: HandlerContext): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (event_id, type, subject, source, time, correlation_id, causation_id, sequence, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      event.id,
      event.type,
      event.subject,
      event.source,
      event.time,
      event.correlationid ?? null,
      event.causationid ?? null,
      event.sequence ?? null,
      JSON.stringify(event.data),
    ],
  );
}
