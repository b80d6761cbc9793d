import { isEventType } from '@taskoverflow/events';
import { badRequest, isStorableText, type Queryable, storableTextMessage } from '@taskoverflow/platform';

export interface AuditQuery {
  subject?: string;
  type?: string;
  limit: number;
  /** Entries strictly older (lower position) than this one. */
  before?: string;
}

const MAX_LIMIT = 100;
const single = (value: string | string[] | undefined, name: string) => {
  if (Array.isArray(value)) throw badRequest(`${name} may be given once`);
  return value;
};

// The cursor is opaque to clients: the position of the last entry of the page, encoded.
export const encodeCursor = (position: string) => Buffer.from(`p:${position}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^p:(\d{1,18})$/.exec(text);
  if (!match?.[1]) throw badRequest('cursor is not valid; use next_cursor from a previous page');
  return match[1];
}

export function parseAuditQuery(query: Record<string, string | string[] | undefined>): AuditQuery {
  const subject = single(query.subject, 'subject');
  const type = single(query.type, 'type');
  const limit = single(query.limit, 'limit');
  const cursor = single(query.cursor, 'cursor');
  if (subject !== undefined && !isStorableText(subject)) throw badRequest(storableTextMessage('subject'));
  if (type !== undefined && !isEventType(type)) throw badRequest(`type must be a known event type, not "${type}"`);
  if (limit !== undefined && !/^\d{1,3}$/.test(limit))
    throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  const size = limit === undefined ? 20 : Number(limit);
  if (size < 1 || size > MAX_LIMIT) throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return {
    limit: size,
    ...(subject !== undefined ? { subject } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(cursor !== undefined ? { before: decodeCursor(cursor) } : {}),
  };
}

/** One log entry as the API shows it, wherever it is read (pages, the live stream). */
export const ENTRY_JSON = `json_build_object(
    'id', event_id, 'type', type, 'subject', subject, 'source', source,
    'time', utc_iso(time), 'correlationid', correlation_id, 'causationid', causation_id,
    'sequence', sequence, 'data', data, 'recorded_at', utc_iso(recorded_at)
  )`;

const PAGE = `
  SELECT position::text AS position, ${ENTRY_JSON} AS entry
  FROM audit_log
  WHERE ($1::text IS NULL OR subject = $1)
    AND ($2::text IS NULL OR type = $2)
    AND ($3::bigint IS NULL OR audit_log.position < $3)
  ORDER BY audit_log.position DESC -- the column, not the text alias above
  LIMIT $4`;

/** Newest first; `next_cursor` is null on the last page. */
export async function readAuditPage(db: Queryable, query: AuditQuery) {
  const rows = await db.query<{ position: string; entry: unknown }>(PAGE, [
    query.subject ?? null,
    query.type ?? null,
    query.before ?? null,
    query.limit + 1,
  ]);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => row.entry),
    next_cursor: rows.length > query.limit && last ? encodeCursor(last.position) : null,
  };
}
