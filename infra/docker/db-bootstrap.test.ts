import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { bootstrapServiceDatabases, serviceDatabaseOf } from './db-bootstrap.ts';

const serverUrl = process.env.DATABASE_URL;

// Needs a PostgreSQL server, as the other postgres suites do (CI sets DATABASE_URL): PGlite has no
// roles or CONNECT privileges to test.
if (serverUrl)
  describe('the one-off database bootstrap, on PostgreSQL', () => {
    const suffix = randomUUID().replaceAll('-', '').slice(0, 8);
    const services = ['a', 'b'].map((name) => ({
      database: `t${suffix}_${name}`,
      role: `t${suffix}_${name}`,
      password: `pw-${name}`,
    }));
    const urlFor = (role: string, database: string) => {
      const url = new URL(serverUrl ?? '');
      url.username = role;
      url.password = `pw-${role.slice(-1)}`;
      url.pathname = `/${database}`;
      return url.toString();
    };
    const asRole = async (role: string, database: string, sql: string) => {
      const client = new pg.Client({ connectionString: urlFor(role, database) });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    };
    const [a, b] = services as [(typeof services)[0], (typeof services)[0]];

    after(async () => {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      for (const service of services) {
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(service.database)} WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(service.role)}`);
      }
      await admin.end();
    });

    it('when it runs twice, then each service role owns its database and can create tables there', async () => {
      await bootstrapServiceDatabases(serverUrl ?? '', services);
      await bootstrapServiceDatabases(serverUrl ?? '', services);
      const owner = await asRole(
        a.role,
        a.database,
        'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()',
      );
      assert.equal(owner.rows[0]?.owner, a.role);
      await asRole(a.role, a.database, 'CREATE TABLE own_table (id int)');
    });

    it("when a service role connects to another service's database, then PostgreSQL refuses", async () => {
      await assert.rejects(asRole(a.role, b.database, 'SELECT 1'), /permission denied for database/);
      await assert.rejects(asRole(b.role, a.database, 'SELECT 1'), /permission denied for database/);
    });

    it('when a service role tries to create a database or role, then it may not', async () => {
      await assert.rejects(asRole(a.role, a.database, `CREATE DATABASE ${a.database}_x`), /permission denied/);
      await assert.rejects(asRole(a.role, a.database, `CREATE ROLE ${a.role}_x`), /permission denied/);
    });
  });

describe("the database bootstrap reads what to create from the services' own URLs", () => {
  it('when given a service URL, then its user, password and database are the role, password and database', () => {
    assert.deepEqual(
      serviceDatabaseOf('postgres://taskoverflow_todo:s3cret@db.example:5432/taskoverflow_todo?sslmode=verify-full'),
      { role: 'taskoverflow_todo', password: 's3cret', database: 'taskoverflow_todo' },
    );
    assert.throws(() => serviceDatabaseOf('postgres://db.example:5432/x'), /needs a user, a password/);
  });
});
