import Router from '@koa/router';
import { badRequest, jsonObjectBody, notFound } from '@taskoverflow/platform';
import { assertSafeTarget, type TargetPolicy, UnsafeTargetError } from '../delivery/target-guard.ts';
import { parseCreate, parseId } from './input.ts';
import { newSigningSecret } from './secret.ts';
import type { WebhookStore } from './store.ts';

export function webhookRoutes(store: WebhookStore, policy: TargetPolicy): Router {
  const router = new Router();

  router.post('/', jsonObjectBody, async (ctx) => {
    const input = parseCreate(ctx.request.body);
    const url = await assertSafeTarget(input.url, policy).catch((error: unknown) => {
      throw error instanceof UnsafeTargetError ? badRequest(error.message) : error;
    });
    const secret = newSigningSecret();
    const webhook = await store.create({ ...input, url: url.href, description: input.description ?? null, secret });
    ctx.status = 201;
    ctx.set('location', `${ctx.path.replace(/\/$/, '')}/${webhook.id}`);
    // The only time the secret leaves the service: the receiver needs it to verify signatures.
    ctx.body = { ...webhook, secret };
  });

  router.get('/', async (ctx) => {
    ctx.body = await store.list();
  });

  router.get('/:id', async (ctx) => {
    const id = parseId(ctx.params.id);
    const webhook = id && (await store.get(id));
    if (!webhook) throw notFound('Webhook not found');
    ctx.body = webhook;
  });

  router.delete('/:id', async (ctx) => {
    const id = parseId(ctx.params.id);
    if (!id || !(await store.remove(id))) throw notFound('Webhook not found');
    ctx.status = 204;
  });

  router.get('/:id/deliveries', async (ctx) => {
    const id = parseId(ctx.params.id);
    const deliveries = id && (await store.deliveries(id));
    if (!deliveries) throw notFound('Webhook not found');
    ctx.body = deliveries;
  });

  return router;
}
