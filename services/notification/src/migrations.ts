import { fileURLToPath } from 'node:url';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import { type MigrationSource, sqlFunctionMigrations } from '@taskoverflow/platform';

export const notificationMigrations: MigrationSource[] = [
  inboxMigrations,
  sqlFunctionMigrations,
  { namespace: 'notification', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
