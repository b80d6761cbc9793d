// The bench producer: events committed to its outbox (its database on the bench's
// PostgreSQL) at a given rate, published by the real outbox relay.

import { startOutboxRelay } from '@taskoverflow/events';
import { awsClients } from '@taskoverflow/events/aws';
import { outboxMigrations } from '@taskoverflow/events/migrations';
import { createLogger, openServiceDb } from '@taskoverflow/platform';

const log = createLogger('producer', 'warn');
const settings = { DATA_DIR: '', DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: 4 };
const db = await openServiceDb('producer', settings, [outboxMigrations], log);
const relay = await startOutboxRelay({
  db,
  sns: awsClients().sns,
  topicArn: process.env.EVENTS_TOPIC_ARN ?? '',
  source: 'todo',
  log,
});

let nextId = 1;
const TICK_MS = 10;

/** Commits `count` TodoCreated events in one transaction, as a burst of API writes would. */
async function commit(count: number): Promise<void> {
  const ids = Array.from({ length: count }, () => nextId++);
  await db.query(
    `INSERT INTO outbox (type, subject, data, sequence)
     SELECT 'TodoCreated', id::text, json_build_object('id', id, 'title', 'bench ' || id, 'description', null,
       'completed', false, 'deadline_at', null, 'created_at', '2026-01-01T00:00:00', 'updated_at', '2026-01-01T00:00:00'), 1
     FROM unnest($1::int[]) AS id`,
    [ids],
  );
  relay.wake(); // as the todo API does after each write
}

/**
 * `rate` events a second for `seconds`: every 10 ms tick commits the events due by then in
 * one transaction, as a busy API's concurrent writes land together.
 */
async function load(rate: number, seconds: number): Promise<number> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const elapsedMs = performance.now() - started;
    const due = Math.min(total, Math.ceil((elapsedMs / 1000) * rate));
    if (due > sent) {
      await commit(due - sent);
      sent = due;
    }
    // To the next tick boundary: a slow commit shortens the wait instead of shifting the schedule.
    const nextTick = (Math.floor((performance.now() - started) / TICK_MS) + 1) * TICK_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + nextTick - performance.now())));
  }
  return sent;
}

/** `count` events as fast as the database takes them, 500 per transaction. */
async function blast(count: number): Promise<number> {
  for (let sent = 0; sent < count; sent += 500) await commit(Math.min(500, count - sent));
  return count;
}

process.on('message', async (message: { cmd: string; rate?: number; seconds?: number; count?: number }) => {
  if (message.cmd === 'load') {
    process.send?.({ sent: await load(message.rate ?? 50, message.seconds ?? 10) });
  } else if (message.cmd === 'blast') {
    process.send?.({ sent: await blast(message.count ?? 10_000) });
  } else if (message.cmd === 'stop') {
    await relay.stop();
    await db.close();
    process.exit(0);
  }
});
process.send?.({ ready: true });
