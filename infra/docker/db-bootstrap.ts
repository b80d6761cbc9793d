/**
 * The one-off database bootstrap (ADR 0063): connected as the RDS master user, it makes for each
 * service a login role owning that service's database and nothing else, and closes the database
 * to everyone else. Idempotent: every deploy may run it again (it also resets the passwords to
 * the ones in the services' secrets). Only this task ever holds the master credentials.
 *
 * Env: DB_MASTER_URL (postgres://master:…@host:5432/postgres?sslmode=…), DB_SERVICE_URL_VARS (e.g.
 * `TODO_DATABASE_URL,AUDIT_DATABASE_URL`): each names a service's own URL, whose user, password and
 * database are what to create — the same secrets ECS hands the services.
 */
import pg from 'pg';

export interface ServiceDatabase {
  database: string;
  role: string;
  password: string;
}

export async function bootstrapServiceDatabases(masterUrl: string, services: readonly ServiceDatabase[]) {
  const master = new pg.Client({ connectionString: masterUrl });
  await master.connect();
  try {
    for (const { database, role, password } of services) {
      const roleId = pg.escapeIdentifier(role);
      const databaseId = pg.escapeIdentifier(database);
      const { rowCount: roleExists } = await master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (!roleExists) await master.query(`CREATE ROLE ${roleId} LOGIN`);
      await master.query(
        `ALTER ROLE ${roleId} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${pg.escapeLiteral(password)}`,
      );
      // PostgreSQL 16+: the master may give a database to a role only if it may act as that role.
      await master.query(`GRANT ${roleId} TO CURRENT_USER`);
      const { rowCount: databaseExists } = await master.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        database,
      ]);
      if (!databaseExists) await master.query(`CREATE DATABASE ${databaseId} OWNER ${roleId}`);
      // A database made earlier by the master (before this bootstrap existed) changes hands too.
      await master.query(`ALTER DATABASE ${databaseId} OWNER TO ${roleId}`);
      await master.query(`REVOKE ALL ON DATABASE ${databaseId} FROM PUBLIC`);
    }
  } finally {
    await master.end();
  }
}

/** `postgres://role:password@host/database?…` → what the bootstrap makes for it. */
export function serviceDatabaseOf(url: string): ServiceDatabase {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.slice(1));
  const role = decodeURIComponent(parsed.username);
  if (!database || !role || !parsed.password) throw new Error('a service URL needs a user, a password and a database');
  return { database, role, password: decodeURIComponent(parsed.password) };
}

if (import.meta.main) {
  const services = (process.env.DB_SERVICE_URL_VARS ?? '')
    .split(',')
    .filter(Boolean)
    .map((name) => {
      const url = process.env[name];
      if (!url) throw new Error(`${name} is not set`);
      return serviceDatabaseOf(url);
    });
  const masterUrl = process.env.DB_MASTER_URL;
  if (!masterUrl || services.length === 0) throw new Error('DB_MASTER_URL and DB_SERVICE_URL_VARS are required');
  await bootstrapServiceDatabases(masterUrl, services);
  console.log(JSON.stringify({ msg: 'databases bootstrapped', databases: services.map((s) => s.database) }));
}
