import { fileURLToPath } from 'node:url';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import { type MigrationSource, sqlFunctionMigrations } from '@taskoverflow/platform';

export const auditMigrations: MigrationSource[] = [
  inboxMigrations,
  { namespace: 'audit', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
  sqlFunctionMigrations, // after audit's own: its 0002 created utc_iso before the shared one existed
];
