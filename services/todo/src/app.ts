import Router from '@koa/router';
import { type Db, type Logger, requestBoundary } from '@taskoverflow/platform';
import Koa from 'koa';
import { todoRoutes } from './todos/routes.ts';
import { todoStore } from './todos/store.ts';

export interface TodoAppDeps {
  db: Db;
  log: Logger;
}

export function createApp({ db, log }: TodoAppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged by requestBoundary, not printed by Koa
  app.use(requestBoundary(log));

  const api = new Router({ prefix: '/api/v1' });
  api.get('/health', async (ctx) => {
    await db.query('SELECT 1');
    ctx.body = { status: 'ok' };
  });
  const todos = todoRoutes(todoStore(db));
  api.use(todos.routes(), todos.allowedMethods({ throw: true }));
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));
  return app;
}
