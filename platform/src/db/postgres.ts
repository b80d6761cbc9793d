import pg from 'pg';
import type { Logger } from '../log.ts';
import type { Db, Queryable, Row } from './types.ts';

// Named statements are parsed and planned once per connection instead of on every request.
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `s${statementNames.size}`;
    statementNames.set(sql, name);
  }
  return name;
}

function wrap(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<R>({ name: statementName(sql), text: sql, values: params as unknown[] });
      return result.rows;
    },
    async exec(sql: string) {
      await target.query(sql);
    },
  };
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  log: Logger;
}

/** node-postgres pool against a real server (RDS in the cloud). */
export function openPostgres({ url, poolSize, log }: PostgresOptions): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', (error) => log.warn({ err: error }, 'idle database connection failed'));
  const root = wrap(pool);

  return {
    driver: 'postgres',
    query: root.query,
    exec: root.exec,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** Creates `database` on the server behind `serverUrl` unless it exists. Safe to race. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const maintenance = new URL(serverUrl);
  maintenance.pathname = '/postgres'; // the database in serverUrl may not exist yet
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return;
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
      // 42P04 duplicate_database, 23505 unique_violation: another replica created it first.
      if (error.code !== '42P04' && error.code !== '23505') throw error;
    });
  } finally {
    await admin.end();
  }
}
