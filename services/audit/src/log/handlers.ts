import { eventTypes, type Handlers } from '@taskoverflow/events';
import { appendAuditEntries } from './append-audit-entry.ts';

/** Audit keeps every event type, so one batch handler serves them all. */
export const auditHandlers: Handlers = Object.fromEntries(eventTypes.map((type) => [type, appendAuditEntries]));

/**
 * How audit consumes (bench/events runs the same): appending waits on nothing but the
 * database, so each transaction takes up to 20 received messages, and up to four receives
 * fill the buffer meanwhile — under load fewer, larger commits. The log keeps every event,
 * an update that arrives after a newer one included (readers order by sequence): `all`.
 */
export const auditConsumerSettings = { transactionBatchSize: 20, concurrency: 40, ordering: 'all' } as const;
