import Router from '@koa/router';
import type { Db } from '@taskoverflow/platform';
import { receivedEvents } from './received-events.ts';

/** The HTTP API under `/api/v1/zz-e2e-20025`; runService adds the health paths, errors as JSON and 405 with Allow. */
export function zzE2e20025Routers(db: Db): Router[] {
  const api = new Router({ prefix: '/api/v1/zz-e2e-20025' });
  api.get('/', async (ctx) => {
    ctx.body = await receivedEvents(db);
  });
  return [api];
}
