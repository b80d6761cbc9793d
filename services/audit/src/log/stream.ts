import { badRequest, type Logger, type Queryable } from '@taskoverflow/platform';
import { ENTRY_JSON } from './query.ts';

/**
 * The audit log as server-sent events: each entry once, in position order, with its position
 * as the event id so a client resumes with `Last-Event-ID`. Each open stream polls the log by
 * primary key (one indexed range query per interval, nothing when nothing is new), which works
 * the same with any number of audit replicas writing.
 *
 * Identity values become visible out of order (a transaction that took position 7 may commit
 * after the one that took 8) and some are never used (rolled back, duplicate skipped). So the
 * stream keeps a floor below which everything is settled, sends what it sees above it once, and
 * waits up to `holeGraceMs` for a missing position before moving the floor past it.
 */
export interface StreamStart {
  /** Entries after this position; undefined starts with the latest `backlog` entries. */
  after?: number;
  backlog: number;
}

export interface FollowOptions {
  db: Queryable;
  log: Logger;
  start: StreamStart;
  write: (chunk: string) => void;
  pollMs?: number;
  holeGraceMs?: number;
  heartbeatMs?: number;
}

const MAX_BACKLOG = 100;
const BATCH = 200;

/** Reads where a stream starts from the request: `Last-Event-ID` wins over `?backlog=`. */
export function parseStreamStart(lastEventId: string, backlog: string | string[] | undefined): StreamStart {
  if (Array.isArray(backlog)) throw badRequest('backlog may be given once');
  if (backlog !== undefined && !/^\d{1,3}$/.test(backlog)) {
    throw badRequest(`backlog must be a whole number from 0 to ${MAX_BACKLOG}`);
  }
  const size = backlog === undefined ? 20 : Number(backlog);
  if (size > MAX_BACKLOG) throw badRequest(`backlog must be a whole number from 0 to ${MAX_BACKLOG}`);
  if (lastEventId === '') return { backlog: size };
  if (!/^\d{1,15}$/.test(lastEventId)) throw badRequest('Last-Event-ID must be an event id sent by this stream');
  return { after: Number(lastEventId), backlog: size };
}

const NEWER = `
  SELECT position::text AS position, ${ENTRY_JSON} AS entry
  FROM audit_log WHERE position > $1 ORDER BY position LIMIT ${BATCH}`;
const BEFORE_LATEST = `
  SELECT coalesce(min(position) - 1, (SELECT max(position) FROM audit_log), 0)::text AS floor
  FROM (SELECT position FROM audit_log ORDER BY position DESC LIMIT $1) AS latest`;

/** Starts following; `stop` ends it (call it when the client goes away). */
export function followAuditLog({
  db,
  log,
  start,
  write,
  pollMs = 500,
  holeGraceMs = 5_000,
  heartbeatMs = 15_000,
}: FollowOptions): { stop(): void } {
  let floor = start.after;
  const sent = new Set<number>();
  const holes = new Map<number, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const settle = (now: number) => {
    if (floor === undefined) return;
    const top = Math.max(floor, ...sent);
    for (let position = floor + 1; position <= top; position++) {
      if (sent.delete(position)) {
        floor = position;
        continue;
      }
      const since = holes.get(position) ?? now;
      holes.set(position, since);
      if (now - since < holeGraceMs) break;
      holes.delete(position);
      floor = position;
    }
    for (let position = floor + 1; position <= top; position++) {
      if (!sent.has(position) && !holes.has(position)) holes.set(position, now);
    }
  };

  const poll = async () => {
    if (floor === undefined) {
      const [row] = await db.query<{ floor: string }>(BEFORE_LATEST, [start.backlog]);
      floor = Number(row?.floor ?? 0);
    }
    const rows = await db.query<{ position: string; entry: unknown }>(NEWER, [floor]);
    for (const row of rows) {
      const position = Number(row.position);
      if (stopped || sent.has(position)) continue;
      sent.add(position);
      write(`id: ${position}\nevent: audit\ndata: ${JSON.stringify(row.entry)}\n\n`);
    }
    settle(Date.now());
  };

  const loop = async () => {
    await poll().catch((error: unknown) => log.warn({ err: error }, 'audit stream poll failed; retrying'));
    if (!stopped) timer = setTimeout(() => void loop(), pollMs);
  };
  // Comments keep proxies (the gateway, the ALB's 60 s idle timeout) from closing a quiet stream.
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), heartbeatMs);
  write('retry: 2000\n\n');
  void loop();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
    },
  };
}
