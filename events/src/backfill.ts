import { z } from 'zod';
import { type EventType, isEventType } from './catalog/index.ts';
import type { ServiceManifest } from './manifest.ts';

/**
 * Where the event store may replay history: per service whose manifest asks for backfill, its
 * queue, the event types it consumes (the only ones it may be sent) and the manifest's since.
 * Derived from the manifests in one place; the local runner and infra/ hand it to the event
 * store as BACKFILL_TARGETS, and the AWS contract grants sending to exactly these queues.
 */
export interface BackfillTarget {
  queueUrl: string;
  types: EventType[];
  /** ISO 8601 start of the manifest's backfill; null for the whole history. */
  since: string | null;
}
export type BackfillTargets = Record<string, BackfillTarget>;

const sinceSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** The manifest's backfill start: undefined when it asks for none, null for all of history. */
export function backfillSince(manifest: ServiceManifest): string | null | undefined {
  if (manifest.backfill === undefined) return undefined;
  if (manifest.backfill === true) return null;
  if (!sinceSchema.safeParse(manifest.backfill).success) {
    throw new Error(`${manifest.name}: backfill must be true or an ISO 8601 date/datetime, not "${manifest.backfill}"`);
  }
  return new Date(manifest.backfill).toISOString();
}

/** The manifests that ask for backfill and consume something (a queue to replay into). */
export const backfillServices = (manifests: readonly ServiceManifest[]) =>
  manifests.filter((manifest) => manifest.consumes.length > 0 && backfillSince(manifest) !== undefined);

export function backfillTargets(
  manifests: readonly ServiceManifest[],
  queueUrlOf: (service: string) => string | undefined,
): BackfillTargets {
  return Object.fromEntries(
    backfillServices(manifests).map((manifest) => {
      const queueUrl = queueUrlOf(manifest.name);
      if (!queueUrl) throw new Error(`${manifest.name} asks for backfill but has no queue`);
      return [manifest.name, { queueUrl, types: [...manifest.consumes], since: backfillSince(manifest) ?? null }];
    }),
  );
}

/** The environment an event store needs for replays; empty for every other service. */
export const backfillEnv = (
  manifest: ServiceManifest,
  manifests: readonly ServiceManifest[],
  queueUrlOf: (service: string) => string | undefined,
): { BACKFILL_TARGETS?: string } =>
  manifest.eventStore ? { BACKFILL_TARGETS: JSON.stringify(backfillTargets(manifests, queueUrlOf)) } : {};

export const backfillTargetsSchema = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string(),
      z.object({
        queueUrl: z.url(),
        types: z.array(z.string().refine(isEventType, 'unknown event type')).min(1),
        since: z.iso.datetime({ offset: true }).nullable(),
      }),
    ),
  )
  .transform((targets) => targets as BackfillTargets)
  .describe('Services the event store may replay into (set by the runner / infra from the manifests)');
