import Router from '@koa/router';
import type { BackfillTargets } from '@taskoverflow/events';
import { type ApiAccess, type Db, jsonObjectBody, notFound } from '@taskoverflow/platform';
import { parseReplayRequest } from './input.ts';
import { createReplayJob, listReplayJobs, readReplayJob } from './jobs.ts';

const uuid = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/**
 * POST a replay (202 with the job), GET its progress, GET the recent ones. Admin only: a
 * replay sends history into a service's queue, and its jobs name services and subjects.
 */
export function replayRouter(
  db: Db,
  { guard }: ApiAccess,
  { targets, onCreated }: { targets: BackfillTargets; onCreated: () => void },
): Router {
  const router = new Router({ prefix: '/api/v1/audit/replays' });
  router.post('/', guard('admin'), jsonObjectBody, async (ctx) => {
    const job = await createReplayJob(db, parseReplayRequest(ctx.request.body, targets));
    onCreated();
    ctx.status = 202;
    ctx.set('Location', `/api/v1/audit/replays/${job.id}`);
    ctx.body = job;
  });
  router.get('/', guard('admin'), async (ctx) => {
    ctx.body = { items: await listReplayJobs(db) };
  });
  router.get('/:id', guard('admin'), async (ctx) => {
    const job = uuid.test(ctx.params.id ?? '') ? await readReplayJob(db, ctx.params.id as string) : undefined;
    if (!job) throw notFound('Replay not found');
    ctx.body = job;
  });
  return router;
}
