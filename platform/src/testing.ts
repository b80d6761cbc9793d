import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { MigrationSource } from './db/migrate.ts';
import { openServiceDb, serviceDatabaseUrl } from './db/open.ts';
import type { Db } from './db/types.ts';
import { createLogger } from './log.ts';

export interface TestDb {
  db: Db;
  /** Closes the database and, on PostgreSQL, drops it. */
  drop(): Promise<void>;
}

export type TestDriver = 'pglite' | 'postgres';

/** Which database suites run against by default: real PostgreSQL when DATABASE_URL is set. */
export const testDriver: TestDriver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** Both drivers when DATABASE_URL is set (CI), else PGlite: for suites that must pass on each. */
export const testDrivers: readonly TestDriver[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A fresh, migrated database for one test suite: in-memory PGlite, or a new database
 * on the DATABASE_URL server that is dropped afterwards.
 */
export async function openTestDb(
  service: string,
  migrations: readonly MigrationSource[],
  driver: TestDriver = testDriver,
): Promise<TestDb> {
  const log = createLogger(`${service}-test`, process.env.TEST_LOG_LEVEL ?? 'silent');
  const serverUrl = process.env.DATABASE_URL;
  if (driver === 'pglite' || !serverUrl) {
    const db = await openServiceDb(service, { DATA_DIR: 'memory://', DB_POOL_SIZE: 1 }, migrations, log);
    return { db, drop: () => db.close() };
  }
  const base = new URL(serverUrl);
  base.pathname = `/t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const db = await openServiceDb(
    service,
    { DATA_DIR: '', DATABASE_URL: base.toString(), DB_POOL_SIZE: 5 },
    migrations,
    log,
  );
  return {
    db,
    async drop() {
      await db.close();
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        const { database } = serviceDatabaseUrl(base.toString(), service);
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)}`);
      } finally {
        await admin.end();
      }
    },
  };
}
