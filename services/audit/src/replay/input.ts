import type { BackfillTargets, EventType } from '@taskoverflow/events';
import { badRequest } from '@taskoverflow/platform';
import { z } from 'zod';
import type { ReplayRequest } from './jobs.ts';

const instant = (name: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], {
      error: `${name} must be an ISO 8601 date or datetime, e.g. 2026-12-01 or 2026-12-01T08:00:00Z`,
    })
    .transform((text) => new Date(text).toISOString())
    .optional();

export const replayRequestSchema = z.strictObject(
  {
    service: z.string({ error: 'service is required: the service whose queue receives the replay' }).min(1),
    types: z.array(z.string(), { error: 'types must be an array of event types' }).min(1).optional(),
    subject: z.string({ error: 'subject must be a string' }).min(1).optional(),
    since: instant('since'),
    until: instant('until'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `Unexpected field(s): ${issue.keys.join(', ')}` : undefined,
  },
);

/**
 * A replay request, checked against the backfill targets: only services whose manifests ask
 * for backfill (the only queues the event store may send to), only event types they consume
 * (default: all of them).
 */
export function parseReplayRequest(body: unknown, targets: BackfillTargets): ReplayRequest {
  const result = replayRequestSchema.safeParse(body);
  if (!result.success) throw badRequest(result.error.issues[0]?.message ?? 'invalid replay request');
  const { service, types, subject, since, until } = result.data;
  const target = targets[service];
  if (!target) {
    const known = Object.keys(targets);
    throw badRequest(
      `${service} does not ask for backfill in its manifest, so nothing may be replayed into its queue` +
        (known.length ? `; services that do: ${known.join(', ')}` : '; no service does'),
    );
  }
  const refused = (types ?? []).filter((type) => !target.types.includes(type as EventType));
  if (refused.length) {
    throw badRequest(`${service} does not consume ${refused.join(', ')}; it consumes ${target.types.join(', ')}`);
  }
  if (since && until && since >= until) throw badRequest('since must be before until');
  return { service, types: (types as EventType[] | undefined) ?? target.types, subject, since, until };
}
