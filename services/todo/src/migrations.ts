import { fileURLToPath } from 'node:url';
import { outboxMigrations } from '@taskoverflow/events/migrations';
import type { MigrationSource } from '@taskoverflow/platform';

export const todoMigrations: MigrationSource[] = [
  outboxMigrations,
  { namespace: 'todo', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
