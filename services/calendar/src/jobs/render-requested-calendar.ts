import type { S3Client } from '@aws-sdk/client-s3';
import { appendToOutbox, type Handler, PermanentError } from '@taskoverflow/events';
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

/**
 * CalendarRequested → CalendarStarted, the .ics in the bucket, then CalendarGenerated; or
 * CalendarFailed once retrying cannot help. Every event goes through the outbox in the
 * inbox transaction, so a redelivered request never reports twice. A transient failure
 * before the last delivery is thrown, which rolls the events back and retries the message.
 */
export function renderRequestedCalendar(deps: CalendarJobDeps): Handler<'CalendarRequested'> {
  return async (event, { tx, log, receiveCount }) => {
    const { jobId, todos } = event.data;
    // The follow-ups continue the request's trace (under this delivery's span when tracing is on).
    const meta = {
      subject: jobId,
      causationId: event.id,
      correlationId: event.correlationid,
      traceparent: event.traceparent,
    };
    await appendToOutbox(tx, { type: 'CalendarStarted', data: { jobId }, ...meta });
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
      await appendToOutbox(tx, {
        type: 'CalendarGenerated',
        data: { jobId, objectKey, bytes, events: calendar.events },
        ...meta,
      });
      log.info({ jobId, todos: todos.length, events: calendar.events, bytes }, 'calendar stored');
    } catch (error) {
      const final = isPermanent(error) || receiveCount >= deps.maxReceiveCount;
      if (!final) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      log.warn({ err: error, jobId, receiveCount }, 'calendar job failed');
      await appendToOutbox(tx, { type: 'CalendarFailed', data: { jobId, reason }, ...meta });
    }
  };
}
