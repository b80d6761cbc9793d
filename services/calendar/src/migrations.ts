import { inboxMigrations, outboxMigrations } from '@taskoverflow/events/migrations';
import type { MigrationSource } from '@taskoverflow/platform';

/** The calendar service keeps no state of its own: only the inbox (dedup) and the outbox (its events). */
export const calendarMigrations: MigrationSource[] = [outboxMigrations, inboxMigrations];
