import type { S3Client } from '@aws-sdk/client-s3';
import { appendToOutbox, type CloudEvent, type EffectHandler, PermanentError } from '@taskoverflow/events';
import { inSpan, SpanKind } from '@taskoverflow/platform/telemetry';
import { renderCalendar, UnrenderableTodoError } from '../ical/render.ts';
import { uploadChunks } from './upload.ts';

export interface CalendarJobDeps {
  s3: S3Client;
  bucket: string;
  /** The queue's maxReceiveCount: on that delivery a failure is final and reported, not retried. */
  maxReceiveCount: number;
  partBytes?: number;
}

export const calendarObjectKey = (jobId: string) => `calendars/${jobId}.ics`;

const isPermanent = (error: unknown) => error instanceof UnrenderableTodoError || error instanceof PermanentError;

/** The follow-ups continue the request's trace (under this delivery's span when tracing is on). */
const followUp = (event: CloudEvent<'CalendarRequested'>) => ({
  subject: event.data.jobId,
  causationId: event.id,
  correlationId: event.correlationid,
  traceparent: event.traceparent,
});

/**
 * CalendarRequested → CalendarStarted, the .ics in the bucket, then CalendarGenerated; or
 * CalendarFailed once retrying cannot help. An effect handler: Started commits with the
 * claim, so it is published while the calendar renders and uploads with no transaction
 * open; the outcome goes through the outbox with the inbox row done, so a redelivered
 * request never reports twice. A transient failure before the last delivery is thrown and
 * retried; the retry renders again to the same key.
 */
export function renderRequestedCalendar(deps: CalendarJobDeps): EffectHandler<'CalendarRequested'> {
  return {
    async claim(event, { tx }) {
      await appendToOutbox(tx, { type: 'CalendarStarted', data: { jobId: event.data.jobId }, ...followUp(event) });
    },
    async work(event, { log, receiveCount }) {
      const { jobId, todos } = event.data;
      try {
        const calendar = await inSpan(
          'render calendar',
          { attributes: { 'taskoverflow.todos': todos.length } },
          async () => renderCalendar(todos),
        );
        const objectKey = calendarObjectKey(jobId);
        const target = { s3: deps.s3, bucket: deps.bucket, key: objectKey };
        const bytes = await inSpan(
          'store calendar',
          { kind: SpanKind.CLIENT, attributes: { 'aws.s3.key': objectKey } },
          () => uploadChunks(target, calendar.chunks, deps.partBytes),
        );
        log.info({ jobId, todos: todos.length, events: calendar.events, bytes }, 'calendar stored');
        const data = { jobId, objectKey, bytes, events: calendar.events };
        return { record: (tx) => appendToOutbox(tx, { type: 'CalendarGenerated', data, ...followUp(event) }) };
      } catch (error) {
        const final = isPermanent(error) || receiveCount >= deps.maxReceiveCount;
        if (!final) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        log.warn({ err: error, jobId, receiveCount }, 'calendar job failed');
        return {
          record: (tx) => appendToOutbox(tx, { type: 'CalendarFailed', data: { jobId, reason }, ...followUp(event) }),
        };
      }
    },
  };
}
