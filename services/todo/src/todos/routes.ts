import Router from '@koa/router';
import type { EventCause } from '@taskoverflow/events';
import { type ApiAccess, jsonObjectBody, notFound } from '@taskoverflow/platform';
import type { Context } from 'koa';
import type { Once } from '../idempotency.ts';
import { parseCreate, parseId, parseListQuery, parseUpdate } from './input.ts';
import { type TodoStore, todoStore } from './store.ts';

// The outbox drops a malformed traceparent (causeValues), so the header is passed as it came.
export const causeOf = (ctx: Context): EventCause => ({
  correlationId: ctx.state.requestId,
  traceparent: ctx.get('traceparent') || undefined,
});

// Bodies arrive from PostgreSQL as JSON text and are sent as they are.
function sendJson(ctx: Context, status: number, body: string) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = body;
}

export function todoRoutes(store: TodoStore, { guard, writeLimit }: ApiAccess, once: Once): Router {
  const router = new Router();

  // `/todos/ical` is the calendar export (POST only), never a todo id: another method there is a
  // 405 with Allow, as the original's `<int:id>` route made it, not "Todo not found".
  router.param('id', async (id, ctx, next) => {
    if (id !== 'ical') return next();
    ctx.status = 405;
    ctx.set('Allow', 'POST');
  });

  router.get('/todos', guard('todos:read'), async (ctx) => {
    sendJson(ctx, 200, await store.list(parseListQuery(ctx.query)));
  });

  router.get('/todos/:id', guard('todos:read'), async (ctx) => {
    const id = parseId(ctx.params.id ?? '');
    const body = id === undefined ? undefined : await store.get(id);
    if (body === undefined) throw notFound('Todo not found');
    sendJson(ctx, 200, body);
  });

  router.post('/todos', guard('todos:write'), writeLimit, jsonObjectBody, async (ctx) => {
    const input = parseCreate(ctx.request.body);
    await once(ctx, 'POST /todos', async (tx) => ({
      status: 201,
      body: await todoStore(tx).create(input, causeOf(ctx)),
    }));
  });

  router.put('/todos/:id', guard('todos:write'), writeLimit, jsonObjectBody, async (ctx) => {
    const input = parseUpdate(ctx.request.body); // a bad body is a 400 even for an unknown id
    const id = parseId(ctx.params.id ?? '');
    const body = id === undefined ? undefined : await store.update(id, input, causeOf(ctx));
    if (body === undefined) throw notFound('Todo not found');
    sendJson(ctx, 200, body);
  });

  router.delete('/todos/:id', guard('todos:write'), writeLimit, async (ctx) => {
    const id = parseId(ctx.params.id ?? '');
    const body = id === undefined ? undefined : await store.remove(id, causeOf(ctx));
    sendJson(ctx, 200, body ?? '{}'); // the original answered 200 {} for an unknown id
  });

  return router;
}
