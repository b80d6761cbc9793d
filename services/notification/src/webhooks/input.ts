import { badRequest, isStorableText, storableTextMessage } from '@taskoverflow/platform';
import { z } from 'zod';
import manifest from '../../service.ts';

/** Events a webhook can ask for: exactly what this service's queue receives. */
export const deliverableEvents: readonly string[] = manifest.consumes;

const url = z
  .string({ error: (issue) => (issue.input === undefined ? 'url is required' : 'url must be a string') })
  .max(2048, 'url must be at most 2048 characters')
  .refine(isStorableText, storableTextMessage('url'));

const events = z
  .array(
    z.string({ error: 'events must contain event type names' }).refine((type) => deliverableEvents.includes(type), {
      error: (issue) =>
        `events: ${JSON.stringify(issue.input)} is not deliverable; choose from ${deliverableEvents.join(', ')}`,
    }),
    { error: (issue) => (issue.input === undefined ? 'events is required' : 'events must be an array of event types') },
  )
  .min(1, 'events must name at least one event type')
  .transform((types) => [...new Set(types)]);

const description = z
  .string({ error: 'description must be a string or null' })
  .max(200, 'description must be at most 200 characters')
  .refine(isStorableText, storableTextMessage('description'))
  .nullable()
  .optional();

export const webhookCreateSchema = z.strictObject(
  { url, events, description },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `Unexpected field(s): ${issue.keys.join(', ')}` : undefined,
  },
);

export type WebhookCreate = z.output<typeof webhookCreateSchema>;

/** The first problem, worded for the client, as a 400. */
export function parseCreate(body: unknown): WebhookCreate {
  const result = webhookCreateSchema.safeParse(body);
  if (result.success) return result.data;
  throw badRequest(result.error.issues[0]?.message ?? 'Invalid request body');
}

const uuid = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/** Ids that cannot exist are simply not found, never a database error. */
export const parseId = (text: string | undefined): string | undefined => (text && uuid.test(text) ? text : undefined);
