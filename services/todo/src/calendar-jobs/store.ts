import { causeValues, type EventCause, outboxInsertSql } from '@taskoverflow/events';
import type { Queryable } from '@taskoverflow/platform';

export const jobStatuses = ['PENDING', 'STARTED', 'SUCCESS', 'FAILURE'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export interface CalendarJob {
  id: string;
  status: JobStatus;
  object_key: string | null;
  /** Why the calendar service gave up; set with FAILURE. */
  reason: string | null;
}

// One statement: the job row and its CalendarRequested outbox row commit together, and the
// snapshot is built by PostgreSQL (todo_json, as every todo event is) and never crosses
// into Node — at 10k todos that is megabytes not parsed and re-serialised per request.
const REQUEST = `
  WITH job AS (INSERT INTO calendar_jobs (id) VALUES ($1) RETURNING id)
  ${outboxInsertSql(
    'CalendarRequested',
    {
      subject: 'job.id::text',
      data: `json_build_object(
        'jobId', job.id,
        'todos', coalesce((SELECT json_agg(todo_json(t) ORDER BY t.id) FROM todos t), '[]'::json))`,
      from: 'FROM job',
    },
    2,
  )}`;

const GET = 'SELECT id::text, status, object_key, reason FROM calendar_jobs WHERE id = $1';

// Transitions only ever move forward, so a late or redelivered event is a no-op.
const START = `UPDATE calendar_jobs SET status = 'STARTED', updated_at = now() WHERE id = $1 AND status = 'PENDING'`;
const SUCCEED = `
  UPDATE calendar_jobs SET status = 'SUCCESS', object_key = $2, bytes = $3, events = $4, updated_at = now()
  WHERE id = $1 AND status IN ('PENDING', 'STARTED')`;
const FAIL = `
  UPDATE calendar_jobs SET status = 'FAILURE', reason = $2, updated_at = now()
  WHERE id = $1 AND status IN ('PENDING', 'STARTED')`;

/** Requests run in the caller's transaction (Idempotency-Key), which wakes the relay after commit. */
export function calendarJobStore(db: Queryable) {
  return {
    async request(id: string, by: EventCause): Promise<void> {
      await db.query(REQUEST, [id, ...causeValues(by, 'CalendarRequested')]);
    },
    async get(id: string): Promise<CalendarJob | undefined> {
      return (
        await db.query<{ id: string; status: JobStatus; object_key: string | null; reason: string | null }>(GET, [id])
      )[0];
    },
  };
}

/** Job transitions, run in the consumer's transaction; each says whether it changed anything. */
export const jobTransitions = {
  async started(tx: Queryable, id: string): Promise<boolean> {
    return (await tx.query(`${START} RETURNING 1`, [id])).length > 0;
  },
  async succeeded(tx: Queryable, id: string, result: { objectKey: string; bytes: number; events: number }) {
    return (await tx.query(`${SUCCEED} RETURNING 1`, [id, result.objectKey, result.bytes, result.events])).length > 0;
  },
  async failed(tx: Queryable, id: string, reason: string): Promise<boolean> {
    return (await tx.query(`${FAIL} RETURNING 1`, [id, reason])).length > 0;
  },
};

export type CalendarJobStore = ReturnType<typeof calendarJobStore>;
