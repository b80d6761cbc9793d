import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Db, Logger } from '@taskoverflow/platform';
import { isEventType } from '../catalog/index.ts';
import { offloadIfLarge } from '../claim-check.ts';
import { backoffDelay } from '../consumer/backoff.ts';
import { type CloudEvent, makeEnvelope } from '../envelope.ts';
import { relayTelemetry } from '../telemetry/relay.ts';
import { claimBatch, deletePublished, markFailed, type OutboxRow } from './claim.ts';
import { chunkForPublish, type Outgoing, publishChunk } from './publish-batch.ts';

export interface RelayOptions {
  db: Db;
  sns: SNSClient;
  topicArn: string;
  /** The publishing service; becomes the CloudEvent `source` `taskoverflow/<source>`. */
  source: string;
  log: Logger;
  claimCheck?: { s3: S3Client; bucket: string } | undefined;
  /** Rows claimed per round. */
  batchSize?: number;
  /** Fallback poll for rows nobody woke the relay for (a crashed replica's, an expired lease). */
  pollIntervalMs?: number;
  /** How long a claimed row is reserved for this relay before another may take it. */
  leaseSeconds?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface Relay {
  /** Call after committing outbox rows: publishes them now instead of at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * PGlite runs no autovacuum: without one, every claim's index scan wades through the dead
 * row versions that claiming and deleting leave behind, and gets slower by the minute
 * (1.8 → 3.5 ms per claim over 30,000 events, measured). PostgreSQL's autovacuum does this there.
 */
const PGLITE_VACUUM_EVERY_MS = 2_000;
/** PublishBatch calls in flight at once. */
const PARALLEL_CALLS = 4;

/** The envelope of a stored row; its data stays the stored JSON text (checked when written). */
export function envelopeOf(row: OutboxRow, source: string): Omit<CloudEvent, 'data'> {
  if (!isEventType(row.type)) throw new Error(`unknown event type ${row.type}`);
  return makeEnvelope({
    type: row.type,
    source,
    subject: row.subject,
    id: row.id,
    time: new Date(row.created_at),
    ...(row.sequence === null ? {} : { sequence: row.sequence }),
    ...(row.correlation_id ? { correlationid: row.correlation_id } : {}),
    ...(row.causation_id ? { causationid: row.causation_id } : {}),
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
  });
}

/**
 * Publishes outbox rows to SNS. Woken in-process by whoever committed rows (`wake()`),
 * polls as a fallback, publishes with PublishBatch, and retries failures with the one
 * exponential backoff. Order is not kept: consumers drop stale events by `sequence` (ADR 0070).
 */
export async function startOutboxRelay(options: RelayOptions): Promise<Relay> {
  const { db, sns, topicArn, source, log } = options;
  const batchSize = options.batchSize ?? 250;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 60_000;

  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let lastVacuum = 0;
  let sentSinceVacuum = 0;
  const telemetry = relayTelemetry({ db, topicArn, source });

  async function publishRound(): Promise<number> {
    const rows = await claimBatch(db, batchSize, leaseSeconds);
    if (rows.length === 0) return 0;
    const outgoing: Outgoing[] = [];
    const byKey = new Map<string, OutboxRow>();
    for (const row of rows) {
      try {
        const body = await offloadIfLarge(envelopeOf(row, source), row.data, options.claimCheck);
        outgoing.push({ key: row.position, body, type: row.type, subject: row.subject, eventId: row.id });
        byKey.set(row.position, row);
      } catch (error) {
        log.error({ err: error, eventId: row.id, type: row.type }, 'outbox row cannot be published; parked');
        await markFailed(db, [row.position], String(error), Number.POSITIVE_INFINITY);
      }
    }
    const chunks = chunkForPublish(outgoing);

    const sent: string[] = [];
    for (let start = 0; start < chunks.length; start += PARALLEL_CALLS) {
      const calls = chunks.slice(start, start + PARALLEL_CALLS);
      const results = await Promise.all(
        calls.map((chunk) =>
          telemetry.publish(
            chunk.map((message) => ({ ...message, traceparent: byKey.get(message.key)?.traceparent })),
            () => publishChunk(sns, topicArn, chunk),
          ),
        ),
      );
      for (const [index, failed] of results.entries()) {
        sent.push(...(calls[index] ?? []).filter((message) => !failed.has(message.key)).map((message) => message.key));
        for (const [key, reason] of failed) {
          const row = byKey.get(key);
          if (!row) continue;
          const delay = backoffDelay(row.attempts, retryBaseMs, retryMaxMs);
          log.warn(
            { eventId: row.id, type: row.type, attempts: row.attempts, reason, retryInMs: Math.round(delay) },
            'publish failed',
          );
          await markFailed(db, [key], reason, delay);
        }
      }
    }
    // One delete for the round: a crash before it only republishes (consumers are idempotent).
    await deletePublished(db, sent);
    sentSinceVacuum += sent.length;
    if (sent.length) log.debug({ count: sent.length }, 'events published');
    return rows.length;
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      while (!stopped && (await publishRound()) === batchSize) {
        // a full round means more may be waiting
      }
    } while (again && !stopped);
    if (db.driver === 'pglite' && sentSinceVacuum > 0 && Date.now() - lastVacuum > PGLITE_VACUUM_EVERY_MS) {
      lastVacuum = Date.now();
      sentSinceVacuum = 0;
      await db.exec('VACUUM ANALYZE outbox'); // ANALYZE too: nothing else gives the planner statistics
    }
  }

  function wake(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((error: unknown) => log.error({ err: error }, 'outbox relay round failed; will retry'))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => void wake(), options.pollIntervalMs ?? 1000);
  timer.unref();
  void wake();
  log.info({ topicArn }, 'outbox relay started');

  return {
    wake: () => void wake(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      telemetry.stop();
      await running;
    },
  };
}
