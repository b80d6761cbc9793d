import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.ts';
import type { Db } from './types.ts';

export interface MigrationSource {
  /** Prefix of the recorded id, so shared migrations (outbox, inbox) never collide with a service's own. */
  namespace: string;
  /** Folder of `NNNN_name.sql` files, applied in name order. */
  dir: string;
}

/** SQL functions shared by services (`utc_iso`): list it in a service's migrations to use them. */
export const sqlFunctionMigrations: MigrationSource = {
  namespace: 'platform',
  dir: fileURLToPath(new URL('../../migrations', import.meta.url)),
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Applies pending migrations in one transaction. An advisory lock makes concurrent
 * replicas wait for the first one instead of applying the same file twice. An applied file
 * whose text changed since fails start-up: its edit would never run, so the schema would
 * silently differ from what the file says.
 */
export async function migrate(db: Db, sources: readonly MigrationSource[], log: Logger): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('taskoverflow.migrations'))");
    // `checksum` came later: a database from before it has NULLs, filled below from today's files.
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text`);
    const rows = await tx.query<{ id: string; checksum: string | null }>('SELECT id, checksum FROM schema_migrations');
    const done = new Map(rows.map((row) => [row.id, row.checksum]));
    const applied: string[] = [];
    for (const { namespace, dir } of sources) {
      for (const file of readdirSync(dir)
        .filter((name) => name.endsWith('.sql'))
        .sort()) {
        const id = `${namespace}/${file}`;
        const path = join(dir, file);
        const sql = readFileSync(path, 'utf8');
        const checksum = sha256(sql);
        if (done.has(id)) {
          const recorded = done.get(id);
          if (recorded === null) {
            await tx.query('UPDATE schema_migrations SET checksum = $2 WHERE id = $1', [id, checksum]);
          } else if (recorded !== checksum) {
            throw new Error(
              `Migration ${path} was edited after it was applied (as ${id}); restore it and put the change in a new migration`,
            );
          }
          continue;
        }
        await tx.exec(sql);
        await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [id, checksum]);
        applied.push(id);
      }
    }
    if (applied.length) log.info({ applied }, 'migrations applied');
    return applied;
  });
}
