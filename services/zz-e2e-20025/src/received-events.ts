import type { CloudEvent } from '@taskoverflow/events/envelope';
import type { Queryable } from '@taskoverflow/platform';

export type ReceivedEvent = { event_id: string; type: string; subject: string };

/** The example side effect of every handler; write through the handler's `tx` so it commits with the inbox. */
export async function recordEvent(tx: Queryable, event: CloudEvent): Promise<void> {
  await tx.query(
    'INSERT INTO received_events (event_id, type, subject) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
    [event.id, event.type, event.subject],
  );
}

export const receivedEvents = (db: Queryable) =>
  db.query<ReceivedEvent>('SELECT event_id::text, type, subject FROM received_events ORDER BY received_at, event_id');
