import { join, resolve } from 'node:path';
import type { Logger } from '../log.ts';
import { type MigrationSource, migrate } from './migrate.ts';
import { ensureDatabase, openPostgres } from './postgres.ts';
import type { Db } from './types.ts';

export interface DbSettings {
  DATA_DIR: string;
  DATABASE_URL?: string | undefined;
  SERVICE_DATABASE_URL?: string | undefined;
  DB_POOL_SIZE: number;
}

/** `postgres://host/base` → `postgres://host/base_<service>`; no database in the URL means base `taskoverflow`. */
export function serviceDatabaseUrl(serverUrl: string, service: string): { url: string; database: string } {
  const url = new URL(serverUrl);
  const base = decodeURIComponent(url.pathname.slice(1)) || 'taskoverflow';
  const database = `${base}_${service.replaceAll('-', '_')}`;
  url.pathname = `/${encodeURIComponent(database)}`;
  return { url: url.toString(), database };
}

/**
 * The service's own database: `<SERVICE>_DATABASE_URL` as given, else its database on the
 * `DATABASE_URL` server (created if missing; `npm start` sets it to its embedded PostgreSQL),
 * else PGlite under `DATA_DIR/<service>` (in-process tests, a service run on its own).
 * Migrations are applied before it is returned.
 */
export async function openServiceDb(
  service: string,
  settings: DbSettings,
  migrations: readonly MigrationSource[],
  log: Logger,
): Promise<Db> {
  let db: Db;
  if (settings.SERVICE_DATABASE_URL) {
    const database = decodeURIComponent(new URL(settings.SERVICE_DATABASE_URL).pathname.slice(1));
    // RDS starts with one database; each service creates its own on first start.
    await ensureDatabase(settings.SERVICE_DATABASE_URL, database).catch((error: unknown) =>
      log.warn({ err: error, database }, 'could not check or create the database; assuming it exists'),
    );
    db = openPostgres({ url: settings.SERVICE_DATABASE_URL, poolSize: settings.DB_POOL_SIZE, log });
  } else if (settings.DATABASE_URL) {
    const { url, database } = serviceDatabaseUrl(settings.DATABASE_URL, service);
    await ensureDatabase(settings.DATABASE_URL, database);
    db = openPostgres({ url, poolSize: settings.DB_POOL_SIZE, log });
  } else {
    const dir = settings.DATA_DIR.startsWith('memory://')
      ? settings.DATA_DIR
      : resolve(join(settings.DATA_DIR, service));
    // Loaded only here: a service on PostgreSQL (the stack, the cloud) never pays for PGlite's module.
    const { openPglite } = await import('./pglite.ts');
    db = await openPglite(dir);
  }
  log.info({ driver: db.driver }, 'database open');
  try {
    await migrate(db, migrations, log);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
