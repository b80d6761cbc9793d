import Router from '@koa/router';
import { badRequest, jsonObjectBody, notFound } from '@taskoverflow/platform';
import type { Context, Middleware } from 'koa';
import { assertSafeTarget, type TargetPolicy, UnsafeTargetError } from '../delivery/target-guard.ts';
import { parseCreate, parseId } from './input.ts';
import { newSigningSecret } from './secret.ts';
import type { Viewer, WebhookStore } from './store.ts';

/** How long a rotated-out secret still signs deliveries, beside the new one. */
export const SECRET_OVERLAP_HOURS = 24;

// Webhooks belong to the token's subject; `admin` sees and manages every one.
const viewerOf = (ctx: Context): Viewer => (ctx.state.principal.scopes.has('admin') ? 'all' : { owner: ownerOf(ctx) });
const ownerOf = (ctx: Context) => ctx.state.principal.subject ?? 'anonymous';

export function webhookRoutes(store: WebhookStore, policy: TargetPolicy, writeLimit: Middleware): Router {
  const router = new Router();

  router.post('/', writeLimit, jsonObjectBody, async (ctx) => {
    const input = parseCreate(ctx.request.body);
    const url = await assertSafeTarget(input.url, policy).catch((error: unknown) => {
      throw error instanceof UnsafeTargetError ? badRequest(error.message) : error;
    });
    const secret = newSigningSecret();
    const webhook = await store.create({
      ...input,
      url: url.href,
      description: input.description ?? null,
      secret,
      owner: ownerOf(ctx),
    });
    ctx.status = 201;
    ctx.set('location', `${ctx.path.replace(/\/$/, '')}/${webhook.id}`);
    // The only time the secret leaves the service: the receiver needs it to verify signatures.
    ctx.body = { ...webhook, secret };
  });

  router.get('/', async (ctx) => {
    ctx.body = await store.list(viewerOf(ctx));
  });

  router.get('/:id', async (ctx) => {
    const id = parseId(ctx.params.id);
    const webhook = id && (await store.get(id, viewerOf(ctx)));
    if (!webhook) throw notFound('Webhook not found');
    ctx.body = webhook;
  });

  router.delete('/:id', writeLimit, async (ctx) => {
    const id = parseId(ctx.params.id);
    if (!id || !(await store.remove(id, viewerOf(ctx)))) throw notFound('Webhook not found');
    ctx.status = 204;
  });

  router.get('/:id/deliveries', async (ctx) => {
    const id = parseId(ctx.params.id);
    const deliveries = id && (await store.deliveries(id, viewerOf(ctx)));
    if (!deliveries) throw notFound('Webhook not found');
    ctx.body = deliveries;
  });

  router.post('/:id/rotate-secret', writeLimit, async (ctx) => {
    const id = parseId(ctx.params.id);
    const secret = newSigningSecret();
    const until = new Date(Date.now() + SECRET_OVERLAP_HOURS * 3600_000);
    const webhook = id && (await store.rotateSecret(id, viewerOf(ctx), secret, until));
    if (!webhook) throw notFound('Webhook not found');
    ctx.body = { ...webhook, secret };
  });

  router.post('/:id/enable', writeLimit, async (ctx) => {
    const id = parseId(ctx.params.id);
    const webhook = id && (await store.enable(id, viewerOf(ctx)));
    if (!webhook) throw notFound('Webhook not found');
    ctx.body = webhook;
  });

  return router;
}
