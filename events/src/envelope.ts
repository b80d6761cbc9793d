import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { catalog, type EventData, type EventType, isEventType } from './catalog/index.ts';

// W3C trace context: version ff and all-zero ids are invalid.
const traceparentPattern = /^(?!ff)[\da-f]{2}-(?!0{32})[\da-f]{32}-(?!0{16})[\da-f]{16}-[\da-f]{2}$/;

export const isTraceparent = (value: unknown): value is string =>
  typeof value === 'string' && traceparentPattern.test(value);

/**
 * CloudEvents 1.0, JSON structured mode, with TaskOverflow's extensions:
 * - correlationid: the request that started the chain of events;
 * - causationid: the event that directly caused this one;
 * - traceparent: W3C trace context;
 * - sequence: the subject's version (an integer), so consumers can ignore stale updates;
 * - dataref: CloudEvents claim-check extension; when set, `data` was moved to the bucket.
 */
export const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().regex(/^taskoverflow\/[a-z][a-z0-9-]*$/),
  type: z.string().refine(isEventType, 'unknown event type'),
  subject: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  dataschema: z.string().optional(),
  data: z.unknown(),
  correlationid: z.string().min(1).optional(),
  causationid: z.string().min(1).optional(),
  traceparent: z.string().regex(traceparentPattern).optional(),
  sequence: z.number().int().nonnegative().optional(),
  dataref: z.string().min(1).optional(),
});

export type CloudEvent<T extends EventType = EventType> = Omit<z.infer<typeof envelopeSchema>, 'type' | 'data'> & {
  type: T;
  data: EventData<T>;
};

/** Any event from the catalog, discriminated by `type`. */
export type AnyEvent = { [T in EventType]: CloudEvent<T> }[EventType];

export const dataSchemaUri = (type: EventType) => `urn:taskoverflow:event:${type}:v${catalog[type].version}`;

export interface NewEvent<T extends EventType> {
  type: T;
  /** The publishing service, e.g. `todo`. */
  source: string;
  subject: string;
  data: EventData<T>;
  id?: string;
  time?: Date;
  sequence?: number;
  correlationid?: string;
  causationid?: string;
  traceparent?: string;
}

/** The envelope without `data`: what the relay wraps around data stored as JSON text. */
export function makeEnvelope<T extends EventType>(event: Omit<NewEvent<T>, 'data'>): Omit<CloudEvent<T>, 'data'> {
  const { type, source, subject, id, time, ...extensions } = event;
  const envelope = {
    specversion: '1.0' as const,
    id: id ?? randomUUID(),
    source: `taskoverflow/${source}`,
    type,
    subject,
    time: (time ?? new Date()).toISOString(),
    datacontenttype: 'application/json' as const,
    dataschema: dataSchemaUri(type),
  };
  const present = Object.fromEntries(Object.entries(extensions).filter(([, value]) => value !== undefined));
  return { ...envelope, ...present } as Omit<CloudEvent<T>, 'data'>;
}

export function makeEvent<T extends EventType>(event: NewEvent<T>): CloudEvent<T> {
  const { data, ...rest } = event;
  return { ...makeEnvelope(rest), data } as CloudEvent<T>;
}

/** An envelope's JSON with `data` spliced in as it is stored: megabytes of snapshot are never re-parsed. */
export const envelopeJson = (envelope: object, dataJson: string) =>
  `${JSON.stringify(envelope).slice(0, -1)},"data":${dataJson}}`;

export class InvalidEventError extends Error {}

const describe = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');

/** Validates the envelope only; the data may still be behind a claim-check `dataref`. */
export function parseEnvelope(value: unknown): z.infer<typeof envelopeSchema> & { type: EventType } {
  const result = envelopeSchema.safeParse(value);
  if (!result.success) throw new InvalidEventError(`invalid envelope: ${describe(result.error)}`);
  return result.data as z.infer<typeof envelopeSchema> & { type: EventType };
}

/** Validates an envelope and its data against the catalog; throws InvalidEventError. */
export function parseEvent(value: unknown): AnyEvent {
  return parseEventData(parseEnvelope(value));
}

/** Validates the data of an envelope `parseEnvelope` already accepted. */
export function parseEventData(envelope: ReturnType<typeof parseEnvelope>): AnyEvent {
  const result = catalog[envelope.type].schema.safeParse(envelope.data);
  if (!result.success) throw new InvalidEventError(`invalid ${envelope.type} data: ${describe(result.error)}`);
  return { ...envelope, data: result.data } as AnyEvent;
}
