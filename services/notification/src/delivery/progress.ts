import type { Queryable } from '@taskoverflow/platform';

/** The state of one (event, webhook) delivery after an attempt. */
export interface DeliveryState {
  eventId: string;
  webhookId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponse: string | null;
  lastDurationMs: number;
  lastAttemptAt: Date;
  nextAttemptAt: Date | null;
}

// A final state is never overwritten: a duplicate receive racing this one cannot undo a
// success. The webhook may have been deleted meanwhile; its delivery is then dropped. A delivery
// is recorded after its first attempt, so it is created at that attempt's start, not at now().
const UPSERT = `
  INSERT INTO deliveries (event_id, webhook_id, event_type, status, attempts, last_status_code, last_error,
    last_response, last_duration_ms, last_attempt_at, next_attempt_at, completed_at, created_at)
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $4 = 'pending' THEN NULL ELSE $10::timestamptz END, $10
  WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $2)
  ON CONFLICT (event_id, webhook_id) DO UPDATE SET
    status = excluded.status, attempts = excluded.attempts, last_status_code = excluded.last_status_code,
    last_error = excluded.last_error, last_response = excluded.last_response,
    last_duration_ms = excluded.last_duration_ms, last_attempt_at = excluded.last_attempt_at,
    next_attempt_at = excluded.next_attempt_at, completed_at = excluded.completed_at
  WHERE deliveries.status = 'pending'`;

/** An endpoint whose attempts have all failed for this long is disabled (and shown as such). */
export const DISABLE_AFTER_DAYS = 5;

// Endpoint health from each outcome: a success clears the failure clock; a failure starts it,
// and disables the webhook once it has run DISABLE_AFTER_DAYS. Writes only when that changes.
const HEALTH = `
  UPDATE webhooks SET
    failing_since = CASE WHEN $2::text = 'succeeded' THEN NULL ELSE COALESCE(failing_since, $3) END,
    disabled_at = CASE WHEN $2::text <> 'succeeded' AND failing_since <= $3::timestamptz - make_interval(days => $4)
                       THEN $3 ELSE disabled_at END
  WHERE id = $1 AND disabled_at IS NULL AND CASE WHEN $2::text = 'succeeded' THEN failing_since IS NOT NULL
    ELSE failing_since IS NULL OR failing_since <= $3::timestamptz - make_interval(days => $4) END`;

/** Writes attempts' outcomes in the transaction that also records the event in the inbox. */
export async function saveDeliveries(target: Queryable, states: readonly DeliveryState[]): Promise<void> {
  for (const state of states) {
    await target.query(HEALTH, [state.webhookId, state.status, state.lastAttemptAt, DISABLE_AFTER_DAYS]);
    await target.query(UPSERT, [
      state.eventId,
      state.webhookId,
      state.eventType,
      state.status,
      state.attempts,
      state.lastStatusCode,
      state.lastError,
      state.lastResponse,
      state.lastDurationMs,
      state.lastAttemptAt,
      state.nextAttemptAt,
    ]);
  }
}
