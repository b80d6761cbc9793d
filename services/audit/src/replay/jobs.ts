import type { BackfillTargets, EventType } from '@taskoverflow/events';
import type { Queryable } from '@taskoverflow/platform';

/** What to replay into which service's queue. */
export interface ReplayRequest {
  service: string;
  types: readonly EventType[];
  subject?: string | undefined;
  since?: string | null | undefined;
  until?: string | undefined;
}

export interface ReplayJob {
  id: string;
  service: string;
  types: EventType[];
  subject: string | null;
  since: string | null;
  until: string | null;
  requested_by: 'manifest' | 'api';
  status: 'pending' | 'running' | 'done' | 'failed';
  /** The last audit log position sent; the job resumes after it. */
  cursor: string;
  sent: number;
  total: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const COLUMNS = `id, service, types, subject, utc_iso(since) AS since, utc_iso(until) AS until, requested_by, status,
  cursor::text AS cursor, sent::int AS sent, total::int AS total, error, utc_iso(created_at) AS created_at,
  utc_iso(updated_at) AS updated_at, utc_iso(finished_at) AS finished_at`;

export async function createReplayJob(db: Queryable, request: ReplayRequest): Promise<ReplayJob> {
  const [job] = await db.query<ReplayJob & Record<string, unknown>>(
    `INSERT INTO replay_job (id, service, types, subject, since, until, requested_by)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'api') RETURNING ${COLUMNS}`,
    [request.service, request.types, request.subject ?? null, request.since ?? null, request.until ?? null],
  );
  return job as ReplayJob;
}

/**
 * The backfill each target's manifest asks for, requested once: the partial unique index on
 * (service) for manifest jobs makes every later start — of any replica — a no-op.
 */
export async function requestManifestBackfills(db: Queryable, targets: BackfillTargets): Promise<string[]> {
  const created: string[] = [];
  for (const [service, target] of Object.entries(targets)) {
    const rows = await db.query(
      `INSERT INTO replay_job (id, service, types, since, requested_by)
       VALUES (gen_random_uuid(), $1, $2, $3, 'manifest')
       ON CONFLICT (service) WHERE requested_by = 'manifest' DO NOTHING RETURNING id`,
      [service, target.types, target.since],
    );
    if (rows.length > 0) created.push(service);
  }
  return created;
}

export async function readReplayJob(db: Queryable, id: string): Promise<ReplayJob | undefined> {
  const [job] = await db.query<ReplayJob & Record<string, unknown>>(`SELECT ${COLUMNS} FROM replay_job WHERE id = $1`, [
    id,
  ]);
  return job;
}

export const listReplayJobs = (db: Queryable, limit = 50) =>
  db.query<ReplayJob & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM replay_job ORDER BY created_at DESC, id LIMIT $1`,
    [limit],
  );

/** A job as its worker holds it: with the log position it stops at. */
export interface ClaimedReplayJob extends ReplayJob {
  end_position: string;
}

/**
 * Takes the oldest open job nobody holds (or whose holder's lease ran out: it crashed) and
 * holds it for `leaseMs`; each page renews the lease. The first take fixes where the job
 * stops: the end of the log at that moment (later events reach the target through the topic).
 */
export async function claimReplayJob(db: Queryable, leaseMs: number): Promise<ClaimedReplayJob | undefined> {
  const [job] = await db.query<ClaimedReplayJob & Record<string, unknown>>(
    `UPDATE replay_job SET status = 'running', locked_until = now() + $1 * interval '1 millisecond', updated_at = now(),
       end_position = coalesce(end_position, (SELECT coalesce(max(position), 0) FROM audit_log))
     WHERE id = (
       SELECT id FROM replay_job
       WHERE status IN ('pending', 'running') AND (locked_until IS NULL OR locked_until < now())
       ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}, end_position::text AS end_position`,
    [leaseMs],
  );
  return job;
}

export async function setReplayTotal(db: Queryable, id: string, total: number): Promise<void> {
  await db.query('UPDATE replay_job SET total = $2 WHERE id = $1', [id, total]);
}

/** Records a sent page: the cursor moves past it and the lease is renewed. */
export async function advanceReplayJob(
  db: Queryable,
  id: string,
  page: { cursor: string; sent: number },
  leaseMs: number,
): Promise<void> {
  await db.query(
    `UPDATE replay_job SET cursor = $2, sent = sent + $3, error = NULL, updated_at = now(),
       locked_until = now() + $4 * interval '1 millisecond'
     WHERE id = $1`,
    [id, page.cursor, page.sent, leaseMs],
  );
}

export async function finishReplayJob(db: Queryable, id: string, error?: string): Promise<void> {
  await db.query(
    `UPDATE replay_job SET status = $2, error = $3, locked_until = NULL, updated_at = now(), finished_at = now()
     WHERE id = $1`,
    [id, error === undefined ? 'done' : 'failed', error ?? null],
  );
}

/** Lets go of a job on shutdown so the next start resumes it at once instead of after the lease. */
export async function releaseReplayJob(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE replay_job SET locked_until = NULL, updated_at = now() WHERE id = $1', [id]);
}

/** A page failed: the job stays open with the reason shown and is tried again after `retryMs`. */
export async function noteReplayError(db: Queryable, id: string, error: string, retryMs: number): Promise<void> {
  await db.query(
    `UPDATE replay_job SET error = $2, updated_at = now(), locked_until = now() + $3 * interval '1 millisecond'
     WHERE id = $1`,
    [id, error, retryMs],
  );
}
