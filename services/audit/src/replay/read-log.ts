import type { Outgoing } from '@taskoverflow/events';
import { claimCheckKey, claimCheckThresholdBytes, envelopeJson } from '@taskoverflow/events';
import type { Queryable } from '@taskoverflow/platform';
import type { ClaimedReplayJob } from './jobs.ts';

interface LogRow {
  position: string;
  event_id: string;
  type: string;
  subject: string;
  /** The CloudEvent as first received; null for rows recorded before envelopes were kept. */
  body: string | null;
  /** Only for those older rows: what their envelope is rebuilt from. */
  legacy: {
    source: string;
    time: string;
    correlation_id: string | null;
    causation_id: string | null;
    sequence: number | null;
    data: string;
  } | null;
  [key: string]: unknown;
}

const MATCHING = `position > $1 AND position <= $2 AND type = ANY($3::text[]) AND ($4::text IS NULL OR subject = $4)
  AND ($5::timestamptz IS NULL OR time >= $5) AND ($6::timestamptz IS NULL OR time < $6)`;
const filters = (job: ClaimedReplayJob, after: string) => [
  after,
  job.end_position,
  job.types,
  job.subject,
  job.since,
  job.until,
];

/** How many events the job still has to send, for progress. */
export async function countMatching(db: Queryable, job: ClaimedReplayJob): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM audit_log WHERE ${MATCHING}`,
    filters(job, job.cursor),
  );
  return row?.count ?? 0;
}

/**
 * The next page of the job's events after `after`, by log position (the order audit
 * received them, so an event recorded late is still ahead of the cursor), then sorted by
 * event time within the page. Each body is the stored envelope text with the stored data
 * text spliced in by the database: nothing is parsed or serialised again on the way out.
 */
export async function readReplayPage(db: Queryable, job: ClaimedReplayJob, after: string, limit: number) {
  const rows = await db.query<LogRow>(
    `SELECT position::text AS position, event_id::text AS event_id, type, subject,
       left(envelope::text, -1) || ',"data":' || data::text || '}' AS body,
       CASE WHEN envelope IS NULL THEN json_build_object('source', source, 'time', utc_iso(time),
         'correlation_id', correlation_id, 'causation_id', causation_id, 'sequence', sequence, 'data', data::text)
       END AS legacy
     FROM (SELECT * FROM audit_log WHERE ${MATCHING} ORDER BY position LIMIT $7) AS page
     ORDER BY time, page.position`,
    [...filters(job, after), limit],
  );
  let last: string | undefined;
  for (const row of rows) if (last === undefined || BigInt(row.position) > BigInt(last)) last = row.position;
  return { messages: rows, last };
}

/** The body of a row recorded before envelopes were kept: its envelope rebuilt from the columns. */
function legacyBody(row: LogRow, legacy: NonNullable<LogRow['legacy']>): string {
  const extensions = {
    correlationid: legacy.correlation_id,
    causationid: legacy.causation_id,
    sequence: legacy.sequence,
  };
  const envelope = {
    specversion: '1.0',
    id: row.event_id,
    source: legacy.source,
    type: row.type,
    subject: row.subject,
    time: legacy.time,
    datacontenttype: 'application/json',
    ...Object.fromEntries(Object.entries(extensions).filter(([, value]) => value !== null)),
  };
  return envelopeJson(envelope, legacy.data);
}

/**
 * The message a consumer would have received from the topic (raw delivery: the body is the
 * CloudEvent, attributes `type` and `subject`). Data above the claim-check threshold travels
 * as it did the first time: `data: null` and a `dataref` to its claim-check object.
 */
export function replayMessage(row: LogRow, bucket: string | undefined): Outgoing {
  let body = row.body ?? legacyBody(row, row.legacy as NonNullable<LogRow['legacy']>);
  if (bucket && Buffer.byteLength(body) > claimCheckThresholdBytes) {
    const dataref = `s3://${bucket}/${claimCheckKey({ type: row.type as never, id: row.event_id })}`;
    body = JSON.stringify({ ...(JSON.parse(body) as object), data: null, dataref });
  }
  return { key: row.position, body, type: row.type, subject: row.subject, eventId: row.event_id };
}
