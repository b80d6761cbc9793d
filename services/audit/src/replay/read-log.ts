import type { Outgoing } from '@taskoverflow/events';
import { claimCheckKey, claimCheckThresholdBytes, envelopeJson } from '@taskoverflow/events';
import type { Queryable } from '@taskoverflow/platform';
import type { ReplayJob } from './jobs.ts';

interface LogRow {
  position: string;
  event_id: string;
  type: string;
  subject: string;
  source: string;
  time: string;
  correlation_id: string | null;
  causation_id: string | null;
  sequence: number | null;
  envelope: string | null;
  data: string;
  [key: string]: unknown;
}

const MATCHING = `position > $1 AND type = ANY($2::text[]) AND ($3::text IS NULL OR subject = $3)
  AND ($4::timestamptz IS NULL OR time >= $4) AND ($5::timestamptz IS NULL OR time < $5)`;
const filters = (job: ReplayJob, after: string) => [after, job.types, job.subject, job.since, job.until];

/** How many events the job still has to send, for progress. */
export async function countMatching(db: Queryable, job: ReplayJob): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM audit_log WHERE ${MATCHING}`,
    filters(job, job.cursor),
  );
  return row?.count ?? 0;
}

/**
 * The next page of the job's events after `after`, by log position (the order audit
 * received them, so an event recorded late is still ahead of the cursor), then sorted by
 * event time within the page.
 */
export async function readReplayPage(db: Queryable, job: ReplayJob, after: string, limit: number) {
  const rows = await db.query<LogRow>(
    `SELECT position::text AS position, event_id::text AS event_id, type, subject, source, utc_iso(time) AS time,
       correlation_id, causation_id, sequence, envelope::text AS envelope, data::text AS data
     FROM audit_log WHERE ${MATCHING} ORDER BY audit_log.position LIMIT $6 -- the column, not the text alias`,
    [...filters(job, after), limit],
  );
  const last = rows.at(-1)?.position;
  const inTimeOrder = rows
    .map((row) => ({ row, at: Date.parse(row.time) }))
    .sort((a, b) => a.at - b.at || Number(a.row.position) - Number(b.row.position));
  return { messages: inTimeOrder.map(({ row }) => row), last };
}

/** The envelope as received; rows recorded before envelopes were kept get theirs rebuilt from the columns. */
function envelopeOf(row: LogRow): Record<string, unknown> {
  if (row.envelope) return JSON.parse(row.envelope) as Record<string, unknown>;
  const extensions = { correlationid: row.correlation_id, causationid: row.causation_id, sequence: row.sequence };
  return {
    specversion: '1.0',
    id: row.event_id,
    source: row.source,
    type: row.type,
    subject: row.subject,
    time: row.time,
    datacontenttype: 'application/json',
    ...Object.fromEntries(Object.entries(extensions).filter(([, value]) => value !== null)),
  };
}

/**
 * The message a consumer would have received from the topic (raw delivery: the body is the
 * CloudEvent, attributes `type` and `subject`). Data above the claim-check threshold travels
 * as it did the first time: `data: null` and a `dataref` to its claim-check object.
 */
export function replayMessage(row: LogRow, bucket: string | undefined): Outgoing {
  const envelope = envelopeOf(row);
  let body = envelopeJson(envelope, row.data);
  if (bucket && Buffer.byteLength(body) > claimCheckThresholdBytes) {
    const dataref = `s3://${bucket}/${claimCheckKey({ type: row.type as never, id: row.event_id })}`;
    body = JSON.stringify({ ...envelope, data: null, dataref });
  }
  return { key: row.position, body, type: row.type, subject: row.subject, eventId: row.event_id };
}
