import { fileURLToPath } from 'node:url';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import type { MigrationSource } from '@taskoverflow/platform';

export const zzE2e20025Migrations: MigrationSource[] = [
  inboxMigrations,
  { namespace: 'zz-e2e-20025', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
