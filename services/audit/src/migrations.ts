import { fileURLToPath } from 'node:url';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import type { MigrationSource } from '@taskoverflow/platform';

export const auditMigrations: MigrationSource[] = [
  inboxMigrations,
  { namespace: 'audit', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
