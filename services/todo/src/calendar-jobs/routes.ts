import { randomUUID } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import Router from '@koa/router';
import { type ApiAccess, discardBody, notFound } from '@taskoverflow/platform';
import type { Context } from 'koa';
import type { Once } from '../idempotency.ts';
import { causeOf } from '../todos/routes.ts';
import { type CalendarJobStore, calendarJobStore } from './store.ts';

/** Where finished calendars are read from: the bucket the calendar service writes to. */
export interface CalendarStorage {
  s3: S3Client;
  bucket: string;
}

const uuid = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

// Absolute URLs as the client addressed us: behind the gateway or the load balancer
// (TRUST_PROXY), Koa's protocol and host honour the X-Forwarded-Proto/-Host they set;
// otherwise a client's X-Forwarded-* is ignored. (Koa 3's `ctx.origin` is the Origin request header, not this.)
const externalOrigin = (ctx: Context) => `${ctx.protocol}://${ctx.host}`;
const jobsBase = (ctx: Context) => ctx.path.replace(/\/+$/, '').replace(/\/[^/]+\/(status|result)$/, '');
const jobUrl = (ctx: Context, id: string, leaf: 'status' | 'result') =>
  `${externalOrigin(ctx)}${jobsBase(ctx)}/${id}/${leaf}`;

/** The original TaskOverflow's asynchronous iCal API, wire-compatible. */
export function calendarJobRoutes(
  store: CalendarJobStore,
  { guard, jobLimit }: ApiAccess,
  once: Once,
  storage: CalendarStorage | undefined,
): Router {
  const router = new Router();

  // A malformed id cannot name a job: it is simply not found, without a query.
  const jobOf = async (ctx: Context) => {
    const id = ctx.params.id ?? '';
    return uuid.test(id) ? store.get(id.toLowerCase()) : undefined;
  };

  // The body is ignored, as the original did (the export always covers every todo), but read
  // to its end under the body limit. Each export copies every todo: a tighter rate limit.
  router.post('/todos/ical', guard('todos:write'), jobLimit, discardBody, async (ctx) => {
    await once(ctx, 'POST /todos/ical', async (tx) => {
      const id = randomUUID();
      await calendarJobStore(tx).request(id, causeOf(ctx));
      return { status: 202, body: JSON.stringify({ task_id: id, task_url: jobUrl(ctx, id, 'status') }) };
    });
  });

  router.get('/todos/ical/:id/status', guard('todos:read'), async (ctx) => {
    const job = await jobOf(ctx);
    if (!job) throw notFound('Task not found');
    ctx.body = {
      task_id: job.id,
      task_status: job.status,
      result_url: jobUrl(ctx, job.id, 'result'),
      // Beyond the original's three fields: what went wrong, so a client can say it.
      ...(job.status === 'FAILURE' ? { reason: job.reason } : {}),
    };
  });

  router.get('/todos/ical/:id/result', guard('todos:read'), async (ctx) => {
    const job = await jobOf(ctx);
    if (!job) throw notFound('Task not found');
    if (job.status !== 'SUCCESS' || !job.object_key) throw notFound('Task not finished');
    if (!storage) throw new Error('calendar storage (EVENTS_BUCKET) is not configured');
    const object = await storage.s3
      .send(new GetObjectCommand({ Bucket: storage.bucket, Key: job.object_key }))
      .catch((error: unknown) => {
        if (error instanceof NoSuchKey) throw notFound('Calendar file no longer available');
        throw error;
      });
    ctx.status = 200;
    ctx.type = 'text/calendar; charset=utf-8';
    ctx.attachment('taskoverflow.ics');
    if (object.ContentLength !== undefined) ctx.length = object.ContentLength;
    ctx.body = object.Body as NodeJS.ReadableStream; // streamed: the file is never held in memory
  });

  return router;
}
