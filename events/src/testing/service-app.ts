import type Router from '@koa/router';
import { type ApiAccess, type ApiSettings, apiAccess, type Db, type Logger } from '@taskoverflow/platform';
import type Koa from 'koa';
import type { ServiceManifest } from '../manifest.ts';
import { createServiceApp } from '../service/http-app.ts';

/**
 * A service's HTTP app as runService serves it, for tests that need no bus: its routers get the
 * access built from `api`, as runService's parts do, and readiness is the database alone.
 */
export function serviceTestApp(
  manifest: ServiceManifest,
  { db, log, api }: { db: Db; log: Logger; api: ApiSettings },
  routers: (access: ApiAccess) => readonly Router[],
): Koa {
  return createServiceApp(manifest, {
    log,
    api,
    routers: routers(apiAccess(api)),
    checks: { database: () => db.query('SELECT 1') },
  });
}
