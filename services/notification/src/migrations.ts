import { fileURLToPath } from 'node:url';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import type { MigrationSource } from '@taskoverflow/platform';

export const notificationMigrations: MigrationSource[] = [
  inboxMigrations,
  { namespace: 'notification', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
