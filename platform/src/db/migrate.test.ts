import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../log.ts';
import { openTestDb, type TestDb, testDrivers } from '../testing.ts';
import { migrate } from './migrate.ts';

for (const driver of testDrivers)
  describe(`migrate (${driver})`, () => {
    let test: TestDb;
    const log = createLogger('migrate-test', 'silent');
    beforeEach(async () => {
      test = await openTestDb('migrations', [], driver);
    });
    afterEach(() => test.drop());

    it('when run twice, then each file is applied once and recorded', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id int);');
      writeFileSync(join(dir, '0002_b.sql'), 'CREATE TABLE b (id int); INSERT INTO b VALUES (1);');

      const first = await migrate(test.db, [{ namespace: 'x', dir }], log);
      const second = await migrate(test.db, [{ namespace: 'x', dir }], log);

      assert.deepEqual(first, ['x/0001_a.sql', 'x/0002_b.sql']);
      assert.deepEqual(second, []);
      assert.deepEqual(await test.db.query('SELECT count(*)::int AS n FROM b'), [{ n: 1 }]);
    });

    it('when a file fails, then nothing of that run is applied', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      writeFileSync(join(dir, '0001_ok.sql'), 'CREATE TABLE ok (id int);');
      writeFileSync(join(dir, '0002_bad.sql'), 'CREATE TABLE broken (;');

      await assert.rejects(migrate(test.db, [{ namespace: 'y', dir }], log));

      const tables = await test.db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'ok'");
      assert.equal(tables.length, 0);
    });

    it('when two namespaces hold the same file name, then both are applied', async () => {
      const one = mkdtempSync(join(tmpdir(), 'migrations-'));
      const two = mkdtempSync(join(tmpdir(), 'migrations-'));
      writeFileSync(join(one, '0001_init.sql'), 'CREATE TABLE one (id int);');
      writeFileSync(join(two, '0001_init.sql'), 'CREATE TABLE two (id int);');

      const applied = await migrate(
        test.db,
        [
          { namespace: 'one', dir: one },
          { namespace: 'two', dir: two },
        ],
        log,
      );

      assert.deepEqual(applied, ['one/0001_init.sql', 'two/0001_init.sql']);
    });
    it('when an applied file was edited, then migrate fails naming the file and applies nothing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id int);');
      await migrate(test.db, [{ namespace: 'x', dir }], log);
      writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id bigint);');
      writeFileSync(join(dir, '0002_b.sql'), 'CREATE TABLE b (id int);');

      await assert.rejects(migrate(test.db, [{ namespace: 'x', dir }], log), (error: Error) => {
        assert.match(error.message, /0001_a\.sql was edited after it was applied/);
        assert.ok(error.message.includes(join(dir, '0001_a.sql')));
        return true;
      });
      const tables = await test.db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'b'");
      assert.equal(tables.length, 0);
    });

    it('when the database predates checksums, then they are back-filled and a later edit is caught', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id int);');
      // The table as the runner made it before checksums (openTestDb already made today's).
      await test.db.exec(`CREATE TABLE a (id int);
      DROP TABLE schema_migrations;
      CREATE TABLE schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO schema_migrations (id) VALUES ('x/0001_a.sql');`);

      assert.deepEqual(await migrate(test.db, [{ namespace: 'x', dir }], log), []);
      const [row] = await test.db.query<{ checksum: string }>('SELECT checksum FROM schema_migrations');
      assert.match(row?.checksum ?? '', /^[0-9a-f]{64}$/);

      writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id bigint);');
      await assert.rejects(migrate(test.db, [{ namespace: 'x', dir }], log), /0001_a\.sql was edited/);
    });
  });
