import type { ServiceManifest } from '@taskoverflow/events/manifest';

/** Memory of the burstable and general-purpose Graviton classes a stack may pick, in GiB. */
const memoryGiB: Record<string, number> = {
  'db.t4g.micro': 1,
  'db.t4g.small': 2,
  'db.t4g.medium': 4,
  'db.t4g.large': 8,
  'db.m7g.large': 8,
  'db.m7g.xlarge': 16,
};

/**
 * RDS PostgreSQL's default `max_connections` is LEAST(DBInstanceClassMemory / 9531392, 5000);
 * DBInstanceClassMemory is what is left after the OS and RDS take theirs (taken as 75 %, so the
 * estimate errs low: db.t4g.micro → 84, where RDS reports 81–87).
 */
export function maxConnections(instanceClass: string): number {
  const gib = memoryGiB[instanceClass];
  if (gib === undefined) {
    throw new Error(`unknown dbInstanceClass ${instanceClass}: add its memory to infra/src/database-capacity.ts`);
  }
  return Math.min(Math.floor((gib * 1024 ** 3 * 0.75) / 9_531_392), 5000);
}

/** Superuser-reserved (3) + rds_reserved (2) + the bootstrap task (1) + people with psql (4). */
export const reservedConnections = 10;

/**
 * The pool size every task gets (ADR 0063): during a deployment ECS may run twice each service's
 * maximum task count (deploymentMaximumPercent 200), and all of them together must stay under
 * max_connections. Fails the preview when even one connection per task does not fit.
 */
export function poolSizePerTask(instanceClass: string, manifests: readonly ServiceManifest[]): number {
  const tasksAtWorst = 2 * manifests.reduce((sum, manifest) => sum + manifest.scaling.maxTasks, 0);
  const pool = Math.floor((maxConnections(instanceClass) - reservedConnections) / tasksAtWorst);
  if (pool < 1) {
    throw new Error(
      `${instanceClass} allows ${maxConnections(instanceClass)} connections, too few for ${tasksAtWorst} tasks: pick a larger dbInstanceClass or lower scaling.maxTasks`,
    );
  }
  return pool;
}
