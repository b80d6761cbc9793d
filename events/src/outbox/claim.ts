import type { Queryable } from '@taskoverflow/platform';

export interface OutboxRow {
  position: string;
  id: string;
  type: string;
  subject: string;
  /** The stored JSON text, never parsed here: the relay splices it into the envelope. */
  data: string;
  sequence: number | null;
  correlation_id: string | null;
  causation_id: string | null;
  traceparent: string | null;
  created_at: Date;
  attempts: number;
}

// Claiming sets a lease (next_attempt_at in the future) instead of holding row locks
// while SNS is called, so the API never waits on the relay and a crashed relay's rows
// are taken over once the lease ends. SKIP LOCKED lets replicas claim disjoint rows.
// Rows are taken in the order they became due (an index range scan that stops at the limit
// and never reads leased or parked rows). No per-subject order is kept here: standard
// SNS/SQS reorder anyway, and consumers drop stale events by `sequence` (ADR 0070).
export const CLAIM_SQL = `
  WITH claimable AS (
    SELECT o.position FROM outbox o
    WHERE o.next_attempt_at <= now()
    ORDER BY o.next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox SET attempts = outbox.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
  FROM claimable WHERE outbox.position = claimable.position
  RETURNING outbox.position::text AS position, outbox.id::text AS id, outbox.type, outbox.subject,
    outbox.data::text AS data, outbox.sequence, outbox.correlation_id, outbox.causation_id, outbox.traceparent,
    outbox.created_at, outbox.attempts`;

export async function claimBatch(db: Queryable, limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
  const rows = await db.query<OutboxRow & Record<string, unknown>>(CLAIM_SQL, [limit, leaseSeconds]);
  return rows.sort((a, b) => Number(a.position) - Number(b.position));
}

/** A row SNS accepted is done: deleted, so every row left is one still to publish (ADR 0083). */
export async function deletePublished(db: Queryable, positions: readonly string[]): Promise<void> {
  if (positions.length === 0) return;
  await db.query('DELETE FROM outbox WHERE position = ANY($1::bigint[])', [positions]);
}

/** Schedules another attempt after `delayMs`; `Infinity` parks the row for an operator. */
export async function markFailed(
  db: Queryable,
  positions: readonly string[],
  error: string,
  delayMs: number,
): Promise<void> {
  if (positions.length === 0) return;
  const retryAt = Number.isFinite(delayMs)
    ? `now() + make_interval(secs => $3::double precision / 1000)`
    : `'infinity'`;
  await db.query(
    `UPDATE outbox SET last_error = $2, next_attempt_at = ${retryAt} WHERE position = ANY($1::bigint[])`,
    Number.isFinite(delayMs) ? [positions, error, delayMs] : [positions, error],
  );
}
