import { eventTypes, type Handlers } from '@taskoverflow/events';
import { appendAuditEntry } from './append-audit-entry.ts';

/** Audit keeps every event type, so one handler serves them all. */
export const auditHandlers: Handlers = Object.fromEntries(eventTypes.map((type) => [type, appendAuditEntry]));
