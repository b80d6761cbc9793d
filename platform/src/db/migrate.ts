import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import type { Db } from './types.ts';

export interface MigrationSource {
  /** Prefix of the recorded id, so shared migrations (outbox, inbox) never collide with a service's own. */
  namespace: string;
  /** Folder of `NNNN_name.sql` files, applied in name order. */
  dir: string;
}

/**
 * Applies pending migrations in one transaction. An advisory lock makes concurrent
 * replicas wait for the first one instead of applying the same file twice.
 */
export async function migrate(db: Db, sources: readonly MigrationSource[], log: Logger): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('taskoverflow.migrations'))");
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM schema_migrations')).map((row) => row.id));
    const applied: string[] = [];
    for (const { namespace, dir } of sources) {
      for (const file of readdirSync(dir)
        .filter((name) => name.endsWith('.sql'))
        .sort()) {
        const id = `${namespace}/${file}`;
        if (done.has(id)) continue;
        await tx.exec(readFileSync(join(dir, file), 'utf8'));
        await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [id]);
        applied.push(id);
      }
    }
    if (applied.length) log.info({ applied }, 'migrations applied');
    return applied;
  });
}
