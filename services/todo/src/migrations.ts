import { fileURLToPath } from 'node:url';
import { inboxMigrations, outboxMigrations } from '@taskoverflow/events/migrations';
import type { MigrationSource } from '@taskoverflow/platform';

export const todoMigrations: MigrationSource[] = [
  outboxMigrations,
  inboxMigrations, // the todo service consumes the calendar service's job events
  { namespace: 'todo', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
